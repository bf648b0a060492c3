// process_table (kind "counter", credited 0): a scan of /proc/[pid]/stat for every process every
// `intervalUs` (default 10000 µs, or back to back when a scan takes longer). A scan's total is
//   Σ over processes (minflt + majflt + utime + stime)   (fields 10, 12, 14, 15 of proc(5); faults
//   plus clock ticks of CPU time)
// and each measurement is the signed difference between two successive scans' totals, so processes
// that exit or start move it too. World-readable and mostly driven by what the machine is doing:
// recorded, not credited. (openentropy XORed the ASCII text of `ps`; that is structure, not entropy.)
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include "b_util.h"

namespace {

// Sum of minflt+majflt+utime+stime of one /proc/<pid>/stat, or false if the process is gone.
bool processTotal(const char* pid, uint64_t& total) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[1024];
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return false;
  buf[r] = 0;
  // comm (field 2) may contain spaces and parentheses: fields resume after the last ')'.
  char* p = strrchr(buf, ')');
  if (!p) return false;
  p++;
  uint64_t sum = 0;
  for (int field = 3; field <= 15; field++) {
    while (*p == ' ') p++;
    if (!*p) return false;
    char* endp = p;
    unsigned long long v = strtoull(p, &endp, 10);
    if (field == 10 || field == 12 || field == 14 || field == 15) sum += v;
    while (*endp && *endp != ' ') endp++;  // non-numeric field 3 (state)
    p = endp;
  }
  total = sum;
  return true;
}

bool scan(uint64_t& total, size_t& processes) {
  DIR* d = opendir("/proc");
  if (!d) return false;
  total = 0;
  processes = 0;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    uint64_t t;
    if (processTotal(e->d_name, t)) {
      total += t;
      processes++;
    }
  }
  closedir(d);
  return processes > 0;
}

size_t sample(oe::Context& ctx) {
  const int64_t interval = int64_t(oe::param(ctx.params, "intervalUs", 10000) * 1000);
  if (interval < 0 || interval > 10000000000ll) throw oe::SamplerError("intervalUs must be 0..1e7");
  uint64_t prev = 0, cur = 0;
  size_t procs = 0;
  if (!scan(prev, procs)) throw oe::SamplerError(std::string("cannot scan /proc: ") + strerror(errno));
  int64_t next = oe::monoNs();
  size_t i = 0;
  for (; i < ctx.n; i++) {
    next += interval;
    if (!oe::sleepUntil(next, ctx)) break;
    if (!scan(cur, procs)) throw oe::SamplerError(std::string("cannot scan /proc: ") + strerror(errno));
    ctx.out[i] = int64_t(cur - prev);
    prev = cur;
  }
  return i;
}

std::string probe(const oe::Params&) {
  uint64_t t;
  size_t procs;
  return scan(t, procs) ? "" : std::string("cannot read /proc/[pid]/stat: ") + strerror(errno);
}

}  // namespace

OE_REGISTER(process_table, oe::Unit::Count, sample, probe);
