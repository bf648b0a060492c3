import { renameSync, writeFileSync } from 'node:fs';
import { assertSchema } from '../contracts/schema.js';
import { errorMessage, OeError } from '../errors.js';

/**
 * Writes `text` to `--output PATH` atomically (tmp + rename), or to stdout when no path is given.
 * Returns the path written, if any, so the caller can say so on stderr.
 */
export function writeOutput(text: string, output?: string): string | undefined {
  if (!output || output === '-') {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return undefined;
  }
  const tmp = `${output}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text.endsWith('\n') ? text : `${text}\n`);
    renameSync(tmp, output);
  } catch (e) {
    throw new OeError('IO', `cannot write ${output}: ${errorMessage(e)}`);
  }
  return output;
}

/** Validates `data` against schemas/<schema>.schema.json, then writes it as pretty JSON. */
export function writeJson(data: unknown, schema: string, output?: string): string | undefined {
  assertSchema(schema, data);
  return writeOutput(JSON.stringify(data, null, 2), output);
}
