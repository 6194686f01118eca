// Linalg bindings (filled in by the linalg family).
#include "binding/families.h"

namespace cinder {

void registerLinalg(Napi::Env env, Napi::Object exports, Context* ctx) {}

}  // namespace cinder
