// Shared by the btrfs module: a promise-returning AsyncWorker (errors stay data until OnOK), an fd
// guard, and the checks every call makes (is the path on btrfs, split a path into parent + name).
#pragma once
#include <napi.h>

#include <functional>
#include <string>
#include <utility>

#include "core/errors.h"

namespace opdbus {
namespace btrfs {

// Closes the fd when it goes out of scope, so every early return in Execute() is leak-free.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd();
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

// Opens a directory read-only; on failure fills `err` and returns an invalid Fd.
int OpenDir(const std::string& path, SysError& err);

// Fails with ENOTTY and "not on a btrfs filesystem" when fd is not on btrfs (the ioctl would give
// the same errno, but this message tells the user why).
bool RequireBtrfs(int fd, const std::string& path, SysError& err);

// "/a/b/c" -> {"/a/b", "c"}; "c" -> {".", "c"}. Trailing slashes are ignored.
std::pair<std::string, std::string> SplitPath(const std::string& path);

// Runs `work` on the libuv pool and settles a promise with `toJs(result)` or the SysError it set.
template <typename R>
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<SysError(R&)>;
  using ToJs = std::function<Napi::Value(Napi::Env, const R&)>;

  PromiseWorker(Napi::Env env, Work work, ToJs toJs)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)), toJs_(std::move(toJs)) {}

  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override { err_ = work_(result_); }

  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (err_.failed()) {
      deferred_.Reject(MakeError(env, err_).Value());
      return;
    }
    deferred_.Resolve(toJs_(env, result_));
  }

  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Work work_;
  ToJs toJs_;
  R result_{};
  SysError err_;
};

template <typename R>
Napi::Promise RunAsync(Napi::Env env, typename PromiseWorker<R>::Work work, typename PromiseWorker<R>::ToJs toJs) {
  auto* worker = new PromiseWorker<R>(env, std::move(work), std::move(toJs));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// Argument helpers (second line of defence: the TypeScript wrapper validates first).
std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* usage);

void InitSubvol(Napi::Env env, Napi::Object exports);
void InitList(Napi::Env env, Napi::Object exports);
void InitSpace(Napi::Env env, Napi::Object exports);

}  // namespace btrfs
}  // namespace opdbus
