// A consortium picks one crypto suite at genesis and keeps it.
//   intl (default): SHA-256, Ed25519, XChaCha20-Poly1305 — the C2SP/RFC formats.
//   gm: SM3, SM2, SM4 — for GB/T 39786 (密评) deployments.
#pragma once

#include <string_view>

#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/sign.h"
#include "crypto/status.h"

namespace tz {

struct CryptoSuite {
  std::string_view name;
  HashAlgorithm hash;
  SignatureAlgorithm signature;
  AeadAlgorithm aead;

  static CryptoSuite Intl();
  static CryptoSuite Gm();
  // "intl" or "gm"; reason "suite.unknown" otherwise.
  static Result<CryptoSuite> Parse(std::string_view name);
  bool operator==(const CryptoSuite& o) const { return name == o.name; }
};

}  // namespace tz
