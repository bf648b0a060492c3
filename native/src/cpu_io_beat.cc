// cpu_io_beat: CPU work interleaved with a small file write. Each measurement is the tick count of
// one fixed block of 50 LCG steps followed by a 64-byte pwrite into an unlinked temporary file (at
// 64 rotating offsets of one 4 KiB page, no fsync). openentropy calls this a beat between the CPU and
// I/O clocks; what it measures on Linux is the syscall and page-cache write path (locking the page,
// copying, marking it dirty, occasionally meeting writeback) on top of the CPU block. No separate I/O
// clock is involved, and nothing reaches the device within the measurement.
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include "oe.h"

namespace {

int openScratch() {
  const char* dir = getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  std::string path = std::string(dir) + "/oe-cpu-io-beat-XXXXXX";
  fd = mkostemp(&path[0], O_CLOEXEC);
  if (fd >= 0) unlink(path.c_str());
  return fd;
}

size_t sample(oe::Context& ctx) {
  const int steps = int(oe::param(ctx.params, "cpuSteps", 50));
  if (steps < 1 || steps > 100000) throw oe::SamplerError("cpuSteps must be 1..100000");
  int fd = openScratch();
  if (fd < 0) throw oe::SamplerError(std::string("temporary file: ") + strerror(errno));
  char chunk[64];
  memset(chunk, 0x3c, sizeof chunk);
  uint64_t x = 0x2545f4914f6cdd1dull;
  size_t i = 0;
  std::string failure;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    for (int k = 0; k < steps; k++) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      asm volatile("" : "+r"(x));
    }
    ssize_t w = pwrite(fd, chunk, sizeof chunk, off_t((i & 63) * 64));
    uint64_t t1 = oe::ticks();
    if (w != ssize_t(sizeof chunk)) {
      failure = std::string("pwrite: ") + (w < 0 ? strerror(errno) : "short write");
      break;
    }
    ctx.out[i] = int64_t(t1 - t0);
  }
  close(fd);
  if (!failure.empty()) throw oe::SamplerError(failure);
  return i;
}

std::string probe(const oe::Params&) {
  int fd = openScratch();
  if (fd < 0) return std::string("cannot create a temporary file in $TMPDIR or /tmp: ") + strerror(errno);
  close(fd);
  return "";
}

}  // namespace

OE_REGISTER(cpu_io_beat, oe::Unit::Tsc, sample, probe);
