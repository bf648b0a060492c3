/** Where the build puts the yargs bundle: dist/vendor/yargs. */
export const YARGS_DIR: string;
/** The bundle's path inside its folder (that of yargs' ESM platform shim in the package). */
export const BUNDLE_PATH: string;
/** Bundles yargs and yargs/helpers into one ES module in `dir` (default YARGS_DIR); returns its path. */
export function bundleYargs(dir?: string): Promise<string>;
