// netlinkApply(netns, JSON of phases) -> Promise<(Error|null|undefined)[][]>: phases of change requests sent in
// order on one socket from a worker thread; per phase, names are resolved to ifindexes with one batched
// RTM_GETLINK round, then the requests go out as one windowed batch and each ACK is matched by sequence
// number. A refusal stops later phases. Errors stay data until OnOK builds them on the JS thread.
#include <linux/if_tun.h>

#include <cerrno>
#include <set>

#include "netlink/bindings.h"

namespace opdbus {
namespace nl {
namespace {

struct Outcome {
  SysError err;
  bool ran = false;
};

class ApplyWorker : public Napi::AsyncWorker {
 public:
  ApplyWorker(Napi::Env env, std::string netns, std::vector<std::vector<Request>> phases)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), netns_(std::move(netns)), phases_(std::move(phases)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    Socket sock;
    fatal_ = sock.Open(netns_);
    if (fatal_.failed()) return;
    for (const auto& phase : phases_) {
      outcomes_.emplace_back(phase.size());
      if (!RunPhase(sock, phase, outcomes_.back())) return;
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (fatal_.failed()) return deferred_.Reject(MakeError(env, fatal_).Value());
    Napi::Array result = Napi::Array::New(env, outcomes_.size());
    for (size_t p = 0; p < outcomes_.size(); p++) {
      Napi::Array arr = Napi::Array::New(env, outcomes_[p].size());
      for (size_t i = 0; i < outcomes_[p].size(); i++) {
        const Outcome& o = outcomes_[p][i];
        arr.Set(i, o.err.failed() ? MakeError(env, o.err).Value() : o.ran ? env.Null() : env.Undefined());
      }
      result.Set(p, arr);
    }
    deferred_.Resolve(result);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  static const char* TypeName(Request::Op op) {
    static const char* names[] = {"RTM_NEWLINK", "RTM_NEWLINK", "RTM_DELLINK", "RTM_NEWADDR", "RTM_DELADDR", "RTM_NEWROUTE", "RTM_NEWROUTE", "RTM_DELROUTE"};
    return names[op];
  }

  // Resolves every name the phase refers to (one batched RTM_GETLINK per name), then sends the phase's
  // requests as one batch. Returns false when any request failed: later phases depend on this one.
  bool RunPhase(Socket& sock, const std::vector<Request>& phase, std::vector<Outcome>& out) {
    std::vector<std::string> names;
    for (const Request& r : phase) NamesOf(r, names);
    std::set<std::string> unique(names.begin(), names.end());
    names.assign(unique.begin(), unique.end());
    IfIndex idx;
    if (!names.empty()) {
      std::vector<std::vector<char>> msgs;
      uint32_t first = sock.NextSeq();
      for (size_t i = 0; i < names.size(); i++) {
        MsgBuf mb;
        LinkGetRequest(mb, i == 0 ? first : sock.NextSeq(), names[i]);
        msgs.push_back(mb.Bytes());
      }
      fatal_ = TransactLookups(sock, msgs, first, names, idx);
      if (fatal_.failed()) return false;
    }
    std::vector<std::vector<char>> msgs;
    std::vector<size_t> sent;
    uint32_t first = 0;
    bool ok = true;
    for (size_t i = 0; i < phase.size(); i++) {
      const Request& r = phase[i];
      std::vector<std::string> need;
      NamesOf(r, need);
      std::string missing;
      for (const std::string& n : need)
        if (!idx.count(n)) missing = n;
      if (!missing.empty()) {
        out[i].ran = true;
        out[i].err = SysError::FromErrno(ENODEV, TypeName(r.op), r.subject);
        out[i].err.message = "link " + missing + " does not exist";
        ok = false;
        continue;
      }
      MsgBuf mb;
      if (r.op == Request::kNewLink && r.kind == "tun") {
        // tun/tap: created through /dev/net/tun, then its settings go out as an ordinary RTM_NEWLINK.
        SysError err = CreateTun(netns_, r.name, r.tunType == IFF_TAP);
        if (err.failed()) {
          out[i].ran = true;
          out[i].err = err;
          out[i].err.subject = r.subject;
          ok = false;
          continue;
        }
        Request set = r;
        set.op = Request::kSetLink;
        uint32_t seq = sock.NextSeq();
        if (msgs.empty()) first = seq;
        BuildLink(mb, seq, set, idx);
        msgs.push_back(mb.Bytes());
        sent.push_back(i);
        continue;
      }
      uint32_t seq = sock.NextSeq();
      if (msgs.empty()) first = seq;
      if (r.op <= Request::kDelLink) BuildLink(mb, seq, r, idx);
      else if (r.op <= Request::kDelAddr) BuildAddr(mb, seq, r, idx);
      else BuildRoute(mb, seq, r, idx);
      msgs.push_back(mb.Bytes());
      sent.push_back(i);
    }
    if (msgs.empty()) return ok;
    std::vector<Ack> acks;
    fatal_ = sock.Transact(msgs, first, acks);
    if (fatal_.failed()) return false;
    for (size_t k = 0; k < sent.size(); k++) {
      Outcome& o = out[sent[k]];
      o.ran = true;
      if (acks[k].errnum) {
        o.err = SysError::FromErrno(acks[k].errnum, TypeName(phase[sent[k]].op), phase[sent[k]].subject);
        o.err.message = acks[k].extack;
        ok = false;
      }
    }
    return ok;
  }

  static SysError TransactLookups(Socket& sock, const std::vector<std::vector<char>>& msgs, uint32_t first,
                                  const std::vector<std::string>& names, IfIndex& idx) {
    // Lookups are sent with NLM_F_ACK so each gets exactly one NLMSG_ERROR (0 after the reply).
    std::vector<std::vector<char>> acked = msgs;
    for (auto& m : acked) reinterpret_cast<nlmsghdr*>(m.data())->nlmsg_flags |= NLM_F_ACK;
    std::vector<Ack> acks;
    SysError err = sock.Transact(acked, first, acks, [&](size_t i, const nlmsghdr* h) {
      if (h->nlmsg_type == RTM_NEWLINK) idx[names[i]] = static_cast<const ifinfomsg*>(NLMSG_DATA(h))->ifi_index;
    });
    return err;
  }

  Napi::Promise::Deferred deferred_;
  std::string netns_;
  std::vector<std::vector<Request>> phases_;
  std::vector<std::vector<Outcome>> outcomes_;
  SysError fatal_;
};

}  // namespace

Napi::Value Apply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) ThrowArgError(env, "netlinkApply(netns: string, phasesJson: string)");
  auto phases = ParsePhases(env, info[1].As<Napi::String>().Utf8Value());
  auto* w = new ApplyWorker(env, info[0].As<Napi::String>(), std::move(phases));
  w->Queue();
  return w->Promise();
}

}  // namespace nl
}  // namespace opdbus
