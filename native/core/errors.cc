// errno -> JS error conversion shared by every native module.
#include "core/errors.h"

#include <cerrno>
#include <cstring>

namespace opdbus {

SysError SysError::FromErrno(int errnum, std::string syscall, std::string subject) {
  SysError e;
  e.errnum = errnum;
  e.syscall = std::move(syscall);
  e.subject = std::move(subject);
  return e;
}

const char* ErrnoName(int errnum) {
  switch (errnum) {
#define E(x) case x: return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(EBADF) E(EAGAIN) E(ENOMEM)
    E(EACCES) E(EFAULT) E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL)
    E(ENFILE) E(EMFILE) E(ENOTTY) E(EFBIG) E(ENOSPC) E(ESPIPE) E(EROFS) E(EMLINK) E(EPIPE)
    E(ERANGE) E(EDEADLK) E(ENAMETOOLONG) E(ENOLCK) E(ENOSYS) E(ENOTEMPTY) E(ELOOP) E(ENOMSG)
    E(ENODATA) E(ETIME) E(ENOLINK) E(EPROTO) E(EBADMSG) E(EOVERFLOW) E(EOPNOTSUPP)
    E(EAFNOSUPPORT) E(EADDRINUSE) E(EADDRNOTAVAIL) E(ENETDOWN) E(ENETUNREACH) E(ECONNRESET)
    E(ENOBUFS) E(EISCONN) E(ENOTCONN) E(ETIMEDOUT) E(ECONNREFUSED) E(EHOSTUNREACH) E(EALREADY)
    E(EINPROGRESS) E(ESTALE) E(EDQUOT) E(ECANCELED) E(EPROTONOSUPPORT) E(ENOTSOCK) E(EMSGSIZE)
#undef E
    default: return nullptr;
  }
}

Napi::Error MakeError(Napi::Env env, const SysError& err) {
  std::string code;
  if (err.errnum != 0) {
    const char* name = ErrnoName(err.errnum);
    code = name ? name : ("E" + std::to_string(err.errnum));
  } else {
    code = "EFAILED";
  }
  std::string text;
  if (!err.syscall.empty()) text += err.syscall;
  if (!err.subject.empty()) text += (text.empty() ? "" : " ") + err.subject;
  text += text.empty() ? "" : ": ";
  text += err.errnum != 0 ? std::string(strerror(err.errnum)) + " (" + code + ")" : std::string("failed");
  if (!err.message.empty()) text += ": " + err.message;

  Napi::Error jsErr = Napi::Error::New(env, text);
  Napi::Object obj = jsErr.Value();
  obj.Set("name", "OpdbusNativeError");
  obj.Set("code", code);
  obj.Set("errno", Napi::Number::New(env, err.errnum));
  obj.Set("syscall", err.syscall);
  if (!err.subject.empty()) obj.Set("subject", err.subject);
  if (!err.message.empty()) obj.Set("detail", err.message);
  obj.Set("opdbusNative", Napi::Boolean::New(env, true));
  return jsErr;
}

void ThrowArgError(Napi::Env env, const std::string& what) {
  throw Napi::TypeError::New(env, "opdbus native: " + what);
}

}  // namespace opdbus
