// The SP 800-90B §5.1.11 compression statistic's exact libbzip2 size, in C++ (native/src/bzip2_size.cc).
// Plain C++ like the samplers; addon.cc exposes it as bzip2TextSize(Uint8Array).
#pragma once
#include <cstddef>
#include <cstdint>

namespace oe {

// Size in bytes of libbzip2's BZ2_bzBuffToBuffCompress(blockSize100k 5) output for the text
// "v0 v1 … vn−1" (decimal byte values, single spaces), for n ≥ 2 values; -1 for n < 2 (the caller's
// TypeScript handles those). Thread-safe: its buffers are per thread.
int64_t bzip2TextSize(const uint8_t* raw, size_t n);

}  // namespace oe
