#include "crypto/suite.h"

namespace tz {

CryptoSuite CryptoSuite::Intl() {
  return {"intl", HashAlgorithm::kSha256, SignatureAlgorithm::kEd25519,
          AeadAlgorithm::kXChaCha20Poly1305};
}

CryptoSuite CryptoSuite::Gm() {
  return {"gm", HashAlgorithm::kSm3, SignatureAlgorithm::kSm2, AeadAlgorithm::kSm4Gcm};
}

Result<CryptoSuite> CryptoSuite::Parse(std::string_view name) {
  if (name == "intl") return Intl();
  if (name == "gm") return Gm();
  return Status::Invalid("suite.unknown",
                         "unknown crypto suite '" + std::string(name) + "' (intl|gm)");
}

}  // namespace tz
