// Links: dump parsing (kind and kind data, master, mtu, mac, operstate, flags, optional stats) and
// RTM_NEWLINK/RTM_SETLINK/RTM_DELLINK builders with IFLA_LINKINFO for veth, bridge, vxlan, macvlan, tun.
#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <cstring>

#include "netlink/rtnl.h"

namespace opdbus {
namespace nl {

static const char* OperState(int s) {
  static const char* names[] = {"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"};
  return s >= 0 && s <= 6 ? names[s] : "UNKNOWN";
}

static const char* MacvlanMode(uint32_t m) {
  switch (m) {
    case MACVLAN_MODE_PRIVATE: return "private";
    case MACVLAN_MODE_VEPA: return "vepa";
    case MACVLAN_MODE_BRIDGE: return "bridge";
    case MACVLAN_MODE_PASSTHRU: return "passthru";
    case MACVLAN_MODE_SOURCE: return "source";
    default: return "unknown";
  }
}

void LinkDumpRequest(MsgBuf& mb, uint32_t seq, bool stats) {
  mb.Begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  mb.Put(&ifi, sizeof ifi);
  if (!stats) mb.AttrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  mb.End();
}

void LinkGetRequest(MsgBuf& mb, uint32_t seq, const std::string& name) {
  mb.Begin(RTM_GETLINK, NLM_F_REQUEST, seq);
  ifinfomsg ifi{};
  mb.Put(&ifi, sizeof ifi);
  mb.AttrStr(IFLA_IFNAME, name);
  mb.AttrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  mb.End();
}

static void KindData(const std::string& kind, const rtattr* data, Json& js) {
  Attrs tb;
  tb.Parse(static_cast<const rtattr*>(Data(data)), Len(data));
  if (kind == "vxlan") {
    if (tb[IFLA_VXLAN_ID]) js.Int("id", U32(tb[IFLA_VXLAN_ID]));
    if (tb[IFLA_VXLAN_GROUP]) js.Str("remote", FormatAddr(AF_INET, Data(tb[IFLA_VXLAN_GROUP]), Len(tb[IFLA_VXLAN_GROUP])));
    if (tb[IFLA_VXLAN_GROUP6]) js.Str("remote", FormatAddr(AF_INET6, Data(tb[IFLA_VXLAN_GROUP6]), Len(tb[IFLA_VXLAN_GROUP6])));
    if (tb[IFLA_VXLAN_LOCAL]) js.Str("local", FormatAddr(AF_INET, Data(tb[IFLA_VXLAN_LOCAL]), Len(tb[IFLA_VXLAN_LOCAL])));
    if (tb[IFLA_VXLAN_LOCAL6]) js.Str("local", FormatAddr(AF_INET6, Data(tb[IFLA_VXLAN_LOCAL6]), Len(tb[IFLA_VXLAN_LOCAL6])));
    if (tb[IFLA_VXLAN_PORT]) js.Int("dstport", ntohs(U16(tb[IFLA_VXLAN_PORT])));
    if (tb[IFLA_VXLAN_LINK]) js.Int("dev", U32(tb[IFLA_VXLAN_LINK]));
  } else if (kind == "macvlan" || kind == "macvtap") {
    if (tb[IFLA_MACVLAN_MODE]) js.Str("mode", MacvlanMode(U32(tb[IFLA_MACVLAN_MODE])));
  } else if (kind == "tun") {
    if (tb[IFLA_TUN_TYPE]) js.Str("tunType", U8(tb[IFLA_TUN_TYPE]) == IFF_TAP ? "tap" : "tun");
  } else if (kind == "bridge") {
    if (tb[IFLA_BR_STP_STATE]) js.Int("stp", U32(tb[IFLA_BR_STP_STATE]));
    if (tb[IFLA_BR_VLAN_FILTERING]) js.Int("vlanFiltering", U8(tb[IFLA_BR_VLAN_FILTERING]));
  }
}

void LinkToJson(const nlmsghdr* h, Json& js, bool stats) {
  auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
  Attrs tb;
  tb.Parse(IFLA_RTA(ifi), static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *ifi)));
  js.Open();
  js.Int("index", ifi->ifi_index);
  js.Str("name", tb[IFLA_IFNAME] ? Str(tb[IFLA_IFNAME]) : "");
  js.Int("type", ifi->ifi_type);
  js.Int("flags", ifi->ifi_flags);
  if (tb[IFLA_MTU]) js.Int("mtu", U32(tb[IFLA_MTU]));
  if (tb[IFLA_ADDRESS]) js.Str("mac", FormatMac(Data(tb[IFLA_ADDRESS]), Len(tb[IFLA_ADDRESS])));
  if (tb[IFLA_BROADCAST]) js.Str("broadcast", FormatMac(Data(tb[IFLA_BROADCAST]), Len(tb[IFLA_BROADCAST])));
  if (tb[IFLA_OPERSTATE]) js.Str("operstate", OperState(U8(tb[IFLA_OPERSTATE])));
  if (tb[IFLA_MASTER]) js.Int("master", U32(tb[IFLA_MASTER]));
  if (tb[IFLA_LINK]) js.Int("link", U32(tb[IFLA_LINK]));
  if (tb[IFLA_LINK_NETNSID]) js.Int("linkNetnsid", static_cast<int32_t>(U32(tb[IFLA_LINK_NETNSID])));
  if (tb[IFLA_QDISC]) js.Str("qdisc", Str(tb[IFLA_QDISC]));
  if (tb[IFLA_TXQLEN]) js.Int("txqlen", U32(tb[IFLA_TXQLEN]));
  if (tb[IFLA_GROUP]) js.Int("group", U32(tb[IFLA_GROUP]));
  if (tb[IFLA_LINKMODE]) js.Int("linkmode", U8(tb[IFLA_LINKMODE]));
  if (tb[IFLA_LINKINFO]) {
    Attrs li;
    li.Parse(static_cast<const rtattr*>(Data(tb[IFLA_LINKINFO])), Len(tb[IFLA_LINKINFO]));
    std::string kind = li[IFLA_INFO_KIND] ? Str(li[IFLA_INFO_KIND]) : "";
    if (!kind.empty()) js.Str("kind", kind);
    if (li[IFLA_INFO_SLAVE_KIND]) js.Str("slaveKind", Str(li[IFLA_INFO_SLAVE_KIND]));
    if (li[IFLA_INFO_DATA]) {
      js.ObjKey("info");
      KindData(kind, li[IFLA_INFO_DATA], js);
      js.Close();
    }
  }
  if (stats && tb[IFLA_STATS64] && Len(tb[IFLA_STATS64]) >= static_cast<int>(sizeof(rtnl_link_stats64) - 8 * 3)) {
    rtnl_link_stats64 s{};
    memcpy(&s, Data(tb[IFLA_STATS64]), std::min<size_t>(sizeof s, Len(tb[IFLA_STATS64])));
    js.ObjKey("stats");
    js.Int("rxPackets", s.rx_packets);
    js.Int("txPackets", s.tx_packets);
    js.Int("rxBytes", s.rx_bytes);
    js.Int("txBytes", s.tx_bytes);
    js.Int("rxErrors", s.rx_errors);
    js.Int("txErrors", s.tx_errors);
    js.Int("rxDropped", s.rx_dropped);
    js.Int("txDropped", s.tx_dropped);
    js.Close();
  }
  js.Close();
}

