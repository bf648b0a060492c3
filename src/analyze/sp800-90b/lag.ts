import { type PredictionResult, predictionEstimate } from './prediction.js';

const D = 128;

/**
 * Lag prediction estimate, SP 800-90B §6.3.8: 128 predictors, the lag-d one guessing the symbol d
 * steps back; a scoreboard picks the best so far (ties to the larger lag updated last, as in the
 * reference tool). `k` is the alphabet size. Needs at least 3 samples.
 */
export function lagEstimate(S: Uint8Array, k: number): PredictionResult | null {
  const L = S.length;
  if (L < 3) return null;
  const score = new Int32Array(D);
  let winner = 0;
  let high = 0;
  let C = 0;
  let run = 0;
  let maxRun = 0;
  for (let i = 1; i < L; i++) {
    const x = S[i];
    if (x === S[i - winner - 1]) {
      C++;
      if (++run > maxRun) maxRun = run;
    } else run = 0;
    const dmax = Math.min(i, D);
    for (let d = 1; d <= dmax; d++) {
      if (S[i - d] === x) {
        const sc = ++score[d - 1];
        if (sc >= high) {
          winner = d - 1;
          high = sc;
        }
      }
    }
  }
  return predictionEstimate(C, L - 1, maxRun, k);
}
