// getrandom: the kernel CRNG through getrandom(2), 8 bytes per call. A REFERENCE source: the floor any
// conditioned output must never fall below, not a measurement of physics.
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 255) == 0 && ctx.stop()) break;
    uint64_t v;
    ssize_t r = getrandom(&v, sizeof v, GRND_NONBLOCK);
    if (r != ssize_t(sizeof v)) {
      if (r < 0 && errno == EINTR) {
        i--;
        continue;
      }
      throw oe::SamplerError(std::string("getrandom failed: ") + (r < 0 ? strerror(errno) : "short read"));
    }
    ctx.out[i] = int64_t(v);
  }
  return i;
}

std::string probe(const oe::Params&) {
  uint64_t v;
  if (getrandom(&v, sizeof v, GRND_NONBLOCK) != ssize_t(sizeof v))
    return std::string("getrandom(2) not usable: ") + strerror(errno);
  return "";
}
}  // namespace

OE_REGISTER(getrandom, oe::Unit::Value, sample, probe);
