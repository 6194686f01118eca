// Creation kernels on a device: fills by bit pattern and evenly spaced ranges (arange, linspace).
// Declared without CUDA headers so the binding (plain C++) can include it.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/dtype.h"

namespace cinder {

// Every `itemBytes`-sized element of the contiguous `nbytes` at dst <- the low itemBytes bytes of
// `pattern` (itemBytes is 1, 2, 4 or 8; nbytes a multiple of it). The binding converts the value
// to the element's bytes on the host with the CPU's conversion, so both devices store the same bits.
void cudaLaunchFillPattern(int device, void* dst, size_t nbytes, int itemBytes, uint64_t pattern, const char* op);

// out[i] (contiguous, n elements of dtype dt) <- the double start + i * step, or, when `symmetric`
// and n > 1, for i >= n / 2 the double end - (n - 1 - i) * step (linspace's evaluation, exact at
// both ends);
// converted as the host's creation converts JS numbers (integers truncate; float16/bfloat16 round
// through float32).
void cudaLaunchRange(int device, DType dt, void* out, int64_t n, double start, double step, double end,
                     bool symmetric, const char* op);

}  // namespace cinder
