// The JSON of JS request phases -> Request structs (addresses and MACs to bytes, names kept for native lookup).
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <sys/socket.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>
#include <vector>

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

namespace {

// A request field's value: JSON requests are flat objects of strings, numbers, booleans and null.
// kOther: an object or array, which no request field takes (read as N-API read it: not a string, not a number).
struct Field {
  enum Type { kString, kNumber, kBool, kNull, kOther } type = kNull;
  std::string s;
  double n = 0;
  bool b = false;
  std::string str() const { return type == kString ? s : std::string(); }
  // As napi_get_value_int64: truncated, saturated at the int64 range, 0 for what is not a finite number.
  int64_t num() const {
    if (type != kNumber || !std::isfinite(n)) return 0;
    if (n >= 9223372036854775808.0) return INT64_MAX;
    if (n <= -9223372036854775808.0) return INT64_MIN;
    return static_cast<int64_t>(n);
  }
};

enum class Key { kOther, kOp, kSubject, kName, kNewName, kKind, kPeer, kMaster, kMac, kMtu, kUp, kVxlanId, kVxlanRemote, kVxlanLocal, kVxlanPort, kVxlanDev, kMacvlanMode, kMacvlanBase, kTunType, kFamily, kDev, kAddress, kPrefix, kGateway, kTable, kProtocol, kScope, kType, kMetric };

Key KeyOf(const std::string& k) {
  static const std::unordered_map<std::string, Key> keys = {
      {"op", Key::kOp},
      {"subject", Key::kSubject},
      {"name", Key::kName},
      {"newName", Key::kNewName},
      {"kind", Key::kKind},
      {"peer", Key::kPeer},
      {"master", Key::kMaster},
      {"mac", Key::kMac},
      {"mtu", Key::kMtu},
      {"up", Key::kUp},
      {"vxlanId", Key::kVxlanId},
      {"vxlanRemote", Key::kVxlanRemote},
      {"vxlanLocal", Key::kVxlanLocal},
      {"vxlanPort", Key::kVxlanPort},
      {"vxlanDev", Key::kVxlanDev},
      {"macvlanMode", Key::kMacvlanMode},
      {"macvlanBase", Key::kMacvlanBase},
      {"tunType", Key::kTunType},
      {"family", Key::kFamily},
      {"dev", Key::kDev},
      {"address", Key::kAddress},
      {"prefix", Key::kPrefix},
      {"gateway", Key::kGateway},
      {"table", Key::kTable},
      {"protocol", Key::kProtocol},
      {"scope", Key::kScope},
      {"type", Key::kType},
      {"metric", Key::kMetric},
  };
  auto it = keys.find(k);
  return it == keys.end() ? Key::kOther : it->second;
}

void SetField(Napi::Env env, Request& r, bool& hasOp, std::string& address, const std::string& k, const Field& v) {
  static const std::map<std::string, Request::Op> ops = {
      {"newlink", Request::kNewLink}, {"setlink", Request::kSetLink}, {"dellink", Request::kDelLink},
      {"newaddr", Request::kNewAddr}, {"deladdr", Request::kDelAddr}, {"newroute", Request::kNewRoute},
      {"replaceroute", Request::kReplaceRoute}, {"delroute", Request::kDelRoute}};
  static const std::map<std::string, uint32_t> macvlanModes = {
      {"private", MACVLAN_MODE_PRIVATE}, {"vepa", MACVLAN_MODE_VEPA}, {"bridge", MACVLAN_MODE_BRIDGE},
      {"passthru", MACVLAN_MODE_PASSTHRU}, {"source", MACVLAN_MODE_SOURCE}};
  switch (KeyOf(k)) {
    case Key::kOp: {
      auto op = ops.find(v.str());
      if (op == ops.end()) ThrowArgError(env, "request.op: unknown operation " + v.str());
      r.op = op->second;
      hasOp = true;
      break;
    }
    case Key::kSubject: r.subject = v.str(); break;
    case Key::kName: r.name = v.str(); break;
    case Key::kNewName: r.newName = v.str(); break;
    case Key::kKind: r.kind = v.str(); break;
    case Key::kPeer: r.peer = v.str(); break;
    case Key::kMaster:
      r.setMaster = v.type == Field::kString || v.type == Field::kNull;
      r.master = v.str();
      break;
    case Key::kMac: r.mac = MacBytes(env, v.str()); break;
    case Key::kMtu: r.mtu = static_cast<int>(v.num()); break;
    case Key::kUp: r.up = v.type == Field::kBool ? (v.b ? 1 : 0) : -1; break;
    case Key::kVxlanId:
      if (v.type != Field::kNumber) break;
      r.hasVxlanId = true;
      r.vxlanId = static_cast<uint32_t>(v.num());
      break;
    case Key::kVxlanRemote: r.vxlanRemote = IpBytes(env, v.str(), "vxlanRemote"); break;
    case Key::kVxlanLocal: r.vxlanLocal = IpBytes(env, v.str(), "vxlanLocal"); break;
    case Key::kVxlanPort: r.vxlanPort = static_cast<uint16_t>(v.num()); break;
    case Key::kVxlanDev: r.vxlanDev = v.str(); break;
    case Key::kMacvlanMode: {
      auto m = macvlanModes.find(v.str());
      if (m == macvlanModes.end()) ThrowArgError(env, "macvlanMode: unknown mode " + v.str());
      r.macvlanMode = m->second;
      break;
    }
    case Key::kMacvlanBase: r.macvlanBase = v.str(); break;
    case Key::kTunType: r.tunType = v.str() == "tap" ? IFF_TAP : IFF_TUN; break;
    case Key::kFamily: r.family = v.num() == 6 ? AF_INET6 : AF_INET; break;
    case Key::kDev: r.dev = v.str(); break;
    case Key::kAddress: address = v.str(); break;
    case Key::kPrefix: r.prefix = static_cast<int>(v.num()); break;
    case Key::kGateway: r.gateway = IpBytes(env, v.str(), "gateway"); break;
    case Key::kTable: r.table = static_cast<uint32_t>(v.num()); break;
    case Key::kProtocol: r.protocol = static_cast<int>(v.num()); break;
    case Key::kScope: r.scope = static_cast<int>(v.num()); break;
    case Key::kType: r.type = static_cast<int>(v.num()); break;
    case Key::kMetric: r.metric = v.num(); break;
    case Key::kOther: break;  // the JS side's `path` and the like are not the kernel's business
  }
}

// A reader for what JSON.stringify makes of NetlinkRequest[][]: arrays of arrays of flat objects.
// Text that is not of that shape is a TypeError naming the byte where the reader noticed. It trusts
// its one writer on the rest: the inside of a value it skips is not checked, and std::from_chars
// takes a few number forms JSON does not (inf, nan, .5).
class Reader {
 public:
  Reader(Napi::Env env, const std::string& text) : env_(env), p_(text.data()), begin_(text.data()), end_(text.data() + text.size()) {}

