import { erfc } from '../math/special.js';
import { realDftModuli } from '../stats/dft.js';
import type { BitSequence } from './bits.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/**
 * Discrete Fourier transform (spectral) test, SP 800-22 Rev. 1a §2.6: X = 2ε − 1, the exact-length
 * DFT of X (n need not be a power of two), N₁ = #{k < n/2 : |X_k| < T} with T = √(ln(1/0.05)·n),
 * N₀ = 0.95·n/2, d = (N₁ − N₀)/√(n·0.95·0.05/4), p = erfc(|d|/√2). Needs n ≥ 1000.
 */
export function discreteFourierTransformTest(seq: BitSequence): Sp80022Result {
  const { n, bits } = seq;
  if (n < 1000) return notApplicable('FFT', needsBits(1000));
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = 2 * bits[i] - 1;
  const moduli = realDftModuli(x);
  // STS's constant 2.995732274 = ln(20), rounded as in STS.
  const T = Math.sqrt(2.995732274 * n);
  let n1 = 0;
  for (let k = 0; k < moduli.length; k++) if (moduli[k] < T) n1++;
  const n0 = (0.95 * n) / 2;
  const d = (n1 - n0) / Math.sqrt((n * 0.95 * 0.05) / 4);
  return {
    name: 'FFT',
    applicable: true,
    pValues: [erfc(Math.abs(d) / Math.SQRT2)],
    parameters: {},
    statistics: { percentile: (n1 / (n / 2)) * 100, N1: n1, N0: n0, d },
  };
}
