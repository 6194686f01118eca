// Reduce bindings (filled in by the reduce family).
#include "binding/families.h"

namespace cinder {

void registerReduce(Napi::Env env, Napi::Object exports, Context* ctx) {}

}  // namespace cinder
