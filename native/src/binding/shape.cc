// Shape bindings (filled in by the shape family).
#include "binding/families.h"

namespace cinder {

void registerShape(Napi::Env env, Napi::Object exports, Context* ctx) {}

}  // namespace cinder
