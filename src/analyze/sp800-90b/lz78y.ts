import { ContextTrie } from './context-trie.js';
import { type PredictionResult, predictionEstimate } from './prediction.js';

const B = 16;
const MAX_DICTIONARY = 65536;

/**
 * LZ78Y prediction estimate, SP 800-90B §6.3.10: a dictionary of (previous 1..16 symbols → next)
 * counts, at most 65,536 contexts; each step predicts the most frequent postfix of the context with
 * the highest count (longer contexts win ties). `k` is the alphabet size.
 * Returns null with fewer than 18 samples.
 */
export function lz78yEstimate(data: Uint8Array, k: number): PredictionResult | null {
  if (data.length < B + 2) return null;
  return k === 2 ? binaryLz78y(data) : literalLz78y(data, k);
}

function literalLz78y(data: Uint8Array, k: number): PredictionResult {
  const len = data.length;
  const trie = new ContextTrie();
  let dictSize = 0;
  let C = 0;
  let run = 0;
  let maxRun = 0;
  for (let j = 1; j <= B; j++) {
    const node = trie.path(data, B, j);
    trie.present[node] = 1;
    trie.increment(node, data[B], true);
    dictSize++;
  }
  const nodes = new Int32Array(B + 1);
  for (let i = B + 1; i < len; i++) {
    const x = data[i];
    let node = 0;
    for (let j = 1; j <= B; j++) {
      node = node === -1 ? -1 : trie.child(node, data[i - j]);
      nodes[j] = node;
    }
    let have = false;
    let prediction = 0;
    let maxCount = 0;
    for (let j = B; j > 0; j--) {
      const n = nodes[j];
      if (n !== -1 && trie.present[n] === 1) {
        const count = trie.best[n];
        if (count > maxCount) {
          maxCount = count;
          prediction = trie.prediction[n];
          have = true;
        }
        trie.increment(n, x, true);
      } else if (dictSize < MAX_DICTIONARY) {
        const n2 = n !== -1 ? n : trie.path(data, i, j);
        trie.present[n2] = 1;
        trie.increment(n2, x, true);
        dictSize++;
      }
    }
    if (have && prediction === x) {
      C++;
      if (++run > maxRun) maxRun = run;
    } else run = 0;
  }
  return predictionEstimate(C, len - B - 1, maxRun, k);
}

function binaryLz78y(S: Uint8Array): PredictionResult {
  const L = S.length;
  const dict: Int32Array[] = [];
  for (let j = 0; j < B; j++) dict.push(new Int32Array(1 << (j + 2)));
  let elems = 0;
  let C = 0;
  let run = 0;
  let maxRun = 0;
  let pattern = 0;
  for (let j = 0; j < B; j++) {
    pattern |= (S[B - j - 1] & 1) << j;
    const mask = (1 << (j + 1)) - 1;
    dict[j][((pattern & mask) << 1) + (S[B] & 1)] = 1;
    elems++;
  }
  // pattern of the last B bits, S[i−1] in bit 0
  let window = 0;
  for (let t = 1; t <= B; t++) window = (window << 1) | (S[t] & 1);
  for (let i = B + 1; i < L; i++) {
    if (i > B + 1) window = ((window << 1) | (S[i - 1] & 1)) & 0xffff;
    const x = S[i] & 1;
    let have = false;
    let pred = 2;
    let maxCount = 0;
    for (let j = B; j > 0; j--) {
      const at = (window & ((1 << j) - 1)) << 1;
      const tab = dict[j - 1];
      const c0 = tab[at];
      const c1 = tab[at + 1];
      let round: number;
      let count: number;
      if (c0 > c1) {
        round = 0;
        count = c0;
      } else {
        round = 1;
        count = c1;
      }
      if (count !== 0) {
        if (count > maxCount) {
          maxCount = count;
          have = true;
          pred = round;
        }
        tab[at + x]++;
      } else if (elems < MAX_DICTIONARY) {
        tab[at + x] = 1;
        elems++;
      }
    }
    if (have && pred === x) {
      C++;
      if (++run > maxRun) maxRun = run;
    } else run = 0;
  }
  return predictionEstimate(C, L - B - 1, maxRun, 2);
}
