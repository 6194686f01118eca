// Fused cross entropy and embedding backward (see loss.h).
#include "cpu/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/elementwiseIter.h"
#include "core/threadPool.h"
#include "cpu/lossChecks.h"
#include "cpu/vecmath.h"

namespace cinder {

namespace {

// exp(p[c * stride] - shift) for c < C, into q (contiguous). float32 rows of stride 1 use the
// vectorised exp.
template <typename T>
inline void expShifted(const T* p, int64_t C, int64_t stride, double shift, T* q) {
  for (int64_t c = 0; c < C; c++) q[c] = (T)std::exp((double)p[c * stride] - shift);
}
template <>
inline void expShifted<float>(const float* p, int64_t C, int64_t stride, double shift, float* q) {
  const float s = (float)shift;
  if (stride == 1) {
    for (int64_t c = 0; c < C; c++) q[c] = p[c] - s;
  } else {
    for (int64_t c = 0; c < C; c++) q[c] = p[c * stride] - s;
  }
  vecMath().fn[(int)VecFn::exp](q, q, C, nullptr);
}

// log(sum(exp(row))) of a row of C values at `stride`, computed stably; scratch holds C values.
template <typename T>
inline double rowLogSumExp(const T* p, int64_t C, int64_t stride, T* scratch) {
  T mx = -std::numeric_limits<T>::infinity();
  int64_t c0 = 0;
  if (stride == 1 && C >= 16) {
    // Independent lanes so the max vectorises; NaN wins and stays.
    T l[8];
    for (int j = 0; j < 8; j++) l[j] = mx;
    for (; c0 + 8 <= C; c0 += 8)
      for (int j = 0; j < 8; j++) l[j] = ((p[c0 + j] > l[j]) | (p[c0 + j] != p[c0 + j])) ? p[c0 + j] : l[j];
    for (int j = 0; j < 8; j++) mx = ((l[j] > mx) | (l[j] != l[j])) ? l[j] : mx;
  }
  for (int64_t c = c0; c < C; c++) {
    const T v = p[c * stride];
    mx = (v > mx || v != v) ? v : mx;
  }
  if (mx != mx) return (double)mx;
  if (std::isinf(mx)) return (double)mx;
  expShifted<T>(p, C, stride, (double)mx, scratch);
  double l[4] = {0, 0, 0, 0};
  int64_t c = 0;
  for (; c + 4 <= C; c += 4)
    for (int j = 0; j < 4; j++) l[j] += (double)scratch[c + j];
  for (; c < C; c++) l[0] += (double)scratch[c];
  return (double)mx + std::log((l[0] + l[1]) + (l[2] + l[3]));
}

}  // namespace

void crossEntropyForward(const TensorDesc& x, const TensorDesc& target, const TensorDesc* weight,
                         const CrossEntropyOptions& o, const TensorDesc& loss, const TensorDesc& lse,
                         const TensorDesc& totalWeight, const char* op) {
  const CeInputs in = checkCeForward(x, target, weight, o, loss, lse, totalWeight, op);
  const CeDims d = in.d;
  const int64_t rows = d.N * d.D;
  const double eps = o.labelSmoothing;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    const T* w = weight ? weight->ptr<T>() : nullptr;
    T* lp = lse.ptr<T>();
    std::vector<double> rowLoss((size_t)rows), rowW((size_t)rows);
    parallelFor(rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, 4 * d.C)), [&](int64_t rb, int64_t re) {
      std::vector<T> scratch((size_t)d.C);
      for (int64_t r = rb; r < re; r++) {
        const int64_t n = r / d.D, dd = r % d.D;
        const T* p = xp + n * d.C * d.D + dd;
        const double ls = rowLogSumExp(p, d.C, d.D, scratch.data());
        lp[r] = (T)ls;
        double l = 0, wt = 0;
        if (in.probs) {
          const T* q = target.ptr<T>() + n * d.C * d.D + dd;
          for (int64_t c = 0; c < d.C; c++) {
            double qc = (double)q[c * d.D];
            if (eps > 0) qc = qc * (1 - eps) + eps / (double)d.C;
            l += (w ? (double)w[c] : 1.0) * qc * (ls - (double)p[c * d.D]);
          }
          wt = 1;
        } else {
          const int64_t t = target.ptr<int64_t>()[r];
          if (t != o.ignoreIndex) {
            CINDER_CHECK(t >= 0 && t < d.C, op, ": target ", t, " is out of bounds for ", d.C, " classes");
            wt = w ? (double)w[t] : 1.0;
            l = wt * (ls - (double)p[t * d.D]);
            if (eps > 0) {
              double s = 0;
              for (int64_t c = 0; c < d.C; c++) s += (w ? (double)w[c] : 1.0) * (ls - (double)p[c * d.D]);
              l = (1 - eps) * l + eps / (double)d.C * s;
            }
          }
        }
        rowLoss[(size_t)r] = l;
        rowW[(size_t)r] = wt;
      }
    });
    double total = 0;
    if (in.probs) total = (double)rows;
    else for (int64_t r = 0; r < rows; r++) total += rowW[(size_t)r];
    totalWeight.ptr<T>()[0] = (T)total;
    T* out = loss.ptr<T>();
    if (o.reduction == LossReduction::None) {
      for (int64_t r = 0; r < rows; r++) out[r] = (T)rowLoss[(size_t)r];
      return;
    }
    double s = 0;
    for (int64_t r = 0; r < rows; r++) s += rowLoss[(size_t)r];
    out[0] = (T)(o.reduction == LossReduction::Mean ? s / total : s);
  });
}

