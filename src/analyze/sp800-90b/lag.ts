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
  return k === 2 ? binaryLag(S) : literalLag(S, k);
}

function literalLag(S: Uint8Array, k: number): PredictionResult {
  const L = S.length;
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

/**
 * The same for bits, branch-free in the match test: the last 128 bits are kept in four 32-bit words
 * (bit b of word w is S[i−1−(32w+b)]), the matching lags are the set bits of ~(history ⊕ x), and the
 * scoreboard is updated in increasing lag order by walking those bits (same order as above). Its set-up and
 * run counting repeat literalLag's on purpose: each is one hot loop, specialised for its alphabet.
 */
function binaryLag(S: Uint8Array): PredictionResult {
  const L = S.length;
  const score = new Int32Array(D);
  const h = new Int32Array(4);
  const valid = new Int32Array(4);
  let winner = 0;
  let high = 0;
  let C = 0;
  let run = 0;
  let maxRun = 0;
  for (let i = 1; i < L; i++) {
    const x = S[i] & 1;
    h[3] = (h[3] << 1) | (h[2] >>> 31);
    h[2] = (h[2] << 1) | (h[1] >>> 31);
    h[1] = (h[1] << 1) | (h[0] >>> 31);
    h[0] = (h[0] << 1) | (S[i - 1] & 1);
    if (i <= D) {
      valid[3] = (valid[3] << 1) | (valid[2] >>> 31);
      valid[2] = (valid[2] << 1) | (valid[1] >>> 31);
      valid[1] = (valid[1] << 1) | (valid[0] >>> 31);
      valid[0] = (valid[0] << 1) | 1;
    }
    if (x === (S[i - winner - 1] & 1)) {
      C++;
      if (++run > maxRun) maxRun = run;
    } else run = 0;
    const flip = x ? -1 : 0;
    for (let w = 0; w < 4; w++) {
      let m = ~(h[w] ^ flip) & valid[w];
      while (m !== 0) {
        const low = m & -m;
        m ^= low;
        const d = (w << 5) + 31 - Math.clz32(low);
        const sc = ++score[d];
        if (sc >= high) {
          winner = d;
          high = sc;
        }
      }
    }
  }
  return predictionEstimate(C, L - 1, maxRun, 2);
}
