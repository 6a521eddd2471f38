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
#include <string_view>

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

// Parse errors of both readers (all kInvalidArgument): "keyfile.bad_line_ending"
// (CR anywhere), "keyfile.truncated" (no final LF), "keyfile.bad_header",
// "keyfile.missing_field", "keyfile.duplicate_field", "keyfile.unexpected_line"
// (fields out of order, unknown or extra lines), "keyfile.bad_name",
// "keyfile.bad_algorithm", "keyfile.bad_base64", "keyfile.bad_key" (wrong
// length or invalid key), "keyfile.key_mismatch" (secret does not match
// public). ReadKeyFile also: "keyfile.no_secret", "keyfile.permissions"
// (kPermissionDenied). Both: "keyfile.open" (kNotFound/kIOError),
// "keyfile.too_large", "keyfile.not_regular".

// A key name: 1..256 bytes, no ASCII whitespace or control characters and no
// '+' (so it can be a C2SP signed-note key name). Reason "keyfile.bad_name".
Status ValidateKeyName(std::string_view name);

// The C2SP signed-note verifier key for an Ed25519 key:
//   <name>+<hex(key ID)>+<base64(0x01 || public key)>
// with key ID = first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key).
// Reasons: "keyfile.bad_name", "key.wrong_algorithm" (not Ed25519).
Result<std::string> SignedNoteVerifierKey(std::string_view name, const PublicKey& key);

}  // namespace tz
