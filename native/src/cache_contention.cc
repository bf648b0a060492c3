// cache_contention: a fixed 64-step dependent pointer chase through a random cyclic permutation of the
// cache lines of a fixed buffer (default 8 MiB: beyond L2, within L3 on most machines), timed per chase.
// How many of the lines are still cached depends on what the other cores, SMT siblings and (in a VM)
// other tenants did to the shared cache since the last pass: that contention is the measured effect.
#include <mutex>
#include <vector>

#include "oe.h"

namespace {
struct Chase {
  std::vector<uint64_t> next;  // one entry per 64-byte line, padded to the line
  size_t lines = 0;
};

const Chase& chase(size_t bytes) {
  static std::mutex m;
  static std::map<size_t, Chase*> built;
  std::lock_guard<std::mutex> lock(m);
  auto it = built.find(bytes);
  if (it != built.end()) return *it->second;
  Chase* c = new Chase();
  c->lines = bytes / 64;
  c->next.assign(c->lines * 8, 0);
  // Sattolo's algorithm: a single random cycle through every line.
  std::vector<uint64_t> perm(c->lines);
  for (size_t k = 0; k < c->lines; k++) perm[k] = k;
  oe::Rng rng;
  for (size_t k = c->lines - 1; k > 0; k--) std::swap(perm[k], perm[rng.below(k)]);
  for (size_t k = 0; k < c->lines; k++) c->next[perm[k] * 8] = perm[(k + 1) % c->lines];
  built[bytes] = c;
  return *c;
}

size_t sample(oe::Context& ctx) {
  const size_t bytes = size_t(oe::param(ctx.params, "bufferBytes", 8 << 20));
  const int steps = int(oe::param(ctx.params, "steps", 64));
  if (bytes < 4096 || bytes > (size_t(1) << 30) || steps < 1) throw oe::SamplerError("bad bufferBytes/steps");
  const Chase& c = chase(bytes);
  const uint64_t* next = c.next.data();
  static thread_local uint64_t pos = 0;
  uint64_t p = pos % c.lines;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 15) == 0 && ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    for (int s = 0; s < steps; s++) p = next[p * 8];
    uint64_t t1 = oe::ticks();
    ctx.out[i] = int64_t(t1 - t0);
  }
  pos = p;
  return i;
}
}  // namespace

OE_REGISTER(cache_contention, oe::Unit::Tsc, sample, nullptr);
