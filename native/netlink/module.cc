// Registers the netlink module's JS functions: netlinkDump (dump.cc), netlinkApply (batch.cc),
// netlinkSubscribe (events.cc) and netlinkProbe (here).
#include "core/module.h"
#include "netlink/bindings.h"
#include "netlink/events.h"

namespace opdbus {
namespace nl {
namespace {

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
  exports.Set("netlinkDump", Napi::Function::New(env, Dump, "netlinkDump"));
  exports.Set("netlinkApply", Napi::Function::New(env, Apply, "netlinkApply"));
  exports.Set("netlinkProbe", Napi::Function::New(env, Probe, "netlinkProbe"));
  InitEvents(env, exports);
}

}  // namespace
}  // namespace nl
}  // namespace opdbus

OPDBUS_MODULE(netlink, opdbus::nl::InitNetlink);
