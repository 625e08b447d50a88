// Native failures become real JS errors: an OpdbusNativeError carries errno, its symbolic code
// ("ENOENT"), the syscall and the object it was about. Build them on the JS thread only.
#pragma once
#include <napi.h>
#include <string>

namespace opdbus {

// Plain data describing a failure, safe to produce on a worker thread (no napi calls).
struct SysError {
  int errnum = 0;            // 0 = no error
  std::string syscall;       // "flock", "sendmsg", "ioctl(BTRFS_IOC_SNAP_CREATE_V2)"
  std::string subject;       // what the call was about: a path, "link eth0", ...
  std::string message;       // optional extra text (kernel extack, ...)
  bool failed() const { return errnum != 0 || !message.empty(); }
  static SysError FromErrno(int errnum, std::string syscall, std::string subject = "");
};

// The symbolic name of an errno value ("EEXIST"), or "E<number>" when unknown.
const char* ErrnoName(int errnum);

// Builds the JS error object (class OpdbusNativeError, see src/native/binding.ts).
Napi::Error MakeError(Napi::Env env, const SysError& err);

// Throws a TypeError about a bad argument (second line of defence: TypeScript validates first).
[[noreturn]] void ThrowArgError(Napi::Env env, const std::string& what);

}  // namespace opdbus
