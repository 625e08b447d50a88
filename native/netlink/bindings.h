// The JS entry points of the netlink module, one file each (dump.cc, batch.cc, module.cc); module.cc
// registers them. Requests arrive from JS already validated by src/netlink (request.cc parses them).
#pragma once
#include <napi.h>

#include "netlink/rtnl.h"

namespace opdbus {
namespace nl {

Napi::Value Dump(const Napi::CallbackInfo& info);
Napi::Value Apply(const Napi::CallbackInfo& info);
// Turns one JS request object into a Request (on the JS thread; throws a TypeError when malformed).
Request ParseRequest(Napi::Env env, const Napi::Object& o);

}  // namespace nl
}  // namespace opdbus
