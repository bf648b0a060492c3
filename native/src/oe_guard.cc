// Crash isolation for samplers. Node worker threads share one address space, so a fault in native code
// would normally end the whole process (and with it a recording in progress). Here every batch runs on a
// "runner" thread owned by the calling thread; SIGSEGV/SIGBUS/SIGILL/SIGFPE handlers recognise the
// threads of a batch (the runner and the helpers it starts through oe::Sibling) by a thread-local guard.
// A faulting guarded thread records the signal, sets the stop flags of the batch's other threads, wakes
// the caller and leaves with the raw exit syscall: no unwinding, no destructors, and because glibc never
// frees the stack of a thread that did not exit through pthread_exit, anything still pointing into that
// stack stays valid. The caller gets SamplerCrash; the next batch gets a fresh runner.
//
// What this cannot promise: a fault that corrupted shared memory first (a wild write into the heap) or
// that struck while the thread held a lock (e.g. inside malloc) can still hurt the process later. Samplers
// do not allocate or lock inside their measuring loops, so in practice a crash costs one thread.
#include <linux/futex.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "oe.h"

namespace oe {

struct GuardedBatch {
  static constexpr int kSlots = 32;
  // The first fault's signal (0 = none); ctx.crashed points here.
  std::atomic<int32_t> crashed{0};
  int code = 0;
  void* addr = nullptr;
  bool inRunner = false;
  // Stop flags of the batch's helper threads, set when any thread of the batch faults.
  std::atomic<std::atomic<bool>*> stops[kSlots] = {};
  // Helper threads currently inside the batch (so the caller can let them wind down after a crash).
  std::atomic<int32_t> helpers{0};

  void reset() {
    crashed.store(0);
    code = 0;
    addr = nullptr;
    inRunner = false;
    for (auto& s : stops) s.store(nullptr);
  }
  int watch(std::atomic<bool>* stop) {
    for (int i = 0; i < kSlots; i++) {
      std::atomic<bool>* empty = nullptr;
      if (stops[i].compare_exchange_strong(empty, stop)) return i;
    }
    return -1;
  }
  void stopAll() {
    for (auto& s : stops)
      if (std::atomic<bool>* p = s.load()) p->store(true);
  }
};

namespace {

enum : int32_t { kIdle = 0, kPosted = 1, kDone = 2, kCrashed = 3, kQuit = 4 };

long futex(std::atomic<int32_t>* word, int op, int32_t val, const struct timespec* timeout = nullptr) {
  return syscall(SYS_futex, reinterpret_cast<int32_t*>(word), op, val, timeout, nullptr, 0);
}
void waitWhile(std::atomic<int32_t>& word, int32_t value) {
  while (word.load(std::memory_order_acquire) == value) futex(&word, FUTEX_WAIT_PRIVATE, value);
}
// Waits until the word holds `a` or `b`; returns which.
int32_t waitFor(std::atomic<int32_t>& word, int32_t a, int32_t b) {
  for (;;) {
    int32_t v = word.load(std::memory_order_acquire);
    if (v == a || v == b) return v;
    futex(&word, FUTEX_WAIT_PRIVATE, v);
  }
}
void wake(std::atomic<int32_t>& word) { futex(&word, FUTEX_WAKE_PRIVATE, 1); }

// An alternate signal stack, so that a stack overflow can still be handled.
void* installAltStack() {
  long min = sysconf(_SC_SIGSTKSZ);
  size_t size = size_t(min > 65536 ? min : 65536);
  void* mem = malloc(size);
  if (!mem) return nullptr;
  stack_t ss{};
  ss.ss_sp = mem;
  ss.ss_size = size;
  if (sigaltstack(&ss, nullptr) != 0) {
    free(mem);
    return nullptr;
  }
  return mem;
}
void removeAltStack(void* mem) {
  if (!mem) return;
  stack_t ss{};
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, nullptr);
  free(mem);
}

struct Runner;
struct ThreadGuard {
  GuardedBatch* batch;
  Runner* runner;  // set on a runner thread, null on a helper
};
// initial-exec: the handler must not trigger a lazy TLS allocation (not async-signal-safe).
thread_local ThreadGuard* tlGuard __attribute__((tls_model("initial-exec"))) = nullptr;

// One runner per calling thread. A crashed runner is never deleted: its batch object may still be
// referenced by helper threads that are winding down.
struct Runner {
  std::atomic<int32_t> state{kIdle};
  const std::function<void()>* job = nullptr;
  std::exception_ptr error;
  GuardedBatch batch;
  std::thread thread;

  Runner() { thread = std::thread([this] { loop(); }); }

  void loop() {
    void* alt = installAltStack();
    ThreadGuard guard{&batch, this};
    tlGuard = &guard;
    for (;;) {
      if (waitFor(state, kPosted, kQuit) == kQuit) break;
      try {
        (*job)();
      } catch (...) {
        error = std::current_exception();
      }
      state.store(kDone, std::memory_order_release);
      wake(state);
    }
    tlGuard = nullptr;
    removeAltStack(alt);
  }

  // Returns false when the runner thread crashed.
  bool run(const std::function<void()>& fn) {
    batch.reset();
    job = &fn;
    error = nullptr;
    state.store(kPosted, std::memory_order_release);
    wake(state);
    waitWhile(state, kPosted);
    if (state.load(std::memory_order_acquire) == kCrashed) return false;
    state.store(kIdle, std::memory_order_relaxed);
    return true;
  }

