/**
 * The exact size of libbzip2's `BZ2_bzBuffToBuffCompress(…, blockSize100k 5, verbosity 0, workFactor 0)`
 * output for the SP 800-90B §5.1.11 text of byte values ("v0 v1 … vn−1", decimal, single spaces, as
 * NIST's ea_iid writes it), computed without building the text or the bit stream.
 *
 * Every stage is libbzip2 1.0.x's, reproduced where it decides a bit count:
 * - Blocks: the run-length stage (RLE1) never fires on this text (no character repeats 4 times: a
 *   token has at most 3 digits and spaces are single), so a block is a contiguous stretch of the text.
 *   A block ends once 499,981 (`nblockMAX`) characters are written; runs of 2–3 equal digits are
 *   written whole, so the next block starts at the first run start at or after that point (the last
 *   block takes the rest when that start is the final or next-to-final character).
 * - BWT: sorting the block's cyclic rotations. The block is a cyclic sequence of space-terminated digit
 *   strings ("tokens"); the space sorts below every digit, so these strings form an order-preserving
 *   prefix-free code and a rotation starting inside token j compares as (the rest of token j as a
 *   terminated string, then the rotation of tokens starting at j+1). So one suffix sort of the token
 *   sequence (not of the 3.6× longer character sequence) orders every rotation: rotations are placed
 *   bucket by bucket (bucket = the terminated rest of the token) in the order of the token rotation
 *   after them. Identical rotations have identical predecessors, so the BWT column is the one
 *   libbzip2's own sort produces (its origPtr differs but always takes 24 bits).
 * - MTF and the RUNA/RUNB zero-run code (`generateMTFValues`), the table count from nMTF, the
 *   initial tables, four refinement passes with `BZ2_hbMakeCodeLengths` (maxLen 17, its heap and its
 *   rescaling), selector MTF, delta-coded lengths and the coded data (`sendMTFValues`).
 * Checked against libbzip2 (the WASM build) byte for byte in test/sp800-90b-bzip2.test.ts.
 *
 * The permutation rounds call `compressedTextSize`: the same computation in C++ (native/src/bzip2_size.cc,
 * in the addon, see native-kernels.ts), or this file's when the addon is not built. Same number.
 */
import { nativeKernels } from './native-kernels.js';

/** libbzip2's block capacity for blockSize100k = 5: 100000·5 − 19 characters. */
export const BLOCK_MAX = 100000 * 5 - 19;
const SPACE = 0x20;
/** Most digits a token can have in a block: the wrap token joins a ≤3-digit tail and a ≤3-digit head. */
const MAX_DIGITS = 6;
/** Above this depth (in tokens) the quick refinement hands the block to prefix doubling. */
const DEPTH_LIMIT = 64;

/** Order key of a digit string (digits 0–9, ≤ 6 of them), space-terminated: lexicographic order. */
function keyOf(d: ArrayLike<number>, from: number, to: number): number {
  let k = 0;
  for (let j = 0; j < MAX_DIGITS; j++) k = k * 11 + (from + j < to ? d[from + j] + 1 : 0);
  return k;
}

/** Per value v: its digits, their count, and per suffix k the bucket rank and predecessor character. */
const TOK_LEN = new Uint8Array(256);
const TOK_DIG = new Uint8Array(256 * 3);
/** Digit bit mask of each value (bit d set when digit d occurs). */
const TOK_MASK = new Uint16Array(256);
/**
 * Ranks of the 1,111 digit strings of length ≤ 3 (leading zeros allowed, the empty one included) are
 * spaced by 8, so that the ≤ 3 longer suffixes of a block's wrap token fit between them.
 */
const STD_KEYS: number[] = [];
const SUF_RANK = new Int32Array(256 * 4);
const PREV_CHAR = new Uint8Array(256 * 4);
/** Rank of each value's full string among the 256 value strings, and those strings' keys in order. */
const VALUE_ORDER = new Uint16Array(256);
const VALUE_KEYS_SORTED: number[] = [];
const RANK_SPACING = 8;

