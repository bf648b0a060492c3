// cpu_memory_beat: CPU work interleaved with one memory access. Each measurement is the tick count
// of a fixed block of 50 LCG steps followed by one dependent load from a 64 MiB buffer (larger than
// this VM's 32 MiB L3) at an address taken from the LCG. openentropy calls it a beat between the CPU
// and memory clocks; what varies is the load's latency: cache level hit, TLB miss and page walk
// (two-dimensional under a hypervisor), DRAM row-buffer state, refresh and other cores' traffic. The
// address sequence is a deterministic LCG, so only the latency, not the choice of address, is new.
#include <sys/mman.h>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include "oe.h"

namespace {

constexpr size_t kBytes = size_t(64) << 20;
unsigned char* gBuf = nullptr;
std::once_flag gOnce;

// One shared read-only buffer per process, allocated on first use (not per batch).
unsigned char* buffer() {
  std::call_once(gOnce, [] {
    void* m = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;
    auto* b = static_cast<unsigned char*>(m);
    for (size_t o = 0; o < kBytes; o += 64) b[o] = static_cast<unsigned char>(o >> 6);
    gBuf = b;
  });
  return gBuf;
}

size_t sample(oe::Context& ctx) {
  const int steps = int(oe::param(ctx.params, "cpuSteps", 50));
  if (steps < 1 || steps > 100000) throw oe::SamplerError("cpuSteps must be 1..100000");
  const unsigned char* b = buffer();
  if (!b) throw oe::SamplerError("cannot map the 64 MiB buffer");
  uint64_t x = oe::ticks() | 1;
  unsigned acc = 0;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 63) == 0 && ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    for (int k = 0; k < steps; k++) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      asm volatile("" : "+r"(x));
    }
    acc += *reinterpret_cast<const volatile unsigned char*>(b + ((x >> 16) % kBytes));
    uint64_t t1 = oe::ticks();
    ctx.out[i] = int64_t(t1 - t0);
  }
  oe::sink(acc);
  return i;
}

std::string probe(const oe::Params&) { return buffer() ? "" : "cannot map a 64 MiB buffer"; }

}  // namespace

OE_REGISTER(cpu_memory_beat, oe::Unit::Tsc, sample, probe);
