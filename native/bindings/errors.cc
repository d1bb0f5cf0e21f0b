#include "bindings/errors.h"

#include <exception>
#include <new>
#include <stdexcept>

#include "bindings/common.h"
#include "kernels/parallel.h"

namespace mfrec {

namespace {
// Never empty: an asynchronous worker with an empty error message would
// count as having succeeded.
std::string Said(const std::exception& e, const char* otherwise) {
  const std::string what = e.what();
  return what.empty() ? otherwise : what;
}
}  // namespace

Failure CurrentFailure() {
  try {
    throw;
  } catch (const Cancelled&) {
    return {code::kAborted, "The operation was aborted"};
  } catch (const std::bad_alloc&) {
    return {code::kOutOfMemory, "Out of memory in native kernel"};
  } catch (const std::invalid_argument& e) {
    return {code::kInvalidArgument, Said(e, "Invalid argument to native kernel")};
  } catch (const std::exception& e) {
    return {code::kNative, Said(e, "Failure in native kernel")};
  } catch (...) {
    return {code::kNative, "Unknown failure in native kernel"};
  }
}

Napi::Error MakeError(Napi::Env env, const char* code, const std::string& message) {
  auto* data = env.GetInstanceData<AddonData>();
  if (data != nullptr && !data->error_class.IsEmpty()) {
    Napi::Value err = data->error_class.New({Napi::String::New(env, code), Napi::String::New(env, message)});
    return Napi::Error(env, err);
  }
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

void Throw(Napi::Env env, const char* code, const std::string& message) { throw MakeError(env, code, message); }

void ThrowInvalid(Napi::Env env, const std::string& message) { Throw(env, code::kInvalidArgument, message); }

}  // namespace mfrec
