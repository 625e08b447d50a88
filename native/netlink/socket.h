// A raw NETLINK_ROUTE socket (optionally opened inside a named network namespace), message building,
// attribute parsing, dumps with NLM_F_DUMP_INTR retry and windowed request batches with ACK matching.
// Everything here is plain C++ with no napi calls, so it runs on worker threads.
#pragma once
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/errors.h"

namespace opdbus {
namespace nl {

// Appends netlink messages (header, fixed struct, attributes, nests) to one growing buffer.
class MsgBuf {
 public:
  void Begin(uint16_t type, uint16_t flags, uint32_t seq);
  void* Put(const void* data, size_t len);  // aligned payload (the fixed struct after the header)
  void Attr(uint16_t type, const void* data, size_t len);
  void AttrU32(uint16_t type, uint32_t v) { Attr(type, &v, 4); }
  void AttrU16(uint16_t type, uint16_t v) { Attr(type, &v, 2); }
  void AttrU8(uint16_t type, uint8_t v) { Attr(type, &v, 1); }
  void AttrStr(uint16_t type, const std::string& s) { Attr(type, s.c_str(), s.size() + 1); }
  size_t NestBegin(uint16_t type);
  void NestEnd(size_t offset);
  void End();  // fixes the length of the current message
  const std::vector<char>& Bytes() const { return buf_; }
  void Clear() { buf_.clear(); }

 private:
  std::vector<char> buf_;
  size_t msgStart_ = 0;
};

// Attributes of one message indexed by type (unknown or repeated-later types: last one wins).
struct Attrs {
  static constexpr int kMax = 64;
  const rtattr* tb[kMax + 1] = {};
  void Parse(const rtattr* rta, int len);
  const rtattr* operator[](int i) const { return i <= kMax ? tb[i] : nullptr; }
};
uint32_t U32(const rtattr* a);
uint16_t U16(const rtattr* a);
uint8_t U8(const rtattr* a);
const char* Str(const rtattr* a);
const void* Data(const rtattr* a);
int Len(const rtattr* a);

// Outcome of one request in a batch: errno 0 = acknowledged.
struct Ack {
  int errnum = 0;
  std::string extack;  // kernel's explanation, when it gave one
};

class Socket {
 public:
  Socket() = default;
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Opens the socket in `netnsPath` ("" = the calling thread's namespace), joined to `groups`.
  SysError Open(const std::string& netnsPath, uint32_t groups = 0);
  int Fd() const { return fd_; }
  uint32_t NextSeq() { return ++seq_; }

  // Sends one dump request (built by `build` with the given seq) and hands every reply to `onMsg`.
  // Restarts (after `reset`) when the kernel flags the dump as interrupted by a concurrent change.
  SysError Dump(const std::function<void(MsgBuf&, uint32_t seq)>& build, const std::function<void(const nlmsghdr*)>& onMsg,
                const std::function<void()>& reset);

  // Sends the messages of `batch` (each built with consecutive seqs starting at `firstSeq`) in windows
  // and matches each ACK/error (and any reply, through onReply) to its request by sequence number.
  SysError Transact(const std::vector<std::vector<char>>& msgs, uint32_t firstSeq, std::vector<Ack>& acks,
                    const std::function<void(size_t index, const nlmsghdr*)>& onReply = nullptr);

  // Reads one datagram (blocking unless MSG_DONTWAIT in flags); returns bytes or -errno.
  ssize_t Recv(int flags);
  const char* Buffer() const { return rbuf_.data(); }

 private:
  int fd_ = -1;
  uint32_t seq_ = 0;
  size_t window_ = 256;  // requests in flight per window (their replies must fit the receive buffer)
  std::vector<char> rbuf_;
};

// Creates a persistent tun or tap device in the namespace (the kernel makes these only through
// /dev/net/tun, not RTM_NEWLINK); its settings are then changed over netlink like any link.
SysError CreateTun(const std::string& netnsPath, const std::string& name, bool tap);

// Formats addresses for JSON output.
std::string FormatAddr(int family, const void* data, int len);
std::string FormatMac(const void* data, int len);

// Minimal JSON writer for the compact dump output (built on the worker thread, parsed once in JS).
class Json {
 public:
  std::string out;
  void Open() { Sep(); out += '{'; first_ = true; }
  void Close() { out += '}'; first_ = false; }
  void OpenArr() { out += '['; first_ = true; }
  void CloseArr() { out += ']'; first_ = false; }
  void Key(const char* k) { Sep(); out += '"'; out += k; out += "\":"; first_ = true; }
  void Int(const char* k, long long v) { Key(k); out += std::to_string(v); first_ = false; }
  void Str(const char* k, const std::string& v) { Key(k); Quote(v); first_ = false; }
  void Bool(const char* k, bool v) { Key(k); out += v ? "true" : "false"; first_ = false; }
  void ObjKey(const char* k) { Key(k); out += '{'; first_ = true; }
  void Quote(const std::string& v);
  // Drops everything written after `mark` (a position just after an opening bracket).
  void Rewind(size_t mark) { out.resize(mark); first_ = true; }

 private:
  void Sep() { if (!first_) out += ','; first_ = false; }
  bool first_ = true;
};

}  // namespace nl
}  // namespace opdbus
