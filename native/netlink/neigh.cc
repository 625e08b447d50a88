// Neighbours (ARP / NDP entries): dump parsing. Bridge FDB entries, which the same dump can yield, are
// skipped: opdbus models only IP neighbours.
#include <linux/neighbour.h>
#include <sys/socket.h>

#include "netlink/rtnl.h"

namespace opdbus {
namespace nl {

void NeighDumpRequest(MsgBuf& mb, uint32_t seq) {
  mb.Begin(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, seq);
  ndmsg nd{};
  nd.ndm_family = AF_UNSPEC;
  mb.Put(&nd, sizeof nd);
  mb.End();
}

bool NeighToJson(const nlmsghdr* h, Json& js) {
  auto* nd = static_cast<const ndmsg*>(NLMSG_DATA(h));
  int fam = nd->ndm_family;
  if (fam != AF_INET && fam != AF_INET6) return false;
  Attrs tb;
  tb.Parse(reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(nd) + NLMSG_ALIGN(sizeof *nd)),
           static_cast<int>(h->nlmsg_len - NLMSG_LENGTH(sizeof *nd)));
  js.Open();
  js.Int("family", fam == AF_INET ? 4 : 6);
  js.Int("index", nd->ndm_ifindex);
  if (tb[NDA_DST]) js.Str("dst", FormatAddr(fam, Data(tb[NDA_DST]), Len(tb[NDA_DST])));
  if (tb[NDA_LLADDR]) js.Str("lladdr", FormatMac(Data(tb[NDA_LLADDR]), Len(tb[NDA_LLADDR])));
  js.Int("state", nd->ndm_state);
  js.Int("flags", nd->ndm_flags);
  js.Close();
  return true;
}

}  // namespace nl
}  // namespace opdbus
