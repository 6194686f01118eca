// Batch, layer and group normalization (see norm.h).
#include "cpu/norm.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/elementwiseIter.h"
#include "core/threadPool.h"
#include "cpu/normChecks.h"

namespace cinder {

namespace {

// A [n] parameter read through its stride, or a constant where it is absent.
template <typename T>
struct Param {
  const T* p = nullptr;
  int64_t s = 0;
  T dflt;
  explicit Param(T d) : dflt(d) {}
  T operator[](int64_t i) const { return p ? p[i * s] : dflt; }
};

template <typename T>
Param<T> paramOf(const TensorDesc* d, T dflt) {
  Param<T> r(dflt);
  if (d) {
    r.p = d->ptr<T>();
    r.s = d->strides[0];
  }
  return r;
}

// Sum of a contiguous row with eight independent lanes (so the adds pipeline).
template <typename T>
inline double rowSum(const T* p, int64_t n) {
  double l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) l[j] += (double)p[i + j];
  for (; i < n; i++) l[0] += (double)p[i];
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

// Mean and sum of squared deviations of a contiguous row (two passes while it is in cache).
template <typename T>
inline void rowMoments(const T* p, int64_t n, double& mean, double& m2) {
  if (n == 0) {
    mean = 0;
    m2 = 0;
    return;
  }
  mean = rowSum(p, n) / (double)n;
  double l[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) {
      const double d = (double)p[i + j] - mean;
      l[j] += d * d;
    }
  for (; i < n; i++) {
    const double d = (double)p[i] - mean;
    l[0] += d * d;
  }
  m2 = ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

// Chan's update: folds a group (nb, meanb, m2b) into the running (n, mean, m2).
inline void combine(double& n, double& mean, double& m2, double nb, double meanb, double m2b) {
  if (nb == 0) return;
  const double tot = n + nb;
  const double delta = meanb - mean;
  mean += delta * nb / tot;
  m2 += m2b + delta * delta * n * nb / tot;
  n = tot;
}

// Sums of g and of g * (x - mean) over a contiguous row.
template <typename T>
inline void rowGradSums(const T* g, const T* x, int64_t n, double mean, double& sg, double& sgx) {
  double a[4] = {0, 0, 0, 0}, b[4] = {0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 4 <= n; i += 4)
    for (int j = 0; j < 4; j++) {
      const double gv = (double)g[i + j];
      a[j] += gv;
      b[j] += gv * ((double)x[i + j] - mean);
    }
  for (; i < n; i++) {
    const double gv = (double)g[i];
    a[0] += gv;
    b[0] += gv * ((double)x[i] - mean);
  }
  sg = (a[0] + a[1]) + (a[2] + a[3]);
  sgx = (b[0] + b[1]) + (b[2] + b[3]);
}

int64_t grainFor(int64_t work) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, work)); }

}  // namespace

// ---- batch norm -------------------------------------------------------------------------------

void batchNormForward(const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias,
                      const TensorDesc* runningMean, const TensorDesc* runningVar, bool training, double momentum,
                      double eps, const TensorDesc& out, const TensorDesc& saveMean, const TensorDesc& saveInvstd,
                      const char* op) {
  const NormNCS d =
      checkBatchNormForward(x, weight, bias, runningMean, runningVar, training, out, saveMean, saveInvstd, op);
  const int64_t M = d.N * d.S;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    T* yp = out.ptr<T>();
    T* sm = saveMean.ptr<T>();
    T* si = saveInvstd.ptr<T>();
    std::vector<double> mean((size_t)d.C), invstd((size_t)d.C);
    if (training) {
      T* rm = runningMean ? runningMean->ptr<T>() : nullptr;
      T* rv = runningVar ? runningVar->ptr<T>() : nullptr;
      const int64_t rms = runningMean ? runningMean->strides[0] : 0, rvs = runningVar ? runningVar->strides[0] : 0;
      parallelFor(d.C, grainFor(M), [&](int64_t cb, int64_t ce) {
        for (int64_t c = cb; c < ce; c++) {
          double n = 0, mu = 0, m2 = 0;
          for (int64_t i = 0; i < d.N; i++) {
            double rmu, rm2;
            rowMoments(xp + (i * d.C + c) * d.S, d.S, rmu, rm2);
            combine(n, mu, m2, (double)d.S, rmu, rm2);
          }
          const double var = M > 0 ? m2 / (double)M : std::numeric_limits<double>::quiet_NaN();
          mean[(size_t)c] = mu;
          invstd[(size_t)c] = 1.0 / std::sqrt(var + eps);
          if (rm) rm[c * rms] = (T)((1 - momentum) * (double)rm[c * rms] + momentum * mu);
          if (rv) {
            const double unbiased = M > 1 ? m2 / (double)(M - 1) : std::numeric_limits<double>::quiet_NaN();
            rv[c * rvs] = (T)((1 - momentum) * (double)rv[c * rvs] + momentum * unbiased);
          }
        }
      });
    } else {
      const Param<T> rm = paramOf<T>(runningMean, T(0)), rv = paramOf<T>(runningVar, T(1));
      for (int64_t c = 0; c < d.C; c++) {
        mean[(size_t)c] = (double)rm[c];
        invstd[(size_t)c] = 1.0 / std::sqrt((double)rv[c] + eps);
      }
    }
    const Param<T> w = paramOf<T>(weight, T(1)), b = paramOf<T>(bias, T(0));
    std::vector<T> alpha((size_t)d.C), beta((size_t)d.C);
    for (int64_t c = 0; c < d.C; c++) {
      sm[c] = (T)mean[(size_t)c];
      si[c] = (T)invstd[(size_t)c];
      const double a = invstd[(size_t)c] * (double)w[c];
      alpha[(size_t)c] = (T)a;
      beta[(size_t)c] = (T)((double)b[c] - mean[(size_t)c] * a);
    }
    parallelFor(d.N * d.C, grainFor(d.S), [&](int64_t rb, int64_t re) {
      for (int64_t r = rb; r < re; r++) {
        const int64_t c = r % d.C;
        const T a = alpha[(size_t)c], bb = beta[(size_t)c];
        const T* p = xp + r * d.S;
        T* q = yp + r * d.S;
        for (int64_t s = 0; s < d.S; s++) q[s] = p[s] * a + bb;
      }
    });
  });
}

