/** Bundles yargs and yargs/helpers into one ES module at `outfile` (default dist/vendor/yargs.js); returns its path. */
export function bundleYargs(outfile?: string): Promise<string>;
