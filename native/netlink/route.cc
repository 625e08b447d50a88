// Routes: dump parsing for every table, IPv4 and IPv6 (destination, gateway, dev, metric, scope,
// protocol, type, preferred source) and RTM_NEWROUTE/RTM_DELROUTE builders.
#include <sys/socket.h>

#include "netlink/rtnl.h"

namespace opdbus {
namespace nl {

void RouteDumpRequest(MsgBuf& mb, uint32_t seq) {
  mb.Begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, seq);
  rtmsg rtm{};
  rtm.rtm_family = AF_UNSPEC;
  mb.Put(&rtm, sizeof rtm);
  mb.End();
}

bool IsKernelRoute(const nlmsghdr* h) {
  auto* rtm = static_cast<const rtmsg*>(NLMSG_DATA(h));
  if (rtm->rtm_protocol == RTPROT_KERNEL) return true;
  if (rtm->rtm_type >= RTN_LOCAL && rtm->rtm_type <= RTN_MULTICAST) return true;
  Attrs tb;
  tb.Parse(RTM_RTA(rtm), static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *rtm)));
  if ((tb[RTA_TABLE] ? U32(tb[RTA_TABLE]) : rtm->rtm_table) == RT_TABLE_LOCAL) return true;
  return rtm->rtm_family == AF_INET6 && tb[RTA_DST] && Len(tb[RTA_DST]) > 0 && static_cast<const uint8_t*>(Data(tb[RTA_DST]))[0] == 0xff;
}

bool RouteToJson(const nlmsghdr* h, Json& js) {
  auto* rtm = static_cast<const rtmsg*>(NLMSG_DATA(h));
  int fam = rtm->rtm_family;
  if (fam != AF_INET && fam != AF_INET6) return false;
  Attrs tb;
  tb.Parse(RTM_RTA(rtm), static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *rtm)));
  js.Open();
  js.Int("family", fam == AF_INET ? 4 : 6);
  js.Int("table", tb[RTA_TABLE] ? U32(tb[RTA_TABLE]) : rtm->rtm_table);
  js.Str("dst", tb[RTA_DST] ? FormatAddr(fam, Data(tb[RTA_DST]), Len(tb[RTA_DST])) : "");
  js.Int("dstLen", rtm->rtm_dst_len);
  if (rtm->rtm_src_len) {
    if (tb[RTA_SRC]) js.Str("src", FormatAddr(fam, Data(tb[RTA_SRC]), Len(tb[RTA_SRC])));
    js.Int("srcLen", rtm->rtm_src_len);
  }
  if (tb[RTA_GATEWAY]) js.Str("gateway", FormatAddr(fam, Data(tb[RTA_GATEWAY]), Len(tb[RTA_GATEWAY])));
  if (tb[RTA_OIF]) js.Int("oif", U32(tb[RTA_OIF]));
  if (tb[RTA_PRIORITY]) js.Int("metric", U32(tb[RTA_PRIORITY]));
  if (tb[RTA_PREFSRC]) js.Str("prefsrc", FormatAddr(fam, Data(tb[RTA_PREFSRC]), Len(tb[RTA_PREFSRC])));
  js.Int("protocol", rtm->rtm_protocol);
  js.Int("scope", rtm->rtm_scope);
  js.Int("type", rtm->rtm_type);
  js.Int("flags", rtm->rtm_flags);
  if (rtm->rtm_tos) js.Int("tos", rtm->rtm_tos);
  if (tb[RTA_MULTIPATH]) {
    js.Key("nexthops");
    js.OpenArr();
    auto* nh = static_cast<const rtnexthop*>(Data(tb[RTA_MULTIPATH]));
    int len = Len(tb[RTA_MULTIPATH]);
    while (len >= static_cast<int>(sizeof(rtnexthop)) && nh->rtnh_len >= sizeof(rtnexthop) && nh->rtnh_len <= len) {
      Attrs nt;
      nt.Parse(RTNH_DATA(nh), nh->rtnh_len - static_cast<int>(RTNH_LENGTH(0)));
      js.Open();
      js.Int("oif", nh->rtnh_ifindex);
      js.Int("weight", nh->rtnh_hops + 1);
      if (nt[RTA_GATEWAY]) js.Str("gateway", FormatAddr(fam, Data(nt[RTA_GATEWAY]), Len(nt[RTA_GATEWAY])));
      js.Close();
      len -= RTNH_ALIGN(nh->rtnh_len);
      nh = RTNH_NEXT(nh);
    }
    js.CloseArr();
  }
  js.Close();
  return true;
}

void BuildRoute(MsgBuf& mb, uint32_t seq, const Request& r, const IfIndex& idx) {
  uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
  uint16_t type = RTM_NEWROUTE;
  if (r.op == Request::kNewRoute) flags |= NLM_F_CREATE | NLM_F_EXCL;
  if (r.op == Request::kReplaceRoute) flags |= NLM_F_CREATE | NLM_F_REPLACE;
  if (r.op == Request::kDelRoute) type = RTM_DELROUTE;
  mb.Begin(type, flags, seq);
  rtmsg rtm{};
  rtm.rtm_family = static_cast<uint8_t>(r.family);
  rtm.rtm_dst_len = static_cast<uint8_t>(r.prefix);
  rtm.rtm_table = static_cast<uint8_t>(r.table < 256 ? r.table : static_cast<uint32_t>(RT_TABLE_UNSPEC));
  rtm.rtm_protocol = static_cast<uint8_t>(r.protocol);
  rtm.rtm_scope = static_cast<uint8_t>(r.op == Request::kDelRoute ? RT_SCOPE_NOWHERE : r.scope);
  rtm.rtm_type = static_cast<uint8_t>(r.type);
  mb.Put(&rtm, sizeof rtm);
  mb.AttrU32(RTA_TABLE, r.table);
  if (r.prefix > 0) mb.Attr(RTA_DST, r.addr.data(), r.addr.size());
  if (!r.gateway.empty()) mb.Attr(RTA_GATEWAY, r.gateway.data(), r.gateway.size());
  if (!r.dev.empty()) {
    auto it = idx.find(r.dev);
    mb.AttrU32(RTA_OIF, it == idx.end() ? 0 : it->second);
  }
  if (r.metric >= 0) mb.AttrU32(RTA_PRIORITY, static_cast<uint32_t>(r.metric));
  mb.End();
}

}  // namespace nl
}  // namespace opdbus