void batchNormBackward(const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                       const TensorDesc& saveMean, const TensorDesc& saveInvstd, bool training,
                       const TensorDesc* gradInput, const TensorDesc* gradWeight, const TensorDesc* gradBias,
                       const char* op) {
  const NormNCS d =
      checkBatchNormBackward(gradOut, x, weight, saveMean, saveInvstd, gradInput, gradWeight, gradBias, op);
  const int64_t M = d.N * d.S;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    const T* gp = gradOut.ptr<T>();
    const Param<T> w = paramOf<T>(weight, T(1));
    const Param<T> mean = paramOf<T>(&saveMean, T(0)), inv = paramOf<T>(&saveInvstd, T(1));
    std::vector<double> k1((size_t)d.C), k2((size_t)d.C), k3((size_t)d.C);
    const bool needSums = training || gradWeight || gradBias;
    parallelFor(d.C, grainFor(needSums ? M : 1), [&](int64_t cb, int64_t ce) {
      for (int64_t c = cb; c < ce; c++) {
        const double mu = (double)mean[c], is = (double)inv[c], wc = (double)w[c];
        double sg = 0, sgx = 0;
        if (needSums) {
          for (int64_t i = 0; i < d.N; i++) {
            double a, b;
            const int64_t off = (i * d.C + c) * d.S;
            rowGradSums(gp + off, xp + off, d.S, mu, a, b);
            sg += a;
            sgx += b;
          }
        }
        if (gradBias) gradBias->ptr<T>()[c] = (T)sg;
        if (gradWeight) gradWeight->ptr<T>()[c] = (T)(sgx * is);
        k1[(size_t)c] = is * wc;
        if (training && M > 0) {
          const double proj = is * is * sgx / (double)M;
          k2[(size_t)c] = -proj * is * wc;
          k3[(size_t)c] = (-sg / (double)M + mu * proj) * is * wc;
        } else {
          k2[(size_t)c] = 0;
          k3[(size_t)c] = 0;
        }
      }
    });
    if (!gradInput) return;
    T* gi = gradInput->ptr<T>();
    parallelFor(d.N * d.C, grainFor(d.S), [&](int64_t rb, int64_t re) {
      for (int64_t r = rb; r < re; r++) {
        const int64_t c = r % d.C;
        const T a = (T)k1[(size_t)c], b = (T)k2[(size_t)c], e = (T)k3[(size_t)c];
        const T* g = gp + r * d.S;
        const T* p = xp + r * d.S;
        T* q = gi + r * d.S;
        for (int64_t s = 0; s < d.S; s++) q[s] = g[s] * a + p[s] * b + e;
      }
    });
  });
}

// ---- layer norm -------------------------------------------------------------------------------

namespace {

// Row blocks for cross-row sums: a fixed count, so the summation order never depends on threads.
constexpr int64_t kRowBlocks = 64;

}  // namespace

