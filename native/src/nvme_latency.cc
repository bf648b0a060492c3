// nvme_latency: 4 KiB O_DIRECT reads at random aligned offsets of an NVMe namespace block device
// (/dev/nvmeXnY, read-only), timed with CLOCK_MONOTONIC_RAW: the NVMe submission/completion queue round
// trip, the controller's firmware and flash read path, and the completion interrupt. Available only where
// an NVMe namespace exists and is readable (root or the disk group); a VM with virtio-blk has none.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "oe.h"

namespace {
// NVMe namespaces as /dev names (nvme0n1, ...), from /sys/block.
std::vector<std::string> namespaces() {
  std::vector<std::string> out;
  DIR* d = opendir("/sys/block");
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind("nvme", 0) == 0 && n.find('n', 4) != std::string::npos) out.push_back(n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string probe(const oe::Params&) {
  auto ns = namespaces();
  if (ns.empty()) {
    std::string blocks;
    if (DIR* d = opendir("/sys/block")) {
      while (struct dirent* e = readdir(d))
        if (e->d_name[0] != '.') blocks += (blocks.empty() ? "" : ", ") + std::string(e->d_name);
      closedir(d);
    }
    return "no NVMe namespace in /sys/block (block devices here: " + (blocks.empty() ? "none" : blocks) + ")";
  }
  std::string dev = "/dev/" + ns[0];
  int fd = open(dev.c_str(), O_RDONLY | O_DIRECT);
  if (fd < 0) return "cannot open " + dev + " for direct reads: " + strerror(errno) + " (needs root or the disk group)";
  close(fd);
  return "";
}

size_t sample(oe::Context& ctx) {
  auto ns = namespaces();
  if (ns.empty()) throw oe::SamplerError("no NVMe namespace");
  std::string dev = "/dev/" + ns[0];
  int fd = open(dev.c_str(), O_RDONLY | O_DIRECT);
  if (fd < 0) throw oe::SamplerError("cannot open " + dev + ": " + strerror(errno));
  uint64_t size = 0;
  if (ioctl(fd, BLKGETSIZE64, &size) != 0 || size < 4096) {
    close(fd);
    throw oe::SamplerError("cannot get the size of " + dev);
  }
  void* mem = nullptr;
  if (posix_memalign(&mem, 4096, 4096) != 0) {
    close(fd);
    throw oe::SamplerError("posix_memalign failed");
  }
  static thread_local oe::Rng rng;
  const uint64_t blocks = size / 4096;
  size_t i = 0;
  std::string err;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    off_t off = off_t(rng.below(blocks) * 4096);
    uint64_t t0 = oe::monoRawNs();
    ssize_t r = pread(fd, mem, 4096, off);
    uint64_t t1 = oe::monoRawNs();
    if (r != 4096) {
      err = r < 0 ? strerror(errno) : "short read";
      break;
    }
    ctx.out[i] = int64_t(t1 - t0);
  }
  free(mem);
  close(fd);
  if (!err.empty()) throw oe::SamplerError("pread " + dev + ": " + err);
  return i;
}
}  // namespace

OE_REGISTER(nvme_latency, oe::Unit::Ns, sample, probe);
