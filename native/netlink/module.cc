// JS bindings of the rtnetlink core: dump(netns, kinds, stats) -> Promise<JSON string> and
// apply(netns, phases) -> Promise<(Error|null)[][]>. Socket work runs in AsyncWorkers; errors are kept
// as data on the worker thread and become JS errors (native/core/errors.h) on the JS thread.
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <sys/socket.h>

#include <cerrno>
#include <set>

#include "core/module.h"
#include "netlink/events.h"
#include "netlink/rtnl.h"

namespace opdbus {
namespace nl {
namespace {

class DumpWorker : public Napi::AsyncWorker {
 public:
  DumpWorker(Napi::Env env, std::string netns, std::vector<std::string> kinds, bool stats)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), netns_(std::move(netns)), kinds_(std::move(kinds)), stats_(stats) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    Socket sock;
    err_ = sock.Open(netns_);
    if (err_.failed()) return;
    Json js;
    js.Open();
    for (const std::string& kind : kinds_) {
      js.Key(kind.c_str());
      js.OpenArr();
      size_t mark = js.out.size();
      auto reset = [&] { js.Rewind(mark); };
      std::function<void(MsgBuf&, uint32_t)> build;
      std::function<void(const nlmsghdr*)> onMsg;
      if (kind == "link") {
        build = [&](MsgBuf& mb, uint32_t seq) { LinkDumpRequest(mb, seq, stats_); };
        onMsg = [&](const nlmsghdr* h) { if (h->nlmsg_type == RTM_NEWLINK) LinkToJson(h, js, stats_); };
      } else if (kind == "addr") {
        build = AddrDumpRequest;
        onMsg = [&](const nlmsghdr* h) { if (h->nlmsg_type == RTM_NEWADDR) AddrToJson(h, js); };
      } else if (kind == "route") {
        build = RouteDumpRequest;
        onMsg = [&](const nlmsghdr* h) { if (h->nlmsg_type == RTM_NEWROUTE) RouteToJson(h, js); };
      } else {
        build = NeighDumpRequest;
        onMsg = [&](const nlmsghdr* h) { if (h->nlmsg_type == RTM_NEWNEIGH) NeighToJson(h, js); };
      }
      err_ = sock.Dump(build, onMsg, reset);
      if (err_.failed()) {
        err_.subject = "dump " + kind + (netns_.empty() ? "" : " in " + netns_);
        return;
      }
      js.CloseArr();
    }
    js.Close();
    out_ = std::move(js.out);
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (err_.failed()) deferred_.Reject(MakeError(env, err_).Value());
    else deferred_.Resolve(Napi::String::New(env, out_));
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string netns_;
  std::vector<std::string> kinds_;
  bool stats_;
  SysError err_;
  std::string out_;
};

std::string IpBytes(Napi::Env env, const std::string& text, const char* what) {
  if (text.empty()) return {};
  unsigned char buf[16];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 16);
  ThrowArgError(env, std::string(what) + ": not an IP address: " + text);
}
std::string MacBytes(Napi::Env env, const std::string& text) {
  if (text.empty()) return {};
  std::string out;
  unsigned int b;
  for (size_t i = 0; i < text.size(); i += 3) {
    if (sscanf(text.c_str() + i, "%2x", &b) != 1) ThrowArgError(env, "not a MAC address: " + text);
    out.push_back(static_cast<char>(b));
  }
  return out;
}

// Reads only the properties a request has (one napi call per present key, not one per possible key):
// batches of thousands of requests are parsed on the JS thread, so this is on the hot path.
Request ParseRequest(Napi::Env env, const Napi::Object& o) {
  static const std::map<std::string, Request::Op> ops = {
      {"newlink", Request::kNewLink}, {"setlink", Request::kSetLink}, {"dellink", Request::kDelLink},
      {"newaddr", Request::kNewAddr}, {"deladdr", Request::kDelAddr}, {"newroute", Request::kNewRoute},
      {"replaceroute", Request::kReplaceRoute}, {"delroute", Request::kDelRoute}};
  static const std::map<std::string, uint32_t> macvlanModes = {
      {"private", MACVLAN_MODE_PRIVATE}, {"vepa", MACVLAN_MODE_VEPA}, {"bridge", MACVLAN_MODE_BRIDGE},
      {"passthru", MACVLAN_MODE_PASSTHRU}, {"source", MACVLAN_MODE_SOURCE}};
  Request r;
  r.family = AF_INET;
  bool hasOp = false;
  std::string address;
  Napi::Array keys = o.GetPropertyNames();
  for (uint32_t i = 0; i < keys.Length(); i++) {
    std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
    Napi::Value v = o.Get(k);
    if (v.IsUndefined()) continue;
    auto str = [&] { return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string(); };
    auto num = [&] { return v.IsNumber() ? v.As<Napi::Number>().Int64Value() : 0; };
    if (k == "op") {
      auto op = ops.find(str());
      if (op == ops.end()) ThrowArgError(env, "request.op: unknown operation " + str());
      r.op = op->second;
      hasOp = true;
    } else if (k == "subject") r.subject = str();
    else if (k == "name") r.name = str();
    else if (k == "newName") r.newName = str();
    else if (k == "kind") r.kind = str();
    else if (k == "peer") r.peer = str();
    else if (k == "master") {
      r.setMaster = v.IsString() || v.IsNull();
      r.master = str();
    } else if (k == "mac") r.mac = MacBytes(env, str());
    else if (k == "mtu") r.mtu = static_cast<int>(num());
    else if (k == "up") r.up = v.IsBoolean() ? (v.As<Napi::Boolean>().Value() ? 1 : 0) : -1;
    else if (k == "vxlanId" && v.IsNumber()) {
      r.hasVxlanId = true;
      r.vxlanId = static_cast<uint32_t>(num());
    } else if (k == "vxlanRemote") r.vxlanRemote = IpBytes(env, str(), "vxlanRemote");
    else if (k == "vxlanLocal") r.vxlanLocal = IpBytes(env, str(), "vxlanLocal");
    else if (k == "vxlanPort") r.vxlanPort = static_cast<uint16_t>(num());
    else if (k == "vxlanDev") r.vxlanDev = str();
    else if (k == "macvlanMode") {
      auto m = macvlanModes.find(str());
      if (m == macvlanModes.end()) ThrowArgError(env, "macvlanMode: unknown mode " + str());
      r.macvlanMode = m->second;
    } else if (k == "macvlanBase") r.macvlanBase = str();
    else if (k == "tunType") r.tunType = str() == "tap" ? IFF_TAP : IFF_TUN;
    else if (k == "family") r.family = num() == 6 ? AF_INET6 : AF_INET;
    else if (k == "dev") r.dev = str();
    else if (k == "address") address = str();
    else if (k == "prefix") r.prefix = static_cast<int>(num());
    else if (k == "gateway") r.gateway = IpBytes(env, str(), "gateway");
    else if (k == "table") r.table = static_cast<uint32_t>(num());
    else if (k == "protocol") r.protocol = static_cast<int>(num());
    else if (k == "scope") r.scope = static_cast<int>(num());
    else if (k == "type") r.type = static_cast<int>(num());
    else if (k == "metric") r.metric = num();
  }
  if (!hasOp) ThrowArgError(env, "request.op is required");
  r.addr = IpBytes(env, address, "address");
  if (r.op >= Request::kNewAddr && r.addr.empty() && !(r.op >= Request::kNewRoute && r.prefix == 0))
    ThrowArgError(env, r.subject + ": address is required");
  return r;
}

struct Outcome {
  SysError err;
  bool ran = false;
};

class ApplyWorker : public Napi::AsyncWorker {
 public:
  ApplyWorker(Napi::Env env, std::string netns, std::vector<std::vector<Request>> phases)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), netns_(std::move(netns)), phases_(std::move(phases)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    Socket sock;
    fatal_ = sock.Open(netns_);
    if (fatal_.failed()) return;
    for (const auto& phase : phases_) {
      outcomes_.emplace_back(phase.size());
      if (!RunPhase(sock, phase, outcomes_.back())) return;
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (fatal_.failed()) return deferred_.Reject(MakeError(env, fatal_).Value());
    Napi::Array result = Napi::Array::New(env, outcomes_.size());
    for (size_t p = 0; p < outcomes_.size(); p++) {
      Napi::Array arr = Napi::Array::New(env, outcomes_[p].size());
      for (size_t i = 0; i < outcomes_[p].size(); i++) {
        const Outcome& o = outcomes_[p][i];
        arr.Set(i, o.err.failed() ? MakeError(env, o.err).Value() : o.ran ? env.Null() : env.Undefined());
      }
      result.Set(p, arr);
    }
    deferred_.Resolve(result);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  static const char* TypeName(Request::Op op) {
    static const char* names[] = {"RTM_NEWLINK", "RTM_NEWLINK", "RTM_DELLINK", "RTM_NEWADDR", "RTM_DELADDR", "RTM_NEWROUTE", "RTM_NEWROUTE", "RTM_DELROUTE"};
    return names[op];
  }

  // Resolves every name the phase refers to (one batched RTM_GETLINK per name), then sends the phase's
  // requests as one batch. Returns false when any request failed: later phases depend on this one.
  bool RunPhase(Socket& sock, const std::vector<Request>& phase, std::vector<Outcome>& out) {
    std::vector<std::string> names;
    for (const Request& r : phase) NamesOf(r, names);
    std::set<std::string> unique(names.begin(), names.end());
    names.assign(unique.begin(), unique.end());
    IfIndex idx;
    if (!names.empty()) {
      std::vector<std::vector<char>> msgs;
      uint32_t first = sock.NextSeq();
      for (size_t i = 0; i < names.size(); i++) {
        MsgBuf mb;
        LinkGetRequest(mb, i == 0 ? first : sock.NextSeq(), names[i]);
        msgs.push_back(mb.Bytes());
      }
      fatal_ = TransactLookups(sock, msgs, first, names, idx);
      if (fatal_.failed()) return false;
    }
    std::vector<std::vector<char>> msgs;
    std::vector<size_t> sent;
    uint32_t first = 0;
    bool ok = true;
    for (size_t i = 0; i < phase.size(); i++) {
      const Request& r = phase[i];
      std::vector<std::string> need;
      NamesOf(r, need);
      std::string missing;
      for (const std::string& n : need)
        if (!idx.count(n)) missing = n;
      if (!missing.empty()) {
        out[i].ran = true;
        out[i].err = SysError::FromErrno(ENODEV, TypeName(r.op), r.subject);
        out[i].err.message = "link " + missing + " does not exist";
        ok = false;
        continue;
      }
      MsgBuf mb;
      if (r.op == Request::kNewLink && r.kind == "tun") {
        // tun/tap: created through /dev/net/tun, then its settings go out as an ordinary RTM_NEWLINK.
        SysError err = CreateTun(netns_, r.name, r.tunType == IFF_TAP);
        if (err.failed()) {
          out[i].ran = true;
          out[i].err = err;
          out[i].err.subject = r.subject;
          ok = false;
          continue;
        }
        Request set = r;
        set.op = Request::kSetLink;
        uint32_t seq = sock.NextSeq();
        if (msgs.empty()) first = seq;
        BuildLink(mb, seq, set, idx);
        msgs.push_back(mb.Bytes());
        sent.push_back(i);
        continue;
      }
      uint32_t seq = sock.NextSeq();
      if (msgs.empty()) first = seq;
      if (r.op <= Request::kDelLink) BuildLink(mb, seq, r, idx);
      else if (r.op <= Request::kDelAddr) BuildAddr(mb, seq, r, idx);
      else BuildRoute(mb, seq, r, idx);
      msgs.push_back(mb.Bytes());
      sent.push_back(i);
    }
    if (msgs.empty()) return ok;
    std::vector<Ack> acks;
    fatal_ = sock.Transact(msgs, first, acks);
    if (fatal_.failed()) return false;
    for (size_t k = 0; k < sent.size(); k++) {
      Outcome& o = out[sent[k]];
      o.ran = true;
      if (acks[k].errnum) {
        o.err = SysError::FromErrno(acks[k].errnum, TypeName(phase[sent[k]].op), phase[sent[k]].subject);
        o.err.message = acks[k].extack;
        ok = false;
      }
    }
    return ok;
  }

  static SysError TransactLookups(Socket& sock, const std::vector<std::vector<char>>& msgs, uint32_t first,
                                  const std::vector<std::string>& names, IfIndex& idx) {
    // Lookups are sent with NLM_F_ACK so each gets exactly one NLMSG_ERROR (0 after the reply).
    std::vector<std::vector<char>> acked = msgs;
    for (auto& m : acked) reinterpret_cast<nlmsghdr*>(m.data())->nlmsg_flags |= NLM_F_ACK;
    std::vector<Ack> acks;
    SysError err = sock.Transact(acked, first, acks, [&](size_t i, const nlmsghdr* h) {
      if (h->nlmsg_type == RTM_NEWLINK) idx[names[i]] = static_cast<const ifinfomsg*>(NLMSG_DATA(h))->ifi_index;
    });
    return err;
  }

  Napi::Promise::Deferred deferred_;
  std::string netns_;
  std::vector<std::vector<Request>> phases_;
  std::vector<std::vector<Outcome>> outcomes_;
  SysError fatal_;
};

Napi::Value Dump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsBoolean())
    ThrowArgError(env, "netlinkDump(netns: string, kinds: string[], stats: boolean)");
  std::vector<std::string> kinds;
  Napi::Array arr = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    std::string k = arr.Get(i).ToString().Utf8Value();
    if (k != "link" && k != "addr" && k != "route" && k != "neigh") ThrowArgError(env, "netlinkDump: unknown kind " + k);
    kinds.push_back(k);
  }
  auto* w = new DumpWorker(env, info[0].As<Napi::String>(), std::move(kinds), info[2].As<Napi::Boolean>());
  w->Queue();
  return w->Promise();
}

