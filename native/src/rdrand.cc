// rdrand / rdseed: the CPU's hardware random number generator (x86-64 only, compiled only there,
// probed with CPUID). REFERENCE sources: an unauditable vendor DRBG (RDRAND) or its seed source
// (RDSEED), possibly trapped or emulated by a hypervisor. Each int64 is one 64-bit output. Retries on
// CF=0 (no value ready); a persistent failure is an error, never a fallback.
#include "oe.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

namespace {
bool cpuHas(unsigned leaf, unsigned sub, int reg, unsigned bit) {
  unsigned a, b, c, d;
  if (!__get_cpuid_count(leaf, sub, &a, &b, &c, &d)) return false;
  unsigned r = reg == 1 ? b : c;
  return (r >> bit) & 1u;
}

inline bool rdrand64(uint64_t* v) {
  unsigned char ok;
  asm volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
  return ok;
}
inline bool rdseed64(uint64_t* v) {
  unsigned char ok;
  asm volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
  return ok;
}

template <bool (*Step)(uint64_t*), int Retries>
size_t fill(oe::Context& ctx, const char* what) {
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 1023) == 0 && ctx.stop()) break;
    uint64_t v;
    int tries = 0;
    while (!Step(&v)) {
      if (++tries >= Retries) throw oe::SamplerError(std::string(what) + " returned no value after retries");
      _mm_pause();
    }
    ctx.out[i] = int64_t(v);
  }
  return i;
}

size_t sampleRdrand(oe::Context& ctx) { return fill<rdrand64, 100>(ctx, "RDRAND"); }
size_t sampleRdseed(oe::Context& ctx) { return fill<rdseed64, 10000>(ctx, "RDSEED"); }

std::string probeRdrand(const oe::Params&) {
  return cpuHas(1, 0, 2, 30) ? "" : "CPU does not report RDRAND (CPUID.1:ECX[30])";
}
std::string probeRdseed(const oe::Params&) {
  return cpuHas(7, 0, 1, 18) ? "" : "CPU does not report RDSEED (CPUID.7.0:EBX[18])";
}
}  // namespace

OE_REGISTER(rdrand, oe::Unit::Value, sampleRdrand, probeRdrand);
OE_REGISTER(rdseed, oe::Unit::Value, sampleRdseed, probeRdseed);
#endif
