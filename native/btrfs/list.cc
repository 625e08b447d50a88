// Lists every subvolume of the filesystem holding a path, like `btrfs subvolume list`: a
// TREE_SEARCH over the root tree's ROOT_ITEM and ROOT_BACKREF keys, with paths resolved by
// INO_LOOKUP. Needs CAP_SYS_ADMIN (as the reference tool does). Deleted, not yet cleaned
// subvolumes (no backref) are left out, as the reference does without -d.
#include <endian.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include "btrfs/btrfs_common.h"

namespace opdbus {
namespace btrfs {
namespace {

struct SubvolInfo {
  uint64_t id = 0;
  uint64_t parentId = 0;  // 0 until its backref is seen
  uint64_t dirId = 0;
  std::string name;
  std::string path;
  uint64_t generation = 0;
  uint64_t otransid = 0;
  uint64_t flags = 0;
  std::string uuid, parentUuid, receivedUuid;
  double ctimeMs = 0, otimeMs = 0;
};

std::string FormatUuid(const uint8_t* u) {
  static const uint8_t zero[16] = {0};
  if (memcmp(u, zero, 16) == 0) return "";
  char buf[37];
  snprintf(buf, sizeof buf, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4], u[5], u[6],
           u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
  return buf;
}

double TimeMs(const btrfs_timespec& t) { return static_cast<double>(le64toh(t.sec)) * 1000.0 + le32toh(t.nsec) / 1e6; }

void ParseRootItem(SubvolInfo& s, const char* data, uint32_t len) {
  btrfs_root_item item;
  memset(&item, 0, sizeof item);
  memcpy(&item, data, len < sizeof item ? len : sizeof item);
  s.generation = le64toh(item.generation);
  s.flags = le64toh(item.flags);
  // Root items written by kernels before 3.6 stop at generation_v2; the newer fields stay zero.
  if (len >= offsetof(btrfs_root_item, ctransid)) {
    s.uuid = FormatUuid(item.uuid);
    s.parentUuid = FormatUuid(item.parent_uuid);
    s.receivedUuid = FormatUuid(item.received_uuid);
  }
  if (len >= offsetof(btrfs_root_item, stime)) {
    s.otransid = le64toh(item.otransid);
    s.ctimeMs = TimeMs(item.ctime);
    s.otimeMs = TimeMs(item.otime);
  }
}

SysError SearchRootTree(int fd, const std::string& path, std::map<uint64_t, SubvolInfo>& subvols) {
  struct btrfs_ioctl_search_args args;
  memset(&args, 0, sizeof args);
  struct btrfs_ioctl_search_key& sk = args.key;
  sk.tree_id = BTRFS_ROOT_TREE_OBJECTID;
  sk.min_objectid = BTRFS_FIRST_FREE_OBJECTID;
  sk.max_objectid = BTRFS_LAST_FREE_OBJECTID;
  sk.min_type = BTRFS_ROOT_ITEM_KEY;
  sk.max_type = BTRFS_ROOT_BACKREF_KEY;
  sk.max_offset = UINT64_MAX;
  sk.max_transid = UINT64_MAX;
  for (;;) {
    sk.nr_items = 4096;
    if (ioctl(fd, BTRFS_IOC_TREE_SEARCH, &args) != 0) return SysError::FromErrno(errno, "ioctl(BTRFS_IOC_TREE_SEARCH)", path);
    if (sk.nr_items == 0) return SysError();
    size_t off = 0;
    struct btrfs_ioctl_search_header sh;
    for (uint32_t i = 0; i < sk.nr_items; i++) {
      memcpy(&sh, args.buf + off, sizeof sh);
      const char* data = args.buf + off + sizeof sh;
      off += sizeof sh + sh.len;
      // The search walks the key space, so other item types between the bounds show up too.
      if (sh.type == BTRFS_ROOT_ITEM_KEY) {
        SubvolInfo& s = subvols[sh.objectid];
        s.id = sh.objectid;
        ParseRootItem(s, data, sh.len);
      } else if (sh.type == BTRFS_ROOT_BACKREF_KEY && sh.len >= sizeof(btrfs_root_ref)) {
        btrfs_root_ref ref;
        memcpy(&ref, data, sizeof ref);
        SubvolInfo& s = subvols[sh.objectid];
        s.id = sh.objectid;
        s.parentId = sh.offset;
        s.dirId = le64toh(ref.dirid);
        uint16_t nameLen = le16toh(ref.name_len);
        if (sizeof ref + nameLen <= sh.len) s.name.assign(data + sizeof ref, nameLen);
      }
    }
    // Continue right after the last key returned.
    sk.min_objectid = sh.objectid;
    sk.min_type = sh.type;
    sk.min_offset = sh.offset;
    if (sk.min_offset < UINT64_MAX) {
      sk.min_offset++;
    } else if (sk.min_type < BTRFS_ROOT_BACKREF_KEY) {
      sk.min_type++;
      sk.min_offset = 0;
    } else if (sk.min_objectid < BTRFS_LAST_FREE_OBJECTID) {
      sk.min_objectid++;
      sk.min_type = BTRFS_ROOT_ITEM_KEY;
      sk.min_offset = 0;
    } else {
      return SysError();
    }
  }
}

// Full path from the top of the filesystem: parent's path + the directory inside it + name.
SysError ResolvePath(int fd, std::map<uint64_t, SubvolInfo>& subvols, SubvolInfo& s, int depth) {
  if (!s.path.empty() || s.parentId == 0) return SysError();
  if (depth > 4096) return SysError::FromErrno(ELOOP, "resolve subvolume path", s.name);
  std::string prefix;
  if (s.parentId != BTRFS_FS_TREE_OBJECTID) {
    auto it = subvols.find(s.parentId);
    if (it == subvols.end()) return SysError();
    SysError err = ResolvePath(fd, subvols, it->second, depth + 1);
    if (err.failed()) return err;
    prefix = it->second.path + "/";
  }
  struct btrfs_ioctl_ino_lookup_args lookup;
  memset(&lookup, 0, sizeof lookup);
  lookup.treeid = s.parentId;
  lookup.objectid = s.dirId;
  if (ioctl(fd, BTRFS_IOC_INO_LOOKUP, &lookup) != 0) return SysError::FromErrno(errno, "ioctl(BTRFS_IOC_INO_LOOKUP)", s.name);
  s.path = prefix + lookup.name + s.name;  // lookup.name is "" or "dir/sub/" (with trailing slash)
  return SysError();
}

Napi::Value ToJs(Napi::Env env, const std::vector<SubvolInfo>& list) {
  Napi::Array out = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); i++) {
    const SubvolInfo& s = list[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("id", Napi::Number::New(env, static_cast<double>(s.id)));
    o.Set("parentId", Napi::Number::New(env, static_cast<double>(s.parentId)));
    o.Set("dirId", Napi::Number::New(env, static_cast<double>(s.dirId)));
    o.Set("name", s.name);
    o.Set("path", s.path);
    o.Set("generation", Napi::Number::New(env, static_cast<double>(s.generation)));
    o.Set("otransid", Napi::Number::New(env, static_cast<double>(s.otransid)));
    o.Set("readOnly", Napi::Boolean::New(env, (s.flags & BTRFS_ROOT_SUBVOL_RDONLY) != 0));
    o.Set("uuid", s.uuid);
    o.Set("parentUuid", s.parentUuid);
    o.Set("receivedUuid", s.receivedUuid);
    o.Set("ctimeMs", Napi::Number::New(env, s.ctimeMs));
    o.Set("otimeMs", Napi::Number::New(env, s.otimeMs));
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

// listSubvolumes(path): Promise<SubvolumeInfo[]> ordered by id
Napi::Value ListSubvolumes(const Napi::CallbackInfo& info) {
  std::string path = StringArg(info, 0, "listSubvolumes(path: string)");
  return RunAsync<std::vector<SubvolInfo>>(info.Env(), [path](std::vector<SubvolInfo>& result) {
    SysError err;
    Fd fd(OpenDir(path, err));
    if (!fd.ok() || !RequireBtrfs(fd.get(), path, err)) return err;
    std::map<uint64_t, SubvolInfo> subvols;
    err = SearchRootTree(fd.get(), path, subvols);
    if (err.failed()) return err;
    for (auto& [id, s] : subvols) {
      if (s.parentId == 0) continue;
      err = ResolvePath(fd.get(), subvols, s, 0);
      if (err.failed()) return err;
    }
    for (auto& [id, s] : subvols) {
      if (s.parentId != 0) result.push_back(s);
    }
    return err;
  }, ToJs);
}

}  // namespace

void InitList(Napi::Env env, Napi::Object exports) {
  exports.Set("listSubvolumes", Napi::Function::New(env, ListSubvolumes, "listSubvolumes"));
}

}  // namespace btrfs
}  // namespace opdbus