{
  for (let len = 0; len <= 3; len++) {
    for (let x = 0; x < 10 ** len; x++) {
      const d = String(x).padStart(len, '0').split('').map(Number);
      STD_KEYS.push(keyOf(len === 0 ? [] : d, 0, len));
    }
  }
  STD_KEYS.sort((a, b) => a - b);
  const stdRank = new Map(STD_KEYS.map((k, i) => [k, i]));
  const valueKeys: Array<[number, number]> = [];
  for (let v = 0; v < 256; v++) {
    const d = String(v).split('').map(Number);
    TOK_LEN[v] = d.length;
    for (let j = 0; j < d.length; j++) {
      TOK_DIG[v * 3 + j] = d[j];
      TOK_MASK[v] |= 1 << d[j];
    }
    for (let k = 0; k <= d.length; k++) {
      SUF_RANK[v * 4 + k] = RANK_SPACING * (stdRank.get(keyOf(d, k, d.length)) as number);
      PREV_CHAR[v * 4 + k] = k === 0 ? SPACE : 0x30 + d[k - 1];
    }
    valueKeys.push([keyOf(d, 0, d.length), v]);
  }
  valueKeys.sort((a, b) => a[0] - b[0]);
  valueKeys.forEach(([k, v], i) => {
    VALUE_ORDER[v] = i;
    VALUE_KEYS_SORTED.push(k);
  });
}