Napi::Value Apply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsArray()) ThrowArgError(env, "netlinkApply(netns: string, phases: object[][])");
  std::vector<std::vector<Request>> phases;
  Napi::Array ps = info[1].As<Napi::Array>();
  for (uint32_t p = 0; p < ps.Length(); p++) {
    Napi::Value pv = ps.Get(p);
    if (!pv.IsArray()) ThrowArgError(env, "netlinkApply: every phase must be an array");
    Napi::Array reqs = pv.As<Napi::Array>();
    phases.emplace_back();
    phases.back().reserve(reqs.Length());
    for (uint32_t i = 0; i < reqs.Length(); i++) {
      Napi::Value rv = reqs.Get(i);
      if (!rv.IsObject()) ThrowArgError(env, "netlinkApply: every request must be an object");
      phases.back().push_back(ParseRequest(env, rv.As<Napi::Object>()));
    }
  }
  auto* w = new ApplyWorker(env, info[0].As<Napi::String>(), std::move(phases));
  w->Queue();
  return w->Promise();
}

// netlinkProbe(netns): opens (and closes) a socket in the namespace; throws what stops it. A few
// non-blocking syscalls, so it runs on the JS thread: the cheap availability check.
Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) ThrowArgError(env, "netlinkProbe(netns: string)");
  Socket sock;
  SysError err = sock.Open(info[0].As<Napi::String>());
  if (err.failed()) throw MakeError(env, err);
  return env.Undefined();
}

void InitNetlink(Napi::Env env, Napi::Object exports) {
  exports.Set("netlinkProbe", Napi::Function::New(env, Probe, "netlinkProbe"));
  exports.Set("netlinkDump", Napi::Function::New(env, Dump, "netlinkDump"));
  exports.Set("netlinkApply", Napi::Function::New(env, Apply, "netlinkApply"));
  InitEvents(env, exports);
}

}  // namespace
}  // namespace nl
}  // namespace opdbus

OPDBUS_MODULE(netlink, opdbus::nl::InitNetlink);
