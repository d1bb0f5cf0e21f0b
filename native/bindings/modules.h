// Each binding file exports its functions through one Register function;
// addon.cc calls them all at load time.
#pragma once

#include <napi.h>

namespace mfrec {
void RegisterInfo(Napi::Env env, Napi::Object exports);
void RegisterSgd(Napi::Env env, Napi::Object exports);
void RegisterAls(Napi::Env env, Napi::Object exports);
void RegisterTopK(Napi::Env env, Napi::Object exports);
void RegisterBpr(Napi::Env env, Napi::Object exports);
void RegisterFoldIn(Napi::Env env, Napi::Object exports);
void RegisterBprFoldIn(Napi::Env env, Napi::Object exports);
void RegisterScoreSplit(Napi::Env env, Napi::Object exports);
void RegisterItemItemFit(Napi::Env env, Napi::Object exports);
void RegisterItemItemTopK(Napi::Env env, Napi::Object exports);
void RegisterHnsw(Napi::Env env, Napi::Object exports);
void RegisterCsrBuild(Napi::Env env, Napi::Object exports);
void RegisterChunkParse(Napi::Env env, Napi::Object exports);
void RegisterFinite(Napi::Env env, Napi::Object exports);
}  // namespace mfrec
