// Elementwise bindings (filled in by the elementwise family).
#include "binding/families.h"

namespace cinder {

void registerElementwise(Napi::Env env, Napi::Object exports, Context* ctx) {}

}  // namespace cinder