void layerNormForward(const TensorDesc& x, const TensorDesc* weight, const TensorDesc* bias, double eps,
                      const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd, const char* op) {
  const NormMK d = checkLayerNormForward(x, weight, bias, out, mean, rstd, op);
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    T* yp = out.ptr<T>();
    T* mp = mean.ptr<T>();
    T* rp = rstd.ptr<T>();
    const T* w = weight ? weight->ptr<T>() : nullptr;
    const T* b = bias ? bias->ptr<T>() : nullptr;
    const int64_t K = d.K;
    parallelFor(d.M, grainFor(K), [&](int64_t rb, int64_t re) {
      for (int64_t r = rb; r < re; r++) {
        const T* p = xp + r * K;
        T* q = yp + r * K;
        double mu, m2;
        rowMoments(p, K, mu, m2);
        const double rs = 1.0 / std::sqrt((K > 0 ? m2 / (double)K : 0.0) + eps);
        mp[r] = (T)mu;
        rp[r] = (T)rs;
        const T a = (T)rs, c = (T)(-mu * rs);
        if (w && b) for (int64_t k = 0; k < K; k++) q[k] = (p[k] * a + c) * w[k] + b[k];
        else if (w) for (int64_t k = 0; k < K; k++) q[k] = (p[k] * a + c) * w[k];
        else if (b) for (int64_t k = 0; k < K; k++) q[k] = (p[k] * a + c) + b[k];
        else for (int64_t k = 0; k < K; k++) q[k] = p[k] * a + c;
      }
    });
  });
}

void layerNormBackward(const TensorDesc& gradOut, const TensorDesc& x, const TensorDesc* weight,
                       const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput,
                       const TensorDesc* gradWeight, const TensorDesc* gradBias, const char* op) {
  const NormMK d = checkLayerNormBackward(gradOut, x, weight, mean, rstd, gradInput, gradWeight, gradBias, op);
  const int64_t M = d.M, K = d.K;
  const bool sums = gradWeight || gradBias;
  const int64_t blocks = std::min<int64_t>(M, kRowBlocks);
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    const T* gp = gradOut.ptr<T>();
    const T* mp = mean.ptr<T>();
    const T* rp = rstd.ptr<T>();
    const T* w = weight ? weight->ptr<T>() : nullptr;
    T* gi = gradInput ? gradInput->ptr<T>() : nullptr;
    std::vector<double> pw(sums ? (size_t)(blocks * K) : 0), pb(sums ? (size_t)(blocks * K) : 0);
    parallelFor(blocks, grainFor(M * K / std::max<int64_t>(1, blocks)), [&](int64_t bb, int64_t be) {
      std::vector<double> dy((size_t)K);
      for (int64_t blk = bb; blk < be; blk++) {
        const int64_t r0 = blk * M / blocks, r1 = (blk + 1) * M / blocks;
        double* bw = sums ? pw.data() + blk * K : nullptr;
        double* bbias = sums ? pb.data() + blk * K : nullptr;
        for (int64_t r = r0; r < r1; r++) {
          const T* g = gp + r * K;
          const T* p = xp + r * K;
          const double mu = (double)mp[r], rs = (double)rp[r];
          if (sums) {
            for (int64_t k = 0; k < K; k++) {
              const double gv = (double)g[k];
              bw[k] += gv * ((double)p[k] - mu) * rs;
              bbias[k] += gv;
            }
          }
          if (!gi) continue;
          double a = 0, b = 0;
          for (int64_t k = 0; k < K; k++) {
            const double v = (double)g[k] * (w ? (double)w[k] : 1.0);
            dy[(size_t)k] = v;
            a += v;
            b += v * ((double)p[k] - mu);
          }
          // gx = rstd * (dy - mean(dy) - xhat * mean(dy * xhat))
          const double ca = a / (double)K, cb = b * rs * rs / (double)K;
          T* q = gi + r * K;
          for (int64_t k = 0; k < K; k++) q[k] = (T)(rs * (dy[(size_t)k] - ca - ((double)p[k] - mu) * cb));
        }
      }
    });
    if (!sums) return;
    for (int64_t k = 0; k < K; k++) {
      double sw = 0, sb = 0;
      for (int64_t blk = 0; blk < blocks; blk++) {
        sw += pw[(size_t)(blk * K + k)];
        sb += pb[(size_t)(blk * K + k)];
      }
      if (gradWeight) gradWeight->ptr<T>()[k] = (T)sw;
      if (gradBias) gradBias->ptr<T>()[k] = (T)sb;
    }
  });
}

// ---- group norm -------------------------------------------------------------------------------

