// keyring_timing: Linux's counterpart of openentropy's keychain_timing. Instead of a round trip to
// macOS securityd it times the in-kernel key store: each measurement is the tick count of
// add_key("user") updating one key in this thread's keyring plus keyctl(KEYCTL_READ) of its payload.
// Both are plain syscalls (key lookup under a rw-semaphore, payload RCU replacement, a kmalloc and
// copies), so this is syscall-path timing with the keyring's locking, not a separate device.
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>
#include "oe.h"

namespace {

const char kDesc[] = "oe:keyring_timing";

long addKey(const void* payload, size_t len) {
  return syscall(SYS_add_key, "user", kDesc, payload, len, KEY_SPEC_THREAD_KEYRING);
}

long keyctl(long op, long a, long b = 0, long c = 0) { return syscall(SYS_keyctl, op, a, b, c, 0L); }

size_t sample(oe::Context& ctx) {
  unsigned char payload[32];
  memset(payload, 0xa5, sizeof payload);
  unsigned char back[32];
  size_t i = 0;
  long id = -1;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    id = addKey(payload, sizeof payload);
    long r = id >= 0 ? keyctl(KEYCTL_READ, id, long(back), long(sizeof back)) : -1;
    uint64_t t1 = oe::ticks();
    if (id < 0 || r < 0) {
      std::string why = std::string(id < 0 ? "add_key: " : "keyctl(KEYCTL_READ): ") + strerror(errno);
      if (id >= 0) keyctl(KEYCTL_INVALIDATE, id);
      throw oe::SamplerError(why);
    }
    ctx.out[i] = int64_t(t1 - t0);
  }
  if (id >= 0) keyctl(KEYCTL_INVALIDATE, id);
  return i;
}

std::string probe(const oe::Params&) {
  unsigned char payload[32] = {0};
  long id = addKey(payload, sizeof payload);
  if (id < 0) {
    int e = errno;
    return std::string("kernel keyring unavailable: add_key failed (") + strerror(e) +
           (e == ENOSYS ? "; kernel built without CONFIG_KEYS or syscall filtered)"
                        : e == EPERM || e == EACCES ? "; denied, e.g. by a container's seccomp profile)" : ")");
  }
  keyctl(KEYCTL_INVALIDATE, id);
  return "";
}

}  // namespace

OE_REGISTER(keyring_timing, oe::Unit::Tsc, sample, probe);
