// Shared helpers for the ipc/microarch/thermal/composite/system/network samplers: CPU discovery and
// pinning (restored afterwards, because samplers run on the pool's worker threads), a helper thread
// that is always stopped and joined even when the sampler throws, and a cancellable periodic sleep.
#pragma once
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <sched.h>
#include <atomic>
#include <functional>
#include <thread>
#include <utility>
#include <vector>
#include "oe.h"

namespace oe {

// The CPUs this thread may run on.
inline std::vector<int> allowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; c++)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

inline bool pinThread(pthread_t t, int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(t, sizeof(set), &set) == 0;
}

// Pins the calling thread to one CPU for the lifetime of the guard and restores the old mask.
class PinGuard {
 public:
  explicit PinGuard(int cpu) {
    saved_ok_ = pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_) == 0;
    if (cpu >= 0) pinThread(pthread_self(), cpu);
  }
  ~PinGuard() {
    if (saved_ok_) pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
  }
  PinGuard(const PinGuard&) = delete;
  PinGuard& operator=(const PinGuard&) = delete;

 private:
  cpu_set_t saved_;
  bool saved_ok_ = false;
};

// CLOCK_MONOTONIC in ns (the clock timerfd and clock_nanosleep schedule on).
inline int64_t monoNs() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000ll + ts.tv_nsec;
}

// Sleeps until `target` (CLOCK_MONOTONIC ns) in slices of at most 20 ms so that a stop request is
// seen promptly; returns false when stopped.
inline bool sleepUntil(int64_t target, const Context& ctx) {
  for (;;) {
    if (ctx.stop()) return false;
    int64_t now = monoNs();
    if (now >= target) return true;
    int64_t until = target - now > 20000000 ? now + 20000000 : target;
    struct timespec ts {
      time_t(until / 1000000000ll), long(until % 1000000000ll)
    };
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
  }
}

// Waits until `fd` is readable, polling in slices of at most 20 ms so that a stop request is seen
// promptly; returns false when stopped.
inline bool waitReadable(int fd, const Context& ctx) {
  for (;;) {
    struct pollfd pf {
      fd, POLLIN, 0
    };
    int r = poll(&pf, 1, 20);
    if (r > 0) return true;
    if (ctx.stop()) return false;
  }
}

// Two distinct CPUs for the measuring thread and its sibling, or (-1, -1) on a single CPU.
inline std::pair<int, int> twoCpus() {
  auto cpus = allowedCpus();
  if (cpus.size() < 2) return {-1, -1};
  return {cpus[0], cpus[1]};
}

// A sibling thread running `body(stop)` until `stop` is set. The destructor sets it, calls the
// optional `wake` (to unblock a syscall the body may sit in) and joins, so no thread outlives the
// batch. The body must not throw (an exception escaping a std::thread ends the process). The thread
// joins the batch's crash guard (oe_guard.cc): a fault in it fails the batch instead of the process,
// and a fault in the measuring thread sets `stop`.
class Sibling {
 public:
  Sibling(std::function<void(const std::atomic<bool>&)> body, int cpu = -1,
          std::function<void()> wake = nullptr)
      : wake_(std::move(wake)) {
    GuardedBatch* batch = currentBatch();
    thread_ = std::thread([this, batch, b = std::move(body)]() noexcept {
      GuardedThread guard(batch, &stop_);
      try {
        b(stop_);
      } catch (...) {
      }
    });
    if (cpu >= 0) pinThread(thread_.native_handle(), cpu);
  }
  ~Sibling() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    stop_.store(true, std::memory_order_release);
    if (wake_) wake_();
    thread_.join();
  }
  Sibling(const Sibling&) = delete;
  Sibling& operator=(const Sibling&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::function<void()> wake_;
  std::thread thread_;
};

}  // namespace oe