  void quit() {
    state.store(kQuit, std::memory_order_release);
    wake(state);
    thread.join();
  }
};

// Owns the calling thread's live runner and stops it when the thread exits.
struct RunnerSlot {
  Runner* runner = nullptr;
  ~RunnerSlot() {
    if (runner) {
      runner->quit();
      delete runner;
    }
  }
};
thread_local RunnerSlot tlRunner;

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE};
struct sigaction previous[NSIG];

// A fault on a thread that is not ours: hand it to whoever handled it before us.
void chain(int sig, siginfo_t* info, void* uc) {
  const struct sigaction& p = previous[sig];
  if (p.sa_flags & SA_SIGINFO) {
    p.sa_sigaction(sig, info, uc);
    return;
  }
  if (p.sa_handler != SIG_DFL && p.sa_handler != SIG_IGN) {
    p.sa_handler(sig);
    return;
  }
  // Default action: reinstate it; a hardware fault re-executes and ends the process as it would have.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  if (info->si_code <= 0) raise(sig);  // sent by kill(2)/tgkill(2): deliver it again
}

void onFault(int sig, siginfo_t* info, void* uc) {
  ThreadGuard* g = tlGuard;
  // Only hardware faults of our threads are ours; kill -SEGV from outside is not a sampler crash.
  if (!g || info->si_code <= 0) {
    chain(sig, info, uc);
    return;
  }
  tlGuard = nullptr;  // a second fault in here goes to the previous handler
  GuardedBatch* b = g->batch;
  int32_t none = 0;
  if (b->crashed.compare_exchange_strong(none, sig)) {
    b->code = info->si_code;
    b->addr = info->si_addr;
    b->inRunner = g->runner != nullptr;
  }
  b->stopAll();
  if (g->runner) {
    g->runner->state.store(kCrashed, std::memory_order_release);
    wake(g->runner->state);
  } else {
    b->helpers.fetch_sub(1);
  }
  syscall(SYS_exit, 0);  // this thread only (not exit_group)
}

void installHandlers() {
  for (int sig : kSignals) {
    struct sigaction sa {};
    sa.sa_sigaction = onFault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, &previous[sig]);
  }
}

const char* signalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGBUS: return "SIGBUS";
    case SIGILL: return "SIGILL";
    case SIGFPE: return "SIGFPE";
  }
  return "a fatal signal";
}

const char* codeText(int sig, int code) {
  if (sig == SIGSEGV && code == SEGV_MAPERR) return "address not mapped";
  if (sig == SIGSEGV && code == SEGV_ACCERR) return "access not permitted";
  if (sig == SIGBUS && code == BUS_ADRERR) return "no backing storage behind the address";
  if (sig == SIGBUS && code == BUS_ADRALN) return "misaligned address";
  if (sig == SIGFPE && code == FPE_INTDIV) return "integer divide by zero";
  if (sig == SIGILL && code == ILL_ILLOPN) return "illegal operand";
  if (sig == SIGILL && code == ILL_ILLOPC) return "illegal opcode";
  return nullptr;
}

std::string crashMessage(const GuardedBatch& b) {
  char buf[256];
  const char* text = codeText(b.crashed.load(), b.code);
  snprintf(buf, sizeof buf, "sampler crashed with %s (%s%saddress %p) in its %s thread; the thread was abandoned",
           signalName(b.crashed.load()), text ? text : "", text ? ", " : "", b.addr, b.inRunner ? "measuring" : "helper");
  return buf;
}

}  // namespace

GuardedBatch* currentBatch() { return tlGuard ? tlGuard->batch : nullptr; }

GuardedThread::GuardedThread(GuardedBatch* batch, std::atomic<bool>* stop)
    : batch_(batch), altStack_(nullptr), slot_(-1) {
  if (!batch_) return;
  batch_->helpers.fetch_add(1);
  altStack_ = installAltStack();
  tlGuard = new ThreadGuard{batch_, nullptr};
  if (stop) {
    slot_ = batch_->watch(stop);
    if (batch_->crashed.load() != 0) stop->store(true);  // the batch crashed before this thread started
  }
}

GuardedThread::~GuardedThread() {
  if (!batch_) return;
  // The stop flag usually dies with its owner right after this thread ends: a later crash must not write it.
  if (slot_ >= 0) batch_->stops[slot_].store(nullptr);
  delete tlGuard;
  tlGuard = nullptr;
  removeAltStack(altStack_);
  batch_->helpers.fetch_sub(1);
}

void runGuarded(const std::function<void()>& fn, Context* ctx) {
  static std::once_flag once;
  std::call_once(once, installHandlers);
  if (!tlRunner.runner) tlRunner.runner = new Runner();
  Runner* r = tlRunner.runner;
  if (ctx) ctx->crashed = &r->batch.crashed;
  if (!r->run(fn)) {
    // The runner is gone. Give its helpers (already told to stop) a moment to leave before the caller's
    // Context, which they may read, goes out of scope; then abandon the runner for good.
    for (int i = 0; i < 200 && r->batch.helpers.load() > 0; i++) {
      struct timespec ms = {0, 1000000};
      nanosleep(&ms, nullptr);
    }
    tlRunner.runner = nullptr;
    r->thread.detach();
    throw SamplerCrash(crashMessage(r->batch));
  }
  if (r->batch.crashed.load() != 0) throw SamplerCrash(crashMessage(r->batch));
  if (r->error) std::rethrow_exception(r->error);
}

size_t runGuarded(const Sampler& s, Context& ctx) {
  size_t filled = 0;
  runGuarded([&] { filled = s.sample(ctx); }, &ctx);
  return filled;
}

std::string probeGuarded(const Sampler& s, const Params& params) {
  std::string reason;
  runGuarded([&] { reason = s.probe(params); }, nullptr);
  return reason;
}

}  // namespace oe
