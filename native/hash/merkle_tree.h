// RFC 6962 / RFC 9162 Merkle tree algorithms over an array of leaf hashes (32 bytes each). Plain C++
// with no N-API, so the same code runs on the JS thread for small batches and in an AsyncWorker for
// large ones.
#pragma once
#include <cstdint>
#include <vector>

#include "hash/sha256.h"

namespace opdbus {
namespace hash {

using Bytes = std::vector<uint8_t>;

// Merkle tree hash (MTH) of the first `size` leaves; SHA-256("") for an empty tree.
void TreeRoot(const uint8_t* leaves, uint64_t size, uint8_t* out);

// Roots of the trees of the first sizes[0], sizes[1], ... leaves in one pass (sizes ascending): how
// every signed checkpoint of a ledger is checked in O(N + k log N) rather than O(k N).
Bytes TreeRootsAt(const uint8_t* leaves, const std::vector<uint64_t>& sizes);

// Audit path of leaf `index` in the tree of the first `size` leaves (RFC 6962 2.1.1), leaf to root.
Bytes InclusionProof(const uint8_t* leaves, uint64_t index, uint64_t size);

// Consistency proof between the trees of the first `size1` and `size2` leaves (RFC 6962 2.1.2).
Bytes ConsistencyProof(const uint8_t* leaves, uint64_t size1, uint64_t size2);

// RFC 9162 2.1.3.2. `proof` holds `count` hashes.
bool VerifyInclusion(const uint8_t* leafHash, uint64_t index, uint64_t size, const uint8_t* proof, size_t count,
                     const uint8_t* root);

// RFC 9162 2.1.4.2 (with the size1 == size2 and size1 == 0 cases of transparency-dev/merkle).
bool VerifyConsistency(uint64_t size1, uint64_t size2, const uint8_t* root1, const uint8_t* root2,
                       const uint8_t* proof, size_t count);

}  // namespace hash
}  // namespace opdbus
