// Test-only samplers for the pool's timeout and isolation tests. They are registered in the addon but
// deliberately absent from the user catalog (src/collect/catalog.ts); tests pass their own SourceSpec.
#include <time.h>

#include "oe.h"

namespace {
// Spins until cancelled or past the deadline, then returns what it has (always 0 filled).
size_t hang(oe::Context& ctx) {
  while (!ctx.stop()) oe::sink(oe::ticks());
  return 0;
}
// Throws a SamplerError (a std::exception).
size_t throwStd(oe::Context&) { throw oe::SamplerError("deliberate test failure"); }
// Throws something that is not a std::exception.
size_t throwOther(oe::Context&) { throw 42; }
// Fills the constant params.value (default 7): one distinct value.
size_t constant(oe::Context& ctx) {
  int64_t v = int64_t(oe::param(ctx.params, "value", 7));
  for (size_t i = 0; i < ctx.n; i++) ctx.out[i] = v;
  return ctx.n;
}
// Ignores cancellation for params.ms milliseconds (a wedged sampler), then fills a counter.
size_t wedge(oe::Context& ctx) {
  uint64_t until = oe::monoRawNs() + uint64_t(oe::param(ctx.params, "ms", 1000) * 1e6);
  while (oe::monoRawNs() < until) {
    struct timespec t = {0, 1000000};
    nanosleep(&t, nullptr);
  }
  for (size_t i = 0; i < ctx.n; i++) ctx.out[i] = int64_t(i);
  return ctx.n;
}
std::string unavailable(const oe::Params&) { return "test sampler that is never available"; }
}  // namespace

OE_REGISTER(test_hang, oe::Unit::Value, hang, nullptr);
OE_REGISTER(test_throw, oe::Unit::Value, throwStd, nullptr);
OE_REGISTER(test_throw_other, oe::Unit::Value, throwOther, nullptr);
OE_REGISTER(test_constant, oe::Unit::Value, constant, nullptr);
OE_REGISTER(test_wedge, oe::Unit::Value, wedge, nullptr);
OE_REGISTER(test_unavailable, oe::Unit::Value, constant, unavailable);
