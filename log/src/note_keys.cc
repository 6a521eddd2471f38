// Note keys: names, key IDs, verifier and signer key strings.

#include <algorithm>
#include <cstdio>

#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "log/note.h"
#include "note_internal.h"

namespace tz::log {
namespace {

using note_internal::DecodeUtf8;
using note_internal::IsUnicodeSpace;

std::string Hex8(uint32_t id) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return buf;
}

// Exactly 8 lowercase hex digits.
bool ParseHex8(std::string_view s, uint32_t* out) {
  if (s.size() != 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    uint32_t d;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else {
      return false;
    }
    v = (v << 4) | d;
  }
  *out = v;
  return true;
}

// Splits s at the first `sep`; `rest` is empty if there is none.
std::string_view Chop(std::string_view s, char sep, std::string_view* rest) {
  const size_t i = s.find(sep);
  if (i == std::string_view::npos) {
    *rest = {};
    return s;
  }
  *rest = s.substr(i + 1);
  return s.substr(0, i);
}

uint32_t NoteKeyIdOf(std::string_view name, ByteSpan typed_key) {
  const uint8_t nl = '\n';
  const Digest d = HashParts(HashAlgorithm::kSha256, {AsBytes(name), ByteSpan(&nl, 1), typed_key});
  return (uint32_t{d.data()[0]} << 24) | (uint32_t{d.data()[1]} << 16) |
         (uint32_t{d.data()[2]} << 8) | uint32_t{d.data()[3]};
}

Bytes Typed(SignatureAlgorithm alg, ByteSpan key) {
  Bytes out = NoteKeyType(alg);
  out.insert(out.end(), key.begin(), key.end());
  return out;
}

// Splits type || key material. Reason "note.unknown_key_type".
Result<SignatureAlgorithm> SplitKeyType(ByteSpan typed, ByteSpan* material) {
  if (typed.empty()) return Status::Invalid("note.unknown_key_type", "empty key");
  if (typed[0] == kNoteKeyTypeEd25519) {
    *material = typed.subspan(1);
    return SignatureAlgorithm::kEd25519;
  }
  const Bytes gm = NoteKeyType(SignatureAlgorithm::kSm2);
  if (typed.size() >= gm.size() && std::equal(gm.begin(), gm.end(), typed.begin())) {
    *material = typed.subspan(gm.size());
    return SignatureAlgorithm::kSm2;
  }
  return Status::Invalid("note.unknown_key_type", "unknown signed-note key type");
}

}  // namespace

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNoteKeyNameSize) return false;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp;
    const size_t n = DecodeUtf8(name, i, &cp);
    if (n == 0 || cp < 0x20 || cp == 0x7f || cp == '+' || IsUnicodeSpace(cp)) return false;
    i += n;
  }
  return true;
}

Bytes NoteKeyType(SignatureAlgorithm alg) {
  switch (alg) {
    case SignatureAlgorithm::kEd25519:
      return Bytes{kNoteKeyTypeEd25519};
    case SignatureAlgorithm::kSm2: {
      Bytes b{kNoteKeyTypeNonStandard};
      b.insert(b.end(), kNoteGmTypeIdentifier.begin(), kNoteGmTypeIdentifier.end());
      return b;
    }
  }
  return {};
}

uint32_t NoteKeyId(std::string_view name, const PublicKey& key) {
  return NoteKeyIdOf(name, Typed(key.algorithm(), key.bytes()));
}

bool IsMalformedNote(const Status& s) { return s.reason().starts_with("note.malformed."); }

// ---- NoteVerifier ----

Result<NoteVerifier> NoteVerifier::Create(std::string name, PublicKey key) {
  if (!IsValidNoteKeyName(name)) {
    return Status::Invalid("note.bad_key_name", "invalid note key name");
  }
  if (key.bytes().size() != PublicKeySize(key.algorithm())) {
    return Status::Invalid("note.bad_key", "public key has the wrong length");
  }
  NoteVerifier v;
  v.key_id_ = NoteKeyId(name, key);
  v.name_ = std::move(name);
  v.key_ = std::move(key);
  return v;
}

