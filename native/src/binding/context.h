// Per-environment state of the addon (one per main thread or worker_thread): the storage table
// and the call frame, a Float64Array shared with JS through which operands and attributes are
// passed, so a kernel call crosses N-API with no argument objects to unpack.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>

#include "core/storage.h"
#include "core/tensorDesc.h"
#include "cuda/cudaDevice.h"

namespace cinder {

constexpr size_t kFrameLength = 1 << 16;  // doubles

struct Context;

// Storages whose JS objects are tracked together: when the tracker (a JS external) is collected,
// the garbage collector calls trackerFinalize, which releases every handle listed here. The
// addon declares the experimental Node-API version, under which such finalizers run inside the
// collection itself, so memory comes back even while JS runs a long synchronous loop.
constexpr int kTrackerCapacity = 32;
struct Tracker {
  Context* ctx;  // null once the context is gone (its destructor frees every storage anyway)
  Tracker* prev;
  Tracker* next;
  int32_t count;
  double handles[kTrackerCapacity];
};

struct Context {
  StorageTable table;
  // Live trackers, in a doubly linked list with this sentinel, so the context can detach them.
  Tracker trackers{nullptr, &trackers, &trackers, 0, {}};
  // Where JS writes the handles of a group being sealed (never the call frame: a group can be
  // sealed while JS is still reading an op's results from the frame).
  double* trackFrame = nullptr;
  Napi::Reference<Napi::ArrayBuffer> trackBuffer;
  ~Context() {
    for (Tracker* t = trackers.next; t != &trackers; t = t->next) t->ctx = nullptr;
  }
  double* frame = nullptr;
  Napi::Reference<Napi::ArrayBuffer> frameBuffer;
  // External memory reported to V8 so the GC runs when native storage grows.
  int64_t reportedBytes = 0;
  // Net change not yet reported (see reportExternal).
  int64_t unreportedBytes = 0;
};

inline Context* contextOf(const Napi::CallbackInfo& info) { return static_cast<Context*>(info.Data()); }

// What one storage keeps alive beyond its data: the native Storage and table slot, and on the JS
// side its Tensor, Storage and FinalizationRegistry cell. Reporting it makes V8 run the full
// collections that process finalization cells before a loop of tiny tensors piles up garbage.
constexpr int64_t kStorageOverheadBytes = 384;

inline int64_t reportedBytes(const Storage* s) { return (int64_t)s->classBytes + kStorageOverheadBytes; }

// Changes are passed to V8 once their net sum reaches this size: an allocate/release pair of tiny
// tensors then costs no call into V8 at all, and V8's figure is never more than this far off.
constexpr int64_t kReportThresholdBytes = 256 << 10;

// Tells V8 about native memory held by new (delta > 0) or released (delta < 0) storages.
inline void reportExternal(napi_env env, Context* ctx, int64_t delta) {
  int64_t pending = ctx->unreportedBytes + delta;
  if (pending < kReportThresholdBytes && pending > -kReportThresholdBytes) {
    ctx->unreportedBytes = pending;
    return;
  }
  int64_t total;
  napi_adjust_external_memory(env, pending, &total);
  ctx->reportedBytes += pending;
  ctx->unreportedBytes = 0;
}

// Reads operands and attributes from the frame in order. Operand layout:
//   [handle, dtype, ndim, offset, shape[0..ndim), strides[0..ndim)]
class FrameReader {
 public:
  // `device` is where the op runs: -1 for the CPU kernels, a CUDA device index for the CUDA ones.
  // Every operand must live there (a CPU kernel never sees a device pointer), and outputs are
  // allocated there.
  FrameReader(Context* ctx, const char* op, int device = -1) : ctx_(ctx), op_(op), device_(device) {}

  double num() {
    check(1);
    return ctx_->frame[pos_++];
  }
  int64_t i64() { return (int64_t)num(); }
  int32_t i32() { return (int32_t)num(); }
  bool flag() { return num() != 0; }
  DType dtype() { return dtypeFromInt(i32(), op_); }

  // An existing tensor operand; its reachable elements are checked against its storage size.
  TensorDesc tensor() {
    TensorDesc d;
    tensorInto(d);
    return d;
  }
  // tensor(), written into d (which must be fresh): saves copying a descriptor per operand.
  void tensorInto(TensorDesc& d) {
    check(4);
    const double* f = ctx_->frame + pos_;
    Storage* s = ctx_->table.get(f[0], op_);
    if (s->device != device_) wrongDevice(s->device);
    d.dtype = dtypeFromInt((int32_t)f[1], op_);
    d.ndim = (int32_t)f[2];
    CINDER_CHECK(d.ndim >= 0 && d.ndim <= kMaxDims, op_, ": tensors may have at most ", kMaxDims, " dims");
    int64_t offset = (int64_t)f[3];
    pos_ += 4;
    check(2 * (size_t)d.ndim);
    f = ctx_->frame + pos_;
    for (int i = 0; i < d.ndim; i++) d.shape[i] = (int64_t)f[i];
    for (int i = 0; i < d.ndim; i++) d.strides[i] = (int64_t)f[d.ndim + i];
    pos_ += 2 * (size_t)d.ndim;
    checkBounds(d, offset, s);
    d.data = static_cast<char*>(s->data) + offset * (int64_t(1) << itemShift(d.dtype));
  }