  std::vector<std::vector<Request>> Phases() {
    std::vector<std::vector<Request>> phases;
    Expect('[');
    if (!Eat(']')) {
      do {
        phases.emplace_back();
        Expect('[');
        if (!Eat(']')) {
          do phases.back().push_back(Object());
          while (Eat(','));
          Close(']');
        }
      } while (Eat(','));
      Close(']');
    }
    Space();
    if (p_ != end_) Fail("the end of the text");
    return phases;
  }

 private:
  Request Object() {
    Request r;
    r.family = AF_INET;
    bool hasOp = false;
    std::string address;
    Expect('{');
    if (!Eat('}')) {
      do {
        Expect('"');
        std::string key = String();
        Expect(':');
        SetField(env_, r, hasOp, address, key, Value());
      } while (Eat(','));
      Close('}');
    }
    if (!hasOp) ThrowArgError(env_, "request.op is required");
    r.addr = IpBytes(env_, address, "address");
    if (r.op >= Request::kNewAddr && r.addr.empty() && !(r.op >= Request::kNewRoute && r.prefix == 0))
      ThrowArgError(env_, r.subject + ": address is required");
    return r;
  }

  Field Value() {
    Space();
    Field f;
    if (p_ == end_) Fail("a value");
    if (*p_ == '"') {
      p_++;
      f.type = Field::kString;
      f.s = String();
    } else if (Word("true")) {
      f.type = Field::kBool;
      f.b = true;
    } else if (Word("false")) {
      f.type = Field::kBool;
    } else if (Word("null")) {
      f.type = Field::kNull;
    } else if (*p_ == '{' || *p_ == '[') {
      SkipNested();
      f.type = Field::kOther;
    } else {
      auto [after, ec] = std::from_chars(p_, end_, f.n);  // locale-independent, unlike strtod
      if (ec != std::errc() || after == p_) Fail("a string, number, boolean or null");
      f.type = Field::kNumber;
      p_ = after;
    }
    return f;
  }

