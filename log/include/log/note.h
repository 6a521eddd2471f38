// C2SP signed notes (https://c2sp.org/signed-note), compatible with
// golang.org/x/mod/sumdb/note.
//
// A note is a UTF-8 text ending in a newline, a blank line, then one or more
// signature lines "— <key name> <base64(key ID || signature)>\n" (U+2014 em
// dash). The key ID is the first four bytes, big-endian, of
// SHA-256(key name || 0x0A || key type || public key).
//
// Key types:
//   0x01 — Ed25519 (the "intl" suite), the standard type: notes verify with
//          any signed-note implementation.
//   0xff || "tiezheng/sm2-sm3-v1" — SM2 with SM3 (the "gm" suite). The spec
//          assigns no byte to SM2 and reserves 0xff, followed by a longer
//          identifier, for such types. Standard tools treat these signatures
//          as coming from unknown keys; only Tiezheng verifies them.
//
// Verifier keys ("vkeys") are written "<name>+<hex8 key ID>+<base64(type ||
// public key)>"; signer keys "PRIVATE+KEY+<name>+<hex8 key ID>+<base64(type
// || secret key)>" (for Ed25519 the secret key is the 32-byte seed).
//
// Parsing is strict and never half-accepts: a note is rejected as a whole
// with a reason starting "note.malformed." (see IsMalformedNote) if any part
// of it is malformed, whatever signatures it carries. Tiezheng is stricter
// than the spec in two ways, both harmless for notes it produces: base64 must
// be canonical (no non-zero padding bits), and every signature line from a
// known key is verified, not only the first one per key.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/sign.h"
#include "crypto/status.h"

namespace tz::log {

// Limits. The spec requires accepting at least 16 signatures; Go's note
// package rejects more than 100.
inline constexpr size_t kMaxNoteSize = 1 << 20;  // whole note, bytes
inline constexpr size_t kMaxNoteSignatures = 100;
inline constexpr size_t kMaxNoteKeyNameSize = 1024;             // bytes
inline constexpr size_t kMaxNoteSignatureLineSize = 16 * 1024;  // bytes, without "\n"

inline constexpr uint8_t kNoteKeyTypeEd25519 = 0x01;
inline constexpr uint8_t kNoteKeyTypeNonStandard = 0xff;
// Follows 0xff in the key type of gm-suite (SM2) keys.
inline constexpr std::string_view kNoteGmTypeIdentifier = "tiezheng/sm2-sm3-v1";

// Key names must be non-empty, valid UTF-8, without Unicode white space
// (Go's unicode.IsSpace), '+' or control characters, and at most
// kMaxNoteKeyNameSize bytes.
bool IsValidNoteKeyName(std::string_view name);

// The key type bytes for an algorithm: {0x01} or {0xff, "tiezheng/sm2-sm3-v1"}.
Bytes NoteKeyType(SignatureAlgorithm alg);

// SHA-256(name || 0x0A || NoteKeyType(alg) || public key)[:4], big-endian.
uint32_t NoteKeyId(std::string_view name, const PublicKey& key);

// True if the status is a syntax rejection of a note (reason "note.malformed.*").
bool IsMalformedNote(const Status& s);

// A public key with its name: verifies one key's signatures.
class NoteVerifier {
 public:
  // Reasons: "note.bad_key_name", "note.bad_key" (key not usable).
  static Result<NoteVerifier> Create(std::string name, PublicKey key);
  // Parses a vkey "<name>+<hex8>+<base64>". The key ID must match the name
  // and key. Reasons: "note.bad_vkey" (shape, name, hex, base64, length),
  // "note.bad_vkey_id" (ID does not match), "note.unknown_key_type".
  static Result<NoteVerifier> Parse(std::string_view vkey);

  // The vkey string; Parse(ToString()) gives back an equal verifier.
  std::string ToString() const;

  const std::string& name() const { return name_; }
  uint32_t key_id() const { return key_id_; }
  const PublicKey& public_key() const { return key_; }

  // OK only if `signature` (the bytes after the key ID) is a valid signature
  // of `text` by this key. Reason "note.bad_signature" otherwise.
  [[nodiscard]] Status Verify(std::string_view text, ByteSpan signature) const;

  bool operator==(const NoteVerifier&) const = default;

 private:
  NoteVerifier() = default;
  std::string name_;
  uint32_t key_id_ = 0;
  PublicKey key_;
};

// A secret key with its name: produces one key's signatures. Move-only; the
// secret is wiped on destruction.
class NoteSigner {
 public:
  // Derives the public key. Reasons: "note.bad_key_name", "note.bad_key".
  static Result<NoteSigner> Create(std::string name, SecretKey key);
  // Parses "PRIVATE+KEY+<name>+<hex8>+<base64>". The key ID must match the
  // derived public key. Reasons: "note.bad_skey", "note.bad_vkey_id",
  // "note.unknown_key_type".
  static Result<NoteSigner> Parse(std::string_view skey);

