// Storage bindings: allocation, release, zero-copy views for data(), host copies, allocator and
// thread-pool controls.
#include <cstring>

#include "binding/families.h"
#include "core/cachingAllocator.h"
#include "core/threadPool.h"

namespace cinder {

// empty(nbytes) -> handle of fresh, uninitialised host storage.
static Napi::Value empty(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  double n = info[0].As<Napi::Number>().DoubleValue();
  CINDER_CHECK(n >= 0 && n < 1e15, "empty: invalid byte size ", n);
  Storage* s = newHostStorage((size_t)n);
  reportExternal(info.Env(), ctx, reportedBytes(s));
  return Napi::Number::New(info.Env(), ctx->table.add(s));
}

// release(handle): drops the JS reference. Stale handles are ignored (double dispose is harmless).
static Napi::Value release(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  double h = info[0].As<Napi::Number>().DoubleValue();
  // Every disposed storage is released again by its finalizer later, so the stale case is
  // common and must stay cheap (no exception thrown and caught).
  Storage* s = ctx->table.take(h);
  if (s == nullptr) return info.Env().Undefined();
  int64_t bytes = reportedBytes(s);
  releaseStorage(s);
  reportExternal(info.Env(), ctx, -bytes);
  return info.Env().Undefined();
}

// view(handle) -> an external ArrayBuffer over the storage, keeping it alive while referenced.
static Napi::Value view(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  Storage* s = ctx->table.get(info[0].As<Napi::Number>().DoubleValue(), "data");
  CINDER_CHECK(s->device < 0, "data: storage is on a CUDA device; use dataAsync() or to('cpu')");
  retainStorage(s);
  if (s->nbytes == 0) {
    releaseStorage(s);
    return Napi::ArrayBuffer::New(info.Env(), 0);
  }
  return Napi::ArrayBuffer::New(info.Env(), s->data, s->nbytes,
                                [](Napi::Env, void*, Storage* st) { releaseStorage(st); }, s);
}

// write(handle, byteOffset, typedArray): copies host bytes into storage.
static Napi::Value write(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  Storage* s = ctx->table.get(info[0].As<Napi::Number>().DoubleValue(), "write");
  CINDER_CHECK(s->device < 0, "write: storage is on a CUDA device");
  double off = info[1].As<Napi::Number>().DoubleValue();
  auto src = info[2].As<Napi::TypedArray>();
  size_t len = src.ByteLength();
  CINDER_CHECK(off >= 0 && (size_t)off + len <= s->nbytes, "write: ", len, " bytes at offset ", off,
               " exceed storage of ", s->nbytes, " bytes");
  const char* from = static_cast<const char*>(src.ArrayBuffer().Data()) + src.ByteOffset();
  std::memcpy(static_cast<char*>(s->data) + (size_t)off, from, len);
  return info.Env().Undefined();
}

// fromBytes(typedArray) -> handle of new storage holding a copy of the bytes.
static Napi::Value fromBytes(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  auto src = info[0].As<Napi::TypedArray>();
  size_t len = src.ByteLength();
  Storage* s = newHostStorage(len);
  if (len) std::memcpy(s->data, static_cast<const char*>(src.ArrayBuffer().Data()) + src.ByteOffset(), len);
  reportExternal(info.Env(), ctx, reportedBytes(s));
  return Napi::Number::New(info.Env(), ctx->table.add(s));
}

// Runs inside a garbage collection: it may not touch JS, so it only returns memory to the
// allocator and leaves the external-memory report to the next call that allocates.
static void trackerFinalize(node_api_basic_env, void* data, void*) {
  auto* t = static_cast<Tracker*>(data);
  if (Context* ctx = t->ctx) {
    t->prev->next = t->next;
    t->next->prev = t->prev;
    int64_t bytes = 0;
    for (int32_t i = 0; i < t->count; i++) {
      Storage* s = ctx->table.take(t->handles[i]);  // stale handles (disposed storages) give null
      if (s == nullptr) continue;
      bytes += reportedBytes(s);
      releaseStorage(s);
    }
    ctx->unreportedBytes -= bytes;
  }
  delete t;
}

// track(count) -> a tracker for the handles in trackFrame[0..count): an object holding nothing
// that, once unreachable, releases them all. JS keeps it alive from every Storage of the group.
static Napi::Value track(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  double n = info[0].As<Napi::Number>().DoubleValue();
  CINDER_CHECK(n >= 0 && n <= kTrackerCapacity, "track: count ", n, " outside 0..", kTrackerCapacity);
  auto* t = new Tracker{ctx, nullptr, nullptr, (int32_t)n, {}};
  for (int32_t i = 0; i < t->count; i++) t->handles[i] = ctx->trackFrame[i];
  napi_value ext;
  // Creating the external can run a collection, whose finalizers unlink other trackers: link this
  // one only afterwards, from the list as it is then.
  napi_status st = napi_create_external(info.Env(), t, trackerFinalize, nullptr, &ext);
  if (st != napi_ok) {
    delete t;
    NAPI_THROW(Napi::Error::New(info.Env(), "track: could not create the tracker"), Napi::Value());
  }
  t->prev = &ctx->trackers;
  t->next = ctx->trackers.next;
  ctx->trackers.next->prev = t;
  ctx->trackers.next = t;
  return Napi::Value(info.Env(), ext);
}

static Napi::Value nbytes(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  return Napi::Number::New(info.Env(), (double)ctx->table.get(info[0].As<Napi::Number>().DoubleValue(), "nbytes")->nbytes);
}

static Napi::Value memoryStats(const Napi::CallbackInfo& info) {
  Context* ctx = contextOf(info);
  AllocatorStats st = CachingAllocator::host().stats();
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("allocatedBytes", (double)st.allocatedBytes);
  o.Set("reservedBytes", (double)st.reservedBytes);
  o.Set("peakAllocatedBytes", (double)st.peakAllocatedBytes);
  o.Set("allocations", (double)st.allocations);
  o.Set("cacheHits", (double)st.cacheHits);
  o.Set("liveStorages", (double)ctx->table.live());
  return o;
}

static Napi::Value emptyCache(const Napi::CallbackInfo& info) {
  CachingAllocator::host().emptyCache();
  return info.Env().Undefined();
}

static Napi::Value getNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ThreadPool::instance().numThreads());
}

