// hwrng: the kernel's selected hardware RNG through /dev/hwrng (virtio-rng in a VM, a TPM, CCP or SoC
// TRNG on bare metal). A REFERENCE source: an opaque device, never presented as measured physics. Each
// int64 is 8 bytes of device output. Reads are non-blocking with short sleeps, so cancellation works.
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fstream>

#include "oe.h"

namespace {
const char* kDev = "/dev/hwrng";

std::string currentRng() {
  std::ifstream f("/sys/class/misc/hw_random/rng_current");
  std::string s;
  std::getline(f, s);
  return s;
}

size_t sample(oe::Context& ctx) {
  int fd = open(kDev, O_RDONLY | O_NONBLOCK);
  if (fd < 0) throw oe::SamplerError(std::string("cannot open /dev/hwrng: ") + strerror(errno));
  uint8_t* dst = reinterpret_cast<uint8_t*>(ctx.out);
  const size_t want = ctx.n * 8;
  size_t got = 0;
  std::string err;
  const struct timespec nap = {0, 200 * 1000};
  while (got < want) {
    if (ctx.stop()) break;
    size_t chunk = want - got < 4096 ? want - got : 4096;
    ssize_t r = read(fd, dst + got, chunk);
    if (r > 0) got += size_t(r);
    else if (r < 0 && (errno == EAGAIN || errno == EINTR)) nanosleep(&nap, nullptr);
    else {
      err = r == 0 ? "end of file" : strerror(errno);
      break;
    }
  }
  close(fd);
  if (!err.empty()) throw oe::SamplerError("read /dev/hwrng: " + err);
  return got / 8;
}

std::string probe(const oe::Params&) {
  std::string cur = currentRng();
  if (access(kDev, F_OK) != 0) return "no /dev/hwrng (no hardware RNG driver loaded)";
  if (cur == "none") return "/dev/hwrng exists but no hardware RNG is selected (rng_current = none)";
  if (access(kDev, R_OK) != 0) return "/dev/hwrng is not readable by this user (mode 0600 root by default)";
  return "";
}
}  // namespace

OE_REGISTER(hwrng, oe::Unit::Value, sample, probe);