Result<NoteVerifier> NoteVerifier::Parse(std::string_view vkey) {
  const auto bad = [](std::string m) { return Status::Invalid("note.bad_vkey", std::move(m)); };
  std::string_view rest, key64;
  const std::string_view name = Chop(vkey, '+', &rest);
  const std::string_view hex = Chop(rest, '+', &key64);
  uint32_t id;
  if (!IsValidNoteKeyName(name)) return bad("invalid key name");
  if (!ParseHex8(hex, &id)) return bad("key ID is not 8 lowercase hex digits");
  Result<Bytes> typed = Base64Decode(key64);
  if (!typed.ok() || typed->empty()) return bad("key is not canonical base64");
  if (NoteKeyIdOf(name, *typed) != id) {
    return Status::Invalid("note.bad_vkey_id", "key ID does not match name and key");
  }
  ByteSpan material;
  TZ_ASSIGN_OR_RETURN(SignatureAlgorithm alg, SplitKeyType(*typed, &material));
  Result<PublicKey> pk = PublicKey::FromBytes(alg, material);
  if (!pk.ok()) return bad("public key: " + pk.status().message());
  return Create(std::string(name), std::move(pk).value());
}

std::string NoteVerifier::ToString() const {
  return name_ + "+" + Hex8(key_id_) + "+" + Base64Encode(Typed(key_.algorithm(), key_.bytes()));
}

Status NoteVerifier::Verify(std::string_view text, ByteSpan signature) const {
  const auto fail = [&] {
    return Status::Verification("note.bad_signature",
                                "invalid signature for key " + name_ + "+" + Hex8(key_id_));
  };
  Result<Signature> sig = SignatureFromBytes(signature);
  if (!sig.ok()) return fail();
  if (!tz::Verify(key_, AsBytes(text), *sig).ok()) return fail();
  return Status::Ok();
}

// ---- NoteSigner ----

Result<NoteSigner> NoteSigner::Create(std::string name, SecretKey key) {
  Result<PublicKey> pk = DerivePublicKey(key);
  if (!pk.ok()) return Status::Invalid("note.bad_key", "secret key: " + pk.status().message());
  TZ_ASSIGN_OR_RETURN(NoteVerifier v, NoteVerifier::Create(std::move(name), std::move(pk).value()));
  return NoteSigner(std::move(v), std::move(key));
}

Result<NoteSigner> NoteSigner::Parse(std::string_view skey) {
  const auto bad = [](std::string m) { return Status::Invalid("note.bad_skey", std::move(m)); };
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  if (!skey.starts_with(kPrefix)) return bad("missing PRIVATE+KEY+ prefix");
  std::string_view rest, key64;
  const std::string_view name = Chop(skey.substr(kPrefix.size()), '+', &rest);
  const std::string_view hex = Chop(rest, '+', &key64);
  uint32_t id;
  if (!IsValidNoteKeyName(name)) return bad("invalid key name");
  if (!ParseHex8(hex, &id)) return bad("key ID is not 8 lowercase hex digits");
  Result<Bytes> typed = Base64Decode(key64);
  if (!typed.ok() || typed->empty()) return bad("key is not canonical base64");
  struct Wipe {
    Bytes* b;
    ~Wipe() { SecureWipe(b->data(), b->size()); }
  } wipe{&typed.value()};
  ByteSpan material;
  TZ_ASSIGN_OR_RETURN(SignatureAlgorithm alg, SplitKeyType(*typed, &material));
  Result<SecretKey> sk = SecretKey::FromBytes(alg, material);
  if (!sk.ok()) return bad("secret key: " + sk.status().message());
  TZ_ASSIGN_OR_RETURN(NoteSigner s, Create(std::string(name), std::move(sk).value()));
  if (s.key_id() != id) {
    return Status::Invalid("note.bad_vkey_id", "key ID does not match name and key");
  }
  return s;
}

std::string NoteSigner::ToSecretString() const {
  Bytes typed = Typed(secret_.algorithm(), secret_.bytes());
  std::string out = "PRIVATE+KEY+" + name() + "+" + Hex8(key_id()) + "+" + Base64Encode(typed);
  SecureWipe(typed.data(), typed.size());
  return out;
}

Result<Bytes> NoteSigner::Sign(std::string_view text) const {
  TZ_ASSIGN_OR_RETURN(Signature sig, tz::Sign(secret_, AsBytes(text)));
  return Bytes(sig.span().begin(), sig.span().end());
}

}  // namespace tz::log