void groupNormForward(const TensorDesc& x, int64_t groups, const TensorDesc* weight, const TensorDesc* bias,
                      double eps, const TensorDesc& out, const TensorDesc& mean, const TensorDesc& rstd,
                      const char* op) {
  const NormNCS d = checkGroupNormForward(x, groups, weight, bias, out, mean, rstd, op);
  const int64_t Cg = d.C / groups, D = Cg * d.S;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    T* yp = out.ptr<T>();
    T* mp = mean.ptr<T>();
    T* rp = rstd.ptr<T>();
    const Param<T> w = paramOf<T>(weight, T(1)), b = paramOf<T>(bias, T(0));
    parallelFor(d.N * groups, grainFor(2 * D), [&](int64_t gb, int64_t ge) {
      for (int64_t ng = gb; ng < ge; ng++) {
        const int64_t off = ng * D;  // (n * C + g * Cg) * S
        double mu, m2;
        rowMoments(xp + off, D, mu, m2);
        const double rs = 1.0 / std::sqrt((D > 0 ? m2 / (double)D : 0.0) + eps);
        mp[ng] = (T)mu;
        rp[ng] = (T)rs;
        const int64_t c0 = (ng % groups) * Cg;
        for (int64_t j = 0; j < Cg; j++) {
          const double a = rs * (double)w[c0 + j];
          const T ta = (T)a, tb = (T)((double)b[c0 + j] - mu * a);
          const T* p = xp + off + j * d.S;
          T* q = yp + off + j * d.S;
          for (int64_t s = 0; s < d.S; s++) q[s] = p[s] * ta + tb;
        }
      }
    });
  });
}

void groupNormBackward(const TensorDesc& gradOut, const TensorDesc& x, int64_t groups, const TensorDesc* weight,
                       const TensorDesc& mean, const TensorDesc& rstd, const TensorDesc* gradInput,
                       const TensorDesc* gradWeight, const TensorDesc* gradBias, const char* op) {
  const NormNCS d =
      checkGroupNormBackward(gradOut, x, groups, weight, mean, rstd, gradInput, gradWeight, gradBias, op);
  const int64_t Cg = d.C / groups, D = Cg * d.S;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    const T* gp = gradOut.ptr<T>();
    const T* mp = mean.ptr<T>();
    const T* rp = rstd.ptr<T>();
    const Param<T> w = paramOf<T>(weight, T(1));
    T* gi = gradInput ? gradInput->ptr<T>() : nullptr;
    // Per (sample, channel): sums of g * (x - mean) and of g.
    std::vector<double> ds((size_t)(d.N * d.C)), db((size_t)(d.N * d.C));
    parallelFor(d.N * groups, grainFor(2 * D), [&](int64_t gb, int64_t ge) {
      for (int64_t ng = gb; ng < ge; ng++) {
        const int64_t off = ng * D;
        const int64_t n = ng / groups, c0 = (ng % groups) * Cg;
        const double mu = (double)mp[ng], rs = (double)rp[ng];
        double sumDy = 0, sumDyX = 0;
        for (int64_t j = 0; j < Cg; j++) {
          double a, b;
          rowGradSums(gp + off + j * d.S, xp + off + j * d.S, d.S, mu, a, b);
          ds[(size_t)(n * d.C + c0 + j)] = b;
          db[(size_t)(n * d.C + c0 + j)] = a;
          const double wc = (double)w[c0 + j];
          sumDy += wc * a;
          sumDyX += wc * b;
        }
        if (!gi) continue;
        const double q = sumDyX;  // sum of dy * (x - mean)
        const double c2 = D > 0 ? -rs * rs * rs * q / (double)D : 0.0;
        const double c3 = (D > 0 ? -rs * sumDy / (double)D : 0.0) - mu * c2;
        for (int64_t j = 0; j < Cg; j++) {
          const T a = (T)(rs * (double)w[c0 + j]), b = (T)c2, e = (T)c3;
          const T* g = gp + off + j * d.S;
          const T* p = xp + off + j * d.S;
          T* o = gi + off + j * d.S;
          for (int64_t s = 0; s < d.S; s++) o[s] = g[s] * a + p[s] * b + e;
        }
      }
    });
    for (int64_t c = 0; c < d.C; c++) {
      const int64_t g = c / Cg;
      double sw = 0, sb = 0;
      for (int64_t n = 0; n < d.N; n++) {
        const size_t k = (size_t)(n * d.C + c);
        sw += ds[k] * (double)rp[n * groups + g];
        sb += db[k];
      }
      if (gradWeight) gradWeight->ptr<T>()[c] = (T)sw;
      if (gradBias) gradBias->ptr<T>()[c] = (T)sb;
    }
  });
}

}  // namespace cinder