void crossEntropyBackward(const TensorDesc& grad, const TensorDesc& x, const TensorDesc& target,
                          const TensorDesc* weight, const TensorDesc& lse, const TensorDesc& totalWeight,
                          const CrossEntropyOptions& o, const TensorDesc& gradInput, const char* op) {
  const CeInputs in = checkCeBackward(grad, x, target, weight, lse, totalWeight, o, gradInput, op);
  const CeDims d = in.d;
  const int64_t rows = d.N * d.D;
  const double eps = o.labelSmoothing;
  CINDER_DISPATCH_FLOAT(x.dtype, op, [&] {
    using T = scalar_t;
    const T* xp = x.ptr<T>();
    const T* w = weight ? weight->ptr<T>() : nullptr;
    const T* lp = lse.ptr<T>();
    const T* gp = grad.ptr<T>();
    T* gi = gradInput.ptr<T>();
    double wSum = (double)d.C;
    if (w) {
      wSum = 0;
      for (int64_t c = 0; c < d.C; c++) wSum += (double)w[c];
    }
    double common = 0;
    if (o.reduction != LossReduction::None) {
      common = (double)gp[0];
      if (o.reduction == LossReduction::Mean) common /= (double)totalWeight.ptr<T>()[0];
    }
    const double smooth = eps / (double)d.C;
    parallelFor(rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, 4 * d.C)), [&](int64_t rb, int64_t re) {
      std::vector<T> prob((size_t)d.C);
      for (int64_t r = rb; r < re; r++) {
        const int64_t n = r / d.D, dd = r % d.D;
        const T* p = xp + n * d.C * d.D + dd;
        T* q = gi + n * d.C * d.D + dd;
        const double scale = o.reduction == LossReduction::None ? (double)gp[r] : common;
        int64_t t = -1;
        if (!in.probs) {
          t = target.ptr<int64_t>()[r];
          if (t == o.ignoreIndex) {
            for (int64_t c = 0; c < d.C; c++) q[c * d.D] = T(0);
            continue;
          }
          CINDER_CHECK(t >= 0 && t < d.C, op, ": target ", t, " is out of bounds for ", d.C, " classes");
        }
        if (!in.probs && eps == 0 && d.D == 1) {
          // The common case: softmax straight into the output row, scaled, minus the target's share.
          const double wt = w ? (double)w[t] : 1.0;
          expShifted<T>(p, d.C, 1, (double)lp[r], q);
          const T sa = (T)(scale * wt);
          for (int64_t c = 0; c < d.C; c++) q[c] *= sa;
          q[t] = (T)((double)q[t] - scale * wt);
          continue;
        }
        expShifted<T>(p, d.C, d.D, (double)lp[r], prob.data());
        if (in.probs) {
          const T* tq = target.ptr<T>() + n * d.C * d.D + dd;
          double a = 0;
          for (int64_t c = 0; c < d.C; c++) {
            double qc = (double)tq[c * d.D];
            if (eps > 0) qc = qc * (1 - eps) + smooth;
            a += (w ? (double)w[c] : 1.0) * qc;
          }
          for (int64_t c = 0; c < d.C; c++) {
            double qc = (double)tq[c * d.D];
            if (eps > 0) qc = qc * (1 - eps) + smooth;
            q[c * d.D] = (T)(scale * (a * (double)prob[(size_t)c] - (w ? (double)w[c] : 1.0) * qc));
          }
        } else {
          const double wt = w ? (double)w[t] : 1.0;
          const double a = (1 - eps) * wt + smooth * wSum;
          if (eps > 0) {
            for (int64_t c = 0; c < d.C; c++)
              q[c * d.D] = (T)(scale * (a * (double)prob[(size_t)c] - smooth * (w ? (double)w[c] : 1.0)));
          } else {
            const T sa = (T)(scale * a);
            if (d.D == 1) {
              for (int64_t c = 0; c < d.C; c++) q[c] = sa * prob[(size_t)c];
            } else {
              for (int64_t c = 0; c < d.C; c++) q[c * d.D] = sa * prob[(size_t)c];
            }
          }
          q[t * d.D] = (T)((double)q[t * d.D] - scale * (1 - eps) * wt);
        }
      }
    });
  });
}