static Napi::Value setNumThreads(const Napi::CallbackInfo& info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  CINDER_CHECK(n >= 1, "setNumThreads: expected a positive thread count, got ", n);
  ThreadPool::instance().setNumThreads(n);
  return info.Env().Undefined();
}

void registerStorage(Napi::Env env, Napi::Object exports, Context* ctx) {
  exportFunction(env, exports, ctx, "empty", empty);
  exportFunction(env, exports, ctx, "release", release);
  exportFunction(env, exports, ctx, "track", track);
  auto trackBuffer = Napi::ArrayBuffer::New(env, kTrackerCapacity * sizeof(double));
  ctx->trackFrame = static_cast<double*>(trackBuffer.Data());
  ctx->trackBuffer = Napi::Persistent(trackBuffer);
  exports.Set("trackFrame", trackBuffer);
  exportFunction(env, exports, ctx, "view", view);
  exportFunction(env, exports, ctx, "write", write);
  exportFunction(env, exports, ctx, "fromBytes", fromBytes);
  exportFunction(env, exports, ctx, "nbytes", nbytes);
  exportFunction(env, exports, ctx, "memoryStats", memoryStats);
  exportFunction(env, exports, ctx, "emptyCache", emptyCache);
  exportFunction(env, exports, ctx, "getNumThreads", getNumThreads);
  exportFunction(env, exports, ctx, "setNumThreads", setNumThreads);
}

}  // namespace cinder
