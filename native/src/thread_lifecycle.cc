// thread_lifecycle: pthread_create + pthread_join of a thread with a fixed, trivial body, timed as one
// unit: clone3, stack mmap (or reuse from glibc's cache), TLS setup, the scheduler placing and running
// the new task, its exit and the futex wake of the joiner. openentropy varied the body with an LCG; here
// it is fixed so no part of the variation is a counter.
#include <pthread.h>

#include "oe.h"

namespace {
void* body(void* arg) {
  oe::sink(arg);
  return arg;
}

size_t sample(oe::Context& ctx) {
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    pthread_t th;
    uint64_t t0 = oe::ticks();
    if (pthread_create(&th, nullptr, body, nullptr) != 0) throw oe::SamplerError("pthread_create failed");
    pthread_join(th, nullptr);
    uint64_t t1 = oe::ticks();
    ctx.out[i] = int64_t(t1 - t0);
  }
  return i;
}
}  // namespace

OE_REGISTER(thread_lifecycle, oe::Unit::Tsc, sample, nullptr);
