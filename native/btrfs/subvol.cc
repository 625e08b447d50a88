// Subvolume lifecycle by ioctl: create, snapshot (read-only or writable), delete, is-subvolume, plus
// batched snapshot/delete that open the directories once and report each item's error as data.
#include <linux/btrfs.h>
#include <linux/magic.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "btrfs/btrfs_common.h"

namespace opdbus {
namespace btrfs {
namespace {

constexpr unsigned long long kFirstFreeObjectId = 256;  // BTRFS_FIRST_FREE_OBJECTID: a subvolume's root inode

bool NameFits(const std::string& name, size_t max, SysError& err, const std::string& subject) {
  if (name.empty() || name.size() > max || name == "." || name == ".." || name.find('/') != std::string::npos) {
    err = SysError::FromErrno(name.size() > max ? ENAMETOOLONG : EINVAL, "subvolume name", subject);
    return false;
  }
  return true;
}

// Snapshot `srcFd` as `name` inside the directory `dirFd`.
SysError SnapshotAt(int srcFd, int dirFd, const std::string& name, bool readOnly, const std::string& subject) {
  SysError err;
  if (!NameFits(name, BTRFS_SUBVOL_NAME_MAX, err, subject)) return err;
  struct btrfs_ioctl_vol_args_v2 args;
  memset(&args, 0, sizeof(args));
  args.fd = srcFd;
  args.flags = readOnly ? BTRFS_SUBVOL_RDONLY : 0;
  memcpy(args.name, name.data(), name.size());
  if (ioctl(dirFd, BTRFS_IOC_SNAP_CREATE_V2, &args) != 0) return SysError::FromErrno(errno, "ioctl(BTRFS_IOC_SNAP_CREATE_V2)", subject);
  return err;
}

// Delete the subvolume `name` inside `dirFd`; SNAP_DESTROY_V2 needs Linux 5.7, older kernels get V1.
SysError DestroyAt(int dirFd, const std::string& name, const std::string& subject) {
  SysError err;
  if (!NameFits(name, BTRFS_SUBVOL_NAME_MAX, err, subject)) return err;
  struct btrfs_ioctl_vol_args_v2 args;
  memset(&args, 0, sizeof(args));
  memcpy(args.name, name.data(), name.size());
  if (ioctl(dirFd, BTRFS_IOC_SNAP_DESTROY_V2, &args) == 0) return err;
  if (errno != ENOTTY && errno != EOPNOTSUPP) return SysError::FromErrno(errno, "ioctl(BTRFS_IOC_SNAP_DESTROY_V2)", subject);
  struct btrfs_ioctl_vol_args v1;
  memset(&v1, 0, sizeof(v1));
  memcpy(v1.name, name.data(), name.size());
  if (ioctl(dirFd, BTRFS_IOC_SNAP_DESTROY, &v1) != 0) return SysError::FromErrno(errno, "ioctl(BTRFS_IOC_SNAP_DESTROY)", subject);
  return err;
}

Napi::Value Undefined(Napi::Env env, const bool&) { return env.Undefined(); }

// createSubvolume(path): Promise<void>
Napi::Value CreateSubvolume(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "createSubvolume(path: string)");
  return RunAsync<bool>(info.Env(), [path](bool&) {
    SysError err;
    auto [parent, name] = SplitPath(path);
    Fd dir(OpenDir(parent, err));
    if (!dir.ok() || !RequireBtrfs(dir.get(), path, err)) return err;
    if (!NameFits(name, BTRFS_PATH_NAME_MAX, err, path)) return err;
    struct btrfs_ioctl_vol_args args;
    memset(&args, 0, sizeof(args));
    memcpy(args.name, name.data(), name.size());
    if (ioctl(dir.get(), BTRFS_IOC_SUBVOL_CREATE, &args) != 0) return SysError::FromErrno(errno, "ioctl(BTRFS_IOC_SUBVOL_CREATE)", path);
    return err;
  }, Undefined);
}

// snapshot(source, dest, readOnly): Promise<void>
Napi::Value Snapshot(const Napi::CallbackInfo& info) {
  std::string source = StringArg(info, 0, "snapshot(source: string, dest: string, readOnly: boolean)");
  std::string dest = StringArg(info, 1, "snapshot(source: string, dest: string, readOnly: boolean)");
  bool readOnly = info.Length() > 2 && info[2].ToBoolean();
  return RunAsync<bool>(info.Env(), [source, dest, readOnly](bool&) {
    SysError err;
    Fd src(OpenDir(source, err));
    if (!src.ok() || !RequireBtrfs(src.get(), source, err)) return err;
    auto [parent, name] = SplitPath(dest);
    Fd dir(OpenDir(parent, err));
    if (!dir.ok()) return err;
    return SnapshotAt(src.get(), dir.get(), name, readOnly, dest);
  }, Undefined);
}

// deleteSubvolume(path): Promise<void>
Napi::Value DeleteSubvolume(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "deleteSubvolume(path: string)");
  return RunAsync<bool>(info.Env(), [path](bool&) {
    SysError err;
    auto [parent, name] = SplitPath(path);
    Fd dir(OpenDir(parent, err));
    if (!dir.ok() || !RequireBtrfs(dir.get(), path, err)) return err;
    return DestroyAt(dir.get(), name, path);
  }, Undefined);
}

// isSubvolume(path): Promise<boolean> (true when path is the root directory of a btrfs subvolume)
Napi::Value IsSubvolume(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "isSubvolume(path: string)");
  return RunAsync<bool>(info.Env(), [path](bool& result) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return SysError::FromErrno(errno, "stat", path);
    struct statfs sfs;
    if (statfs(path.c_str(), &sfs) != 0) return SysError::FromErrno(errno, "statfs", path);
    result = static_cast<unsigned long>(sfs.f_type) == BTRFS_SUPER_MAGIC && S_ISDIR(st.st_mode) && st.st_ino == kFirstFreeObjectId;
    return SysError();
  }, [](Napi::Env env, const bool& result) -> Napi::Value { return Napi::Boolean::New(env, result); });
}

