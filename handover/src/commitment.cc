// HMAC (RFC 2104) over SHA-256, built on crypto's Hasher.
#include "handover/commitment.h"

#include "crypto/encoding.h"
#include "crypto/hash.h"

namespace tz::handover {

std::string KeyedCommitment(const SymmetricKey& key, std::string_view label,
                            std::string_view value) {
  constexpr size_t kBlock = 64;
  uint8_t ipad[kBlock] = {}, opad[kBlock] = {};
  ByteSpan k = key.bytes();  // 32 bytes < block size: used as is, zero padded
  for (size_t i = 0; i < kBlock; ++i) {
    uint8_t b = i < k.size() ? k[i] : 0;
    ipad[i] = b ^ 0x36;
    opad[i] = b ^ 0x5c;
  }
  Hasher h(HashAlgorithm::kSha256);
  h.Update(ByteSpan(ipad, kBlock));
  h.Update(std::string_view("tiezheng/"));
  h.Update(label);
  h.Update(std::string_view("/v1\n"));
  h.Update(value);
  Digest inner = h.Finish();
  h.Update(ByteSpan(opad, kBlock));
  h.Update(inner.span());
  Digest mac = h.Finish();
  SecureWipe(ipad, kBlock);
  SecureWipe(opad, kBlock);
  return HexEncode(mac.span());
}

}  // namespace tz::handover
