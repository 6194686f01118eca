// Random bindings (filled in by the random family).
#include "binding/families.h"

namespace cinder {

void registerRandom(Napi::Env env, Napi::Object exports, Context* ctx) {}

}  // namespace cinder
