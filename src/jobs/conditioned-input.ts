/** The SP 800-90B suite's input under `--conditioning` (collection code, passed into the pure analysis). */
import type { AssessmentConditioner } from '../analyze/source-analysis.js';
import { Sha256Conditioner, vonNeumann } from '../collect/conditioning/index.js';

/**
 * The bytes the SP 800-90B suite sees under `conditioning`. sha256 consumes ⌈320 / H⌉ raw bytes per 32-byte
 * block (H = MCV bits per byte), as the pool would; with H = 0 there is nothing to condition.
 */
export const conditionForAssessment: AssessmentConditioner = (bytes, mode, hPerByte) => {
  if (mode === 'raw') return bytes;
  if (mode === 'vonneumann') return vonNeumann(bytes);
  if (!(hPerByte > 0)) return new Uint8Array(0);
  const per = Math.ceil(320 / hPerByte);
  const blocks = Math.floor(bytes.length / per);
  const out = new Uint8Array(blocks * 32);
  const c = new Sha256Conditioner('oe-analyze');
  for (let b = 0; b < blocks; b++) {
    const chunk = bytes.subarray(b * per, (b + 1) * per);
    out.set(c.generate([{ source: 'input', bytes: chunk, creditBits: chunk.length * hPerByte }]), b * 32);
  }
  return out;
};