static int IndexOf(const IfIndex& idx, const std::string& name) {
  auto it = idx.find(name);
  return it == idx.end() ? 0 : it->second;
}

static void KindInfo(MsgBuf& mb, const Request& r, const IfIndex& idx) {
  size_t info = mb.NestBegin(IFLA_LINKINFO);
  mb.AttrStr(IFLA_INFO_KIND, r.kind);
  if (r.kind == "veth" && !r.peer.empty()) {
    size_t data = mb.NestBegin(IFLA_INFO_DATA);
    size_t peer = mb.NestBegin(VETH_INFO_PEER);
    ifinfomsg pi{};  // the peer's own ifinfomsg sits inside the attribute, before its attributes
    mb.Put(&pi, sizeof pi);
    mb.AttrStr(IFLA_IFNAME, r.peer);
    mb.NestEnd(peer);
    mb.NestEnd(data);
  } else if (r.kind == "vxlan") {
    size_t data = mb.NestBegin(IFLA_INFO_DATA);
    if (r.hasVxlanId) mb.AttrU32(IFLA_VXLAN_ID, r.vxlanId);
    if (!r.vxlanRemote.empty()) mb.Attr(r.vxlanRemote.size() == 4 ? IFLA_VXLAN_GROUP : IFLA_VXLAN_GROUP6, r.vxlanRemote.data(), r.vxlanRemote.size());
    if (!r.vxlanLocal.empty()) mb.Attr(r.vxlanLocal.size() == 4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, r.vxlanLocal.data(), r.vxlanLocal.size());
    if (r.vxlanPort) mb.AttrU16(IFLA_VXLAN_PORT, htons(r.vxlanPort));
    if (!r.vxlanDev.empty()) mb.AttrU32(IFLA_VXLAN_LINK, IndexOf(idx, r.vxlanDev));
    mb.NestEnd(data);
  } else if ((r.kind == "macvlan" || r.kind == "macvtap") && r.macvlanMode) {
    size_t data = mb.NestBegin(IFLA_INFO_DATA);
    mb.AttrU32(IFLA_MACVLAN_MODE, r.macvlanMode);
    mb.NestEnd(data);
  }
  mb.NestEnd(info);
}

