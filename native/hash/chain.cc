// Batch hashing of variable-length records: hash chaining (link[i] = SHA-256(link[i-1] || record[i]))
// and RFC 6962 leaf hashes. Records arrive as one Buffer plus a Uint32Array of their lengths, and
// the result is one Buffer of N*32 bytes: one JS call per batch instead of N objects.
#include <string>

#include "core/errors.h"
#include "core/module.h"
#include "hash/batch.h"

namespace opdbus {
namespace hash {
namespace {

struct Records {
  const uint8_t* data;
  const uint32_t* lengths;
  size_t count;
  size_t totalBytes;
};

Records RecordsArg(const Napi::CallbackInfo& info, size_t dataIdx) {
  ByteView data = BytesArg(info, dataIdx, "records");
  Napi::Value lv = info[dataIdx + 1];
  if (!lv.IsTypedArray() || lv.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    ThrowArgError(info.Env(), "lengths must be a Uint32Array");
  }
  Napi::Uint32Array lengths = lv.As<Napi::Uint32Array>();
  size_t sum = 0;
  for (size_t i = 0; i < lengths.ElementLength(); i++) sum += lengths[i];
  if (sum != data.length) {
    ThrowArgError(info.Env(), "lengths add up to " + std::to_string(sum) + " bytes but records hold " +
                                  std::to_string(data.length));
  }
  return Records{data.data, lengths.Data(), lengths.ElementLength(), data.length};
}

// hashChain(prev: Buffer(32), records: Buffer, lengths: Uint32Array) -> Buffer | Promise<Buffer>
Napi::Value HashChain(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3) ThrowArgError(env, "hashChain(prev, records, lengths)");
  ByteView prev = BytesArg(info, 0, "prev");
  if (prev.length != kHashSize) ThrowArgError(env, "prev must be 32 bytes");
  Records r = RecordsArg(info, 1);
  std::vector<uint8_t> seed(prev.data, prev.data + kHashSize);
  // Each link hashes the previous 32-byte link too: count it in the work estimate.
  return RunBatch(env, "opdbus.hashChain", r.totalBytes + r.count * kHashSize, {info[1], info[2]}, [r, seed]() {
    Bytes out(r.count * kHashSize);
    const uint8_t* link = seed.data();
    const uint8_t* rec = r.data;
    for (size_t i = 0; i < r.count; i++) {
      uint8_t* next = out.data() + i * kHashSize;
      Sha256Two(link, kHashSize, rec, r.lengths[i], next);
      rec += r.lengths[i];
      link = next;
    }
    return out;
  });
}

// merkleLeafHashes(records: Buffer, lengths: Uint32Array) -> Buffer | Promise<Buffer>
Napi::Value MerkleLeafHashes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2) ThrowArgError(env, "merkleLeafHashes(records, lengths)");
  Records r = RecordsArg(info, 0);
  return RunBatch(env, "opdbus.merkleLeafHashes", r.totalBytes + r.count, {info[0], info[1]}, [r]() {
    Bytes out(r.count * kHashSize);
    const uint8_t* rec = r.data;
    for (size_t i = 0; i < r.count; i++) {
      LeafHash(rec, r.lengths[i], out.data() + i * kHashSize);
      rec += r.lengths[i];
    }
    return out;
  });
}

// sha256Hex(data: string | Buffer) -> string: the hex digest, synchronously (as node:crypto's
// createHash is). A string is hashed as UTF-8. It spares a short CLI run loading node:crypto (~5 ms)
// just to hash a document or a state.
Napi::Value Sha256Hex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1) ThrowArgError(env, "sha256Hex(data: string | Buffer)");
  uint8_t digest[kHashSize];
  if (info[0].IsString()) {
    std::string text = info[0].As<Napi::String>().Utf8Value();
    SHA256(reinterpret_cast<const uint8_t*>(text.data()), text.size(), digest);
  } else {
    ByteView data = BytesArg(info, 0, "data");
    SHA256(data.data, data.length, digest);
  }
  static const char kHex[] = "0123456789abcdef";
  char hex[kHashSize * 2];
  for (size_t i = 0; i < kHashSize; i++) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return Napi::String::New(env, hex, sizeof hex);
}

void InitChain(Napi::Env env, Napi::Object exports) {
  exports.Set("sha256Hex", Napi::Function::New(env, Sha256Hex, "sha256Hex"));
  exports.Set("hashChain", Napi::Function::New(env, HashChain, "hashChain"));
  exports.Set("merkleLeafHashes", Napi::Function::New(env, MerkleLeafHashes, "merkleLeafHashes"));
  exports.Set("hashAsyncThresholdBytes", Napi::Number::New(env, kAsyncThresholdBytes));
}

}  // namespace
}  // namespace hash
}  // namespace opdbus

OPDBUS_MODULE(chain, opdbus::hash::InitChain);
