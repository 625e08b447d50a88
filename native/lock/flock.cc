// Host-wide transaction lock: flock(2) on a file in the state directory. The kernel drops the lock
// when the holder dies (even by SIGKILL), so a crashed apply never leaves a stale lock behind.
// Only LOCK_NB is used: the call never blocks the event loop; waiting is a retry loop in TypeScript.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "core/errors.h"
#include "core/module.h"

namespace opdbus {
namespace {

// tryLock(path) -> fd (number) when acquired, or null when another process holds it.
Napi::Value TryLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) ThrowArgError(env, "tryLock(path: string)");
  std::string path = info[0].As<Napi::String>();
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw MakeError(env, SysError::FromErrno(errno, "open", path));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    close(fd);
    if (err == EWOULDBLOCK) return env.Null();
    throw MakeError(env, SysError::FromErrno(err, "flock", path));
  }
  return Napi::Number::New(env, fd);
}

// unlock(fd): releases and closes.
Napi::Value Unlock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) ThrowArgError(env, "unlock(fd: number)");
  int fd = info[0].As<Napi::Number>().Int32Value();
  flock(fd, LOCK_UN);
  if (close(fd) != 0) throw MakeError(env, SysError::FromErrno(errno, "close", "lock fd"));
  return env.Undefined();
}

void InitLock(Napi::Env env, Napi::Object exports) {
  exports.Set("tryLock", Napi::Function::New(env, TryLock, "tryLock"));
  exports.Set("unlock", Napi::Function::New(env, Unlock, "unlock"));
}

}  // namespace
}  // namespace opdbus

OPDBUS_MODULE(lock, opdbus::InitLock);
