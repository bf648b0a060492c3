import { Z_ALPHA } from './most-common-value.js';
import { bisectDecreasing } from './numeric.js';

export interface CompressionResult {
  /** Mean of log2 of the distances, X̄. */
  xBar: number;
  /** σ̂ = 0.5907 · sample standard deviation. */
  sigmaHat: number;
  /** X̄' = X̄ − Z_α σ̂ / √v. */
  xBarPrime: number;
  /** Solved p, or 1/64 when not found. */
  p: number;
  found: boolean;
  /** −log2(p)/6 bits per bit (1 when not found). */
  hMin: number;
}

const B = 6;
const D = 1000;

function kahan(state: Float64Array, x: number): void {
  const y = x - state[1];
  const t = state[0] + y;
  state[1] = t - state[0] - y;
  state[0] = t;
}

/**
 * G(z) of SP 800-90B §6.3.4 step 8 in the inter-related form of the reference tool (sums of
 * A_i = Σ log2(i)·B_i with B_i = (1−z)^(i−1)), Kahan-summed; `log2Table[i]` = log2(i).
 */
function G(z: number, numBlocks: number, log2Table: Float64Array): number {
  const ai = new Float64Array(2);
  const first = new Float64Array(2);
  const v = numBlocks - D;
  const bterm = 1 - z;
  let bi = bterm;
  for (let i = 2; i <= D; i++) {
    kahan(ai, log2Table[i] * bi);
    bi *= bterm;
  }
  const ad1 = ai[0];
  let truncated = false;
  for (let i = D + 1; i <= numBlocks - 1; i++) {
    const a = log2Table[i] * bi;
    kahan(ai, a);
    const scaled = (numBlocks - i) * a;
    // The tool keeps B_i in long double and stops once a term underflows a double. In doubles B_i
    // would stick at the smallest subnormal (and crawl through subnormal arithmetic), so stop once it
    // is far below anything the sums can register: same result, no subnormals.
    if (scaled > 0 && bi > 1e-300) kahan(first, scaled);
    else {
      truncated = true;
      break;
    }
    bi *= bterm;
  }
  kahan(first, (numBlocks - D) * ad1);
  if (!truncated) kahan(ai, log2Table[numBlocks] * bi);
  return (1 / v) * z * (z * first[0] + (ai[0] - ad1));
}

/**
 * Compression estimate, SP 800-90B §6.3.4, for binary data: 6-bit blocks, a 1000-block dictionary,
 * the mean log2 distance to each block's previous occurrence, then p solved by bisection on the
 * expectation G(p) + 63·G((1−p)/63). Returns null with fewer than 6006 bits.
 */
export function compressionEstimate(bits: Uint8Array): CompressionResult | null {
  const numBlocks = Math.floor(bits.length / B);
  if (numBlocks <= D) return null;
  const alph = 1 << B;
  const dict = new Float64Array(alph);
  const blockAt = (i: number) => {
    let block = 0;
    const o = i * B;
    for (let j = 0; j < B; j++) block |= (bits[o + j] & 1) << (B - j - 1);
    return block;
  };
  for (let i = 0; i < D; i++) dict[blockAt(i)] = i + 1;
  const v = numBlocks - D;
  const X = new Float64Array(2);
  const S = new Float64Array(2);
  for (let i = D; i < numBlocks; i++) {
    const b = blockAt(i);
    const l = Math.log2(i + 1 - dict[b]);
    kahan(X, l);
    kahan(S, l * l);
    dict[b] = i + 1;
  }
  const xBar = X[0] / v;
  const sigmaHat = 0.5907 * Math.sqrt(S[0] / (v - 1) - xBar * xBar);
  const xBarPrime = xBar - (Z_ALPHA * sigmaHat) / Math.sqrt(v);
  const log2Table = new Float64Array(numBlocks + 1);
  for (let i = 1; i <= numBlocks; i++) log2Table[i] = Math.log2(i);
  const expected = (p: number) => {
    const q = (1 - p) / (alph - 1);
    return G(p, numBlocks, log2Table) + (alph - 1) * G(q, numBlocks, log2Table);
  };
  const lo = 1 / alph;
  let p = -1;
  if (expected(lo) > xBarPrime) p = bisectDecreasing(expected, xBarPrime, lo, 1, lo);
  if (p > lo) return { xBar, sigmaHat, xBarPrime, p, found: true, hMin: -Math.log2(p) / B };
  return { xBar, sigmaHat, xBarPrime, p: lo, found: false, hMin: 1 };
}
