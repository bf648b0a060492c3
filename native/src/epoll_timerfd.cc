// epoll_timerfd: Linux's counterpart of openentropy's kqueue_events. Each measurement is how late
// (ns, CLOCK_MONOTONIC) epoll_wait returned after a one-shot absolute timerfd expiry armed a fixed
// interval ahead: hrtimer interrupt delivery, timer slack, wake-up and scheduling latency, and in a
// VM the virtual timer (LAPIC/TSC-deadline emulation) and host scheduling.
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>
#include "b_util.h"

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

size_t sample(oe::Context& ctx) {
  const int64_t interval = int64_t(oe::param(ctx.params, "intervalNs", 100000));
  if (interval < 1000 || interval > 1000000000) throw oe::SamplerError("intervalNs must be 1e3..1e9");
  Fd tfd, ep;
  tfd.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (tfd.fd < 0) throw oe::SamplerError(std::string("timerfd_create: ") + strerror(errno));
  ep.fd = epoll_create1(EPOLL_CLOEXEC);
  if (ep.fd < 0) throw oe::SamplerError(std::string("epoll_create1: ") + strerror(errno));
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ev.data.fd = tfd.fd;
  if (epoll_ctl(ep.fd, EPOLL_CTL_ADD, tfd.fd, &ev) != 0)
    throw oe::SamplerError(std::string("epoll_ctl: ") + strerror(errno));
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    int64_t target = oe::monoNs() + interval;
    struct itimerspec its {};
    its.it_value.tv_sec = target / 1000000000ll;
    its.it_value.tv_nsec = target % 1000000000ll;
    if (timerfd_settime(tfd.fd, TFD_TIMER_ABSTIME, &its, nullptr) != 0)
      throw oe::SamplerError(std::string("timerfd_settime: ") + strerror(errno));
    bool fired = false;
    while (!fired) {
      struct epoll_event got {};
      int r = epoll_wait(ep.fd, &got, 1, 50);
      if (r < 0 && errno != EINTR) throw oe::SamplerError(std::string("epoll_wait: ") + strerror(errno));
      if (r == 1) {
        int64_t now = oe::monoNs();
        uint64_t expirations = 0;
        if (read(tfd.fd, &expirations, sizeof expirations) == sizeof expirations) {
          ctx.out[i] = now - target;
          fired = true;
        }
      } else if (ctx.stop()) {
        return i;
      }
    }
  }
  return i;
}

}  // namespace

OE_REGISTER(epoll_timerfd, oe::Unit::Ns, sample, nullptr);