/** Number of entries of a sorted array below x. */
function countBelow(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Reused per-thread buffers (a block has at most BLOCK_MAX + 3 characters). */
const CAP = BLOCK_MAX + 8;
const bwt = new Uint8Array(CAP);
const seq = new Uint16Array(2 * CAP);
const sa = new Int32Array(CAP);
const tmpA = new Int32Array(CAP);
const tmpB = new Int32Array(CAP);
const tmpC = new Int32Array(CAP);
const keyCount = new Int32Array(257 * 257 + 1);
const bucket = new Int32Array(RANK_SPACING * STD_KEYS.length + 1);
const blockHist = new Int32Array(256);

/** Cyclic prefix doubling over seq[0..m) (alphabet < 65536): every rotation in order, in sa. */
function doublingSort(m: number, alphabet: number): void {
  const p = sa;
  const c = tmpA;
  let cn = tmpB;
  const pn = tmpC;
  const cnt = new Int32Array(Math.max(alphabet, m) + 1);
  for (let i = 0; i < m; i++) cnt[seq[i]]++;
  for (let v = 1; v < alphabet; v++) cnt[v] += cnt[v - 1];
  for (let i = m - 1; i >= 0; i--) p[--cnt[seq[i]]] = i;
  let cc = c;
  cc[p[0]] = 0;
  let classes = 1;
  for (let i = 1; i < m; i++) {
    if (seq[p[i]] !== seq[p[i - 1]]) classes++;
    cc[p[i]] = classes - 1;
  }
  for (let h = 1; h < m && classes < m; h *= 2) {
    for (let i = 0; i < m; i++) {
      let x = p[i] - h;
      if (x < 0) x += m;
      pn[i] = x;
    }
    cnt.fill(0, 0, classes);
    for (let i = 0; i < m; i++) cnt[cc[pn[i]]]++;
    for (let v = 1; v < classes; v++) cnt[v] += cnt[v - 1];
    for (let i = m - 1; i >= 0; i--) p[--cnt[cc[pn[i]]]] = pn[i];
    cn[p[0]] = 0;
    classes = 1;
    let prevA = cc[p[0]];
    let prevB = cc[(p[0] + h) % m];
    for (let i = 1; i < m; i++) {
      const a = cc[p[i]];
      const b = cc[(p[i] + h) % m];
      if (a !== prevA || b !== prevB) classes++;
      cn[p[i]] = classes - 1;
      prevA = a;
      prevB = b;
    }
    const t = cc;
    cc = cn;
    cn = t;
  }
}

/** Compares rotations a and b of seq from token depth d; 0 when equal up to DEPTH_LIMIT (undecided). */
function compareFrom(a: number, b: number, d: number): number {
  for (; d < DEPTH_LIMIT; d++) {
    const x = seq[a + d];
    const y = seq[b + d];
    if (x !== y) return x - y;
  }
  return 0;
}

/**
 * Sorts sa[lo..hi) (rotations equal on their first `depth` tokens) by insertion sort for small ranges
 * and multikey quicksort otherwise. Returns false when two rotations still agree at DEPTH_LIMIT tokens
 * (repetitive data): the caller then sorts the block by prefix doubling.
 */
function refine(lo: number, hi: number, depth: number): boolean {
  while (hi - lo > 1) {
    if (depth >= DEPTH_LIMIT) return false;
    if (hi - lo <= 12) {
      for (let i = lo + 1; i < hi; i++) {
        const x = sa[i];
        let j = i - 1;
        for (; j >= lo; j--) {
          const r = compareFrom(sa[j], x, depth);
          if (r === 0) return false;
          if (r < 0) break;
          sa[j + 1] = sa[j];
        }
        sa[j + 1] = x;
      }
      return true;
    }
    // three-way partition on the token at `depth` (pivot: median of three)
    const va = seq[sa[lo] + depth];
    const vb = seq[sa[(lo + hi) >> 1] + depth];
    const vc = seq[sa[hi - 1] + depth];
    // median of the three: the largest of the pairwise minima
    const pivot = Math.max(Math.min(va, vb), Math.min(Math.max(va, vb), vc));
    let lt = lo;
    let gt = hi - 1;
    let i = lo;
    while (i <= gt) {
      const v = seq[sa[i] + depth];
      if (v < pivot) {
        const t = sa[lt];
        sa[lt++] = sa[i];
        sa[i++] = t;
      } else if (v > pivot) {
        const t = sa[gt];
        sa[gt--] = sa[i];
        sa[i] = t;
      } else i++;
    }
    if (!refine(lo, lt, depth)) return false;
    if (!refine(gt + 1, hi, depth)) return false;
    lo = lt;
    hi = gt + 1;
    depth++;
  }
  return true;
}

/**
 * Sorts the m cyclic rotations of seq[0..m) (values < alphabet ≤ 257) into sa: a counting sort on
 * the first two tokens, then each group refined by comparison; prefix doubling when the data are so
 * repetitive that rotations agree on DEPTH_LIMIT tokens.
 */
function sortRotations(m: number, alphabet: number): void {
  for (let i = 0; i <= DEPTH_LIMIT; i++) seq[m + i] = seq[i % m];
  const buckets = alphabet * alphabet;
  keyCount.fill(0, 0, buckets + 1);
  for (let i = 0; i < m; i++) keyCount[seq[i] * alphabet + seq[i + 1] + 1]++;
  for (let k = 1; k <= buckets; k++) keyCount[k] += keyCount[k - 1];
  for (let i = 0; i < m; i++) sa[keyCount[seq[i] * alphabet + seq[i + 1]]++] = i;
  // keyCount[k] is now the end of bucket k (= start of bucket k+1)
  let start = 0;
  for (let k = 0; k < buckets; k++) {
    const end = keyCount[k];
    if (end - start > 1 && !refine(start, end, 2)) {
      doublingSort(m, alphabet);
      return;
    }
    start = end;
  }
}

/** BZ2_hbMakeCodeLengths (huffman.c): code lengths ≤ maxLen for freq[0..alphaSize), into len[off..]. */
const hHeap = new Int32Array(260 + 2);
const hWeight = new Int32Array(260 * 2);
const hParent = new Int32Array(260 * 2);
export function makeCodeLengths(
  len: Uint8Array,
  off: number,
  freq: Int32Array,
  foff: number,
  alphaSize: number,
  maxLen: number,
): void {
  const heap = hHeap;
  const weight = hWeight;
  const parent = hParent;
  for (let i = 0; i < alphaSize; i++) weight[i + 1] = (freq[foff + i] === 0 ? 1 : freq[foff + i]) << 8;
  for (;;) {
    let nNodes = alphaSize;
    let nHeap = 0;
    heap[0] = 0;
    weight[0] = 0;
    parent[0] = -2;
    for (let i = 1; i <= alphaSize; i++) {
      parent[i] = -1;
      nHeap++;
      heap[nHeap] = i;
      upHeap(nHeap);
    }
    while (nHeap > 1) {
      const n1 = heap[1];
      heap[1] = heap[nHeap];
      nHeap--;
      downHeap(nHeap);
      const n2 = heap[1];
      heap[1] = heap[nHeap];
      nHeap--;
      downHeap(nHeap);
      nNodes++;
      parent[n1] = nNodes;
      parent[n2] = nNodes;
      const w1 = weight[n1];
      const w2 = weight[n2];
      weight[nNodes] = ((w1 & 0xffffff00) + (w2 & 0xffffff00)) | (1 + Math.max(w1 & 0xff, w2 & 0xff));
      parent[nNodes] = -1;
      nHeap++;
      heap[nHeap] = nNodes;
      upHeap(nHeap);
    }
    let tooLong = false;
    for (let i = 1; i <= alphaSize; i++) {
      let j = 0;
      let k = i;
      while (parent[k] >= 0) {
        k = parent[k];
        j++;
      }
      len[off + i - 1] = j;
      if (j > maxLen) tooLong = true;
    }
    if (!tooLong) return;
    for (let i = 1; i <= alphaSize; i++) {
      const j = 1 + ((weight[i] >> 8) >> 1);
      weight[i] = j << 8;
    }
  }
}

function upHeap(z: number): void {
  const heap = hHeap;
  const weight = hWeight;
  let zz = z;
  const tmp = heap[zz];
  while (weight[tmp] < weight[heap[zz >> 1]]) {
    heap[zz] = heap[zz >> 1];
    zz >>= 1;
  }
  heap[zz] = tmp;
}

function downHeap(nHeap: number): void {
  const heap = hHeap;
  const weight = hWeight;
  let zz = 1;
  const tmp = heap[zz];
  for (;;) {
    let yy = zz << 1;
    if (yy > nHeap) break;
    if (yy < nHeap && weight[heap[yy + 1]] < weight[heap[yy]]) yy++;
    if (weight[tmp] < weight[heap[yy]]) break;
    heap[zz] = heap[yy];
    zz = yy;
  }
  heap[zz] = tmp;
}

const N_GROUPS = 6;
const G_SIZE = 50;
const N_ITERS = 4;
const tLen = new Uint8Array(N_GROUPS * 16);
const rfreq = new Int32Array(N_GROUPS * 16);
const mtfFreq = new Int32Array(16);
/** Per group of 50 MTF symbols, the count of each of its ≤ 16 symbols: all that sendMTFValues needs of them. */
const groupHist = new Uint8Array((Math.ceil((CAP + 1) / G_SIZE) + 1) * 16);

/**
 * Bits that sendMTFValues writes for nMTF MTF symbols over alphaSize ≤ 16 symbols (mapping table excluded),
 * from their counts (mtfFreq) and per-group histograms (groupHist) as generateMtf leaves them.
 */
export function sendMtfBits(nMTF: number, alphaSize: number): number {
  const A = 16;
  tLen.fill(15);
  const nGroups = nMTF < 200 ? 2 : nMTF < 600 ? 3 : nMTF < 1200 ? 4 : nMTF < 2400 ? 5 : 6;
  {
    let nPart = nGroups;
    let remF = nMTF;
    let gs = 0;
    while (nPart > 0) {
      const tFreq = Math.trunc(remF / nPart);
      let ge = gs - 1;
      let aFreq = 0;
      while (aFreq < tFreq && ge < alphaSize - 1) {
        ge++;
        aFreq += mtfFreq[ge];
      }
      if (ge > gs && nPart !== nGroups && nPart !== 1 && (nGroups - nPart) % 2 === 1) {
        aFreq -= mtfFreq[ge];
        ge--;
      }
      for (let v = 0; v < alphaSize; v++) tLen[(nPart - 1) * A + v] = v >= gs && v <= ge ? 0 : 15;
      nPart--;
      gs = ge + 1;
      remF -= aFreq;
    }
  }
  // each group of 50 MTF values enters the passes only through its symbol histogram (generateMtf)
  const nSel = Math.ceil(nMTF / G_SIZE);
  const hist = groupHist;
  const sel = new Uint8Array(nSel);
  // costs of tables 0–2 and 3–5 packed 10 bits each (a group costs at most 50·17 = 850 < 1024)
  const packLo = new Int32Array(A);
  const packHi = new Int32Array(A);
  for (let iter = 0; iter < N_ITERS; iter++) {
    rfreq.fill(0);
    for (let v = 0; v < alphaSize; v++) {
      packLo[v] = tLen[v] | (tLen[A + v] << 10) | (tLen[2 * A + v] << 20);
      packHi[v] = tLen[3 * A + v] | (tLen[4 * A + v] << 10) | (tLen[5 * A + v] << 20);
    }
    for (let g = 0; g < nSel; g++) {
      const o = g * A;
      let lo = 0;
      let hi = 0;
      for (let v = 0; v < alphaSize; v++) {
        const h = hist[o + v];
        lo += h * packLo[v];
        hi += h * packHi[v];
      }
      let bt = 0;
      let bc = lo & 1023;
      for (let t = 1; t < nGroups; t++) {
        const c = t < 3 ? (lo >> (10 * t)) & 1023 : (hi >> (10 * (t - 3))) & 1023;
        if (c < bc) {
          bc = c;
          bt = t;
        }
      }
      sel[g] = bt;
      const r = bt * A;
      for (let v = 0; v < alphaSize; v++) rfreq[r + v] += hist[o + v];
    }
    for (let t = 0; t < nGroups; t++) makeCodeLengths(tLen, t * A, rfreq, t * A, alphaSize, 17);
  }
  let bits = 3 + 15;
  // selectors, MTF-coded in unary
  const pos = [0, 1, 2, 3, 4, 5];
  for (let g = 0; g < nSel; g++) {
    const s = sel[g];
    let j = 0;
    while (pos[j] !== s) j++;
    for (let k = j; k > 0; k--) pos[k] = pos[k - 1];
    pos[0] = s;
    bits += j + 1;
  }
  // code lengths, delta coded
  for (let t = 0; t < nGroups; t++) {
    let curr = tLen[t * A];
    bits += 5;
    for (let v = 0; v < alphaSize; v++) {
      const l = tLen[t * A + v];
      bits += 2 * Math.abs(l - curr) + 1;
      curr = l;
    }
  }
  // the data: every symbol coded with its group's table
  for (let t = 0; t < nGroups; t++) for (let v = 0; v < alphaSize; v++) bits += rfreq[t * A + v] * tLen[t * A + v];
  return bits;
}

/**
 * generateMTFValues over bwt[0..n) holding symbol indices < nInUse: counts its output symbols in mtfFreq and
 * per group of 50 in groupHist (stride 16), returns nMTF.
 */
function generateMtf(n: number, nInUse: number): number {
  // The MTF list (≤ 11 symbols) as 4-bit fields: positions 0–7 in w0, 8–15 in w1; unused fields hold
  // 15, which is no symbol. A symbol's position is the lowest zero field of list XOR symbol·0x11111111.
  let w0 = -1;
  let w1 = -1;
  for (let i = nInUse - 1; i >= 0; i--) {
    if (i >= 8) w1 = (w1 << 4) | i;
    else w0 = (w0 << 4) | i;
  }
  mtfFreq.fill(0);
  const hist = groupHist;
  hist.fill(0, 0, (Math.ceil((n + 1) / G_SIZE) + 1) * 16);
  // each output symbol is only counted: in total and in its group of 50 (hist row g, cnt symbols so far)
  let wr = 0;
  let g = 0;
  let cnt = 0;
  let zPend = 0;
  for (let i = 0; i <= n; i++) {
    let j: number;
    if (i < n) {
      const ll = bwt[i];
      const spread = Math.imul(ll, 0x11111111);
      const x = w0 ^ spread;
      const z = (x - 0x11111111) & ~x & 0x88888888;
      if (z !== 0) {
        j = (31 - Math.clz32(z & -z)) >> 2;
        if (j === 0) {
          zPend++;
          continue;
        }
        const below = (1 << (4 * j)) - 1;
        w0 = (w0 & ~((below << 4) | 15)) | ((w0 & below) << 4) | ll;
      } else {
        const x1 = w1 ^ spread;
        const z1 = (x1 - 0x11111111) & ~x1 & 0x88888888;
        const j1 = (31 - Math.clz32(z1 & -z1)) >> 2;
        const below = (1 << (4 * j1)) - 1;
        w1 = (w1 & ~((below << 4) | 15)) | ((w1 & below) << 4) | (w0 >>> 28);
        w0 = (w0 << 4) | ll;
        j = 8 + j1;
      }
    } else j = nInUse; // past the end: EOB (= nInUse + 1) after the last run
    if (zPend > 0) {
      // the run of zPend zeros in bijective base 2, least significant digit first: RUNA (symbol 0) is
      // the digit 1, RUNB (symbol 1) the digit 2
      zPend--;
      for (;;) {
        const s = zPend & 1;
        mtfFreq[s]++;
        hist[g + s]++;
        wr++;
        if (++cnt === G_SIZE) {
          cnt = 0;
          g += 16;
        }
        if (zPend < 2) break;
        zPend = (zPend - 2) >> 1;
      }
      zPend = 0;
    }
    mtfFreq[j + 1]++;
    hist[g + j + 1]++;
    wr++;
    if (++cnt === G_SIZE) {
      cnt = 0;
      g += 16;
    }
  }
  return wr;
}

/** Bits of one compressed block, given its MTF input in bwt[0..n) and its used characters. */
function blockBits(n: number, usedDigits: number): number {
  let nInUse = 1;
  for (let d = 0; d < 10; d++) if (usedDigits & (1 << d)) nInUse++;
  const nMTF = generateMtf(n, nInUse);
  // magic, CRC, randomised bit, origPtr; the 16-bit range map and a 16-bit map per used range
  // (space lies in 0x20–0x2f, digits in 0x30–0x3f)
  const mapBits = 16 + 16 + (usedDigits ? 16 : 0);
  return 48 + 32 + 1 + 24 + mapBits + sendMtfBits(nMTF, nInUse + 2);
}

/** Block start positions and the cursor over tokens, for the text of `raw`. */
interface Cursor {
  tok: number;
  pos: number;
}

/** Character at text offset o of token i (o = TOK_LEN is its space). */
function charAt(raw: Uint8Array, i: number, o: number): number {
  return o === TOK_LEN[raw[i]] ? SPACE : 0x30 + TOK_DIG[raw[i] * 3 + o];
}

/**
 * Compressed size in bytes of the §5.1.11 text of `raw` (byte values), equal to libbzip2's
 * BZ2_bzBuffToBuffCompress at block size 5 (any work factor: it changes the sort, not the output).
 */
export function bzip2TextSize(raw: Uint8Array): number {
  const n = raw.length;
  if (n === 0) return 14;
  // text length: digits + separating spaces
  let L = n - 1;
  for (let i = 0; i < n; i++) L += TOK_LEN[raw[i]];
  if (n === 1) return smallTextSize(raw, L);
  let bits = 32 + 80;
  const cur: Cursor = { tok: 0, pos: 0 };
  let bTok = 0;
  let bOff = 0;
  let bPos = 0;
  for (;;) {
    // next block start: the first run start at or after bPos + BLOCK_MAX, unless that is within the
    // last two characters (then the input is exhausted first and this block is the last)
    const target = bPos + BLOCK_MAX;
    let eTok: number;
    let eOff: number;
    let last = target > L - 2;
    if (!last) {
      while (cur.pos + TOK_LEN[raw[cur.tok]] + 1 <= target) {
        cur.pos += TOK_LEN[raw[cur.tok]] + 1;
        cur.tok++;
      }
      let o = target - cur.pos;
      const t = cur.tok;
      while (o > 0 && o < TOK_LEN[raw[t]] && charAt(raw, t, o) === charAt(raw, t, o - 1)) o++;
      if (cur.pos + o > L - 2) last = true;
      eTok = t;
      eOff = o;
    }
    if (last) {
      eTok = n - 1;
      eOff = TOK_LEN[raw[n - 1]];
    }
    bits += blockFromTokens(raw, bTok, bOff, eTok!, eOff!);
    if (last) break;
    bTok = eTok!;
    bOff = eOff!;
    bPos = cur.pos + eOff!;
  }
  return Math.ceil(bits / 8);
}

/**
 * Bits of the block from (token aTok, offset aOff) up to, not including, (eTok, eOff) (eOff =
 * TOK_LEN for the final token means the text's end). Builds the cyclic token sequence — the complete
 * tokens, then the wrap token (the block's trailing digits followed by its leading digits and the
 * first space) — sorts its rotations and places every character rotation.
 */
function blockFromTokens(raw: Uint8Array, aTok: number, aOff: number, eTok: number, eOff: number): number {
  // tail digits: token eTok's first eOff characters when they are all digits; if eOff reaches past
  // its space (eOff − 1 = its space index), token eTok−1… are complete and the tail is empty
  const wrap: number[] = [];
  let lastComplete: number;
  if (eOff === 0) lastComplete = eTok - 1;
  else if (eOff === TOK_LEN[raw[eTok]] + 1) lastComplete = eTok;
  else {
    lastComplete = eTok - 1;
    for (let o = 0; o < eOff; o++) wrap.push(TOK_DIG[raw[eTok] * 3 + o]);
  }
  for (let o = aOff; o < TOK_LEN[raw[aTok]]; o++) wrap.push(TOK_DIG[raw[aTok] * 3 + o]);
  const first = aTok + 1;
  const complete = lastComplete - aTok;
  const m = complete + 1;
  // the wrap token's place among the value strings (dense ranks 0..256) and its suffixes' buckets
  const wKey = keyOf(wrap, 0, wrap.length);
  const below = countBelow(VALUE_KEYS_SORTED, wKey);
  const equal = below < 256 && VALUE_KEYS_SORTED[below] === wKey;
  const alphabet = equal ? 256 : 257;
  const wrapSuffix = new Int32Array(wrap.length + 1);
  const wrapPrev = new Uint8Array(wrap.length + 1);
  const extra: number[] = [];
  for (let k = 0; k <= wrap.length; k++) {
    const key = keyOf(wrap, k, wrap.length);
    wrapPrev[k] = k === 0 ? SPACE : 0x30 + wrap[k - 1];
    if (wrap.length - k <= 3) wrapSuffix[k] = RANK_SPACING * countBelow(STD_KEYS, key);
    else extra.push(key);
  }
  extra.sort((x, y) => x - y);
  for (let k = 0; k < wrap.length - 3; k++) {
    const key = keyOf(wrap, k, wrap.length);
    const c = countBelow(STD_KEYS, key);
    let t = 0;
    for (const e of extra) if (e < key && countBelow(STD_KEYS, e) === c) t++;
    wrapSuffix[k] = RANK_SPACING * (c - 1) + 1 + t;
  }
  // token sequence and the block's value histogram
  blockHist.fill(0);
  for (let j = 0; j < complete; j++) {
    const v = raw[first + j];
    blockHist[v]++;
    const r = VALUE_ORDER[v];
    seq[j] = !equal && r >= below ? r + 1 : r;
  }
  seq[complete] = below;
  sortRotations(m, alphabet);
  // bucket starts: every suffix of every token
  let usedDigits = 0;
  for (const d of wrap) usedDigits |= 1 << d;
  bucket.fill(0);
  for (let v = 0; v < 256; v++) {
    const c = blockHist[v];
    if (c === 0) continue;
    usedDigits |= TOK_MASK[v];
    for (let k = 0; k <= TOK_LEN[v]; k++) bucket[SUF_RANK[v * 4 + k]] += c;
  }
  for (let k = 0; k <= wrap.length; k++) bucket[wrapSuffix[k]]++;
  let total = 0;
  for (let b = 0; b < bucket.length; b++) {
    const c = bucket[b];
    bucket[b] = total;
    total += c;
  }
  // symbol indices as generateMTFValues sees them: space 0, then the used digits in order
  const sym = new Uint8Array(256);
  let nInUse = 1;
  for (let d = 0; d < 10; d++) if (usedDigits & (1 << d)) sym[0x30 + d] = nInUse++;
  const prevSym = new Uint8Array(256 * 4);
  for (let i = 0; i < prevSym.length; i++) prevSym[i] = sym[PREV_CHAR[i]];
  // rotations whose next token starts rotation sa[t] are those inside the token before it
  for (let t = 0; t < m; t++) {
    const j = sa[t] === 0 ? m - 1 : sa[t] - 1;
    if (j === complete) {
      for (let k = 0; k <= wrap.length; k++) bwt[bucket[wrapSuffix[k]]++] = sym[wrapPrev[k]];
    } else {
      const q = raw[first + j] * 4;
      const len = TOK_LEN[raw[first + j]];
      for (let k = 0; k <= len; k++) bwt[bucket[SUF_RANK[q + k]]++] = prevSym[q + k];
    }
  }
  return blockBits(total, usedDigits);
}

/** The one text with no space (a single value): its ≤ 3 rotations sorted directly. */
function smallTextSize(raw: Uint8Array, L: number): number {
  const chars = String(raw[0])
    .split('')
    .map((c) => c.charCodeAt(0));
  const rot = chars.map((_, i) => i);
  const str = (i: number) => String.fromCharCode(...chars.slice(i), ...chars.slice(0, i));
  rot.sort((a, b) => (str(a) < str(b) ? -1 : str(a) > str(b) ? 1 : 0));
  let usedDigits = 0;
  for (const c of chars) usedDigits |= 1 << (c - 0x30);
  const sym = new Uint8Array(256);
  let nInUse = 0;
  for (let d = 0; d < 10; d++) if (usedDigits & (1 << d)) sym[0x30 + d] = nInUse++;
  for (let t = 0; t < L; t++) bwt[t] = sym[chars[(rot[t] + L - 1) % L]];
  const nMTF = generateMtf(L, nInUse);
  const bits = 48 + 32 + 1 + 24 + 16 + 16 + sendMtfBits(nMTF, nInUse + 2);
  return Math.ceil((32 + bits + 80) / 8);
}

/** The C++ form of bzip2TextSize (native-kernels.ts) when the addon has it, else null; ≥ 2 values only. */
export function nativeBzip2TextSize(): ((raw: Uint8Array) => number) | null {
  const k = nativeKernels();
  return k ? (raw) => k.bzip2TextSize(raw) : null;
}

/** bzip2TextSize, computed by the addon when it is there (same number, less CPU). */
export function compressedTextSize(raw: Uint8Array): number {
  const k = nativeKernels();
  return k && raw.length >= 2 ? k.bzip2TextSize(raw) : bzip2TextSize(raw);
}