  // Steps over an object or array (a value no request field takes), strings and escapes included.
  void SkipNested() {
    int depth = 0;
    do {
      Space();
      if (p_ == end_) Fail("the end of a nested value");
      char c = *p_++;
      if (c == '{' || c == '[') depth++;
      else if (c == '}' || c == ']') depth--;
      else if (c == '"') String();
    } while (depth > 0);
  }

  // After the opening quote; JSON.stringify's escapes, \uXXXX (and surrogate pairs) as UTF-8.
  std::string String() {
    std::string out;
    for (;;) {
      const char* run = p_;
      while (p_ != end_ && *p_ != '"' && *p_ != '\\') p_++;
      out.append(run, p_ - run);
      if (p_ == end_) Fail("the end of a string");
      if (*p_++ == '"') return out;
      if (p_ == end_) Fail("an escape");
      char e = *p_++;
      switch (e) {
        case '"': case '\\': case '/': out.push_back(e); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'u': {
          uint32_t cp = Hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
            const char* save = p_;
            p_ += 2;
            uint32_t low = Hex4();
            if (low >= 0xDC00 && low < 0xE000) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            else p_ = save;
          }
          Utf8(cp, out);
          break;
        }
        default: Fail("a valid escape");
      }
    }
  }

  uint32_t Hex4() {
    if (end_ - p_ < 4) Fail("four hex digits");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
      char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9') v |= c - '0';
      else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
      else Fail("four hex digits");
    }
    return v;
  }

  // A lone surrogate (JSON.stringify escapes them) becomes U+FFFD, as V8's UTF-8 conversion makes it.
  static void Utf8(uint32_t cp, std::string& out) {
    if (cp >= 0xD800 && cp < 0xE000) cp = 0xFFFD;
    if (cp < 0x80) out.push_back(static_cast<char>(cp));
    else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  void Space() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) p_++;
  }
  bool Eat(char c) {
    Space();
    if (p_ != end_ && *p_ == c) {
      p_++;
      return true;
    }
    return false;
  }
  void Expect(char c) {
    if (!Eat(c)) Fail(std::string("'") + c + "'");
  }
  // The end of a list: after an item, only ',' or the closing bracket may come.
  void Close(char c) {
    if (!Eat(c)) Fail(std::string("',' or '") + c + "'");
  }
  bool Word(const char* w) {
    size_t n = strlen(w);
    if (static_cast<size_t>(end_ - p_) < n || memcmp(p_, w, n) != 0) return false;
    p_ += n;
    return true;
  }
  [[noreturn]] void Fail(const std::string& expected) {
    ThrowArgError(env_, "netlinkApply: expected " + expected + " at byte " + std::to_string(p_ - begin_) + " of the requests' JSON");
  }

  Napi::Env env_;
  const char* p_;
  const char* begin_;
  const char* end_;
};

}  // namespace

// JSON.stringify(phases) is parsed here in one pass: reading thousands of request objects through
// N-API (a call per property) took ~15 ms of the JS thread for a 1,000-link apply, this ~1 ms.
std::vector<std::vector<Request>> ParsePhases(Napi::Env env, const std::string& json) {
  return Reader(env, json).Phases();
}
}  // namespace nl
}  // namespace opdbus
