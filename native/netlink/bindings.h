// The JS entry points of the netlink module, one file each (dump.cc, batch.cc, module.cc); module.cc
// registers them. Requests arrive from JS already validated by src/netlink (request.cc parses them).
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "netlink/rtnl.h"

namespace opdbus {
namespace nl {

Napi::Value Dump(const Napi::CallbackInfo& info);
Napi::Value Apply(const Napi::CallbackInfo& info);
// Turns JSON.stringify(phases of request objects) into Requests (on the JS thread; throws a TypeError
// when malformed).
std::vector<std::vector<Request>> ParsePhases(Napi::Env env, const std::string& json);

}  // namespace nl
}  // namespace opdbus
