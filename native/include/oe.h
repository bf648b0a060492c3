// oe native sampler core: the registry every sampler file adds itself to, the clocks, and the
// cancellation/deadline contract. Samplers are plain C++ with no N-API types; addon.cc is the only
// file that touches node-addon-api.
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <sys/random.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace oe {

// What one int64 measurement means. The TS side shows these strings verbatim.
enum class Unit { Tsc, Ns, Count, Value };
inline const char* unitName(Unit u) {
  switch (u) {
    case Unit::Tsc: return "tsc";
    case Unit::Ns: return "ns";
    case Unit::Count: return "count";
    case Unit::Value: return "value";
  }
  return "value";
}

// Numeric parameters passed from the catalog (e.g. {"bufferBytes": 67108864}).
using Params = std::map<std::string, double>;
inline double param(const Params& p, const char* key, double dflt) {
  auto it = p.find(key);
  return it == p.end() ? dflt : it->second;
}

inline uint64_t monoRawNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// The cycle counter when it is usable: fenced rdtsc on x86-64 (lfence orders it after prior
// loads so the measured window is the work, not the out-of-order tail), otherwise CLOCK_MONOTONIC_RAW
// in ns. `tickUnit()` says which one this build uses.
inline uint64_t ticks() {
#if defined(__x86_64__)
  _mm_lfence();
  uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
#else
  return monoRawNs();
#endif
}
inline Unit tickUnit() {
#if defined(__x86_64__)
  return Unit::Tsc;
#else
  return Unit::Ns;
#endif
}

// Cooperative cancellation: the pool sets *cancel (a SharedArrayBuffer cell) when a batch times
// out, and every sampler loop checks `ctx.stop()` at least once per sample, so a hung source
// returns within one measurement of the deadline instead of wedging its worker thread.
struct Context {
  int64_t* out;
  size_t n;
  Params params;
  const std::atomic<int32_t>* cancel;  // may be null
  uint64_t deadlineNs;                 // CLOCK_MONOTONIC_RAW; 0 = none
  // Set by the crash guard (oe_guard.cc) when a helper thread of this batch faulted, so the
  // measuring loop ends and the batch reports the crash.
  const std::atomic<int32_t>* crashed = nullptr;
  bool stop() const {
    if (cancel && cancel->load(std::memory_order_relaxed) != 0) return true;
    if (crashed && crashed->load(std::memory_order_relaxed) != 0) return true;
    return deadlineNs != 0 && monoRawNs() >= deadlineNs;
  }
};

// A sampler fills ctx.out[0..n) and returns how many it filled (fewer only when stopped).
// It throws SamplerError for a runtime failure; the addon turns that into a JS error.
struct SamplerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
using SampleFn = size_t (*)(Context& ctx);
// Returns "" when the sampler can run here, otherwise the reason it cannot.
using ProbeFn = std::string (*)(const Params& params);

struct Sampler {
  const char* name;
  Unit unit;  // Unit::Tsc samplers report tickUnit() at runtime
  SampleFn sample;
  ProbeFn probe;  // may be null = always available
};

std::map<std::string, Sampler>& registry();

struct Register {
  explicit Register(const Sampler& s) { registry()[s.name] = s; }
};

// Keeps the optimizer from deleting measured work.
template <typename T>
inline void sink(T const& value) {
  asm volatile("" : : "r,m"(value) : "memory");
}

// xoshiro256** seeded from getrandom(2): picks random addresses/offsets for the memory and disk
// samplers. The addresses are not the measured entropy (the seed is a PRNG's), the timings are.
struct Rng {
  uint64_t s[4];
  Rng() {
    if (getrandom(s, sizeof s, 0) != ssize_t(sizeof s)) {
      uint64_t t = monoRawNs();
      for (auto& x : s) x = t = t * 6364136223846793005ull + 1442695040888963407ull;
    }
    if ((s[0] | s[1] | s[2] | s[3]) == 0) s[0] = 1;
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
  }
  // Uniform-enough index in [0, n) for n << 2^64 (multiply-shift).
  uint64_t below(uint64_t n) { return uint64_t((__uint128_t(next()) * n) >> 64); }
};

// Crash isolation (oe_guard.cc). A sampler runs on a "runner" thread owned by the calling thread, with
// handlers for SIGSEGV/SIGBUS/SIGILL/SIGFPE. A fault in the runner or in a helper thread started through
// oe::Sibling ends only that thread (it is abandoned, its stack never reused, so nothing still pointing
// into it dangles); the batch fails with SamplerCrash and the process lives on. Faults on any other
// thread go to the handler that was installed before (Node's WebAssembly trap handler, or the default).
struct SamplerCrash : SamplerError {
  using SamplerError::SamplerError;
};
// Runs s.sample(ctx) on the calling thread's runner; rethrows what it threw, or throws SamplerCrash.
size_t runGuarded(const Sampler& s, Context& ctx);
// Runs s.probe(params) the same way (a probe may touch a device, too).
std::string probeGuarded(const Sampler& s, const Params& params);
// The guarded batch the calling thread works for (null outside one).
struct GuardedBatch;
GuardedBatch* currentBatch();
// A helper thread's membership of a batch: constructed first thing in the thread, it routes the thread's
// faults to the batch and gives it an alternate signal stack. `stop` is set when any thread of the batch
// faults (it is unregistered again when the thread ends). Safe with a null batch (then it does nothing).
class GuardedThread {
 public:
  GuardedThread(GuardedBatch* batch, std::atomic<bool>* stop);
  ~GuardedThread();
  GuardedThread(const GuardedThread&) = delete;
  GuardedThread& operator=(const GuardedThread&) = delete;

 private:
  GuardedBatch* batch_;
  void* altStack_;
  int slot_;  // index of `stop` in the batch's list, -1 when not listed
};

// Size in bytes of the largest (last-level) CPU cache sysfs reports for cpu0; 0 when unknown.
size_t lastLevelCacheBytes();

// A process-wide, page-touched buffer larger than the last-level cache (max(64 MiB, next power of two
// >= 2 x LLC), capped at 1 GiB and at 1/8 of RAM), allocated once on first use and never freed. Used by
// the DRAM samplers; read-modify-write races between threads on it are harmless (it holds no data).
struct LargeBuffer {
  uint8_t* data;
  size_t bytes;
};
const LargeBuffer& largeBuffer();
// The size largeBuffer() maps (computed without mapping it).
size_t largeBufferBytes();
// "" when largeBuffer() is larger than the last-level cache, otherwise why not (for probes).
std::string largeBufferProbe();

// The cache directory for files the I/O samplers create once: $OE_CACHE_DIR, else
// $XDG_CACHE_HOME/oe, else $HOME/.cache/oe. Created (mkdir -p) on demand; throws SamplerError if it cannot be.
std::string cacheDir(bool create);

}  // namespace oe

// One line per sampler file: OE_REGISTER(clock_jitter, oe::Unit::Tsc, sampleFn, probeFn)
#define OE_REGISTER(id, unit, fn, probe) \
  static oe::Register oe_register_##id(oe::Sampler{#id, unit, fn, probe})
