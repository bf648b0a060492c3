/**
 * The merge rule, which every reader of a session applies: in one directory, `part-N.parquet` holds
 * the rows one flush wrote and `part-A-B.parquet` the rows of parts A..B merged into one file. A file
 * whose range lies inside another file's range is *covered*: its rows are already in the larger file,
 * so readers skip it. A merge writes the larger file (`.tmp`, fsync, rename) before it deletes the
 * parts it covers, so at every instant the live files (those not covered) hold every row exactly once;
 * a merge interrupted between the rename and the last deletion leaves covered files behind, which
 * `oe sessions --repair` deletes. Ranges that overlap without one containing the other are never
 * written by oe; a reader refuses them.
 */
import { basename } from 'node:path';
import { OeError } from '../../errors.js';

export interface PartRange {
  /** The file's path (its name decides between equal ranges). */
  path: string;
  first: number;
  last: number;
}

/**
 * Splits one directory's parts into the live ones (in part order) and the covered ones. For equal
 * ranges the merged name (`part-A-A`) wins over the flush part (`part-A`).
 */
export function splitCovered<P extends PartRange>(parts: readonly P[], dir: string): { live: P[]; covered: P[] } {
  const sorted = [...parts].sort(
    (a, b) => a.first - b.first || b.last - a.last || Number(isMerged(b)) - Number(isMerged(a)),
  );
  const live: P[] = [];
  const covered: P[] = [];
  for (const p of sorted) {
    const top = live[live.length - 1];
    if (top && p.last <= top.last) covered.push(p);
    else if (top && p.first <= top.last) {
      throw new OeError(
        'BAD_INPUT',
        `${dir}: ${basename(top.path)} and ${basename(p.path)} overlap without one containing the other (not written by oe)`,
      );
    } else live.push(p);
  }
  return { live, covered };
}

function isMerged(p: PartRange): boolean {
  return /^part-\d+-\d+\.parquet$/.test(basename(p.path));
}

/**
 * Consecutive live parts grouped for merging: each group's rows stay within `maxRows` (a part that is
 * larger on its own stays alone) and only groups of two or more parts are returned.
 */
export function groupForMerge<P extends { rows: number }>(parts: readonly P[], maxRows: number): P[][] {
  return groupRows(parts, maxRows).filter((g) => g.length > 1);
}

/**
 * The merges to run in one directory, given its live files in part order. Consecutive files are
 * combined up to `maxRows`; the flush parts at the end are merged in any case. While recording (`final`
 * false) those flush parts count as one file (the minute's file, however large) and the last group is
 * left open, since more rows will join it. At the end of a recording, and for --compact, every group is
 * merged and a long run of flush parts is cut into pieces of up to `maxRows`. A file larger than
 * `maxRows` stays alone.
 */
export function planMerges<P extends { rows: number; flushPart: boolean }>(
  files: readonly P[],
  maxRows: number,
  final: boolean,
): P[][] {
  let i = files.length;
  while (i > 0 && files[i - 1].flushPart) i--;
  const tail = files.slice(i);
  const items = files.slice(0, i).map((f) => ({ rows: f.rows, members: [f] }));
  const tailPieces = final ? groupRows(tail, maxRows) : tail.length > 0 ? [tail] : [];
  for (const piece of tailPieces) items.push({ rows: piece.reduce((a, f) => a + f.rows, 0), members: piece });
  const last = items[items.length - 1];
  const merged = new Set<P[]>();
  const plans: P[][] = [];
  for (const g of groupForMerge(items, maxRows)) {
    if (g[g.length - 1] === last && !final) continue;
    plans.push(g.flatMap((x) => x.members));
    for (const x of g) merged.add(x.members);
  }
  for (const piece of tailPieces) if (!merged.has(piece) && piece.length >= 2) plans.push(piece);
  return plans;
}

/** Consecutive runs of `files` of up to `maxRows` rows each (a larger file is a run of its own). */
function groupRows<P extends { rows: number }>(files: readonly P[], maxRows: number): P[][] {
  const out: P[][] = [];
  let cur: P[] = [];
  let rows = 0;
  for (const f of files) {
    if (cur.length > 0 && rows + f.rows > maxRows) {
      out.push(cur);
      cur = [];
      rows = 0;
    }
    cur.push(f);
    rows += f.rows;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
