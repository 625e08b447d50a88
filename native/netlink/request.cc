// JS request objects -> Request structs (addresses and MACs to bytes, names kept for native lookup).
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <sys/socket.h>

#include <map>

#include "netlink/bindings.h"

namespace opdbus {
namespace nl {
namespace {

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

}  // namespace

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
}  // namespace nl
}  // namespace opdbus
