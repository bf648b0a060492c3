// denormal_timing: timing of a fixed chain of 100 multiply-adds on subnormal doubles. Each
// measurement is its tick count. On cores that take a microcode assist for subnormal operands
// (many Intel parts) the assist latency varies; Zen 3 handles most subnormals in hardware, so there
// this is close to a plain FP-latency timing source. FTZ/DAZ are cleared for the batch (and
// restored) so the operands really stay subnormal.
#include <cfloat>
#include <string>
#include "oe.h"
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

namespace {

size_t sample(oe::Context& ctx) {
  const int ops = int(oe::param(ctx.params, "ops", 100));
  if (ops < 1 || ops > 100000) throw oe::SamplerError("ops must be 1..100000");
#if defined(__x86_64__)
  const unsigned savedCsr = _mm_getcsr();
  _mm_setcsr(savedCsr & ~(0x8000u /* FTZ */ | 0x0040u /* DAZ */));
#endif
  volatile double seedA = DBL_MIN / 4096.0;  // subnormal
  volatile double seedB = 0.999;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 63) == 0 && ctx.stop()) break;
    double a = seedA, b = seedB, c = DBL_MIN / 65536.0;
    uint64_t t0 = oe::ticks();
    for (int k = 0; k < ops; k++) {
      a = a * b + c;  // stays subnormal: |a| < DBL_MIN
      asm volatile("" : "+x"(a));
    }
    uint64_t t1 = oe::ticks();
    oe::sink(a);
    ctx.out[i] = int64_t(t1 - t0);
  }
#if defined(__x86_64__)
  _mm_setcsr(savedCsr);
#endif
  return i;
}

std::string probe(const oe::Params&) {
  // Subnormals must be representable and not flushed: DBL_MIN/4 * 1 stays non-zero.
  volatile double d = DBL_MIN / 4.0;
  volatile double one = 1.0;
  return (d * one) != 0.0 ? "" : "subnormal doubles are flushed to zero on this platform";
}

}  // namespace

OE_REGISTER(denormal_timing, oe::Unit::Tsc, sample, probe);
