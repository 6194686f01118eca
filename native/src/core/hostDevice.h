// CINDER_HD marks header-only functions that CPU kernels and CUDA kernels share.
#pragma once

#if defined(__CUDACC__)
#define CINDER_HD __host__ __device__
#else
#define CINDER_HD
#endif
