// The exact size of libbzip2's level-5 output for the SP 800-90B §5.1.11 text of byte values, the C++
// form of src/analyze/sp800-90b/bzip2-size.ts (whose doc comment explains every stage; this file
// follows it step by step and returns the same number). It differs only in how the token rotations are
// sorted, which does not change the result (any correct sort gives the same BWT column):
// - token ranks are dense over the values present in the block, so a rank takes b = ⌈log2 A⌉ bits and
//   T = ⌊64 / b⌋ consecutive tokens pack into one 64-bit key (7 for 8-bit data, 32 for binary data);
// - a counting sort on the first r ≤ T tokens (A^r ≤ 2^17) buckets the rotations, carrying each one's
//   first key; buckets of more than 16 are sorted by std::sort, the rest by one insertion pass over the
//   whole array, comparing packed keys (T tokens per comparison);
// - rotations still equal after DEPTH_LIMIT tokens (repetitive data) send the block to prefix doubling.
// The MTF pass keeps the ≤ 11-symbol list in the 4-bit fields of one 64-bit word and writes its output
// without branches, then counts it per group of 50.
// Checked against libbzip2 byte for byte in test/sp800-90b-bzip2.test.ts.
#include "bzip2_size.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif

namespace oe {
namespace {

constexpr int BLOCK_MAX = 100000 * 5 - 19;
constexpr uint8_t SPACE = 0x20;
constexpr int MAX_DIGITS = 6;
constexpr int RANK_SPACING = 8;
constexpr int N_STD = 1111;
// Rotations equal on this many tokens go to prefix doubling (keys are compared up to T − 1 beyond it).
constexpr int DEPTH_LIMIT = 64;
// Largest bucket count of the first counting sort.
constexpr int RADIX_MAX = 1 << 17;

// Order key of a digit string (≤ 6 digits), space-terminated: lexicographic order.
int keyOf(const uint8_t* d, int from, int to) {
  int k = 0;
  for (int j = 0; j < MAX_DIGITS; j++) k = k * 11 + (from + j < to ? d[from + j] + 1 : 0);
  return k;
}

// The tables of bzip2-size.ts: per value its digits, per suffix its bucket rank and predecessor.
struct Tables {
  uint8_t tokLen[256];
  uint8_t tokDig[256 * 3];
  uint16_t tokMask[256];
  int stdKeys[N_STD];
  int sufRank[256 * 4];
  uint8_t prevChar[256 * 4];
  uint16_t valueOrder[256];
  int valueKeysSorted[256];
  // values in the order of their strings
  uint8_t valueByOrder[256];

