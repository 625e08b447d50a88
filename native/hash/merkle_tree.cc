// RFC 6962 / RFC 9162 Merkle tree hash, inclusion and consistency proofs (generation and checking).
#include "hash/merkle_tree.h"

#include <cstring>

namespace opdbus {
namespace hash {
namespace {

// The largest power of two strictly smaller than n (n > 1): RFC 6962's split point k.
uint64_t SplitPoint(uint64_t n) { return uint64_t{1} << (63 - __builtin_clzll(n - 1)); }

void AppendSubtree(Bytes& out, const uint8_t* leaves, uint64_t lo, uint64_t n) {
  size_t at = out.size();
  out.resize(at + kHashSize);
  TreeRoot(leaves + lo * kHashSize, n, out.data() + at);
}

void Path(Bytes& out, const uint8_t* leaves, uint64_t lo, uint64_t m, uint64_t n) {
  if (n <= 1) return;
  uint64_t k = SplitPoint(n);
  if (m < k) {
    Path(out, leaves, lo, m, k);
    AppendSubtree(out, leaves, lo + k, n - k);
  } else {
    Path(out, leaves, lo + k, m - k, n - k);
    AppendSubtree(out, leaves, lo, k);
  }
}

void SubProof(Bytes& out, const uint8_t* leaves, uint64_t lo, uint64_t m, uint64_t n, bool complete) {
  if (m == n) {
    if (!complete) AppendSubtree(out, leaves, lo, n);
    return;
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(out, leaves, lo, m, k, complete);
    AppendSubtree(out, leaves, lo + k, n - k);
  } else {
    SubProof(out, leaves, lo + k, m - k, n - k, false);
    AppendSubtree(out, leaves, lo, k);
  }
}

bool Equal(const uint8_t* a, const uint8_t* b) { return std::memcmp(a, b, kHashSize) == 0; }

}  // namespace

namespace {

// Peaks of the perfect subtrees over the leaves pushed so far, largest first (at most 64).
struct Peaks {
  uint8_t stack[65][kHashSize];
  size_t depth = 0;
  uint64_t count = 0;

  void Push(const uint8_t* leaf) {
    std::memcpy(stack[depth++], leaf, kHashSize);
    for (uint64_t j = count++; j & 1; j >>= 1) {
      NodeHash(stack[depth - 2], stack[depth - 1], stack[depth - 2]);
      depth--;
    }
  }
  // RFC 6962 puts the unbalanced part on the right: fold the peaks from the smallest.
  void Root(uint8_t* out) const {
    if (count == 0) {
      SHA256(nullptr, 0, out);
      return;
    }
    uint8_t acc[kHashSize];
    std::memcpy(acc, stack[depth - 1], kHashSize);
    for (size_t k = depth - 1; k-- > 0;) NodeHash(stack[k], acc, acc);
    std::memcpy(out, acc, kHashSize);
  }
};

}  // namespace

void TreeRoot(const uint8_t* leaves, uint64_t size, uint8_t* out) {
  Peaks peaks;
  for (uint64_t i = 0; i < size; i++) peaks.Push(leaves + i * kHashSize);
  peaks.Root(out);
}

Bytes TreeRootsAt(const uint8_t* leaves, const std::vector<uint64_t>& sizes) {
  Bytes out(sizes.size() * kHashSize);
  Peaks peaks;
  for (size_t k = 0; k < sizes.size(); k++) {
    while (peaks.count < sizes[k]) peaks.Push(leaves + peaks.count * kHashSize);
    peaks.Root(out.data() + k * kHashSize);
  }
  return out;
}

Bytes InclusionProof(const uint8_t* leaves, uint64_t index, uint64_t size) {
  Bytes out;
  Path(out, leaves, 0, index, size);
  return out;
}

Bytes ConsistencyProof(const uint8_t* leaves, uint64_t size1, uint64_t size2) {
  Bytes out;
  if (size1 > 0 && size1 < size2) SubProof(out, leaves, 0, size1, size2, true);
  return out;
}

bool VerifyInclusion(const uint8_t* leafHash, uint64_t index, uint64_t size, const uint8_t* proof, size_t count,
                     const uint8_t* root) {
  if (index >= size) return false;
  uint64_t fn = index, sn = size - 1;
  uint8_t r[kHashSize];
  std::memcpy(r, leafHash, kHashSize);
  for (size_t i = 0; i < count; i++) {
    const uint8_t* p = proof + i * kHashSize;
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      NodeHash(p, r, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      NodeHash(r, p, r);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && Equal(r, root);
}

bool VerifyConsistency(uint64_t size1, uint64_t size2, const uint8_t* root1, const uint8_t* root2,
                       const uint8_t* proof, size_t count) {
  if (size2 < size1) return false;
  if (size1 == size2) return count == 0 && Equal(root1, root2);
  if (size1 == 0) return count == 0;  // the empty tree is consistent with every tree
  if (count == 0) return false;
  // When size1 is a power of two its root is the first node of the path, left implicit by RFC 6962.
  bool implicitFirst = (size1 & (size1 - 1)) == 0;
  uint64_t fn = size1 - 1, sn = size2 - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  uint8_t fr[kHashSize], sr[kHashSize];
  std::memcpy(fr, implicitFirst ? root1 : proof, kHashSize);
  std::memcpy(sr, fr, kHashSize);
  for (size_t i = implicitFirst ? 0 : 1; i < count; i++) {
    const uint8_t* c = proof + i * kHashSize;
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      NodeHash(c, fr, fr);
      NodeHash(c, sr, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      NodeHash(sr, c, sr);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && Equal(fr, root1) && Equal(sr, root2);
}

}  // namespace hash
}  // namespace opdbus
