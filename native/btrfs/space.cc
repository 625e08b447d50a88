// Filesystem facts for the history store: is the path on btrfs, and how much space is free
// (statfs: what `df` shows, and what snapper's free-space limit reads too).
#include <linux/magic.h>
#include <sys/vfs.h>

#include <cerrno>

#include "btrfs/btrfs_common.h"

namespace opdbus {
namespace btrfs {
namespace {

struct FsInfo {
  bool btrfs = false;
  double totalBytes = 0, freeBytes = 0, availableBytes = 0;
};

// fsInfo(path): Promise<{ btrfs, totalBytes, freeBytes, availableBytes }>
Napi::Value FsInfoCall(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "fsInfo(path: string)");
  return RunAsync<FsInfo>(info.Env(), [path](FsInfo& out) {
    struct statfs sfs;
    if (statfs(path.c_str(), &sfs) != 0) return SysError::FromErrno(errno, "statfs", path);
    double bs = static_cast<double>(sfs.f_bsize);
    out.btrfs = static_cast<unsigned long>(sfs.f_type) == BTRFS_SUPER_MAGIC;
    out.totalBytes = static_cast<double>(sfs.f_blocks) * bs;
    out.freeBytes = static_cast<double>(sfs.f_bfree) * bs;
    out.availableBytes = static_cast<double>(sfs.f_bavail) * bs;
    return SysError();
  }, [](Napi::Env env, const FsInfo& r) -> Napi::Value {
    Napi::Object o = Napi::Object::New(env);
    o.Set("btrfs", Napi::Boolean::New(env, r.btrfs));
    o.Set("totalBytes", Napi::Number::New(env, r.totalBytes));
    o.Set("freeBytes", Napi::Number::New(env, r.freeBytes));
    o.Set("availableBytes", Napi::Number::New(env, r.availableBytes));
    return o;
  });
}

}  // namespace

void InitSpace(Napi::Env env, Napi::Object exports) {
  exports.Set("fsInfo", Napi::Function::New(env, FsInfoCall, "fsInfo"));
}

}  // namespace btrfs
}  // namespace opdbus