void embeddingBackward(const TensorDesc& grad, const TensorDesc& indices, int64_t paddingIdx, bool scaleGradByFreq,
                       const TensorDesc& gradWeight, const char* op) {
  checkEmbeddingBackward(grad, indices, gradWeight, op);
  const int64_t M = grad.shape[0], D = grad.shape[1], V = gradWeight.shape[0];
  const int64_t* idx = indices.ptr<int64_t>();
  for (int64_t m = 0; m < M; m++)
    CINDER_CHECK(idx[m] >= 0 && idx[m] < V, op, ": index ", idx[m], " is out of range for ", V, " embeddings");
  std::vector<int64_t> counts;
  if (scaleGradByFreq) {
    counts.assign((size_t)V, 0);
    for (int64_t m = 0; m < M; m++) counts[(size_t)idx[m]]++;
  }
  CINDER_DISPATCH_FLOAT(grad.dtype, op, [&] {
    using T = scalar_t;
    const T* g = grad.ptr<T>();
    T* out = gradWeight.ptr<T>();
    // Each thread owns a range of weight rows and scans every index: rows are summed in index order.
    parallelFor(V, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, M + D)), [&](int64_t vb, int64_t ve) {
      std::fill(out + vb * D, out + ve * D, T(0));
      for (int64_t m = 0; m < M; m++) {
        const int64_t v = idx[m];
        if (v < vb || v >= ve || v == paddingIdx) continue;
        T* q = out + v * D;
        const T* gr = g + m * D;
        if (scaleGradByFreq) {
          const T s = (T)(1.0 / (double)counts[(size_t)v]);
          for (int64_t k = 0; k < D; k++) q[k] += gr[k] * s;
        } else {
          for (int64_t k = 0; k < D; k++) q[k] += gr[k];
        }
      }
    });
  });
}

}  // namespace cinder
