// The sync-or-async batch runner and argument readers shared by the hash module's functions.
#include "hash/batch.h"

#include <cmath>
#include <exception>

#include "core/errors.h"

namespace opdbus {
namespace hash {
namespace {

class BatchWorker : public Napi::AsyncWorker {
 public:
  BatchWorker(Napi::Env env, const char* name, const std::vector<Napi::Value>& pinned, Compute compute)
      : Napi::AsyncWorker(env, name), deferred_(Napi::Promise::Deferred::New(env)), compute_(std::move(compute)) {
    for (const Napi::Value& v : pinned) refs_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      result_ = compute_();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override { deferred_.Resolve(ToBuffer(Env(), std::move(result_))); }
  void OnError(const Napi::Error& err) override { deferred_.Reject(err.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> refs_;
  Compute compute_;
  Bytes result_;
};

}  // namespace

Napi::Buffer<uint8_t> ToBuffer(Napi::Env env, Bytes&& bytes) {
  if (bytes.empty()) return Napi::Buffer<uint8_t>::New(env, 0);
  auto* owned = new Bytes(std::move(bytes));
  return Napi::Buffer<uint8_t>::New(
      env, owned->data(), owned->size(), [](Napi::Env, uint8_t*, Bytes* hint) { delete hint; }, owned);
}

Napi::Value RunBatch(Napi::Env env, const char* name, size_t workBytes, const std::vector<Napi::Value>& pinned,
                     Compute compute) {
  if (workBytes < kAsyncThresholdBytes) return ToBuffer(env, compute());
  auto* worker = new BatchWorker(env, name, pinned, std::move(compute));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

ByteView BytesArg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    ThrowArgError(info.Env(), std::string(what) + " must be a Buffer");
  }
  Napi::Uint8Array arr = v.As<Napi::Uint8Array>();
  return ByteView{arr.Data(), arr.ByteLength()};
}

uint64_t U64Arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  Napi::Value v = info[i];
  if (v.IsBigInt()) {
    bool lossless = false;
    uint64_t out = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (!lossless) ThrowArgError(info.Env(), std::string(what) + " must fit in 64 bits");
    return out;
  }
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d >= 0 && d <= 9007199254740991.0 && std::floor(d) == d) return static_cast<uint64_t>(d);
  }
  ThrowArgError(info.Env(), std::string(what) + " must be a non-negative integer");
}

}  // namespace hash
}  // namespace opdbus
