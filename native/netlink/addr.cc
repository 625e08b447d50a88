// Addresses: IPv4/IPv6 dump parsing (local/peer address, prefix, scope, flags, label, lifetimes) and
// RTM_NEWADDR/RTM_DELADDR builders.
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <sys/socket.h>

#include <cstring>

#include "netlink/rtnl.h"

namespace opdbus {
namespace nl {

void AddrDumpRequest(MsgBuf& mb, uint32_t seq) {
  mb.Begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_UNSPEC;
  mb.Put(&ifa, sizeof ifa);
  mb.End();
}

void AddrToJson(const nlmsghdr* h, Json& js) {
  auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(h));
  Attrs tb;
  tb.Parse(IFA_RTA(ifa), static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *ifa)));
  int fam = ifa->ifa_family;
  js.Open();
  js.Int("index", ifa->ifa_index);
  js.Int("family", fam == AF_INET ? 4 : 6);
  js.Int("prefix", ifa->ifa_prefixlen);
  js.Int("scope", ifa->ifa_scope);
  js.Int("flags", tb[IFA_FLAGS] ? U32(tb[IFA_FLAGS]) : ifa->ifa_flags);
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS differs only on point-to-point links (the peer).
  const rtattr* local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (local) js.Str("local", FormatAddr(fam, Data(local), Len(local)));
  if (tb[IFA_LOCAL] && tb[IFA_ADDRESS] && (Len(tb[IFA_LOCAL]) != Len(tb[IFA_ADDRESS]) || memcmp(Data(tb[IFA_LOCAL]), Data(tb[IFA_ADDRESS]), Len(tb[IFA_LOCAL])) != 0))
    js.Str("peer", FormatAddr(fam, Data(tb[IFA_ADDRESS]), Len(tb[IFA_ADDRESS])));
  if (tb[IFA_BROADCAST]) js.Str("broadcast", FormatAddr(fam, Data(tb[IFA_BROADCAST]), Len(tb[IFA_BROADCAST])));
  if (tb[IFA_LABEL]) js.Str("label", Str(tb[IFA_LABEL]));
  if (tb[IFA_CACHEINFO] && Len(tb[IFA_CACHEINFO]) >= static_cast<int>(sizeof(ifa_cacheinfo))) {
    ifa_cacheinfo ci;
    memcpy(&ci, Data(tb[IFA_CACHEINFO]), sizeof ci);
    js.Int("valid", ci.ifa_valid);
    js.Int("preferred", ci.ifa_prefered);
  }
  js.Close();
}

void BuildAddr(MsgBuf& mb, uint32_t seq, const Request& r, const IfIndex& idx) {
  uint16_t flags = NLM_F_REQUEST | NLM_F_ACK;
  if (r.op == Request::kNewAddr) flags |= NLM_F_CREATE | NLM_F_EXCL;
  mb.Begin(r.op == Request::kNewAddr ? RTM_NEWADDR : RTM_DELADDR, flags, seq);
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<uint8_t>(r.family);
  ifa.ifa_prefixlen = static_cast<uint8_t>(r.prefix);
  auto it = idx.find(r.dev);
  ifa.ifa_index = it == idx.end() ? 0 : it->second;
  mb.Put(&ifa, sizeof ifa);
  mb.Attr(IFA_LOCAL, r.addr.data(), r.addr.size());
  mb.Attr(IFA_ADDRESS, r.addr.data(), r.addr.size());
  if (r.family == AF_INET && r.op == Request::kNewAddr && r.prefix < 31) {
    // Same broadcast `ip addr add ... brd +` would set: the host part all ones.
    uint32_t a;
    memcpy(&a, r.addr.data(), 4);
    uint32_t mask = r.prefix == 0 ? 0 : htonl(~((1u << (32 - r.prefix)) - 1));
    uint32_t brd = a | ~mask;
    mb.Attr(IFA_BROADCAST, &brd, 4);
  }
  mb.End();
}

}  // namespace nl
}  // namespace opdbus
