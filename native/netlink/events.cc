// netlinkSubscribe(netns, groups, onEvents) -> {close(), ref(), unref()}. A reader thread polls the
// multicast socket and an eventfd (the stop signal); each datagram's messages become one JSON array
// of {event, action, object} handed to JS through a ThreadSafeFunction. Kernel overruns (ENOBUFS)
// are reported as {event: "overrun"} so a consumer knows to re-read everything.
#include <poll.h>
#include <sys/socket.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "netlink/events.h"
#include "netlink/rtnl.h"

namespace opdbus {
namespace nl {
namespace {

// One datagram's events on their way to JS; `closed` is shared with the subscription.
struct Batch {
  std::string json;
  std::shared_ptr<std::atomic<bool>> closed;
};

class Subscription {
 public:
  Subscription(Napi::Env env, Napi::Function cb) : env_(env) {
    tsfn_ = Napi::ThreadSafeFunction::New(env, cb, "opdbus-netlink-events", 0, 1);
  }
  ~Subscription() { Stop(); }

  SysError Start(const std::string& netns, uint32_t groups) {
    SysError err = sock_.Open(netns, groups);
    if (err.failed()) return err;
    stopFd_ = eventfd(0, EFD_CLOEXEC);
    if (stopFd_ < 0) return SysError::FromErrno(errno, "eventfd");
    // A subscription still open when its environment exits (worker end, process exit) is stopped by
    // this hook, so no reader thread outlives its environment.
    napi_add_env_cleanup_hook(env_, CleanupHook, this);
    hooked_ = true;
    thread_ = std::thread([this] { Run(); });
    return {};
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    closed_->store(true);
    if (hooked_) napi_remove_env_cleanup_hook(env_, CleanupHook, this);
    if (thread_.joinable()) {
      uint64_t one = 1;
      if (write(stopFd_, &one, sizeof one) < 0) { /* the thread also stops on socket errors */ }
      thread_.join();
    }
    if (stopFd_ >= 0) close(stopFd_);
    stopFd_ = -1;
    tsfn_.Release();
  }

  void Ref(Napi::Env env) { if (!stopped_) tsfn_.Ref(env); }
  void Unref(Napi::Env env) { if (!stopped_) tsfn_.Unref(env); }

 private:
  static void CleanupHook(void* self) {
    auto* sub = static_cast<Subscription*>(self);
    sub->hooked_ = false;
    sub->Stop();
  }

  void Run() {
    pollfd fds[2] = {{sock_.Fd(), POLLIN, 0}, {stopFd_, POLLIN, 0}};
    for (;;) {
      if (poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        return;
      }
      if (fds[1].revents) return;
      ssize_t n = sock_.Recv(MSG_DONTWAIT);
      if (n == -EAGAIN) continue;
      auto* batch = new Batch{std::string(), closed_};
      Json js;
      js.OpenArr();
      if (n < 0) {
        js.Open();
        js.Str("event", n == -ENOBUFS ? "overrun" : "error");
        if (n != -ENOBUFS) js.Int("errno", -n);
        js.Close();
      } else {
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<const nlmsghdr*>(sock_.Buffer()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) Event(h, js);
      }
      js.CloseArr();
      batch->json = std::move(js.out);
      napi_status st = tsfn_.NonBlockingCall(batch, [](Napi::Env env, Napi::Function cb, Batch* data) {
        std::unique_ptr<Batch> owned(data);
        // Batches queued before close() are dropped: after close, the callback never runs again.
        if (env != nullptr && cb != nullptr && !owned->closed->load()) cb.Call({Napi::String::New(env, owned->json)});
      });
      if (st != napi_ok) {
        delete batch;
        if (st == napi_closing) return;
      }
      if (n < 0 && n != -ENOBUFS) return;
    }
  }

  static void Event(const nlmsghdr* h, Json& js) {
    const char* event = nullptr;
    bool isNew = true;
    size_t mark = js.out.size();
    js.Open();
    switch (h->nlmsg_type) {
      case RTM_NEWLINK: case RTM_DELLINK:
        event = "link"; isNew = h->nlmsg_type == RTM_NEWLINK;
        js.Key("object"); LinkToJson(h, js, false);
        break;
      case RTM_NEWADDR: case RTM_DELADDR:
        event = "addr"; isNew = h->nlmsg_type == RTM_NEWADDR;
        js.Key("object"); AddrToJson(h, js);
        break;
      case RTM_NEWROUTE: case RTM_DELROUTE:
        event = "route"; isNew = h->nlmsg_type == RTM_NEWROUTE;
        js.Key("object");
        if (!RouteToJson(h, js)) event = nullptr;
        break;
      case RTM_NEWNEIGH: case RTM_DELNEIGH:
        event = "neigh"; isNew = h->nlmsg_type == RTM_NEWNEIGH;
        js.Key("object");
        if (!NeighToJson(h, js)) event = nullptr;
        break;
      default:
        break;
    }
    if (!event) {
      js.out.resize(mark);
      return;
    }
    js.Str("event", event);
    js.Str("action", isNew ? "new" : "del");
    js.Close();
  }

  napi_env env_;
  bool hooked_ = false;
  std::shared_ptr<std::atomic<bool>> closed_ = std::make_shared<std::atomic<bool>>(false);
  Socket sock_;
  Napi::ThreadSafeFunction tsfn_;
  std::thread thread_;
  int stopFd_ = -1;
  bool stopped_ = false;
};

uint32_t GroupBits(Napi::Env env, const Napi::Array& groups) {
  static const std::map<std::string, uint32_t> bits = {
      {"link", RTMGRP_LINK}, {"addr", RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR},
      {"route", RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE}, {"neigh", RTMGRP_NEIGH}};
  uint32_t out = 0;
  for (uint32_t i = 0; i < groups.Length(); i++) {
    auto it = bits.find(groups.Get(i).ToString().Utf8Value());
    if (it == bits.end()) ThrowArgError(env, "netlinkSubscribe: unknown group " + groups.Get(i).ToString().Utf8Value());
    out |= it->second;
  }
  return out;
}

Napi::Value Subscribe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsArray() || !info[2].IsFunction())
    ThrowArgError(env, "netlinkSubscribe(netns: string, groups: string[], onEvents: (json: string) => void)");
  // The socket is opened here, on the JS thread: a few non-blocking syscalls (open, setns, socket, bind).
  auto sub = std::make_shared<Subscription>(env, info[2].As<Napi::Function>());
  SysError err = sub->Start(info[0].As<Napi::String>(), GroupBits(env, info[1].As<Napi::Array>()));
  if (err.failed()) {
    sub->Stop();
    throw MakeError(env, err);
  }
  Napi::Object handle = Napi::Object::New(env);
  auto holder = new std::shared_ptr<Subscription>(sub);
  handle.AddFinalizer([](Napi::Env, std::shared_ptr<Subscription>* p) { delete p; }, holder);
  handle.Set("close", Napi::Function::New(env, [sub](const Napi::CallbackInfo&) { sub->Stop(); }));
  handle.Set("ref", Napi::Function::New(env, [sub](const Napi::CallbackInfo& i) { sub->Ref(i.Env()); }));
  handle.Set("unref", Napi::Function::New(env, [sub](const Napi::CallbackInfo& i) { sub->Unref(i.Env()); }));
  return handle;
}

}  // namespace

void InitEvents(Napi::Env env, Napi::Object exports) {
  exports.Set("netlinkSubscribe", Napi::Function::New(env, Subscribe, "netlinkSubscribe"));
}

}  // namespace nl
}  // namespace opdbus
