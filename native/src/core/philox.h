// Philox 4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator, so any element of any stream is computed directly from (key, counter)
// with no sequential state. That is what makes results independent of how work is split across
// threads, and lets CPU and CUDA kernels produce the same numbers. Plain functions on uint32
// arrays so the same header compiles for host and device.
#pragma once
#include <cstdint>

#include "core/hostDevice.h"

namespace cinder {
namespace philox {

constexpr uint32_t kMul0 = 0xD2511F53u;
constexpr uint32_t kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
constexpr uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1
constexpr int kRounds = 10;

CINDER_HD inline void round(uint32_t* c, const uint32_t* k) {
  const uint64_t p0 = (uint64_t)kMul0 * c[0];
  const uint64_t p1 = (uint64_t)kMul1 * c[2];
  const uint32_t hi0 = (uint32_t)(p0 >> 32), lo0 = (uint32_t)p0;
  const uint32_t hi1 = (uint32_t)(p1 >> 32), lo1 = (uint32_t)p1;
  const uint32_t c1 = c[1], c3 = c[3];
  c[0] = hi1 ^ c1 ^ k[0];
  c[1] = lo1;
  c[2] = hi0 ^ c3 ^ k[1];
  c[3] = lo0;
}

// out <- Philox4x32-10(counter, key). `out` may alias `counter`.
CINDER_HD inline void block(const uint32_t* counter, const uint32_t* key, uint32_t* out) {
  uint32_t c[4] = {counter[0], counter[1], counter[2], counter[3]};
  uint32_t k[2] = {key[0], key[1]};
  round(c, k);
  for (int r = 1; r < kRounds; r++) {
    k[0] += kWeyl0;
    k[1] += kWeyl1;
    round(c, k);
  }
  out[0] = c[0];
  out[1] = c[1];
  out[2] = c[2];
  out[3] = c[3];
}

// Cinder's counter layout. A 64-bit seed is the key. Counter words (0, 1) hold a 64-bit block
// index and words (2, 3) a 64-bit stream id: stream 0 is the flat stream that plain fills walk
// (element i of an op reads block offset + i / perBlock), streams >= 1 are per-element
// sub-streams for samplers that need an unbounded number of draws (rejection sampling): element i
// of an op owns stream offset + i + 1 and reads its blocks 0, 1, 2, ... The two never overlap, and
// each op advances the generator's offset past what it used.
CINDER_HD inline void flatBlock(const uint32_t* key, uint64_t index, uint32_t* out) {
  const uint32_t c[4] = {(uint32_t)index, (uint32_t)(index >> 32), 0u, 0u};
  block(c, key, out);
}

CINDER_HD inline void streamBlock(const uint32_t* key, uint64_t stream, uint64_t index, uint32_t* out) {
  const uint32_t c[4] = {(uint32_t)index, (uint32_t)(index >> 32), (uint32_t)stream, (uint32_t)(stream >> 32)};
  block(c, key, out);
}

// [0, 1) with 24 / 53 random bits.
CINDER_HD inline float toUniformFloat(uint32_t w) { return (float)(w >> 8) * 5.9604644775390625e-8f; }
CINDER_HD inline double toUniformDouble(uint32_t a, uint32_t b) {
  return (double)(((uint64_t)(a >> 5) << 26) | (b >> 6)) * 1.1102230246251565e-16;
}
// (0, 1): never 0 nor 1, safe to take logs of.
CINDER_HD inline float toOpenFloat(uint32_t w) { return ((float)(w >> 8) + 0.5f) * 5.9604644775390625e-8f; }
CINDER_HD inline double toOpenDouble(uint32_t a, uint32_t b) {
  return ((double)(((uint64_t)(a >> 5) << 26) | (b >> 6)) + 0.5) * 1.1102230246251565e-16;
}

// The high 64 bits of the 128-bit product a * b.
CINDER_HD inline uint64_t mulHi64(uint64_t a, uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __umul64hi(a, b);
#else
  return (uint64_t)(((unsigned __int128)a * b) >> 64);
#endif
}
CINDER_HD inline uint64_t word64(uint32_t hi, uint32_t lo) { return ((uint64_t)hi << 32) | lo; }

// A sequential reader over one sub-stream: successive 32-bit words of blocks 0, 1, 2, ...
struct Stream {
  uint32_t key[2];
  uint64_t stream;
  uint64_t next = 0;
  uint32_t buf[4];
  int used = 4;

  CINDER_HD Stream(const uint32_t* k, uint64_t s) : stream(s) {
    key[0] = k[0];
    key[1] = k[1];
  }
  // Positions the reader at word w of the sub-stream (word() then returns word w).
  CINDER_HD void seek(uint64_t w) {
    next = w >> 2;
    used = 4;
    if (w & 3) {
      streamBlock(key, stream, next++, buf);
      used = (int)(w & 3);
    }
  }
  CINDER_HD uint32_t word() {
    if (used == 4) {
      streamBlock(key, stream, next++, buf);
      used = 0;
    }
    return buf[used++];
  }
  CINDER_HD double uniform() {
    const uint32_t a = word();
    return toUniformDouble(a, word());
  }
  CINDER_HD double open() {
    const uint32_t a = word();
    return toOpenDouble(a, word());
  }
};

}  // namespace philox
}  // namespace cinder
