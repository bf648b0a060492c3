import type { NistTestName } from '../src/analyze/sp800-22/types.js';

/** One banked sequence: its source, its report group (flawed inputs) and its battery's p-values. */
export interface BankLine {
  source: string;
  group?: string;
  results: { name: NistTestName; applicable: boolean; pValues: number[]; prerequisiteFailed?: boolean }[];
}

export function calibrationReport(lines: BankLine[]): string {
  return `${lines.length} sequences banked`;
}
