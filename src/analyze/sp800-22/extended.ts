import { deflateSync } from 'node:zlib';
import { normalTwoSided } from '../stats/distributions.js';
import { autocorrelation, bitBias, chiSquareUniform, shannonEntropy } from '../stats/index.js';

/**
 * One test of the extended section: the sound tests of openentropy's 31-test battery (byte frequency,
 * bit-position bias, serial and lag correlation, mean, compression ratio, entropy). They are NOT part
 * of SP 800-22 and are reported separately. Tests with a p-value pass at p ≥ α; descriptive metrics
 * (compression ratio, Shannon entropy) have no p-value and no pass/fail.
 */
/** Input beyond this many bytes is left out of the autocorrelation tests (memory of the FFT). */
export const AUTOCORRELATION_MAX_BYTES = 1 << 20;

export interface ExtendedResult {
  name: string;
  /** What the test measures, one line. */
  description: string;
  applicable: boolean;
  reason?: string;
  pValue?: number;
  statistic?: number;
  /** A descriptive value (with `unit`) for metrics without a p-value. */
  value?: number;
  unit?: string;
}

/**
 * The extended tests on a byte stream. Left out on purpose, because they are unsound: birthday spacing
 * (p ≥ 0.5 by construction), KS and Anderson–Darling on discrete bytes against a continuous uniform, an
 * ad-hoc random-excursions ratio, Monte Carlo π, and a letter-grade score.
 */
export function extendedTests(bytes: Uint8Array): ExtendedResult[] {
  const n = bytes.length;
  const out: ExtendedResult[] = [];

  const chi = chiSquareUniform(bytes);
  out.push({
    name: 'Byte frequency',
    description: 'Pearson χ² of the 256 byte values against the discrete uniform distribution (255 d.o.f.)',
    applicable: chi.applicable,
    ...(chi.applicable
      ? { pValue: chi.pValue, statistic: chi.statistic }
      : { reason: 'not applicable (needs 1,280 bytes)' }),
  });

  if (n >= 100) {
    const bb = bitBias(bytes);
    out.push({
      name: 'Bit-position bias',
      description: 'Exact binomial test of P(bit = 1) = ½ at each of the 8 bit positions, Bonferroni-adjusted minimum',
      applicable: true,
      pValue: bb.minPValue,
      statistic: bb.overallBias,
    });
  } else out.push(na('Bit-position bias', 'Exact binomial test per bit position', 100));

  if (n >= 100) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += bytes[i];
    mean /= n;
    // Discrete uniform on 0..255: μ = 127.5, σ² = (256² − 1)/12 = 5461.25.
    const z = (mean - 127.5) / Math.sqrt(5461.25 / n);
    out.push({
      name: 'Byte mean',
      description: 'z-test of the mean byte value against 127.5 (σ² = 5461.25 under uniformity)',
      applicable: true,
      pValue: normalTwoSided(z),
      statistic: mean,
    });
  } else out.push(na('Byte mean', 'z-test of the mean byte value', 100));

  if (n >= 100) {
    // The FFT autocorrelation needs ~64 bytes of memory per input byte: cap it at 1 MiB of input.
    const capped = n > AUTOCORRELATION_MAX_BYTES;
    const ac = autocorrelation(capped ? bytes.subarray(0, AUTOCORRELATION_MAX_BYTES) : bytes, 1000);
    const over = capped ? ` (first ${AUTOCORRELATION_MAX_BYTES.toLocaleString('en-US')} bytes)` : '';
    const r1 = ac.r[0];
    out.push({
      name: 'Serial correlation',
      description: `Lag-1 autocorrelation of byte values, r₁·√(n−1) ~ N(0, 1)${over}`,
      applicable: !ac.constant,
      ...(ac.constant
        ? { reason: 'not applicable (constant stream)' }
        : { pValue: normalTwoSided(r1 * Math.sqrt(n - 1)), statistic: r1 }),
    });
    out.push({
      name: 'Lag-N correlation',
      description: `Largest |r_k| over lags 1–${ac.maxLag} (FFT), Bonferroni-adjusted two-sided p-value${over}`,
      applicable: !ac.constant,
      ...(ac.constant
        ? { reason: 'not applicable (constant stream)' }
        : { pValue: ac.maxPValue, statistic: ac.maxAbs }),
    });
    out.push({
      name: 'Ljung–Box',
      description: `Portmanteau Q over ${ac.ljungBox.df} lags, χ² p-value${over}`,
      applicable: !ac.constant && ac.ljungBox.df > 0,
      ...(ac.constant
        ? { reason: 'not applicable (constant stream)' }
        : { pValue: ac.ljungBox.pValue, statistic: ac.ljungBox.q }),
    });
  } else {
    out.push(na('Serial correlation', 'Lag-1 autocorrelation of byte values', 100));
    out.push(na('Lag-N correlation', 'Largest lagged autocorrelation', 100));
    out.push(na('Ljung–Box', 'Portmanteau autocorrelation test', 100));
  }

  if (n >= 32) {
    const ratio = deflateSync(bytes, { level: 9 }).length / n;
    out.push({
      name: 'Compression ratio',
      description:
        'zlib (level 9) compressed size / input size; ≈ 1.0 or above for random data, lower means redundancy',
      applicable: true,
      value: ratio,
      unit: 'ratio',
    });
  } else out.push(na('Compression ratio', 'zlib compressed size / input size', 32));

  if (n > 0) {
    const h = shannonEntropy(bytes);
    out.push({
      name: 'Shannon entropy',
      description: 'Plug-in Shannon entropy of the byte distribution (an upper bound, not a min-entropy)',
      applicable: true,
      value: h.bitsPerByte,
      unit: 'bits/byte',
    });
  }
  return out;
}

function na(name: string, description: string, bytes: number): ExtendedResult {
  return { name, description, applicable: false, reason: `not applicable (needs ${bytes} bytes)` };
}
