// NETLINK_ROUTE socket, message builder, attribute parser and JSON helpers (see socket.h).
#include "netlink/socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace opdbus {
namespace nl {

void MsgBuf::Begin(uint16_t type, uint16_t flags, uint32_t seq) {
  msgStart_ = buf_.size();
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  buf_.resize(msgStart_ + NLMSG_HDRLEN);
  memcpy(buf_.data() + msgStart_, &h, sizeof h);
}

void* MsgBuf::Put(const void* data, size_t len) {
  size_t off = buf_.size();
  buf_.resize(off + NLMSG_ALIGN(len), 0);
  memcpy(buf_.data() + off, data, len);
  return buf_.data() + off;
}

void MsgBuf::Attr(uint16_t type, const void* data, size_t len) {
  size_t off = buf_.size();
  buf_.resize(off + RTA_ALIGN(RTA_LENGTH(len)), 0);
  rtattr a{};
  a.rta_type = type;
  a.rta_len = RTA_LENGTH(len);
  memcpy(buf_.data() + off, &a, sizeof a);
  if (len) memcpy(buf_.data() + off + RTA_LENGTH(0), data, len);
}

size_t MsgBuf::NestBegin(uint16_t type) {
  size_t off = buf_.size();
  Attr(type | NLA_F_NESTED, nullptr, 0);
  return off;
}

void MsgBuf::NestEnd(size_t offset) {
  auto* a = reinterpret_cast<rtattr*>(buf_.data() + offset);
  a->rta_len = static_cast<unsigned short>(buf_.size() - offset);
}

void MsgBuf::End() {
  auto* h = reinterpret_cast<nlmsghdr*>(buf_.data() + msgStart_);
  h->nlmsg_len = static_cast<uint32_t>(buf_.size() - msgStart_);
}

void Attrs::Parse(const rtattr* rta, int len) {
  for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
    int type = rta->rta_type & NLA_TYPE_MASK;
    if (type <= kMax) tb[type] = rta;
  }
}

const void* Data(const rtattr* a) { return RTA_DATA(a); }
int Len(const rtattr* a) { return static_cast<int>(RTA_PAYLOAD(a)); }
uint32_t U32(const rtattr* a) {
  uint32_t v = 0;
  memcpy(&v, RTA_DATA(a), Len(a) < 4 ? Len(a) : 4);
  return v;
}
uint16_t U16(const rtattr* a) {
  uint16_t v = 0;
  memcpy(&v, RTA_DATA(a), Len(a) < 2 ? Len(a) : 2);
  return v;
}
uint8_t U8(const rtattr* a) { return Len(a) >= 1 ? *static_cast<const uint8_t*>(RTA_DATA(a)) : 0; }
const char* Str(const rtattr* a) { return static_cast<const char*>(RTA_DATA(a)); }

Socket::~Socket() {
  if (fd_ >= 0) close(fd_);
}

// Runs `fn` with this thread inside the target namespace ("" = where it is), then returns the thread
// (a libuv pool thread) to where it was. Sockets and tun devices keep the namespace they were made in.
static SysError InNetns(const std::string& netnsPath, const std::function<SysError()>& fn) {
  if (netnsPath.empty()) return fn();
  int target = open(netnsPath.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) return SysError::FromErrno(errno, "open", "network namespace " + netnsPath);
  int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (self < 0) {
    SysError err = SysError::FromErrno(errno, "open", "/proc/thread-self/ns/net");
    close(target);
    return err;
  }
  SysError err;
  if (setns(target, CLONE_NEWNET) != 0) {
    err = SysError::FromErrno(errno, "setns", "network namespace " + netnsPath);
  } else {
    err = fn();
    if (setns(self, CLONE_NEWNET) != 0) {
      // A pool thread stuck in another namespace would silently act on the wrong host: stop now.
      fprintf(stderr, "opdbus: cannot return a thread to its network namespace: %s\n", strerror(errno));
      abort();
    }
  }
  close(self);
  close(target);
  return err;
}

SysError CreateTun(const std::string& netnsPath, const std::string& name, bool tap) {
  return InNetns(netnsPath, [&]() -> SysError {
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) return SysError::FromErrno(errno, "open", "/dev/net/tun");
    ifreq ifr{};
    strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
    ifr.ifr_flags = static_cast<short>((tap ? IFF_TAP : IFF_TUN) | IFF_NO_PI);
    SysError err;
    if (ioctl(fd, TUNSETIFF, &ifr) != 0) err = SysError::FromErrno(errno, "ioctl(TUNSETIFF)");
    else if (ioctl(fd, TUNSETPERSIST, 1) != 0) err = SysError::FromErrno(errno, "ioctl(TUNSETPERSIST)");
    close(fd);
    return err;
  });
}

SysError Socket::Open(const std::string& netnsPath, uint32_t groups) {
  SysError err = InNetns(netnsPath, [&]() -> SysError {
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    return fd_ < 0 ? SysError::FromErrno(errno, "socket(NETLINK_ROUTE)", netnsPath.empty() ? "" : "in " + netnsPath) : SysError{};
  });
  if (err.failed()) return err;
  int one = 1;
  setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
  int rcv = 4 << 20;
  if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) != 0) {
    // Without CAP_NET_ADMIN the buffer stays near net.core.rmem_max: send smaller windows.
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
    window_ = 32;
  }
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = groups;
  if (bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return SysError::FromErrno(errno, "bind(NETLINK_ROUTE)");
  rbuf_.resize(256 * 1024);
  return {};
}

