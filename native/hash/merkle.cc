// N-API bindings for Merkle tree roots and proofs over a batch of leaf hashes (one Buffer of N*32
// bytes), and for checking proofs. Building is O(N) hashing and may run off-thread; checking is
// O(log N) and always synchronous.
#include <string>

#include "core/errors.h"
#include "core/module.h"
#include "hash/batch.h"

namespace opdbus {
namespace hash {
namespace {

struct Leaves {
  const uint8_t* data;
  uint64_t count;
};

Leaves LeavesArg(const Napi::CallbackInfo& info, size_t i) {
  ByteView v = BytesArg(info, i, "leafHashes");
  if (v.length % kHashSize != 0) ThrowArgError(info.Env(), "leafHashes length must be a multiple of 32");
  return Leaves{v.data, v.length / kHashSize};
}

// Building over n leaves hashes about 2n 64-byte nodes.
size_t TreeWork(uint64_t n) { return static_cast<size_t>(n) * 2 * kHashSize; }

// merkleRoot(leafHashes, size) -> Buffer(32) | Promise
Napi::Value MerkleRoot(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2) ThrowArgError(env, "merkleRoot(leafHashes, size)");
  Leaves l = LeavesArg(info, 0);
  uint64_t size = U64Arg(info, 1, "size");
  if (size > l.count) ThrowArgError(env, "size " + std::to_string(size) + " exceeds the " + std::to_string(l.count) + " leaves given");
  return RunBatch(env, "opdbus.merkleRoot", TreeWork(size), {info[0]}, [l, size]() {
    Bytes out(kHashSize);
    TreeRoot(l.data, size, out.data());
    return out;
  });
}

// merkleRootsAt(leafHashes, sizes: number[] ascending) -> Buffer(k*32) | Promise
Napi::Value MerkleRootsAt(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[1].IsArray()) ThrowArgError(env, "merkleRootsAt(leafHashes, sizes[])");
  Leaves l = LeavesArg(info, 0);
  Napi::Array arr = info[1].As<Napi::Array>();
  std::vector<uint64_t> sizes;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr.Get(i);
    double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    uint64_t size = static_cast<uint64_t>(d);
    if (d < 0 || static_cast<double>(size) != d || size > l.count || (!sizes.empty() && size < sizes.back())) {
      ThrowArgError(env, "sizes must be ascending integers up to the " + std::to_string(l.count) + " leaves given");
    }
    sizes.push_back(size);
  }
  uint64_t last = sizes.empty() ? 0 : sizes.back();
  return RunBatch(env, "opdbus.merkleRootsAt", TreeWork(last), {info[0]},
                  [l, sizes]() { return TreeRootsAt(l.data, sizes); });
}

// merkleInclusionProof(leafHashes, index, size) -> Buffer(k*32) | Promise
Napi::Value MerkleInclusionProof(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3) ThrowArgError(env, "merkleInclusionProof(leafHashes, index, size)");
  Leaves l = LeavesArg(info, 0);
  uint64_t index = U64Arg(info, 1, "index");
  uint64_t size = U64Arg(info, 2, "size");
  if (size > l.count || index >= size) {
    ThrowArgError(env, "index " + std::to_string(index) + " / size " + std::to_string(size) + " out of range for " +
                           std::to_string(l.count) + " leaves");
  }
  return RunBatch(env, "opdbus.merkleInclusionProof", TreeWork(size), {info[0]},
                  [l, index, size]() { return InclusionProof(l.data, index, size); });
}

// merkleConsistencyProof(leafHashes, size1, size2) -> Buffer(k*32) | Promise
Napi::Value MerkleConsistencyProof(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3) ThrowArgError(env, "merkleConsistencyProof(leafHashes, size1, size2)");
  Leaves l = LeavesArg(info, 0);
  uint64_t size1 = U64Arg(info, 1, "size1");
  uint64_t size2 = U64Arg(info, 2, "size2");
  if (size2 > l.count || size1 > size2) {
    ThrowArgError(env, "sizes " + std::to_string(size1) + ".." + std::to_string(size2) + " out of range for " +
                           std::to_string(l.count) + " leaves");
  }
  return RunBatch(env, "opdbus.merkleConsistencyProof", TreeWork(size2), {info[0]},
                  [l, size1, size2]() { return ConsistencyProof(l.data, size1, size2); });
}

// A proof is k*32 bytes; anything else simply fails verification.
bool ProofShape(const ByteView& v) { return v.length % kHashSize == 0; }

// merkleVerifyInclusion(leafHash, index, size, proof, root) -> boolean
Napi::Value MerkleVerifyInclusion(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) ThrowArgError(env, "merkleVerifyInclusion(leafHash, index, size, proof, root)");
  ByteView leaf = BytesArg(info, 0, "leafHash");
  uint64_t index = U64Arg(info, 1, "index");
  uint64_t size = U64Arg(info, 2, "size");
  ByteView proof = BytesArg(info, 3, "proof");
  ByteView root = BytesArg(info, 4, "root");
  bool ok = leaf.length == kHashSize && root.length == kHashSize && ProofShape(proof) &&
            VerifyInclusion(leaf.data, index, size, proof.data, proof.length / kHashSize, root.data);
  return Napi::Boolean::New(env, ok);
}

// merkleVerifyConsistency(size1, size2, root1, root2, proof) -> boolean
Napi::Value MerkleVerifyConsistency(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 5) ThrowArgError(env, "merkleVerifyConsistency(size1, size2, root1, root2, proof)");
  uint64_t size1 = U64Arg(info, 0, "size1");
  uint64_t size2 = U64Arg(info, 1, "size2");
  ByteView root1 = BytesArg(info, 2, "root1");
  ByteView root2 = BytesArg(info, 3, "root2");
  ByteView proof = BytesArg(info, 4, "proof");
  bool ok = root1.length == kHashSize && root2.length == kHashSize && ProofShape(proof) &&
            VerifyConsistency(size1, size2, root1.data, root2.data, proof.data, proof.length / kHashSize);
  return Napi::Boolean::New(env, ok);
}

void InitMerkle(Napi::Env env, Napi::Object exports) {
  exports.Set("merkleRoot", Napi::Function::New(env, MerkleRoot, "merkleRoot"));
  exports.Set("merkleRootsAt", Napi::Function::New(env, MerkleRootsAt, "merkleRootsAt"));
  exports.Set("merkleInclusionProof", Napi::Function::New(env, MerkleInclusionProof, "merkleInclusionProof"));
  exports.Set("merkleConsistencyProof", Napi::Function::New(env, MerkleConsistencyProof, "merkleConsistencyProof"));
  exports.Set("merkleVerifyInclusion", Napi::Function::New(env, MerkleVerifyInclusion, "merkleVerifyInclusion"));
  exports.Set("merkleVerifyConsistency", Napi::Function::New(env, MerkleVerifyConsistency, "merkleVerifyConsistency"));
}

}  // namespace
}  // namespace hash
}  // namespace opdbus

OPDBUS_MODULE(merkle, opdbus::hash::InitMerkle);
