// scm_rights: Linux's counterpart of openentropy's mach_ipc (a kernel-mediated message carrying a
// capability). Each measurement is the tick count of one round trip over an AF_UNIX socketpair:
// send a message carrying a file descriptor (SCM_RIGHTS), a sibling thread receives it (the kernel
// installs a new fd in the table), sends it back and closes its copy, and we receive and close it.
// The time is fd-table and struct-file refcount work, two socket wake-ups and scheduling.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>
#include "b_util.h"

namespace {

bool sendFd(int sock, int fd) {
  char byte = 'F';
  struct iovec iov { &byte, 1 };
  alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
  memset(ctl, 0, sizeof ctl);
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl;
  msg.msg_controllen = sizeof ctl;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  for (;;) {
    ssize_t r = sendmsg(sock, &msg, MSG_NOSIGNAL);
    if (r == 1) return true;
    if (r < 0 && errno == EINTR) continue;
    return false;
  }
}

// Returns the received fd, or -1 on EOF/error (errno EAGAIN: nothing yet, with `flags` MSG_DONTWAIT).
int recvFd(int sock, int flags = 0) {
  char byte = 0;
  struct iovec iov { &byte, 1 };
  alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
  struct msghdr msg {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctl;
  msg.msg_controllen = sizeof ctl;
  for (;;) {
    ssize_t r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) errno = ECONNRESET;  // not a stale EAGAIN
    if (r <= 0) return -1;
    break;
  }
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
    errno = EPROTO;
    return -1;
  }
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

size_t sample(oe::Context& ctx) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw oe::SamplerError(std::string("socketpair: ") + strerror(errno));
  int payload[2];
  if (pipe2(payload, O_CLOEXEC) != 0) {
    close(sv[0]);
    close(sv[1]);
    throw oe::SamplerError(std::string("pipe2: ") + strerror(errno));
  }
  auto cpus = oe::twoCpus();
  oe::PinGuard pin(cpus.first);
  size_t i = 0;
  std::string failure;
  {
    int peer = sv[1];
    int mine = sv[0];
    // The echo thread exits when our end shuts down (recvmsg returns 0).
    oe::Sibling echo(
        [peer](const std::atomic<bool>&) {
          for (;;) {
            int fd = recvFd(peer);
            if (fd < 0) break;
            bool ok = sendFd(peer, fd);
            close(fd);
            if (!ok) break;
          }
        },
        cpus.second, [mine]() { shutdown(mine, SHUT_WR); });
    for (; i < ctx.n; i++) {
      if (ctx.stop()) break;
      uint64_t t0 = oe::ticks();
      int back = -1;
      bool stopped = false;
      if (sendFd(sv[0], payload[0])) {
        // Non-blocking receive plus poll, so that waiting for the echo can observe ctx.stop().
        while ((back = recvFd(sv[0], MSG_DONTWAIT)) < 0 && errno == EAGAIN)
          if (!oe::waitReadable(sv[0], ctx)) {
            stopped = true;
            break;
          }
      }
      if (back >= 0) close(back);
      uint64_t t1 = oe::ticks();
      if (stopped) break;
      if (back < 0) {
        failure = std::string("SCM_RIGHTS round trip failed: ") + strerror(errno);
        break;
      }
      ctx.out[i] = int64_t(t1 - t0);
    }
  }
  for (int fd : {sv[0], sv[1], payload[0], payload[1]}) close(fd);
  if (!failure.empty()) throw oe::SamplerError(failure);
  return i;
}

}  // namespace

OE_REGISTER(scm_rights, oe::Unit::Tsc, sample, nullptr);
