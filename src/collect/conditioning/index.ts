import { OeError } from '../../errors.js';

/**
 * The three output modes of the entropy pool (docs/CONDITIONING.md):
 * - `sha256`: full-entropy output; every 32-byte block is backed by >= 320 bits of credited min-entropy.
 * - `vonneumann`: von Neumann debiasing of the raw stream only; no entropy claim.
 * - `raw`: the sources' extracted bytes, unprocessed.
 */
export type Conditioning = 'sha256' | 'vonneumann' | 'raw';

export const CONDITIONINGS: readonly Conditioning[] = ['sha256', 'vonneumann', 'raw'];

/** Parses a conditioning name; accepts openentropy's aliases (`sha`, `vn`, `von_neumann`, `none`). */
export function parseConditioning(name: string): Conditioning {
  switch (name.trim().toLowerCase()) {
    case 'sha256':
    case 'sha':
      return 'sha256';
    case 'vonneumann':
    case 'von_neumann':
    case 'vn':
      return 'vonneumann';
    case 'raw':
    case 'none':
      return 'raw';
    default:
      throw new OeError('USAGE', `unknown conditioning "${name}" (use sha256, vonneumann or raw)`);
  }
}

export { FULL_ENTROPY_INPUT_BITS, OUTPUT_BLOCK_BYTES, Sha256Conditioner, type SourceContribution } from './sha256.js';
export { VonNeumannDebiaser, vonNeumann } from './von-neumann.js';
