/**
 * The Compare page: `oe compare` over sessions and bench reports of the sessions folders, computed by the
 * same library calls (loadCompareInput, compareInputs, compareDocument), so the page shows what
 * `oe compare … --json` prints (schemas/compare.schema.json).
 */
import { compareInputs } from '../../analyze/compare/compare.js';
import { assertSchema } from '../../contracts/schema.js';
import { loadCompareInput } from '../../jobs/compare-inputs.js';
import { compareDocument } from '../../report/compare-text.js';
import type { SessionFolders } from './folders.js';
import { HttpError, onlyKeys } from './http.js';
import type { Report } from './jobs.js';

export interface CompareRef {
  kind: 'session' | 'bench';
  name: string;
  folder?: number;
}

export const MAX_COMPARE_INPUTS = 12;

/** Validates the body of POST /api/compare: `{inputs: [{kind, name, folder?}…], alpha?}`. */
export function parseCompareRequest(body: Record<string, unknown>): { inputs: CompareRef[]; alpha: number } {
  onlyKeys(body, ['inputs', 'alpha']);
  const { inputs, alpha } = body;
  if (!Array.isArray(inputs) || inputs.length < 2 || inputs.length > MAX_COMPARE_INPUTS)
    throw new HttpError(400, `inputs must be an array of 2 to ${MAX_COMPARE_INPUTS} sessions or bench reports`);
  const refs = inputs.map((x, i): CompareRef => {
    if (x === null || typeof x !== 'object' || Array.isArray(x))
      throw new HttpError(400, `inputs[${i}] must be an object`);
    const o = x as Record<string, unknown>;
    onlyKeys(o, ['kind', 'name', 'folder']);
    if (o.kind !== 'session' && o.kind !== 'bench')
      throw new HttpError(400, `inputs[${i}].kind must be session or bench`);
    if (typeof o.name !== 'string') throw new HttpError(400, `inputs[${i}].name must be a string`);
    if (o.folder !== undefined && (typeof o.folder !== 'number' || !Number.isInteger(o.folder) || o.folder < 0))
      throw new HttpError(400, `inputs[${i}].folder must be a folder index`);
    return { kind: o.kind, name: o.name, folder: o.folder as number | undefined };
  });
  const a = alpha === undefined ? 0.05 : alpha;
  if (typeof a !== 'number' || !(a > 0 && a < 1)) throw new HttpError(400, 'alpha must be a number in (0, 1)');
  return { inputs: refs, alpha: a };
}

/** Resolves every reference to a path first (so a bad one fails the request, not the job). */
export function resolveCompareRefs(folders: SessionFolders, refs: CompareRef[]): string[] {
  return refs.map((r) =>
    r.kind === 'session' ? folders.sessionDir(r.name, r.folder) : folders.benchPath(r.name, r.folder),
  );
}

export async function runCompare(paths: string[], alpha: number, report: Report): Promise<unknown> {
  const labels = paths.map((_, i) => (i < 26 ? String.fromCharCode(65 + i) : `I${i + 1}`));
  const inputs = [];
  for (let i = 0; i < paths.length; i++) {
    report(`loading ${labels[i]} (${i + 1} of ${paths.length})`, i / (paths.length + 1));
    inputs.push(await loadCompareInput(paths[i], labels[i]));
  }
  report('comparing', paths.length / (paths.length + 1));
  const doc = compareDocument(compareInputs(inputs, alpha));
  assertSchema('compare', doc);
  return JSON.parse(JSON.stringify(doc));
}
