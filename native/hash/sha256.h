// SHA-256 primitives over the OpenSSL that Node itself ships (its headers live in Node's include dir
// and its symbols are exported by the node binary), so the addon links no second crypto library.
// The low-level SHA256_* calls are used on purpose: EVP_Digest allocates a context per call, which
// costs more than hashing a 256-byte record.
#pragma once
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>

namespace opdbus {
namespace hash {

constexpr size_t kHashSize = 32;

inline void Sha256Two(const uint8_t* a, size_t alen, const uint8_t* b, size_t blen, uint8_t* out) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, a, alen);
  SHA256_Update(&ctx, b, blen);
  SHA256_Final(out, &ctx);
}

// RFC 6962 section 2.1: leaf = SHA-256(0x00 || data).
inline void LeafHash(const uint8_t* data, size_t len, uint8_t* out) {
  static const uint8_t kLeafPrefix = 0x00;
  Sha256Two(&kLeafPrefix, 1, data, len, out);
}

// RFC 6962 section 2.1: node = SHA-256(0x01 || left || right).
inline void NodeHash(const uint8_t* left, const uint8_t* right, uint8_t* out) {
  static const uint8_t kNodePrefix = 0x01;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, &kNodePrefix, 1);
  SHA256_Update(&ctx, left, kHashSize);
  SHA256_Update(&ctx, right, kHashSize);
  SHA256_Final(out, &ctx);
}

}  // namespace hash
}  // namespace opdbus
