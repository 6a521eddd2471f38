// Signing keys on disk.
//
// Format (text, UTF-8, LF line endings, written with mode 0600):
//   tiezheng-key v1
//   name: <key name, no whitespace>
//   algorithm: ed25519 | sm2
//   public: <base64 public key>
//   secret: <base64 secret key>
// A public-only file (.pub) has the same form without the secret line.
// Loading a secret key file that is readable by group or others fails
// ("keyfile.permissions"), as ssh does.
#pragma once

#include <string>

#include "crypto/sign.h"
#include "crypto/status.h"

namespace tz {

struct NamedKeyPair {
  std::string name;
  KeyPair keys;
};

// Writes atomically (temp file + fsync + rename) with mode 0600. Fails with
// "keyfile.exists" rather than overwrite an existing file.
Status WriteKeyFile(const std::string& path, const NamedKeyPair& key);
Result<NamedKeyPair> ReadKeyFile(const std::string& path);

struct NamedPublicKey {
  std::string name;
  PublicKey key;
};
Status WritePublicKeyFile(const std::string& path, const NamedPublicKey& key);
// Accepts a public key file or a secret key file (reads only the public part).
Result<NamedPublicKey> ReadPublicKeyFile(const std::string& path);

}  // namespace tz
