import { Z_ALPHA } from './most-common-value.js';

export interface CollisionResult {
  /** Number of collisions found, v. */
  v: number;
  /** Sum of the collision times t_i. */
  sumT: number;
  /** Mean collision time X̄. */
  xBar: number;
  /** Standard deviation σ̂ of the collision times. */
  sigmaHat: number;
  /** Lower 99% bound X̄' = X̄ − Z_α σ̂ / √v (at least 2). */
  xBarPrime: number;
  /** Solved p (0.5 when X̄' ≥ 2.5, i.e. no solution). */
  p: number;
  /** Whether p was found (false: p = 0.5, 1 bit). */
  found: boolean;
  hMin: number;
}

/**
 * Collision estimate, SP 800-90B §6.3.2, for binary data. With the two-symbol form of the expected
 * collision time, step 7 reduces to X̄' = −2p² + 2p + 2, so p = 1/2 + √(5/4 − X̄'/2)
 * (the closed form the reference tool uses).
 */
export function collisionEstimate(bits: Uint8Array): CollisionResult {
  const len = bits.length;
  if (len < 3) throw new RangeError(`collision estimate needs at least 3 samples, got ${len}`);
  let i = 0;
  let v = 0;
  let s = 0;
  while (i < len - 1) {
    let t: number;
    if (bits[i] === bits[i + 1]) t = 2;
    else if (i < len - 2) t = 3;
    else break;
    v++;
    s += t * t;
    i += t;
  }
  const xBar = i / v;
  const sigmaHat = Math.sqrt((s - i * xBar) / (v - 1));
  let xBarPrime = xBar - (Z_ALPHA * sigmaHat) / Math.sqrt(v);
  if (xBarPrime < 2) xBarPrime = 2;
  let p = 0.5;
  let hMin = 1;
  const found = xBarPrime < 2.5;
  if (found) {
    p = 0.5 + Math.sqrt(1.25 - 0.5 * xBarPrime);
    hMin = -Math.log2(p);
  }
  return { v, sumT: i, xBar, sigmaHat, xBarPrime, p, found, hMin };
}
