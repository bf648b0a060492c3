// dispatch_queue: wake latency from "work posted" to "worker thread runs it". The measuring thread
// stamps the cycle counter, bumps a futex word and FUTEX_WAKEs a worker thread blocked on it; the worker
// stamps the counter as soon as it runs and reports the difference. Each post waits until the worker is
// parked (in FUTEX_WAIT for at least a fixed 20 us), so every sample is a real wake-up. The latency is the
// kernel's wake path,
// the scheduler's choice of CPU, an IPI to that CPU (or a VM exit and host IPI in a VM) and whatever else
// was runnable. Linux's counterpart of openentropy's dispatch-queue/channel latency.
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "oe.h"

namespace {
const uint64_t kParkNs = 20000;

long futex(std::atomic<uint32_t>* addr, int op, uint32_t val, const struct timespec* ts) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), op | FUTEX_PRIVATE_FLAG, val, ts, nullptr, 0);
}

struct Shared {
  std::atomic<uint32_t> seq{0};   // bumped by the measurer to post one job
  std::atomic<uint32_t> done{0};  // bumped by the worker when it has run the job
  std::atomic<uint64_t> stamp{0};
  std::atomic<int64_t> latency{0};
  std::atomic<bool> quit{false};
  std::atomic<uint32_t> parked{0};  // 1 while the worker is about to block / blocked in FUTEX_WAIT
  oe::GuardedBatch* batch = oe::currentBatch();  // the worker joins the batch's crash guard
};

void* worker(void* arg) {
  Shared* s = static_cast<Shared*>(arg);
  oe::GuardedThread guard(s->batch, &s->quit);
  const struct timespec wait = {0, 20 * 1000 * 1000};  // re-check quit every 20 ms
  uint32_t seen = 0;
  while (!s->quit.load(std::memory_order_acquire)) {
    uint32_t cur = s->seq.load(std::memory_order_acquire);
    if (cur == seen) {
      s->parked.store(1, std::memory_order_release);
      futex(&s->seq, FUTEX_WAIT, seen, &wait);
      s->parked.store(0, std::memory_order_relaxed);
      continue;
    }
    uint64_t now = oe::ticks();
    seen = cur;
    s->latency.store(int64_t(now - s->stamp.load(std::memory_order_acquire)), std::memory_order_relaxed);
    s->done.fetch_add(1, std::memory_order_release);
    futex(&s->done, FUTEX_WAKE, 1, nullptr);
  }
  return nullptr;
}

size_t sample(oe::Context& ctx) {
  Shared s;
  pthread_t th;
  if (pthread_create(&th, nullptr, worker, &s) != 0) throw oe::SamplerError("pthread_create failed");
  const struct timespec wait = {0, 10 * 1000 * 1000};
  size_t i = 0;
  bool failed = false;
  for (; i < ctx.n && !failed; i++) {
    if (ctx.stop()) break;
    // Post only to a worker that is blocked: wait until it has announced it is parking, then a fixed 20 us
    // more so it is inside FUTEX_WAIT and off the CPU. Otherwise many posts would reach a worker that is
    // still running and measure a cache-line hand-off instead of a wake-up.
    while (s.parked.load(std::memory_order_acquire) == 0) {
      if (ctx.stop()) {
        failed = true;
        break;
      }
    }
    if (failed) break;
    for (uint64_t until = oe::monoRawNs() + kParkNs; oe::monoRawNs() < until;) oe::sink(until);
    uint32_t doneBefore = s.done.load(std::memory_order_acquire);
    s.stamp.store(oe::ticks(), std::memory_order_release);
    s.seq.fetch_add(1, std::memory_order_acq_rel);
    futex(&s.seq, FUTEX_WAKE, 1, nullptr);
    // Wait (10 ms at a time, checking cancellation) for the worker to report.
    while (s.done.load(std::memory_order_acquire) == doneBefore) {
      if (ctx.stop()) {
        failed = true;
        break;
      }
      futex(&s.done, FUTEX_WAIT, doneBefore, &wait);
    }
    if (failed) break;
    ctx.out[i] = s.latency.load(std::memory_order_relaxed);
  }
  s.quit.store(true, std::memory_order_release);
  s.seq.fetch_add(1, std::memory_order_acq_rel);
  futex(&s.seq, FUTEX_WAKE, 1, nullptr);
  pthread_join(th, nullptr);
  return i;
}
}  // namespace

OE_REGISTER(dispatch_queue, oe::Unit::Tsc, sample, nullptr);
