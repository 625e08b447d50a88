// Helpers shared by the btrfs module (see btrfs_common.h), and its one registration.
#include "btrfs/btrfs_common.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

#include "core/module.h"

namespace opdbus {
namespace btrfs {

Fd::~Fd() {
  if (fd_ >= 0) close(fd_);
}

int OpenDir(const std::string& path, SysError& err) {
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) err = SysError::FromErrno(errno, "open", path);
  return fd;
}

bool RequireBtrfs(int fd, const std::string& path, SysError& err) {
  struct statfs sfs;
  if (fstatfs(fd, &sfs) != 0) {
    err = SysError::FromErrno(errno, "statfs", path);
    return false;
  }
  if (static_cast<unsigned long>(sfs.f_type) != BTRFS_SUPER_MAGIC) {
    err = SysError::FromErrno(ENOTTY, "statfs", path);
    err.message = "not on a btrfs filesystem";
    return false;
  }
  return true;
}

std::pair<std::string, std::string> SplitPath(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  if (slash == std::string::npos) return {".", p};
  if (slash == 0) return {"/", p.substr(1)};
  return {p.substr(0, slash), p.substr(slash + 1)};
}

std::string StringArg(const Napi::CallbackInfo& info, size_t i, const char* usage) {
  if (info.Length() <= i || !info[i].IsString()) ThrowArgError(info.Env(), usage);
  return info[i].As<Napi::String>();
}

static void InitBtrfs(Napi::Env env, Napi::Object exports) {
  Napi::Object btrfs = Napi::Object::New(env);
  InitSubvol(env, btrfs);
  InitList(env, btrfs);
  InitSpace(env, btrfs);
  exports.Set("btrfs", btrfs);
}

}  // namespace btrfs
}  // namespace opdbus

OPDBUS_MODULE(btrfs, opdbus::btrfs::InitBtrfs);
