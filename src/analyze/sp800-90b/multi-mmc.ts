import { ContextTrie } from './context-trie.js';
import { type PredictionResult, predictionEstimate } from './prediction.js';

const D_MMC = 16;
const MAX_ENTRIES = 100000;

/**
 * MultiMMC prediction estimate, SP 800-90B §6.3.9: sixteen Markov-model-with-counting predictors
 * using the previous 1..16 symbols, each dictionary capped at 100,000 (context, next) entries, and a
 * scoreboard picking the best so far. Processing order and tie rules follow the reference tool
 * (predictions stop at the first unseen context length). `k` is the alphabet size.
 * Returns null with fewer than 3 samples.
 */
export function multiMmcEstimate(data: Uint8Array, k: number): PredictionResult | null {
  if (data.length < 3) return null;
  return k === 2 ? binaryMultiMmc(data) : literalMultiMmc(data, k);
}

function literalMultiMmc(data: Uint8Array, k: number): PredictionResult {
  const len = data.length;
  const N = len - 2;
  const trie = new ContextTrie();
  const entries = new Int32Array(D_MMC);
  const score = new Float64Array(D_MMC);
  let winner = 0;
  let C = 0;
  let run = 0;
  let maxRun = 0;
  for (let d = 0; d < D_MMC; d++) {
    if (d < N) {
      const node = trie.path(data, d + 1, d + 1);
      trie.present[node] = 1;
      trie.increment(node, data[d + 1], true);
      entries[d] = 1;
    }
  }
  for (let i = 2; i < len; i++) {
    const x = data[i];
    let found = false;
    const curWinner = winner;
    let node = 0;
    for (let d = 0; d < D_MMC && i - 2 >= d; d++) {
      if (d === 0 || found) {
        node = trie.child(node, data[i - d - 1]);
        found = node !== -1 && trie.present[node] === 1;
      } else node = -1;
      if (found) {
        if (trie.prediction[node] === x) {
          if (++score[d] >= score[winner]) winner = d;
          if (d === curWinner) {
            C++;
            if (++run > maxRun) maxRun = run;
          }
        } else if (d === curWinner) run = 0;
        if (trie.increment(node, x, entries[d] < MAX_ENTRIES)) entries[d]++;
      } else if (entries[d] < MAX_ENTRIES) {
        const n2 = node !== -1 ? node : trie.path(data, i, d + 1);
        trie.present[n2] = 1;
        trie.increment(n2, x, true);
        entries[d]++;
      }
    }
  }
  return predictionEstimate(C, N, maxRun, k);
}

function binaryMultiMmc(S: Uint8Array): PredictionResult {
  const L = S.length;
  const dict: Int32Array[] = [];
  for (let j = 0; j < D_MMC; j++) dict.push(new Int32Array(1 << (j + 2)));
  const elems = new Int32Array(D_MMC);
  const score = new Float64Array(D_MMC);
  let winner = 0;
  let C = 0;
  let run = 0;
  let maxRun = 0;
  let pattern = 0;
  for (let d = 0; d < D_MMC && d + 1 < L; d++) {
    pattern = ((pattern << 1) | (S[d] & 1)) >>> 0;
    const mask = (1 << (d + 1)) - 1;
    dict[d][((pattern & mask) << 1) + (S[d + 1] & 1)] = 1;
    elems[d] = 1;
  }
  for (let i = 2; i < L; i++) {
    const x = S[i] & 1;
    let found = false;
    const curWinner = winner;
    pattern = 0;
    for (let d = 0; d < D_MMC && d <= i - 2; d++) {
      pattern |= (S[i - d - 1] & 1) << d;
      const tab = dict[d];
      const at = pattern << 1;
      let pred = 2;
      if (d === 0 || found) {
        const c0 = tab[at];
        const c1 = tab[at + 1];
        let count: number;
        if (c0 > c1) {
          pred = 0;
          count = c0;
        } else {
          pred = 1;
          count = c1;
        }
        found = count !== 0;
      }
      if (found) {
        if (pred === x) {
          score[d]++;
          if (score[d] >= score[winner]) winner = d;
          if (d === curWinner) {
            C++;
            if (++run > maxRun) maxRun = run;
          }
        } else if (d === curWinner) run = 0;
        if (tab[at + x] !== 0) tab[at + x]++;
        else if (elems[d] < MAX_ENTRIES) {
          tab[at + x] = 1;
          elems[d]++;
        }
      } else if (elems[d] < MAX_ENTRIES) {
        tab[at + x] = 1;
        elems[d]++;
      }
    }
  }
  return predictionEstimate(C, L - 2, maxRun, 2);
}
