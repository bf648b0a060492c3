import { type PredictionResult, predictionEstimate } from './prediction.js';

const W = [63, 255, 1023, 4095];

/**
 * MultiMCW prediction estimate, SP 800-90B §6.3.7: four most-common-in-window predictors
 * (windows 63, 255, 1023, 4095) and a scoreboard choosing the best so far. Ties for the most
 * common value go to the most recently seen symbol, as in the reference tool.
 * `k` is the alphabet size (symbols are 0..k−1). Returns null with fewer than 4096 samples.
 */
export function multiMcwEstimate(data: Uint8Array, k: number): PredictionResult | null {
  const len = data.length;
  const nw = W.length;
  if (len < W[nw - 1] + 1) return null;
  const N = len - W[0];
  const cnt = new Int32Array(nw * k);
  const pos = new Float64Array(nw * k);
  const maxCnt = new Int32Array(nw);
  const frequent = new Int32Array(nw);
  const score = new Float64Array(nw);
  let winner = 0;
  let C = 0;
  let run = 0;
  let maxRun = 0;
  for (let i = 0; i < W[nw - 1]; i++) {
    const x = data[i];
    for (let j = 0; j < nw; j++) {
      if (i < W[j]) {
        const c = ++cnt[j * k + x];
        if (maxCnt[j] <= c) {
          maxCnt[j] = c;
          frequent[j] = x;
        }
        pos[j * k + x] = i;
      }
    }
  }
  for (let i = W[0]; i < len; i++) {
    const x = data[i];
    if (frequent[winner] === x) {
      C++;
      if (++run > maxRun) maxRun = run;
    } else run = 0;
    for (let j = 0; j < nw; j++) {
      if (i >= W[j] && frequent[j] === x) {
        if (++score[j] >= score[winner]) winner = j;
      }
    }
    for (let j = 0; j < nw; j++) {
      if (i < W[j]) continue;
      const base = j * k;
      const old = data[i - W[j]];
      cnt[base + old]--;
      const c = ++cnt[base + x];
      pos[base + x] = i;
      if (old !== frequent[j] && maxCnt[j] <= c) {
        maxCnt[j] = c;
        frequent[j] = x;
      } else if (old === frequent[j]) {
        maxCnt[j]--;
        let maxPos = i - W[j];
        for (let s = 0; s < k; s++) {
          const cs = cnt[base + s];
          if (maxCnt[j] < cs || (maxCnt[j] === cs && maxPos <= pos[base + s])) {
            maxCnt[j] = cs;
            frequent[j] = s;
            maxPos = pos[base + s];
          }
        }
      }
    }
  }
  return predictionEstimate(C, N, maxRun, k);
}
