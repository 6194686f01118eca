// Index bindings (filled in by the index family).
#include "binding/families.h"

namespace cinder {

void registerIndex(Napi::Env env, Napi::Object exports, Context* ctx) {}

}  // namespace cinder
