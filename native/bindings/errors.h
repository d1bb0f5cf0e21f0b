// The typed errors of the addon: the codes it raises, the one mapping of a
// kernel's C++ exceptions to them, and the JS error built from a code.
#pragma once

#include <napi.h>

#include <string>

namespace mfrec {

// The members of ErrorCodes (lib/errors.ts) that native code raises, each
// spelled once, here (test/addon/error-codes.test.ts checks they are all known).
namespace code {
inline constexpr char kInvalidArgument[] = "ERR_MFREC_INVALID_ARGUMENT";
inline constexpr char kAborted[] = "ERR_MFREC_ABORTED";
inline constexpr char kOutOfMemory[] = "ERR_MFREC_OUT_OF_MEMORY";
inline constexpr char kNative[] = "ERR_MFREC_NATIVE";
}  // namespace code

struct Failure {
  const char* code;
  std::string message;
};

// The code and message of the exception being handled; call it only inside a
// catch block. The one mapping, for synchronous and asynchronous calls alike:
//   Cancelled                  -> ABORTED
//   std::bad_alloc             -> OUT_OF_MEMORY
//   std::invalid_argument      -> INVALID_ARGUMENT (a kernel's own input checks)
//   anything else              -> NATIVE
Failure CurrentFailure();

// An MfrecError(code, message) if JS registered the class, else a plain Error
// with a `code` property.
Napi::Error MakeError(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void Throw(Napi::Env env, const char* code, const std::string& message);
[[noreturn]] void ThrowInvalid(Napi::Env env, const std::string& message);

// Runs a kernel on the calling thread; a C++ exception it throws becomes the
// typed JS error CurrentFailure() names.
template <typename Kernel>
void RunSync(Napi::Env env, Kernel&& kernel) {
  try {
    kernel();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    const Failure f = CurrentFailure();
    Throw(env, f.code, f.message);
  }
}

}  // namespace mfrec