  // The signer key string. It contains the secret: write it only where the
  // secret key itself may go.
  std::string ToSecretString() const;

  const std::string& name() const { return verifier_.name(); }
  uint32_t key_id() const { return verifier_.key_id(); }
  const NoteVerifier& verifier() const { return verifier_; }

  // The raw signature of `text` (without the key ID).
  Result<Bytes> Sign(std::string_view text) const;

 private:
  NoteSigner(NoteVerifier v, SecretKey sk) : verifier_(std::move(v)), secret_(std::move(sk)) {}
  NoteVerifier verifier_;
  SecretKey secret_;
};

// One signature line of a note, not necessarily verified.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string base64;  // base64(key ID || signature), exactly as in the note

  // "— <name> <base64>\n"
  std::string Line() const;
  bool operator==(const NoteSignature&) const = default;
};

// A note split into its text and signature lines, nothing verified.
struct ParsedNote {
  std::string text;                       // ends in "\n"; excludes the separating blank line
  std::vector<NoteSignature> signatures;  // in order, identical lines kept

  // text + "\n" + signature lines. Format(ParseNote(n)) == n.
  std::string Format() const;
};

// Checks the syntax of a whole note. Reasons (all kInvalidArgument):
//   note.malformed.too_large           more than kMaxNoteSize bytes
//   note.malformed.bad_utf8            not valid UTF-8
//   note.malformed.crlf                a CR LF line ending
//   note.malformed.control_char        another control character (< U+0020)
//   note.malformed.no_final_newline    does not end in "\n"
//   note.malformed.no_separator        no blank line before the signatures
//   note.malformed.no_signatures       nothing after the blank line
//   note.malformed.blank_line          a blank line after the signatures
//   note.malformed.bad_signature_line  a line not "— <name> <base64>"
//   note.malformed.line_too_long       signature line > kMaxNoteSignatureLineSize
//   note.malformed.bad_key_name        invalid key name in a signature line
//   note.malformed.bad_base64          signature not canonical base64
//   note.malformed.short_signature     fewer than 4+1 signature bytes
//   note.malformed.too_many_signatures more than kMaxNoteSignatures lines
// The text is everything up to the last blank line (the spec allows blank
// lines inside the text).
Result<ParsedNote> ParseNote(std::string_view note);

// A note whose signatures from known keys all verified.
struct OpenedNote {
  std::string text;
  // Signatures by known keys, one per key (the first line of each), in the
  // order they appear.
  std::vector<NoteSignature> verified;
  // Signatures by unknown keys, identical lines once, in order.
  std::vector<NoteSignature> unverified;
};

// Parses `note` and verifies every signature made by a key in `known`
// (matched on name and key ID both); signatures by other keys are ignored
// (listed as unverified). Errors: any ParseNote reason;
// "note.bad_signature" (kVerificationFailed) if a known key's signature does
// not verify; "note.unverified" (kVerificationFailed) if no known key signed;
// "note.ambiguous_key" if `known` holds two different keys with the same name
// and key ID and one of them signed.
Result<OpenedNote> OpenNote(std::string_view note, std::span<const NoteVerifier> known);

// Signs `text` with each signer, in order, and returns the note. Signers with
// the same name and key ID as an earlier one sign once. The text must end in
// "\n" and be valid UTF-8 without control characters other than "\n"; it may
// contain blank lines. Reasons: "note.malformed.*" for text that would not
// parse back, "note.no_signers".
Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner> signers);
Result<std::string> SignNote(std::string_view text, const NoteSigner& signer);

// Adds signer's signature to an existing note, keeping every existing
// signature line in place and appending the new one; an existing line by the
// same key (name and key ID) is replaced. The existing signatures are not
// verified: a cosigner must open and check the note before cosigning.
Result<std::string> AddSignature(std::string_view note, const NoteSigner& signer);

// Combines two notes over the same text into one carrying the signature lines
// of both (those of `a` first; for a key present in both, `a`'s line wins).
// Reasons: ParseNote reasons, "note.text_mismatch", and
// "note.malformed.too_many_signatures" if the result would have too many.
Result<std::string> MergeNotes(std::string_view a, std::string_view b);

// Quorum verification for a consortium key set: OK only if at least
// `threshold` distinct keys of `keyset` produced valid signatures. Signatures
// by keys outside the set are ignored; several signatures by one key count
// once. Errors: ParseNote reasons; "note.bad_signature" as for OpenNote;
// "note.quorum_not_met" (kVerificationFailed); "note.bad_threshold"
// (threshold 0 or above the key set size); "note.bad_keyset" (the same
// public key twice, or two keys sharing name and key ID).
Result<OpenedNote> VerifyQuorum(std::string_view note, std::span<const NoteVerifier> keyset,
                                size_t threshold);

}  // namespace tz::log
