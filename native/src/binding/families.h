// Every family of bindings registers itself here; addon.cc calls each once per environment.
#pragma once
#include <napi.h>

#include "binding/context.h"

namespace cinder {
void registerStorage(Napi::Env env, Napi::Object exports, Context* ctx);
void registerCopy(Napi::Env env, Napi::Object exports, Context* ctx);
void registerElementwise(Napi::Env env, Napi::Object exports, Context* ctx);
void registerReduce(Napi::Env env, Napi::Object exports, Context* ctx);
void registerLinalg(Napi::Env env, Napi::Object exports, Context* ctx);
void registerIndex(Napi::Env env, Napi::Object exports, Context* ctx);
void registerRandom(Napi::Env env, Napi::Object exports, Context* ctx);
void registerShape(Napi::Env env, Napi::Object exports, Context* ctx);
void registerOptim(Napi::Env env, Napi::Object exports, Context* ctx);
void registerPool(Napi::Env env, Napi::Object exports, Context* ctx);
void registerNorm(Napi::Env env, Napi::Object exports, Context* ctx);
void registerLoss(Napi::Env env, Napi::Object exports, Context* ctx);
void registerConv(Napi::Env env, Napi::Object exports, Context* ctx);
void registerRnn(Napi::Env env, Napi::Object exports, Context* ctx);
void registerCuda(Napi::Env env, Napi::Object exports, Context* ctx);
}  // namespace cinder
