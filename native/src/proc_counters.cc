// System counters from /proc (kind "counter": world-readable, mostly deterministic, recorded but
// credited 0). Each sampler reads its file every `intervalUs` (default 1000 µs, absolute schedule
// on CLOCK_MONOTONIC), parses a fixed list of counters, and each measurement is the activity between
// two successive reads: the sum over the counters of |value now − value before| (a counter that
// appears or disappears counts from 0). The first read of a batch is only the baseline.
//   proc_stat:       /proc/stat: the 10 jiffy columns of the aggregate "cpu" line, "intr" total,
//                    "ctxt", "processes", "softirq" total (per-CPU lines and per-IRQ columns, which
//                    repeat these totals, and the gauges btime/procs_running/procs_blocked are skipped)
//   proc_interrupts: /proc/interrupts: every per-CPU count of every row (including NMI, LOC, …, ERR, MIS)
//   proc_softirqs:   /proc/softirqs: every per-CPU count of every row
//   proc_vmstat:     /proc/vmstat: every line's value (event counters and nr_* gauges alike)
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "b_util.h"

namespace {

using Counters = std::vector<uint64_t>;
using Parser = void (*)(const std::string& text, Counters& out);

bool readFile(const char* path, std::string& buf) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  buf.clear();
  char chunk[16384];
  for (;;) {
    ssize_t r = read(fd, chunk, sizeof chunk);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    buf.append(chunk, size_t(r));
  }
  close(fd);
  return !buf.empty();
}

// Appends up to `max` unsigned integers that follow position p on the same line.
const char* numbers(const char* p, const char* end, Counters& out, size_t max = SIZE_MAX) {
  size_t got = 0;
  while (p < end && *p != '\n' && got < max) {
    while (p < end && *p == ' ') p++;
    if (p >= end || *p < '0' || *p > '9') break;
    uint64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9') v = v * 10 + uint64_t(*p++ - '0');
    out.push_back(v);
    got++;
  }
  return p;
}

bool startsWith(const char* p, const char* end, const char* word) {
  size_t n = strlen(word);
  return size_t(end - p) >= n && memcmp(p, word, n) == 0;
}

void parseStat(const std::string& t, Counters& out) {
  const char* p = t.data();
  const char* end = p + t.size();
  while (p < end) {
    if (startsWith(p, end, "cpu ")) numbers(p + 4, end, out, 10);
    else if (startsWith(p, end, "intr ")) numbers(p + 5, end, out, 1);
    else if (startsWith(p, end, "ctxt ")) numbers(p + 5, end, out, 1);
    else if (startsWith(p, end, "processes ")) numbers(p + 10, end, out, 1);
    else if (startsWith(p, end, "softirq ")) numbers(p + 8, end, out, 1);
    const char* nl = static_cast<const char*>(memchr(p, '\n', size_t(end - p)));
    p = nl ? nl + 1 : end;
  }
}

// /proc/interrupts and /proc/softirqs: a CPU header line, then "NAME: n n … [description]".
void parseTable(const std::string& t, Counters& out) {
  const char* p = t.data();
  const char* end = p + t.size();
  const char* nl = static_cast<const char*>(memchr(p, '\n', size_t(end - p)));
  p = nl ? nl + 1 : end;  // skip the header
  while (p < end) {
    const char* lineEnd = static_cast<const char*>(memchr(p, '\n', size_t(end - p)));
    if (!lineEnd) lineEnd = end;
    const char* colon = static_cast<const char*>(memchr(p, ':', size_t(lineEnd - p)));
    if (colon) numbers(colon + 1, lineEnd, out);
    p = lineEnd + 1;
  }
}

void parseVmstat(const std::string& t, Counters& out) {
  const char* p = t.data();
  const char* end = p + t.size();
  while (p < end) {
    const char* lineEnd = static_cast<const char*>(memchr(p, '\n', size_t(end - p)));
    if (!lineEnd) lineEnd = end;
    const char* sp = static_cast<const char*>(memchr(p, ' ', size_t(lineEnd - p)));
    if (sp) numbers(sp, lineEnd, out, 1);
    p = lineEnd + 1;
  }
}

int64_t activity(const Counters& a, const Counters& b) {
  size_t n = a.size() > b.size() ? a.size() : b.size();
  uint64_t sum = 0;
  for (size_t k = 0; k < n; k++) {
    uint64_t x = k < a.size() ? a[k] : 0, y = k < b.size() ? b[k] : 0;
    sum += x > y ? x - y : y - x;
  }
  return int64_t(sum);
}

size_t run(oe::Context& ctx, const char* path, Parser parse) {
  const int64_t interval = int64_t(oe::param(ctx.params, "intervalUs", 1000) * 1000);
  if (interval < 0 || interval > 10000000000ll) throw oe::SamplerError("intervalUs must be 0..1e7");
  std::string text;
  Counters prev, cur;
  if (!readFile(path, text)) throw oe::SamplerError(std::string("cannot read ") + path + ": " + strerror(errno));
  parse(text, prev);
  int64_t next = oe::monoNs();
  size_t i = 0;
  for (; i < ctx.n; i++) {
    next += interval;
    if (!oe::sleepUntil(next, ctx)) break;
    if (!readFile(path, text)) throw oe::SamplerError(std::string("cannot read ") + path + ": " + strerror(errno));
    cur.clear();
    parse(text, cur);
    ctx.out[i] = activity(cur, prev);
    prev.swap(cur);
  }
  return i;
}

std::string probeFile(const char* path, Parser parse) {
  std::string text;
  if (!readFile(path, text)) return std::string("cannot read ") + path + ": " + strerror(errno);
  Counters c;
  parse(text, c);
  return c.empty() ? std::string("no counters found in ") + path : "";
}

size_t sampleStat(oe::Context& ctx) { return run(ctx, "/proc/stat", parseStat); }
size_t sampleInterrupts(oe::Context& ctx) { return run(ctx, "/proc/interrupts", parseTable); }
size_t sampleSoftirqs(oe::Context& ctx) { return run(ctx, "/proc/softirqs", parseTable); }
size_t sampleVmstat(oe::Context& ctx) { return run(ctx, "/proc/vmstat", parseVmstat); }
std::string probeStat(const oe::Params&) { return probeFile("/proc/stat", parseStat); }
std::string probeInterrupts(const oe::Params&) { return probeFile("/proc/interrupts", parseTable); }
std::string probeSoftirqs(const oe::Params&) { return probeFile("/proc/softirqs", parseTable); }
std::string probeVmstat(const oe::Params&) { return probeFile("/proc/vmstat", parseVmstat); }

}  // namespace

OE_REGISTER(proc_stat, oe::Unit::Count, sampleStat, probeStat);
OE_REGISTER(proc_interrupts, oe::Unit::Count, sampleInterrupts, probeInterrupts);
OE_REGISTER(proc_softirqs, oe::Unit::Count, sampleSoftirqs, probeSoftirqs);
OE_REGISTER(proc_vmstat, oe::Unit::Count, sampleVmstat, probeVmstat);
