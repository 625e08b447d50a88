// netlinkDump(netns, kinds, stats, ownRoutesOnly) -> Promise<JSON string>: one socket, the requested
// dumps in turn on a worker thread, each kernel message written straight into compact JSON (parsed once
// in JS). ownRoutesOnly leaves out the routes the kernel makes for itself (a host with N addresses has
// about 3N of them), so they cost no JSON and no JS objects when the caller would drop them anyway.
#include "netlink/bindings.h"

namespace opdbus {
namespace nl {
namespace {

class DumpWorker : public Napi::AsyncWorker {
 public:
  DumpWorker(Napi::Env env, std::string netns, std::vector<std::string> kinds, bool stats, bool ownRoutesOnly)
      : Napi::AsyncWorker(env),
        deferred_(Napi::Promise::Deferred::New(env)),
        netns_(std::move(netns)),
        kinds_(std::move(kinds)),
        stats_(stats),
        ownRoutesOnly_(ownRoutesOnly) {}
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
        onMsg = [&](const nlmsghdr* h) {
          if (h->nlmsg_type == RTM_NEWROUTE && !(ownRoutesOnly_ && IsKernelRoute(h))) RouteToJson(h, js);
        };
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
  bool ownRoutesOnly_;
  SysError err_;
  std::string out_;
};

}  // namespace

Napi::Value Dump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsBoolean() || (info.Length() > 3 && !info[3].IsBoolean()))
    ThrowArgError(env, "netlinkDump(netns: string, kinds: string[], stats: boolean, ownRoutesOnly?: boolean)");
  std::vector<std::string> kinds;
  Napi::Array arr = info[1].As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    std::string k = arr.Get(i).ToString().Utf8Value();
    if (k != "link" && k != "addr" && k != "route" && k != "neigh") ThrowArgError(env, "netlinkDump: unknown kind " + k);
    kinds.push_back(k);
  }
  bool ownRoutesOnly = info.Length() > 3 && info[3].As<Napi::Boolean>().Value();
  auto* w = new DumpWorker(env, info[0].As<Napi::String>(), std::move(kinds), info[2].As<Napi::Boolean>(), ownRoutesOnly);
  w->Queue();
  return w->Promise();
}

}  // namespace nl
}  // namespace opdbus