  // A fresh, contiguous output of the given dtype and shape (read from the frame as
  // [dtype, ndim, shape...]); its handle is appended to the results.
  TensorDesc output() {
    TensorDesc d;
    outputInto(d);
    return d;
  }
  // An operand the frame holds only when `present`: read into d and returned, else null.
  const TensorDesc* optionalTensor(bool present, TensorDesc& d) {
    if (!present) return nullptr;
    tensorInto(d);
    return &d;
  }
  // An output the caller asked for only when `wanted`: allocated into d and returned, else null.
  const TensorDesc* optionalOutput(bool wanted, TensorDesc& d) {
    if (!wanted) return nullptr;
    outputInto(d);
    return &d;
  }
  // output(), written into d (which must be fresh).
  void outputInto(TensorDesc& d) {
    DType dt = dtype();
    int nd = i32();
    CINDER_CHECK(nd >= 0 && nd <= kMaxDims, op_, ": tensors may have at most ", kMaxDims, " dims");
    check(nd);
    const double* f = ctx_->frame + pos_;
    int64_t n = 1;
    for (int i = 0; i < nd; i++) {
      int64_t e = (int64_t)f[i];
      CINDER_CHECK(e >= 0, op_, ": negative dimension ", e);
      d.shape[i] = e;
      n *= e;
    }
    pos_ += nd;
    int64_t stride = 1;
    for (int i = nd - 1; i >= 0; i--) {
      d.strides[i] = stride;
      stride *= d.shape[i];
    }
    Storage* s = newStorage((size_t)n * itemSize(dt));
    pending_[npending_++] = s;
    d.data = static_cast<char*>(s->data);
    d.dtype = dt;
    d.ndim = nd;
  }

  // Allocates a contiguous output whose shape the kernel decides (nonzero, unique, ...).
  TensorDesc allocate(DType dt, const int64_t* shape, int nd) {
    int64_t n = 1;
    for (int i = 0; i < nd; i++) {
      CINDER_CHECK(shape[i] >= 0, op_, ": negative dimension ", shape[i]);
      n *= shape[i];
    }
    Storage* s = newStorage((size_t)n * itemSize(dt));
    pending_[npending_++] = s;
    return contiguousDesc(static_cast<char*>(s->data), dt, shape, nd);
  }

  const char* op() const { return op_; }
  int device() const { return device_; }

  // Publishes the outputs: handles go to frame[0..k) (in allocation order), followed by any
  // extra numbers the kernel wrote with result(). Called once, after the kernel succeeded.
  void commit(Napi::Env env);
  // Kernel-defined numbers returned after the handles (for data-dependent shapes).
  void result(double v) { extra_[nextra_++] = v; }

  ~FrameReader() {
    // A kernel that threw leaves its outputs unpublished: give their memory back.
    for (int i = 0; i < npending_; i++) releaseStorage(pending_[i]);
  }

 private:
  Storage* newStorage(size_t nbytes) {
    CINDER_CHECK(npending_ < 8, op_, ": too many outputs");
    return device_ < 0 ? newHostStorage(nbytes) : newDeviceStorage(device_, nbytes, op_);
  }
  [[noreturn]] void wrongDevice(int got) const {
    auto name = [](int d) { return d < 0 ? std::string("cpu") : "cuda:" + std::to_string(d); };
    if (device_ < 0)
      fail(op_, ": expected a tensor on cpu but got one on ", name(got), " (", op_, " is not supported on CUDA)");
    fail(op_, ": expected all tensors on ", name(device_), " but got one on ", name(got));
  }
  void check(size_t n) const {
    CINDER_CHECK(pos_ + n <= kFrameLength, op_, ": call frame overflow");
  }
  void checkBounds(const TensorDesc& d, int64_t offset, const Storage* s) const {
    int64_t lo = offset, hi = offset;
    bool empty = false;
    for (int i = 0; i < d.ndim; i++) {
      CINDER_CHECK(d.shape[i] >= 0, op_, ": negative dimension in shape ", d.shapeString());
      if (d.shape[i] == 0) empty = true;
      int64_t span = (d.shape[i] - 1) * d.strides[i];
      if (span > 0) hi += span; else lo += span;
    }
    if (empty) return;
    int64_t limit = (int64_t)(s->nbytes >> itemShift(d.dtype));
    CINDER_CHECK(lo >= 0 && hi < limit, op_, ": view of shape ", d.shapeString(), " at offset ", offset,
                 " reaches outside its storage of ", limit, " elements");
  }

  Context* ctx_;
  const char* op_;
  int device_;
  size_t pos_ = 0;
  Storage* pending_[8];
  int npending_ = 0;
  double extra_[64];
  int nextra_ = 0;
};

// Registers a binding function whose `info.Data()` is the context.
inline void exportFunction(Napi::Env env, Napi::Object exports, Context* ctx, const char* name,
                           Napi::Value (*fn)(const Napi::CallbackInfo&)) {
  exports.Set(name, Napi::Function::New(env, fn, name, ctx));
}

}  // namespace cinder
