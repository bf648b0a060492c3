// disk_io: 4 KiB reads with O_DIRECT (bypassing the page cache) at random aligned offsets of a 64 MiB
// file that oe creates once in its cache directory (disk_io-64MiB.dat), timed with CLOCK_MONOTONIC_RAW.
// Each read is a real block request: submission, the device (or, in a VM, the virtio queue, a VM exit
// and the host's storage stack and cache), completion interrupt and wake-up. The read size is fixed;
// offsets come from a PRNG.
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <mutex>
#include <vector>

#include "oe.h"

namespace {
const size_t kFileBytes = size_t(64) << 20;
const size_t kBlock = 4096;

std::string filePath() { return oe::cacheDir(true) + "/disk_io-64MiB.dat"; }

// "" when direct I/O reaches a block device from `dir`, otherwise why not.
std::string directIoReason(const std::string& dir) {
  struct statfs sf;
  if (statfs(dir.c_str(), &sf) != 0) return "cannot statfs " + dir + ": " + strerror(errno);
  if (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC)
    return dir + " is on tmpfs/ramfs: O_DIRECT reads would measure RAM, not a device (set OE_CACHE_DIR to a disk)";
  std::string probe = dir + "/.odirect-probe-" + std::to_string(getpid());
  int fd = open(probe.c_str(), O_CREAT | O_RDWR | O_DIRECT, 0600);
  if (fd < 0) {
    int e = errno;
    return "O_DIRECT is not supported in " + dir + ": " + strerror(e);
  }
  close(fd);
  unlink(probe.c_str());
  return "";
}

// Creates the 64 MiB data file once (tmp + rename), with PRNG content so no block is a hole.
// Returns false when cancelled before the file was complete (the partial file is removed).
bool ensureFile(const std::string& path, const oe::Context& ctx) {
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && size_t(st.st_size) >= kFileBytes) return true;
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0) throw oe::SamplerError("cannot create " + tmp + ": " + strerror(errno));
  std::vector<uint64_t> chunk((1 << 20) / 8);
  oe::Rng rng;
  for (size_t done = 0; done < kFileBytes; done += chunk.size() * 8) {
    if (ctx.stop()) {
      close(fd);
      unlink(tmp.c_str());
      return false;
    }
    for (auto& w : chunk) w = rng.next();
    if (write(fd, chunk.data(), chunk.size() * 8) != ssize_t(chunk.size() * 8)) {
      int e = errno;
      close(fd);
      unlink(tmp.c_str());
      throw oe::SamplerError("cannot write " + tmp + ": " + strerror(e));
    }
  }
  if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    throw oe::SamplerError("cannot finish " + path + ": " + strerror(e));
  }
  // Drop the page-cache copy the write left behind (direct reads bypass it anyway).
  int rfd = open(path.c_str(), O_RDONLY);
  if (rfd >= 0) {
    posix_fadvise(rfd, 0, 0, POSIX_FADV_DONTNEED);
    close(rfd);
  }
  return true;
}
}  // namespace

namespace {
size_t sample(oe::Context& ctx) {
  std::string path = filePath();
  if (!ensureFile(path, ctx)) return 0;
  int fd = open(path.c_str(), O_RDONLY | O_DIRECT);
  if (fd < 0) throw oe::SamplerError("cannot open " + path + " with O_DIRECT: " + strerror(errno));
  void* mem = nullptr;
  if (posix_memalign(&mem, kBlock, kBlock) != 0) {
    close(fd);
    throw oe::SamplerError("posix_memalign failed");
  }
  static thread_local oe::Rng rng;
  const uint64_t blocks = kFileBytes / kBlock;
  size_t i = 0;
  std::string err;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    off_t off = off_t(rng.below(blocks) * kBlock);
    uint64_t t0 = oe::monoRawNs();
    ssize_t r = pread(fd, mem, kBlock, off);
    uint64_t t1 = oe::monoRawNs();
    if (r != ssize_t(kBlock)) {
      err = r < 0 ? strerror(errno) : "short read";
      break;
    }
    ctx.out[i] = int64_t(t1 - t0);
  }
  free(mem);
  close(fd);
  if (!err.empty()) throw oe::SamplerError("pread " + path + ": " + err);
  return i;
}

std::string probe(const oe::Params&) {
  try {
    return directIoReason(oe::cacheDir(true));
  } catch (const std::exception& e) {
    return e.what();
  }
}
}  // namespace

OE_REGISTER(disk_io, oe::Unit::Ns, sample, probe);
