// pipe_buffer: cross-thread ping-pong over two pipes. Each measurement is the tick count of one
// round trip: write a fixed-size message into pipe A, a sibling thread (on another CPU when there
// are two) reads it and writes it back into pipe B, and we read it (waiting in poll when it is not
// there yet, so that a stop request is seen). The time is two pipe copies,
// two wake-ups of a sleeping thread and whatever the scheduler (and, in a VM, the hypervisor) adds.
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include "b_util.h"

namespace {

bool readFull(int fd, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, buf + got, n - got);
    if (r > 0) got += size_t(r);
    else if (r < 0 && errno == EINTR) continue;
    else return false;
  }
  return true;
}

bool writeFull(int fd, const char* buf, size_t n) {
  size_t put = 0;
  while (put < n) {
    ssize_t r = write(fd, buf + put, n - put);
    if (r > 0) put += size_t(r);
    else if (r < 0 && errno == EINTR) continue;
    else return false;
  }
  return true;
}

struct Fds {
  int a[2] = {-1, -1};
  int b[2] = {-1, -1};
  ~Fds() {
    for (int fd : {a[0], a[1], b[0], b[1]})
      if (fd >= 0) close(fd);
  }
};

size_t sample(oe::Context& ctx) {
  const size_t bytes = size_t(oe::param(ctx.params, "bytes", 64));
  if (bytes < 1 || bytes > 4096) throw oe::SamplerError("bytes must be 1..4096 (one atomic pipe write)");
  Fds f;
  // The reply pipe is non-blocking on our side so that waiting for it can observe ctx.stop().
  if (pipe2(f.a, O_CLOEXEC) != 0 || pipe2(f.b, O_CLOEXEC) != 0 || fcntl(f.b[0], F_SETFL, O_NONBLOCK) != 0)
    throw oe::SamplerError(std::string("pipe2: ") + strerror(errno));
  auto cpus = oe::twoCpus();
  oe::PinGuard pin(cpus.first);
  size_t i = 0;
  {
    // The echo thread exits when pipe A's write end is closed (read returns 0).
    int echoIn = f.a[0], echoOut = f.b[1];
    int* aw = &f.a[1];
    oe::Sibling echo(
        [echoIn, echoOut, bytes](const std::atomic<bool>&) {
          char buf[4096];
          while (readFull(echoIn, buf, bytes))
            if (!writeFull(echoOut, buf, bytes)) break;
        },
        cpus.second,
        [aw]() {
          close(*aw);
          *aw = -1;
        });
    char msg[4096];
    memset(msg, 0x5a, sizeof msg);
    for (; i < ctx.n; i++) {
      if (ctx.stop()) break;
      uint64_t t0 = oe::ticks();
      if (!writeFull(f.a[1], msg, bytes)) throw oe::SamplerError(std::string("pipe write: ") + strerror(errno));
      size_t got = 0;
      while (got < bytes) {
        ssize_t r = read(f.b[0], msg + got, bytes - got);
        if (r > 0) got += size_t(r);
        else if (r < 0 && errno == EAGAIN) {
          if (!oe::waitReadable(f.b[0], ctx)) return i;
        } else if (!(r < 0 && errno == EINTR))
          throw oe::SamplerError(std::string("pipe read: ") + (r == 0 ? "echo thread gone" : strerror(errno)));
      }
      uint64_t t1 = oe::ticks();
      ctx.out[i] = int64_t(t1 - t0);
    }
  }
  return i;
}

}  // namespace

OE_REGISTER(pipe_buffer, oe::Unit::Tsc, sample, nullptr);
