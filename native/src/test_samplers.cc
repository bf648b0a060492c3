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
// A source that gets stuck: until the wall clock reaches params.at (ms since the Unix epoch) it fills the
// low byte of CLOCK_MONOTONIC_RAW read after a short spin (varied values that pass the start-up and
// continuous health tests), from then on the constant params.value (default 7), which the repetition count
// test must catch. Not a measurement: it only lets tests force an RCT failure at a chosen time.
size_t stuckAt(oe::Context& ctx) {
  const double at = oe::param(ctx.params, "at", 0);
  const int64_t v = int64_t(oe::param(ctx.params, "value", 7));
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  const bool stuck = double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6 >= at;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 255) == 0 && ctx.stop()) break;
    if (stuck) {
      ctx.out[i] = v;
      continue;
    }
    for (int k = 0; k < 16; k++) oe::sink(oe::ticks());
    ctx.out[i] = int64_t(oe::monoRawNs() & 0xff);
  }
  return i;
}
std::string unavailable(const oe::Params&) { return "test sampler that is never available"; }
}  // namespace

OE_REGISTER(test_hang, oe::Unit::Value, hang, nullptr);
OE_REGISTER(test_throw, oe::Unit::Value, throwStd, nullptr);
OE_REGISTER(test_throw_other, oe::Unit::Value, throwOther, nullptr);
OE_REGISTER(test_constant, oe::Unit::Value, constant, nullptr);
OE_REGISTER(test_wedge, oe::Unit::Value, wedge, nullptr);
OE_REGISTER(test_stuck_at, oe::Unit::Value, stuckAt, nullptr);
OE_REGISTER(test_unavailable, oe::Unit::Value, constant, unavailable);

// Crash-isolation samplers: each faults in a different way (oe_guard.cc must turn it into a failed batch).
#include <sys/mman.h>
#include <unistd.h>

#include "b_util.h"

namespace {
// Writes through a null-page pointer: SIGSEGV in the measuring thread.
size_t segv(oe::Context& ctx) {
  volatile int64_t* p = reinterpret_cast<volatile int64_t*>(uintptr_t(oe::param(ctx.params, "address", 16)));
  *p = 1;
  return 0;
}
// Touches the second page of a one-page memfd mapped as two: SIGBUS.
size_t sigbus(oe::Context& ctx) {
  long page = sysconf(_SC_PAGESIZE);
  int fd = memfd_create("oe-test-sigbus", 0);
  if (fd < 0 || ftruncate(fd, page) != 0) throw oe::SamplerError("memfd_create failed");
  auto* m = static_cast<volatile char*>(mmap(nullptr, size_t(page) * 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  close(fd);
  if (m == MAP_FAILED) throw oe::SamplerError("mmap failed");
  m[page] = 1;
  return 0;
}
// Unbounded recursion: SIGSEGV on the guard page, handled on the alternate signal stack.
#pragma GCC diagnostic ignored "-Winfinite-recursion"
__attribute__((noinline)) int64_t recurse(volatile int64_t* prev, int64_t depth) {
  volatile int64_t frame[64];
  frame[depth & 63] = depth + (prev ? *prev : 0);
  return recurse(frame, depth + 1) + frame[0];
}
size_t stackOverflow(oe::Context& ctx) {
  ctx.out[0] = recurse(nullptr, 0);
  return 1;
}
// A helper thread faults while the measuring thread waits for stop: the batch must fail, not hang.
size_t siblingSegv(oe::Context& ctx) {
  oe::Sibling sib([](const std::atomic<bool>&) {
    volatile int64_t* p = nullptr;
    *p = 1;
  });
  while (!ctx.stop()) {
    struct timespec t = {0, 1000000};
    nanosleep(&t, nullptr);
  }
  return 0;
}
// The measuring thread faults while a helper spins on its stop flag: the helper must be stopped.
size_t segvWithSibling(oe::Context& ctx) {
  std::atomic<bool> started{false};
  oe::Sibling sib([&started](const std::atomic<bool>& stop) {
    started.store(true);
    while (!stop.load()) oe::sink(oe::ticks());
  });
  while (!started.load()) oe::sink(oe::ticks());
  volatile int64_t* p = nullptr;
  *p = 1;
  return 0;
}
std::string crashingProbe(const oe::Params&) {
  volatile int64_t* p = nullptr;
  *p = 1;
  return "";
}
}  // namespace

OE_REGISTER(test_segv, oe::Unit::Value, segv, nullptr);
OE_REGISTER(test_sigbus, oe::Unit::Value, sigbus, nullptr);
OE_REGISTER(test_stack_overflow, oe::Unit::Value, stackOverflow, nullptr);
OE_REGISTER(test_sibling_segv, oe::Unit::Value, siblingSegv, nullptr);
OE_REGISTER(test_segv_with_sibling, oe::Unit::Value, segvWithSibling, nullptr);
OE_REGISTER(test_crashing_probe, oe::Unit::Value, constant, crashingProbe);
