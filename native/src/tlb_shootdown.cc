// tlb_shootdown: mprotect on pages that a sibling thread on another CPU keeps reading. Each
// measurement is the tick count of mprotect(PROT_READ) then mprotect(PROT_READ|PROT_WRITE) over a
// fixed run of `pages` (default 16) pages. Because the sibling's CPU has the pages in its TLB, the
// downgrade must flush it there: the kernel sends an inter-processor interrupt and waits for the
// acknowledgement. The time is page-table work, the IPI round trip and, in a VM, the virtualized IPI
// (a VM exit on the sender, an injected interrupt on a vCPU that may not be running).
#include <sys/mman.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>
#include "b_util.h"

namespace {

size_t sample(oe::Context& ctx) {
  const size_t pages = size_t(oe::param(ctx.params, "pages", 16));
  if (pages < 1 || pages > 4096) throw oe::SamplerError("pages must be 1..4096");
  auto cpus = oe::twoCpus();
  if (cpus.first < 0) throw oe::SamplerError("needs 2+ CPUs: with one CPU there is no remote TLB to shoot down");
  const size_t pageSize = size_t(sysconf(_SC_PAGESIZE));
  const size_t len = pages * pageSize;
  void* mem = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED) throw oe::SamplerError(std::string("mmap: ") + strerror(errno));
  auto* base = static_cast<volatile unsigned char*>(mem);
  for (size_t p = 0; p < pages; p++) base[p * pageSize] = 1;  // populate the PTEs
  oe::PinGuard pin(cpus.first);
  size_t i = 0;
  std::string failure;
  {
    oe::Sibling reader(
        [base, pages, pageSize](const std::atomic<bool>& stop) {
          unsigned sum = 0;
          while (!stop.load(std::memory_order_relaxed))
            for (size_t p = 0; p < pages; p++) sum += base[p * pageSize];
          oe::sink(sum);
        },
        cpus.second);
    for (; i < ctx.n; i++) {
      if (ctx.stop()) break;
      uint64_t t0 = oe::ticks();
      int a = mprotect(mem, len, PROT_READ);
      int b = mprotect(mem, len, PROT_READ | PROT_WRITE);
      uint64_t t1 = oe::ticks();
      if (a != 0 || b != 0) {
        failure = std::string("mprotect: ") + strerror(errno);
        break;
      }
      ctx.out[i] = int64_t(t1 - t0);
    }
  }
  munmap(mem, len);
  if (!failure.empty()) throw oe::SamplerError(failure);
  return i;
}

std::string probe(const oe::Params&) {
  return oe::allowedCpus().size() >= 2 ? "" : "needs 2+ CPUs: with one CPU there is no remote TLB to shoot down";
}

}  // namespace

OE_REGISTER(tlb_shootdown, oe::Unit::Tsc, sample, probe);
