// fsync_journal: rewrite 512 bytes at offset 0 of a small file in oe's cache directory and fsync it,
// timed with CLOCK_MONOTONIC_RAW. fsync waits for the data block and the journal commit (ext4/xfs/btrfs)
// to reach stable storage: block-layer queueing, the device's write path and flush, completion interrupts.
// Slow (hundreds per second) and it wears flash, so the catalog marks it opt-in, and measurements start at
// least params.minIntervalUs (default 2000 µs) apart: at most 500 fsyncs per second even on a fast device.
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  std::string path = oe::cacheDir(true) + "/fsync_journal.dat";
  int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0600);
  if (fd < 0) throw oe::SamplerError("cannot open " + path + ": " + strerror(errno));
  char block[512];
  static thread_local oe::Rng rng;
  const uint64_t minIntervalNs = uint64_t(oe::param(ctx.params, "minIntervalUs", 2000) * 1000);
  static thread_local uint64_t lastStart = 0;
  size_t i = 0;
  std::string err;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    // Rate limit: wait (in <= 1 ms naps, checking cancellation) until minIntervalNs after the last start.
    while (oe::monoRawNs() < lastStart + minIntervalNs) {
      if (ctx.stop()) break;
      uint64_t left = lastStart + minIntervalNs - oe::monoRawNs();
      struct timespec nap = {0, long(left < 1000000 ? left : 1000000)};
      nanosleep(&nap, nullptr);
    }
    if (ctx.stop()) break;
    lastStart = oe::monoRawNs();
    for (size_t k = 0; k < sizeof block; k += 8) {
      uint64_t w = rng.next();
      memcpy(block + k, &w, 8);
    }
    uint64_t t0 = oe::monoRawNs();
    if (pwrite(fd, block, sizeof block, 0) != ssize_t(sizeof block) || fsync(fd) != 0) {
      err = strerror(errno);
      break;
    }
    uint64_t t1 = oe::monoRawNs();
    ctx.out[i] = int64_t(t1 - t0);
  }
  close(fd);
  if (!err.empty()) throw oe::SamplerError("write+fsync " + path + ": " + err);
  return i;
}

std::string probe(const oe::Params&) {
  try {
    std::string dir = oe::cacheDir(true);
    struct statfs sf;
    if (statfs(dir.c_str(), &sf) != 0) return "cannot statfs " + dir + ": " + strerror(errno);
    if (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC)
      return dir + " is on tmpfs/ramfs, where fsync does nothing (set OE_CACHE_DIR to a disk)";
    if (access(dir.c_str(), W_OK) != 0) return dir + " is not writable";
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}
}  // namespace

OE_REGISTER(fsync_journal, oe::Unit::Ns, sample, probe);