  Tables() {
    int ns = 0;
    for (int len = 0, p = 1; len <= 3; len++, p *= 10) {
      for (int x = 0; x < p; x++) {
        uint8_t d[3] = {0, 0, 0};
        for (int j = len - 1, y = x; j >= 0; j--, y /= 10) d[j] = uint8_t(y % 10);
        stdKeys[ns++] = keyOf(d, 0, len);
      }
    }
    std::sort(stdKeys, stdKeys + N_STD);
    int vk[256];
    for (int v = 0; v < 256; v++) {
      uint8_t d[3] = {0, 0, 0};
      int len = v >= 100 ? 3 : v >= 10 ? 2 : 1;
      for (int j = len - 1, y = v; j >= 0; j--, y /= 10) d[j] = uint8_t(y % 10);
      tokLen[v] = uint8_t(len);
      tokMask[v] = 0;
      for (int j = 0; j < len; j++) {
        tokDig[v * 3 + j] = d[j];
        tokMask[v] |= uint16_t(1 << d[j]);
      }
      for (int k = 0; k <= len; k++) {
        int key = keyOf(d, k, len);
        sufRank[v * 4 + k] = RANK_SPACING * int(std::lower_bound(stdKeys, stdKeys + N_STD, key) - stdKeys);
        prevChar[v * 4 + k] = k == 0 ? SPACE : uint8_t(0x30 + d[k - 1]);
      }
      vk[v] = keyOf(d, 0, len);
    }
    int order[256];
    for (int v = 0; v < 256; v++) order[v] = v;
    std::sort(order, order + 256, [&](int a, int b) { return vk[a] < vk[b]; });
    for (int i = 0; i < 256; i++) {
      valueOrder[order[i]] = uint16_t(i);
      valueKeysSorted[i] = vk[order[i]];
      valueByOrder[i] = uint8_t(order[i]);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

int countBelow(const int* sorted, int len, int x) { return int(std::lower_bound(sorted, sorted + len, x) - sorted); }

constexpr int CAP = BLOCK_MAX + 8;
constexpr int N_GROUPS = 6;
constexpr int G_SIZE = 50;
constexpr int N_ITERS = 4;
constexpr int EXT = DEPTH_LIMIT + 2 * 64;

struct KeyRot {
  uint64_t key;
  int32_t rot;
};

// One thread's buffers (piscina workers are threads of one process).
struct Work {
  std::vector<uint8_t> bwt = std::vector<uint8_t>(CAP);
  std::vector<uint16_t> seq = std::vector<uint16_t>(CAP + EXT);
  std::vector<uint64_t> key = std::vector<uint64_t>(CAP + EXT);
  std::vector<int32_t> sa = std::vector<int32_t>(CAP);
  std::vector<uint64_t> sortKey = std::vector<uint64_t>(CAP);
  std::vector<KeyRot> pairs = std::vector<KeyRot>(CAP);
  std::vector<int32_t> tmpA = std::vector<int32_t>(CAP);
  std::vector<int32_t> tmpB = std::vector<int32_t>(CAP);
  std::vector<int32_t> tmpC = std::vector<int32_t>(CAP);
  std::vector<int32_t> cnt = std::vector<int32_t>(std::max(RADIX_MAX, CAP) + 2);
  std::vector<int32_t> bucket = std::vector<int32_t>(RANK_SPACING * N_STD + 1);
  std::vector<uint8_t> groupHist = std::vector<uint8_t>((CAP / G_SIZE + 3) * 16);
  // MTF output symbols of a block (at most n + 1, and writeRun writes up to 4 ahead)
  std::vector<uint8_t> mtfOut = std::vector<uint8_t>(CAP + 8);
  std::vector<uint8_t> sel = std::vector<uint8_t>(CAP / G_SIZE + 3);
  int32_t blockHist[256];
  int32_t mtfFreq[16];
};

// A pointer per thread: a dlopen'ed library's static TLS block has room for a few bytes, not a Work.
Work& work() {
  thread_local std::unique_ptr<Work> w;
  if (!w) w = std::make_unique<Work>();
  return *w;
}

// Cyclic prefix doubling over seq[0..m) (ranks < alphabet): every rotation in order, in sa.
void doublingSort(Work& w, int m, int alphabet) {
  int32_t* p = w.sa.data();
  int32_t* cc = w.tmpA.data();
  int32_t* cn = w.tmpB.data();
  int32_t* pn = w.tmpC.data();
  const uint16_t* seq = w.seq.data();
  int32_t* cnt = w.cnt.data();
  std::fill(cnt, cnt + std::max(alphabet, m) + 1, 0);
  for (int i = 0; i < m; i++) cnt[seq[i]]++;
  for (int v = 1; v < alphabet; v++) cnt[v] += cnt[v - 1];
  for (int i = m - 1; i >= 0; i--) p[--cnt[seq[i]]] = i;
  cc[p[0]] = 0;
  int classes = 1;
  for (int i = 1; i < m; i++) {
    if (seq[p[i]] != seq[p[i - 1]]) classes++;
    cc[p[i]] = classes - 1;
  }
  for (int h = 1; h < m && classes < m; h *= 2) {
    for (int i = 0; i < m; i++) {
      int x = p[i] - h;
      if (x < 0) x += m;
      pn[i] = x;
    }
    std::fill(cnt, cnt + classes, 0);
    for (int i = 0; i < m; i++) cnt[cc[pn[i]]]++;
    for (int v = 1; v < classes; v++) cnt[v] += cnt[v - 1];
    for (int i = m - 1; i >= 0; i--) p[--cnt[cc[pn[i]]]] = pn[i];
    cn[p[0]] = 0;
    classes = 1;
    int prevA = cc[p[0]];
    int prevB = cc[(p[0] + h) % m];
    for (int i = 1; i < m; i++) {
      int a = cc[p[i]];
      int b = cc[(p[i] + h) % m];
      if (a != prevA || b != prevB) classes++;
      cn[p[i]] = classes - 1;
      prevA = a;
      prevB = b;
    }
    std::swap(cc, cn);
  }
}

// Sorts the m cyclic rotations of seq[0..m) (dense ranks < alphabet ≤ 257) into sa. Returns after
// prefix doubling when two rotations agree on DEPTH_LIMIT tokens.
void sortRotations(Work& w, int m, int alphabet) {
  uint16_t* seq = w.seq.data();
  int32_t* sa = w.sa.data();
  if (alphabet < 2) {
    // one token repeated: all rotations are equal
    for (int i = 0; i < m; i++) sa[i] = i;
    return;
  }
  for (int i = 0; i < EXT; i++) seq[m + i] = seq[i % m];
  const int b = alphabet <= 2 ? 1 : 32 - __builtin_clz(uint32_t(alphabet - 1));
  const int T = 64 / b;
  // key[i]: tokens i … i+T−1 packed from the top bits, for i < m + DEPTH_LIMIT + T
  uint64_t* key = w.key.data();
  const int nKeys = m + DEPTH_LIMIT + T;
  {
    uint64_t k = 0;
    for (int j = 0; j < T; j++) k |= uint64_t(seq[j]) << (64 - b * (j + 1));
    key[0] = k;
    const int low = 64 - b * T;
    for (int i = 1; i < nKeys; i++) {
      k = (k << b) | (uint64_t(seq[i + T - 1]) << low);
      key[i] = k;
    }
  }
  // counting sort on the first r tokens
  int r = 1;
  int64_t buckets = alphabet;
  while (buckets * alphabet <= RADIX_MAX) {
    buckets *= alphabet;
    r++;
  }
  int32_t* rk = w.tmpA.data();
  int32_t* cnt = w.cnt.data();
  {
    int64_t top = buckets / alphabet;
    int32_t x = 0;
    for (int j = 0; j < r; j++) x = x * alphabet + seq[j];
    for (int i = 0; i < m; i++) {
      rk[i] = x;
      x = int32_t((x - seq[i] * top) * alphabet + seq[i + r]);
    }
  }
  std::fill(cnt, cnt + buckets + 1, 0);
  for (int i = 0; i < m; i++) cnt[rk[i] + 1]++;
  // (cnt[k] is the size of bucket k − 1 until it is summed)
  int32_t largest = 0;
  for (int64_t k = 1; k <= buckets; k++) {
    largest = std::max(largest, cnt[k]);
    cnt[k] += cnt[k - 1];
  }
  // each rotation with its first T tokens beside it, so that the sorts below read keys in sequence
  uint64_t* sk = w.sortKey.data();
  for (int i = 0; i < m; i++) {
    const int pos = cnt[rk[i]]++;
    sa[pos] = i;
    sk[pos] = key[i];
  }
  // cnt[k] is now the end of bucket k. Rotations with equal first T tokens compare T tokens further on,
  // up to DEPTH_LIMIT; equal there too (a tie) means repetitive data: prefix doubling.
  bool tie = false;
  auto deeperLess = [&](int32_t a, int32_t c) {
    // after a tie the order no longer matters (the block is sorted again): keys alone decide
    if (tie) return false;
    for (int d = T; d < DEPTH_LIMIT; d += T) {
      const uint64_t x = key[a + d];
      const uint64_t y = key[c + d];
      if (x != y) return x < y;
    }
    if (a != c) tie = true;
    return false;
  };
  // buckets of more than 16 rotations: std::sort on (key, rotation) pairs
  int start = 0;
  for (int64_t k = 0; k < buckets && largest > 16; k++) {
    const int end = cnt[k];
    if (end - start > 16) {
      auto* pairs = w.pairs.data();
      for (int i = start; i < end; i++) pairs[i - start] = {sk[i], sa[i]};
      std::sort(pairs, pairs + (end - start), [&](const KeyRot& x, const KeyRot& y) {
        return x.key != y.key ? x.key < y.key : deeperLess(x.rot, y.rot);
      });
      for (int i = start; i < end; i++) {
        sk[i] = pairs[i - start].key;
        sa[i] = pairs[i - start].rot;
      }
      if (tie) break;
    }
    start = end;
  }
  if (tie) {
    doublingSort(w, m, alphabet);
    return;
  }
  // then one insertion pass over the whole array: rotations of different buckets are already in order
  // (their keys differ in the first r ≤ T tokens), so it only reorders within the small buckets
  for (int i = 1; i < m; i++) {
    const uint64_t x = sk[i];
    const int32_t a = sa[i];
    int j = i - 1;
    while (j >= 0 && (sk[j] > x || (sk[j] == x && deeperLess(a, sa[j])))) {
      sk[j + 1] = sk[j];
      sa[j + 1] = sa[j];
      j--;
    }
    sk[j + 1] = x;
    sa[j + 1] = a;
    if (tie) break;
  }
  if (tie) doublingSort(w, m, alphabet);
}

// BZ2_hbMakeCodeLengths (huffman.c): code lengths ≤ maxLen for freq[0..alphaSize), into len[0..).
void makeCodeLengths(uint8_t* len, const int32_t* freq, int alphaSize, int maxLen) {
  int32_t heap[260 + 2];
  int32_t weight[260 * 2];
  int32_t parent[260 * 2];
  for (int i = 0; i < alphaSize; i++) weight[i + 1] = (freq[i] == 0 ? 1 : freq[i]) << 8;
  auto upHeap = [&](int z) {
    int zz = z;
    int32_t tmp = heap[zz];
    while (weight[tmp] < weight[heap[zz >> 1]]) {
      heap[zz] = heap[zz >> 1];
      zz >>= 1;
    }
    heap[zz] = tmp;
  };
  auto downHeap = [&](int nHeap) {
    int zz = 1;
    int32_t tmp = heap[zz];
    for (;;) {
      int yy = zz << 1;
      if (yy > nHeap) break;
      if (yy < nHeap && weight[heap[yy + 1]] < weight[heap[yy]]) yy++;
      if (weight[tmp] < weight[heap[yy]]) break;
      heap[zz] = heap[yy];
      zz = yy;
    }
    heap[zz] = tmp;
  };
  for (;;) {
    int nNodes = alphaSize;
    int nHeap = 0;
    heap[0] = 0;
    weight[0] = 0;
    parent[0] = -2;
    for (int i = 1; i <= alphaSize; i++) {
      parent[i] = -1;
      nHeap++;
      heap[nHeap] = i;
      upHeap(nHeap);
    }
    while (nHeap > 1) {
      int n1 = heap[1];
      heap[1] = heap[nHeap];
      nHeap--;
      downHeap(nHeap);
      int n2 = heap[1];
      heap[1] = heap[nHeap];
      nHeap--;
      downHeap(nHeap);
      nNodes++;
      parent[n1] = parent[n2] = nNodes;
      int32_t w1 = weight[n1];
      int32_t w2 = weight[n2];
      weight[nNodes] = ((w1 & ~0xff) + (w2 & ~0xff)) | (1 + std::max(w1 & 0xff, w2 & 0xff));
      parent[nNodes] = -1;
      nHeap++;
      heap[nHeap] = nNodes;
      upHeap(nHeap);
    }
    bool tooLong = false;
    for (int i = 1; i <= alphaSize; i++) {
      int j = 0;
      int k = i;
      while (parent[k] >= 0) {
        k = parent[k];
        j++;
      }
      len[i - 1] = uint8_t(j);
      if (j > maxLen) tooLong = true;
    }
    if (!tooLong) return;
    for (int i = 1; i <= alphaSize; i++) {
      int j = 1 + ((weight[i] >> 8) >> 1);
      weight[i] = j << 8;
    }
  }
}

// Bits sendMTFValues writes for nMTF symbols over alphaSize ≤ 16 (mapping table excluded), from
// w.mtfFreq and the per-group histograms w.groupHist (stride 16).
int64_t sendMtfBits(Work& w, int nMTF, int alphaSize) {
  constexpr int A = 16;
  uint8_t tLen[N_GROUPS * A];
  int32_t rfreq[N_GROUPS * A];
  std::memset(tLen, 15, sizeof tLen);
  const int32_t* mtfFreq = w.mtfFreq;
  const int nGroups = nMTF < 200 ? 2 : nMTF < 600 ? 3 : nMTF < 1200 ? 4 : nMTF < 2400 ? 5 : 6;
  {
    int nPart = nGroups;
    int remF = nMTF;
    int gs = 0;
    while (nPart > 0) {
      int tFreq = remF / nPart;
      int ge = gs - 1;
      int aFreq = 0;
      while (aFreq < tFreq && ge < alphaSize - 1) {
        ge++;
        aFreq += mtfFreq[ge];
      }
      if (ge > gs && nPart != nGroups && nPart != 1 && (nGroups - nPart) % 2 == 1) {
        aFreq -= mtfFreq[ge];
        ge--;
      }
      for (int v = 0; v < alphaSize; v++) tLen[(nPart - 1) * A + v] = v >= gs && v <= ge ? 0 : 15;
      nPart--;
      gs = ge + 1;
      remF -= aFreq;
    }
  }
  const int nSel = (nMTF + G_SIZE - 1) / G_SIZE;
  const uint8_t* hist = w.groupHist.data();
  uint8_t* sel = w.sel.data();
  // costs of tables 0–2 and 3–5 packed 10 bits each (a group costs at most 50·17 = 850 < 1024)
  // all 16 fields (zero beyond alphaSize, as the histograms are), so the loops below have a fixed length
  int32_t packLo[A] = {0};
  int32_t packHi[A] = {0};
  for (int iter = 0; iter < N_ITERS; iter++) {
    std::memset(rfreq, 0, sizeof rfreq);
    for (int v = 0; v < alphaSize; v++) {
      packLo[v] = tLen[v] | (tLen[A + v] << 10) | (tLen[2 * A + v] << 20);
      packHi[v] = tLen[3 * A + v] | (tLen[4 * A + v] << 10) | (tLen[5 * A + v] << 20);
    }
    for (int g = 0; g < nSel; g++) {
      const uint8_t* h = hist + g * A;
      int32_t lo = 0;
      int32_t hi = 0;
      for (int v = 0; v < A; v++) {
        lo += h[v] * packLo[v];
        hi += h[v] * packHi[v];
      }
      int bt = 0;
      int bc = lo & 1023;
      for (int t = 1; t < nGroups; t++) {
        int c = t < 3 ? (lo >> (10 * t)) & 1023 : (hi >> (10 * (t - 3))) & 1023;
        if (c < bc) {
          bc = c;
          bt = t;
        }
      }
      sel[g] = uint8_t(bt);
      int32_t* rf = rfreq + bt * A;
      for (int v = 0; v < A; v++) rf[v] += h[v];
    }
    for (int t = 0; t < nGroups; t++) makeCodeLengths(tLen + t * A, rfreq + t * A, alphaSize, 17);
  }
  int64_t bits = 3 + 15;
  // selectors, MTF-coded in unary
  uint8_t pos[N_GROUPS] = {0, 1, 2, 3, 4, 5};
  for (int g = 0; g < nSel; g++) {
    uint8_t s = sel[g];
    int j = 0;
    while (pos[j] != s) j++;
    for (int k = j; k > 0; k--) pos[k] = pos[k - 1];
    pos[0] = s;
    bits += j + 1;
  }
  // code lengths, delta coded
  for (int t = 0; t < nGroups; t++) {
    int curr = tLen[t * A];
    bits += 5;
    for (int v = 0; v < alphaSize; v++) {
      int l = tLen[t * A + v];
      bits += 2 * std::abs(l - curr) + 1;
      curr = l;
    }
  }
  // the data: every symbol coded with its group's table
  for (int t = 0; t < nGroups; t++)
    for (int v = 0; v < alphaSize; v++) bits += int64_t(rfreq[t * A + v]) * tLen[t * A + v];
  return bits;
}

// generateMTFValues over one block's bwt[0..n) holding symbol indices < nInUse ≤ 11: counts the output
// symbols in w.mtfFreq and per group of 50 in w.groupHist (stride 16); returns nMTF.
// The MTF list lives in the 4-bit fields of one word (unused fields hold 15, no symbol); a symbol's
// position j is the lowest zero field of list XOR symbol·0x11…1. The output symbols are written to
// w.mtfOut without branching on j (j = 0 for ~40 % of this text's characters, irregularly), then
// counted per group.
int generateMtf(Work& w, const uint8_t* bwt, int n, int nInUse) {
  constexpr uint64_t ONES = 0x1111111111111111ull;
  constexpr uint64_t HIGHS = 0x8888888888888888ull;
  uint64_t list = ~0ull;
  for (int i = nInUse - 1; i >= 0; i--) list = (list << 4) | uint64_t(i);
  uint8_t* out = w.mtfOut.data();
  int wr = 0;
  uint32_t zPend = 0;
  // a run of zPend zeros is written as zPend + 1 in binary without its top bit, least significant first,
  // RUNA (0) for a 0 bit and RUNB (1) for a 1 bit: bzip2's bijective base 2
  // the low 4 bits of v as 4 bytes 0/1 (in memory order)
  static const uint32_t BITS4[16] = {
      0x00000000, 0x00000001, 0x00000100, 0x00000101, 0x00010000, 0x00010001, 0x00010100, 0x00010101,
      0x01000000, 0x01000001, 0x01000100, 0x01000101, 0x01010000, 0x01010001, 0x01010100, 0x01010101,
  };
  auto writeRun = [&](uint32_t v, int k) {
    if (k <= 4) {
      uint32_t b4 = BITS4[v & 15];
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
      b4 = __builtin_bswap32(b4);
#endif
      std::memcpy(out + wr, &b4, 4);
    } else {
      for (int d = 0; d < k; d++) out[wr + d] = (v >> d) & 1;
    }
    wr += k;
  };
  for (int i = 0; i < n; i++) {
    const uint64_t ll = bwt[i];
    const uint64_t x = list ^ (ll * ONES);
    const uint64_t z = (x - ONES) & ~x & HIGHS;
    // fields 0…j move up by one and ll goes first
    const uint64_t upto = z ^ (z - 1);
    list = (list & ~upto) | ((list << 4) & upto) | ll;
    const uint32_t j = uint32_t(__builtin_ctzll(z)) >> 2;
    const uint32_t nz = j != 0;
    // the pending run ends at a non-zero position (k = 0 when there is none)
    const uint32_t v = zPend + 1;
    const int k = int(nz * uint32_t(31 - __builtin_clz(v)));
    writeRun(v, k);
    out[wr] = uint8_t(j + 1);
    wr += int(nz);
    zPend = (zPend + 1) * (1 - nz);
  }
  if (zPend > 0) writeRun(zPend + 1, 31 - __builtin_clz(zPend + 1));
  out[wr++] = uint8_t(nInUse + 1);  // EOB
  // counts in total and per group of 50
  int32_t* freq = w.mtfFreq;
  uint8_t* hist = w.groupHist.data();
  std::memset(hist, 0, size_t(wr / G_SIZE + 2) * 16);
  int p = 0;
  for (uint8_t* h = hist; p < wr; h += 16) {
    const int end = std::min(wr, p + G_SIZE);
    for (; p < end; p++) h[out[p]]++;
  }
  std::memset(freq, 0, 16 * sizeof(int32_t));
  for (int g = 0; g * G_SIZE < wr; g++)
    for (int sym = 0; sym < 16; sym++) freq[sym] += hist[g * 16 + sym];
  return wr;
}

// Bits of one block from its BWT (as MTF symbol indices) and used digits.
int64_t blockBits(Work& w, const uint8_t* bwt, int n, int usedDigits) {
  int nInUse = 1;
  for (int d = 0; d < 10; d++)
    if (usedDigits & (1 << d)) nInUse++;
  const int nMTF = generateMtf(w, bwt, n, nInUse);
  // magic, CRC, randomised bit, origPtr; the 16-bit range map and a 16-bit map per used range
  const int mapBits = 16 + 16 + (usedDigits ? 16 : 0);
  return 48 + 32 + 1 + 24 + mapBits + sendMtfBits(w, nMTF, nInUse + 2);
}

// Character at text offset o of token i (o = its length is its space).
inline int charAt(const Tables& tb, const uint8_t* raw, size_t i, int o) {
  return o == tb.tokLen[raw[i]] ? SPACE : 0x30 + tb.tokDig[raw[i] * 3 + o];
}

// Bits of the block from (aTok, aOff) up to (eTok, eOff), as blockFromTokens of bzip2-size.ts.
int64_t blockFromTokens(Work& w, const uint8_t* raw, size_t aTok, int aOff, size_t eTok, int eOff) {
  const Tables& tb = tables();
  uint8_t wrap[MAX_DIGITS];
  int wl = 0;
  size_t lastComplete;
  if (eOff == 0) lastComplete = eTok - 1;
  else if (eOff == tb.tokLen[raw[eTok]] + 1) lastComplete = eTok;
  else {
    lastComplete = eTok - 1;
    for (int o = 0; o < eOff; o++) wrap[wl++] = tb.tokDig[raw[eTok] * 3 + o];
  }
  for (int o = aOff; o < tb.tokLen[raw[aTok]]; o++) wrap[wl++] = tb.tokDig[raw[aTok] * 3 + o];
  const size_t first = aTok + 1;
  const int complete = int(lastComplete - aTok);
  const int m = complete + 1;
  // the wrap token's place among the value strings and its suffixes' buckets
  const int wKey = keyOf(wrap, 0, wl);
  const int below = countBelow(tb.valueKeysSorted, 256, wKey);
  const bool equal = below < 256 && tb.valueKeysSorted[below] == wKey;
  int wrapSuffix[MAX_DIGITS + 1];
  uint8_t wrapPrev[MAX_DIGITS + 1];
  int extra[MAX_DIGITS];
  int ne = 0;
  for (int k = 0; k <= wl; k++) {
    const int key = keyOf(wrap, k, wl);
    wrapPrev[k] = k == 0 ? SPACE : uint8_t(0x30 + wrap[k - 1]);
    if (wl - k <= 3) wrapSuffix[k] = RANK_SPACING * countBelow(tb.stdKeys, N_STD, key);
    else extra[ne++] = key;
  }
  for (int i = 1; i < ne; i++)
    for (int j = i; j > 0 && extra[j - 1] > extra[j]; j--) std::swap(extra[j - 1], extra[j]);
  for (int k = 0; k < wl - 3; k++) {
    const int key = keyOf(wrap, k, wl);
    const int c = countBelow(tb.stdKeys, N_STD, key);
    int t = 0;
    for (int e = 0; e < ne; e++)
      if (extra[e] < key && countBelow(tb.stdKeys, N_STD, extra[e]) == c) t++;
    wrapSuffix[k] = RANK_SPACING * (c - 1) + 1 + t;
  }
  // the block's value histogram, then dense ranks (in string order) over the values present and the wrap
  int32_t* hist = w.blockHist;
  std::memset(hist, 0, sizeof w.blockHist);
  const uint8_t* tok = raw + first;
  for (int j = 0; j < complete; j++) hist[tok[j]]++;
  uint16_t rankOf[256];
  int next = 0;
  int wrapRank = -1;
  for (int i = 0; i < 256; i++) {
    if (i == below && wrapRank < 0 && !equal) wrapRank = next++;
    const int v = tb.valueByOrder[i];
    if (i == below && equal) {
      wrapRank = next;
      rankOf[v] = uint16_t(next++);
    } else if (hist[v] > 0) rankOf[v] = uint16_t(next++);
  }
  if (wrapRank < 0) wrapRank = next++;
  const int alphabet = next;
  uint16_t* seq = w.seq.data();
  for (int j = 0; j < complete; j++) seq[j] = rankOf[tok[j]];
  seq[complete] = uint16_t(wrapRank);
  sortRotations(w, m, alphabet);
  // bucket starts: every suffix of every token
  int usedDigits = 0;
  for (int i = 0; i < wl; i++) usedDigits |= 1 << wrap[i];
  int32_t* bucket = w.bucket.data();
  const int nb = RANK_SPACING * N_STD + 1;
  std::fill(bucket, bucket + nb, 0);
  for (int v = 0; v < 256; v++) {
    const int c = hist[v];
    if (c == 0) continue;
    usedDigits |= tb.tokMask[v];
    for (int k = 0; k <= tb.tokLen[v]; k++) bucket[tb.sufRank[v * 4 + k]] += c;
  }
  for (int k = 0; k <= wl; k++) bucket[wrapSuffix[k]]++;
  int total = 0;
  for (int i = 0; i < nb; i++) {
    const int c = bucket[i];
    bucket[i] = total;
    total += c;
  }
  // symbol indices as generateMTFValues sees them: space 0, then the used digits in order
  uint8_t sym[256] = {0};
  int nIn = 1;
  for (int d = 0; d < 10; d++)
    if (usedDigits & (1 << d)) sym[0x30 + d] = uint8_t(nIn++);
  uint8_t prevSym[256 * 4];
  for (int i = 0; i < 256 * 4; i++) prevSym[i] = sym[tb.prevChar[i]];
  // rotations whose next token starts rotation sa[t] are those inside the token before it
  const int32_t* sa = w.sa.data();
  uint8_t* bwt = w.bwt.data();
  for (int t = 0; t < m; t++) {
    if (t + 24 < m) __builtin_prefetch(tok + sa[t + 24] - 1);
    const int j = sa[t] == 0 ? m - 1 : sa[t] - 1;
    if (j == complete) {
      for (int k = 0; k <= wl; k++) bwt[bucket[wrapSuffix[k]]++] = sym[wrapPrev[k]];
    } else {
      const int v = tok[j];
      const int q = v * 4;
      const int len = tb.tokLen[v];
      for (int k = 0; k <= len; k++) bwt[bucket[tb.sufRank[q + k]]++] = prevSym[q + k];
    }
  }
  return blockBits(w, bwt, total, usedDigits);
}

}  // namespace

int64_t bzip2TextSize(const uint8_t* raw, size_t n) {
  if (n < 2) return -1;
  const Tables& tb = tables();
  Work& w = work();
  // text length: digits + separating spaces
  size_t L = n - 1;
  for (size_t i = 0; i < n; i++) L += tb.tokLen[raw[i]];
  int64_t bits = 32 + 80;
  size_t curTok = 0;
  size_t curPos = 0;
  size_t bTok = 0;
  int bOff = 0;
  size_t bPos = 0;
  for (;;) {
    // next block start: the first run start at or after bPos + BLOCK_MAX, unless that is within the
    // last two characters (then this block is the last)
    const size_t target = bPos + BLOCK_MAX;
    size_t eTok = 0;
    int eOff = 0;
    bool last = target + 2 > L;
    if (!last) {
      while (curPos + tb.tokLen[raw[curTok]] + 1 <= target) {
        curPos += tb.tokLen[raw[curTok]] + 1;
        curTok++;
      }
      int o = int(target - curPos);
      const size_t t = curTok;
      while (o > 0 && o < tb.tokLen[raw[t]] && charAt(tb, raw, t, o) == charAt(tb, raw, t, o - 1)) o++;
      if (curPos + o + 2 > L) last = true;
      eTok = t;
      eOff = o;
    }
    if (last) {
      eTok = n - 1;
      eOff = tb.tokLen[raw[n - 1]];
    }
    bits += blockFromTokens(w, raw, bTok, bOff, eTok, eOff);
    if (last) break;
    bTok = eTok;
    bOff = eOff;
    bPos = curPos + eOff;
  }
  return (bits + 7) / 8;
}

}  // namespace oe