ssize_t Socket::Recv(int flags) {
  for (;;) {
    ssize_t n = recv(fd_, rbuf_.data(), rbuf_.size(), flags);
    if (n >= 0) return n;
    if (errno != EINTR) return -errno;
  }
}

static SysError SendBuf(int fd, const char* data, size_t len) {
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  for (;;) {
    ssize_t n = sendto(fd, data, len, 0, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    if (n >= 0) return {};
    if (errno != EINTR) return SysError::FromErrno(errno, "sendto(NETLINK_ROUTE)");
  }
}

static Ack ParseAck(const nlmsghdr* h) {
  Ack ack;
  auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
  ack.errnum = -e->error;
  if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
    // With NETLINK_CAP_ACK the request is not echoed: TLVs follow the nlmsgerr header directly.
    size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nlmsgerr));
    if (!(h->nlmsg_flags & NLM_F_CAPPED)) off += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
    if (off < h->nlmsg_len) {
      auto* rta = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(h) + off);
      Attrs tb;
      tb.Parse(rta, static_cast<int>(h->nlmsg_len - off));
      if (tb[NLMSGERR_ATTR_MSG]) ack.extack = Str(tb[NLMSGERR_ATTR_MSG]);
    }
  }
  return ack;
}

SysError Socket::Dump(const std::function<void(MsgBuf&, uint32_t)>& build, const std::function<void(const nlmsghdr*)>& onMsg,
                      const std::function<void()>& reset) {
  for (int attempt = 0; attempt < 10; attempt++) {
    MsgBuf mb;
    uint32_t seq = NextSeq();
    build(mb, seq);
    SysError err = SendBuf(fd_, mb.Bytes().data(), mb.Bytes().size());
    if (err.failed()) return err;
    bool interrupted = false;
    for (bool done = false; !done;) {
      ssize_t n = Recv(0);
      if (n < 0) return SysError::FromErrno(static_cast<int>(-n), "recv(NETLINK_ROUTE dump)");
      int len = static_cast<int>(n);
      for (auto* h = reinterpret_cast<const nlmsghdr*>(rbuf_.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_seq != seq) continue;
        if (h->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
        if (h->nlmsg_type == NLMSG_DONE) {
          done = true;
          break;
        }
        if (h->nlmsg_type == NLMSG_ERROR) {
          Ack ack = ParseAck(h);
          SysError e = SysError::FromErrno(ack.errnum, "netlink dump");
          e.message = ack.extack;
          return e;
        }
        if (!interrupted) onMsg(h);
      }
    }
    if (!interrupted) return {};
    reset();
  }
  return SysError::FromErrno(EINTR, "netlink dump", "(interrupted by concurrent changes 10 times)");
}

SysError Socket::Transact(const std::vector<std::vector<char>>& msgs, uint32_t firstSeq, std::vector<Ack>& acks,
                          const std::function<void(size_t, const nlmsghdr*)>& onReply) {
  // Windows keep the queued ACKs well inside the receive buffer (each costs ~1 KiB of skb truesize).
  const size_t kWindowMsgs = window_, kWindowBytes = 64 * 1024;
  acks.assign(msgs.size(), Ack{});
  std::vector<char> out;
  for (size_t start = 0; start < msgs.size();) {
    out.clear();
    size_t end = start;
    while (end < msgs.size() && end - start < kWindowMsgs && (out.empty() || out.size() + msgs[end].size() <= kWindowBytes)) {
      out.insert(out.end(), msgs[end].begin(), msgs[end].end());
      end++;
    }
    SysError err = SendBuf(fd_, out.data(), out.size());
    if (err.failed()) return err;
    size_t pending = end - start;
    while (pending > 0) {
      ssize_t n = Recv(0);
      if (n < 0) return SysError::FromErrno(static_cast<int>(-n), "recv(NETLINK_ROUTE ack)");
      int len = static_cast<int>(n);
      for (auto* h = reinterpret_cast<const nlmsghdr*>(rbuf_.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_seq < firstSeq + start || h->nlmsg_seq >= firstSeq + end) continue;
        size_t index = h->nlmsg_seq - firstSeq;
        if (h->nlmsg_type == NLMSG_ERROR) {
          acks[index] = ParseAck(h);
          pending--;
        } else if (onReply) {
          onReply(index, h);
        }
      }
    }
    start = end;
  }
  return {};
}

std::string FormatAddr(int family, const void* data, int len) {
  char buf[INET6_ADDRSTRLEN] = "";
  if ((family == AF_INET && len >= 4) || (family == AF_INET6 && len >= 16)) inet_ntop(family, data, buf, sizeof buf);
  return buf;
}

std::string FormatMac(const void* data, int len) {
  static const char hex[] = "0123456789abcdef";
  std::string s;
  auto* p = static_cast<const uint8_t*>(data);
  for (int i = 0; i < len; i++) {
    if (i) s += ':';
    s += hex[p[i] >> 4];
    s += hex[p[i] & 15];
  }
  return s;
}

void Json::Quote(const std::string& v) {
  out += '"';
  for (unsigned char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char esc[8];
      snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

}  // namespace nl
}  // namespace opdbus