std::vector<std::string> StringsArg(const Napi::CallbackInfo& info, size_t i, const char* usage) {
  if (info.Length() <= i || !info[i].IsArray()) ThrowArgError(info.Env(), usage);
  Napi::Array arr = info[i].As<Napi::Array>();
  std::vector<std::string> names;
  names.reserve(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value v = arr.Get(k);
    if (!v.IsString()) ThrowArgError(info.Env(), usage);
    names.push_back(v.As<Napi::String>());
  }
  return names;
}

// One entry per name: null on success, the error object otherwise.
Napi::Value ItemResults(Napi::Env env, const std::vector<SysError>& results) {
  Napi::Array out = Napi::Array::New(env, results.size());
  for (size_t k = 0; k < results.size(); k++) {
    out.Set(static_cast<uint32_t>(k), results[k].failed() ? MakeError(env, results[k]).Value() : env.Null());
  }
  return out;
}

// Runs fn(k) for k in [0, count) on up to `parallelism` threads. Snapshot creation commits a btrfs
// transaction each time; concurrent creations join the same transaction, so one commit serves many.
template <typename Fn>
void RunParallel(size_t count, size_t parallelism, Fn fn) {
  if (parallelism <= 1 || count <= 1) {
    for (size_t k = 0; k < count; k++) fn(k);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  size_t n = parallelism < count ? parallelism : count;
  for (size_t t = 0; t < n; t++) {
    threads.emplace_back([&]() {
      for (size_t k = next++; k < count; k = next++) fn(k);
    });
  }
  for (std::thread& th : threads) th.join();
}

size_t ParallelismArg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) return 1;
  int64_t n = info[i].As<Napi::Number>().Int64Value();
  return n < 1 ? 1 : (n > 64 ? 64 : static_cast<size_t>(n));
}

// snapshotMany(source, dests[], readOnly, parallelism): Promise<(Error|null)[]>
// Each destination is a full path; spreading them over several directories lets the snapshots run
// concurrently (one directory's inode lock serialises the snapshots made inside it).
Napi::Value SnapshotMany(const Napi::CallbackInfo& info) {
  const char* usage = "snapshotMany(source: string, dests: string[], readOnly: boolean, parallelism?: number)";
  std::string source = StringArg(info, 0, usage);
  std::vector<std::string> dests = StringsArg(info, 1, usage);
  bool readOnly = info.Length() > 2 && info[2].ToBoolean();
  size_t parallelism = ParallelismArg(info, 3);
  return RunAsync<std::vector<SysError>>(info.Env(), [source, dests, readOnly, parallelism](std::vector<SysError>& results) {
    SysError err;
    Fd src(OpenDir(source, err));
    if (!src.ok() || !RequireBtrfs(src.get(), source, err)) return err;
    results.resize(dests.size());
    RunParallel(dests.size(), parallelism, [&](size_t k) {
      auto [parent, name] = SplitPath(dests[k]);
      SysError openErr;
      Fd dir(OpenDir(parent, openErr));
      results[k] = dir.ok() ? SnapshotAt(src.get(), dir.get(), name, readOnly, dests[k]) : openErr;
    });
    return err;
  }, ItemResults);
}

// deleteMany(paths[], parallelism): Promise<(Error|null)[]>; one failure never stops the rest.
Napi::Value DeleteMany(const Napi::CallbackInfo& info) {
  const char* usage = "deleteMany(paths: string[], parallelism?: number)";
  std::vector<std::string> paths = StringsArg(info, 0, usage);
  size_t parallelism = ParallelismArg(info, 1);
  return RunAsync<std::vector<SysError>>(info.Env(), [paths, parallelism](std::vector<SysError>& results) {
    results.resize(paths.size());
    RunParallel(paths.size(), parallelism, [&](size_t k) {
      auto [parent, name] = SplitPath(paths[k]);
      SysError itemErr;
      Fd dir(OpenDir(parent, itemErr));
      if (dir.ok() && RequireBtrfs(dir.get(), paths[k], itemErr)) itemErr = DestroyAt(dir.get(), name, paths[k]);
      results[k] = itemErr;
    });
    return SysError();
  }, ItemResults);
}

}  // namespace

void InitSubvol(Napi::Env env, Napi::Object exports) {
  exports.Set("createSubvolume", Napi::Function::New(env, CreateSubvolume, "createSubvolume"));
  exports.Set("snapshot", Napi::Function::New(env, Snapshot, "snapshot"));
  exports.Set("deleteSubvolume", Napi::Function::New(env, DeleteSubvolume, "deleteSubvolume"));
  exports.Set("isSubvolume", Napi::Function::New(env, IsSubvolume, "isSubvolume"));
  exports.Set("snapshotMany", Napi::Function::New(env, SnapshotMany, "snapshotMany"));
  exports.Set("deleteMany", Napi::Function::New(env, DeleteMany, "deleteMany"));
}

}  // namespace btrfs
}  // namespace opdbus
