// The rtnetlink object kinds: each has a dump request, a parser that writes one kernel message as a
// compact JSON object, and (for changes) a builder turning one normalised Request into a message.
#pragma once
#include <cstdint>
#include <map>
#include <string>

#include "netlink/socket.h"

namespace opdbus {
namespace nl {

// One change, built from a validated document in TypeScript (src/plugins/net/apply.ts).
struct Request {
  enum Op { kNewLink, kSetLink, kDelLink, kNewAddr, kDelAddr, kNewRoute, kReplaceRoute, kDelRoute } op = kNewLink;
  std::string subject;  // "create link br0": names the object and operation in errors
  // links
  std::string name, kind, peer, master, mac;  // mac as raw bytes
  std::string newName;                         // setlink: rename `name` to this
  bool setMaster = false;                      // master "" + setMaster = detach
  int mtu = 0, up = -1;                        // up: -1 unchanged, 0 down, 1 up
  uint32_t vxlanId = 0;
  bool hasVxlanId = false;
  std::string vxlanRemote, vxlanLocal, vxlanDev;  // addresses as raw bytes
  uint16_t vxlanPort = 0;
  uint32_t macvlanMode = 0;
  std::string macvlanBase;
  int tunType = 0;  // IFF_TUN / IFF_TAP
  // addresses and routes
  int family = 0, prefix = 0;
  std::string dev, addr, gateway;  // addresses as raw bytes
  uint32_t table = RT_TABLE_MAIN;
  int protocol = RTPROT_STATIC, scope = RT_SCOPE_UNIVERSE, type = RTN_UNICAST;
  int64_t metric = -1;
};

using IfIndex = std::map<std::string, int>;

void LinkDumpRequest(MsgBuf& mb, uint32_t seq, bool stats);
void LinkToJson(const nlmsghdr* h, Json& js, bool stats);
// Resolves one name: RTM_GETLINK by IFLA_IFNAME.
void LinkGetRequest(MsgBuf& mb, uint32_t seq, const std::string& name);
void BuildLink(MsgBuf& mb, uint32_t seq, const Request& r, const IfIndex& idx);

void AddrDumpRequest(MsgBuf& mb, uint32_t seq);
void AddrToJson(const nlmsghdr* h, Json& js);
void BuildAddr(MsgBuf& mb, uint32_t seq, const Request& r, const IfIndex& idx);

void RouteDumpRequest(MsgBuf& mb, uint32_t seq);
// Returns false for families the route dump also yields but opdbus does not model (multicast routing).
bool RouteToJson(const nlmsghdr* h, Json& js);
// A route the kernel made for itself: proto kernel, the local table, local/broadcast/anycast/multicast
// types, IPv6 multicast destinations. Never wider than isKernelRoute in src/plugins/net/query.ts.
bool IsKernelRoute(const nlmsghdr* h);
void BuildRoute(MsgBuf& mb, uint32_t seq, const Request& r, const IfIndex& idx);

void NeighDumpRequest(MsgBuf& mb, uint32_t seq);
bool NeighToJson(const nlmsghdr* h, Json& js);

// Names a request needs resolved to an ifindex before it can be built.
void NamesOf(const Request& r, std::vector<std::string>& names);

}  // namespace nl
}  // namespace opdbus
