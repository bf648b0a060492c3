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
  bool stop() const {
    if (cancel && cancel->load(std::memory_order_relaxed) != 0) return true;
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

}  // namespace oe

// One line per sampler file: OE_REGISTER(clock_jitter, oe::Unit::Tsc, sampleFn, probeFn)
#define OE_REGISTER(id, unit, fn, probe) \
  static oe::Register oe_register_##id(oe::Sampler{#id, unit, fn, probe})
