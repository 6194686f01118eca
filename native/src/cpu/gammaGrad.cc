// Kernels for the implicit reparameterisation gradients (math in cpu/gammaGrad.h).
#include "cpu/gammaGrad.h"

#include "core/elementwiseIter.h"
#include "cpu/randomGrad.h"

namespace cinder {

void randomGrad(RandomGradOp op, const TensorDesc& out, const TensorDesc& x, const TensorDesc& a, const TensorDesc& b,
                const char* name) {
  CINDER_CHECK(out.isContiguous(), name, ": internal: output must be contiguous");
  CINDER_CHECK(x.dtype == out.dtype && a.dtype == out.dtype && b.dtype == out.dtype, name,
               ": internal: operand dtype mismatch");
  const TensorDesc* ops[4] = {&out, &x, &a, &b};
  ElementwiseIter it(name, ops, 4);
  CINDER_DISPATCH_FLOAT(out.dtype, name, [&] {
    using T = scalar_t;
    it.forEach([&](char** p, const int64_t* st, int64_t n) {
      T* o = reinterpret_cast<T*>(p[0]);
      for (int64_t j = 0; j < n; j++) {
        const double xv = (double)*reinterpret_cast<const T*>(p[1] + j * st[1]);
        const double av = (double)*reinterpret_cast<const T*>(p[2] + j * st[2]);
        const double bv = (double)*reinterpret_cast<const T*>(p[3] + j * st[3]);
        o[j] = (T)(op == RandomGradOp::Gamma ? gammagrad::standardGammaGrad(xv, av) : gammagrad::betaGrad(xv, av, bv));
      }
    }, 1024);
  });
}

}  // namespace cinder