void BuildLink(MsgBuf& mb, uint32_t seq, const Request& r, const IfIndex& idx) {
  uint16_t type = r.op == Request::kDelLink ? RTM_DELLINK : RTM_NEWLINK;
  uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
  if (r.op == Request::kNewLink) flags |= NLM_F_CREATE | NLM_F_EXCL;
  mb.Begin(type, flags, seq);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  if (r.up >= 0) {
    ifi.ifi_change = IFF_UP;
    ifi.ifi_flags = r.up ? IFF_UP : 0;
  }
  if (!r.newName.empty()) {
    // A rename names the link by ifindex and carries the new name in IFLA_IFNAME.
    ifi.ifi_index = IndexOf(idx, r.name);
    mb.Put(&ifi, sizeof ifi);
    mb.AttrStr(IFLA_IFNAME, r.newName);
  } else {
    mb.Put(&ifi, sizeof ifi);
    mb.AttrStr(IFLA_IFNAME, r.name);
  }
  if (r.op != Request::kDelLink) {
    if (r.mtu > 0) mb.AttrU32(IFLA_MTU, r.mtu);
    if (!r.mac.empty()) mb.Attr(IFLA_ADDRESS, r.mac.data(), r.mac.size());
    if (r.setMaster) mb.AttrU32(IFLA_MASTER, r.master.empty() ? 0 : IndexOf(idx, r.master));
    if (r.op == Request::kNewLink) {
      if (!r.macvlanBase.empty()) mb.AttrU32(IFLA_LINK, IndexOf(idx, r.macvlanBase));
      KindInfo(mb, r, idx);
    }
  }
  mb.End();
}

void NamesOf(const Request& r, std::vector<std::string>& names) {
  for (const std::string* n : {&r.master, &r.vxlanDev, &r.macvlanBase, &r.dev})
    if (!n->empty()) names.push_back(*n);
  if (!r.newName.empty()) names.push_back(r.name);
}

}  // namespace nl
}  // namespace opdbus
