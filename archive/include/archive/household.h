// Household files (一户一档): personal data (ID numbers, income, family
// members) encrypted at rest, one data key per household, so that destroying
// that key (crypto-shredding, PIPL art. 47) erases the household's documents
// while every digest notarized in the ledger stays valid and verifiable.
//
// Keys: each household's 32-byte data key (DEK) is generated on first use and
// stored only wrapped (AEAD, household id bound as associated data) under the
// node's key-encryption key (KEK). The KEK lives in a file OUTSIDE the data
// directory (LoadNodeKek refuses one inside it), so a copy of the data
// directory alone reveals nothing.
//
// Blobs: an encrypted document is stored in the ordinary BlobStore as an
// envelope, and its digest is the SHA-256 of the envelope (what the ledger
// notarizes; fsck and replication verify it without any key):
//   "tzhhenc1"  8 bytes magic
//   alg         1 byte: 1 = xchacha20poly1305 (intl), 2 = sm4-gcm (gm)
//   id_len      1 byte, then the household id (ASCII, not personal data)
//   stream header, then chunks as in crypto/aead.h (64 KiB plaintext each)
//
// Stable reasons:
//   "household.bad_id"      (kInvalidArgument) id not [A-Za-z0-9_-]{1,64}
//   "household.shredded"    (kFailedPrecondition) the key was destroyed
//   "household.no_key"      (kNotFound) nothing was ever stored for it
//   "household.not_encrypted" (kInvalidArgument) blob is not an envelope
//   "household.mismatch"    (kInvalidArgument) blob belongs to another household
//   "household.bad_key_file" (kCorruption) wrapped key file is damaged
//   "kek.bad_format", "kek.permissions" (mode not 0600), "kek.inside_data_dir",
//   "kek.exists" (WriteNodeKek), "kek.mismatch" (cannot unwrap: wrong KEK)
//   plus "blob.*", "aead.*" and "io.*" reasons from the layers below.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "archive/blob_store.h"
#include "archive/env.h"
#include "crypto/aead.h"

namespace tz::archive {

class HouseholdId {
 public:
  [[nodiscard]] static Result<HouseholdId> Parse(std::string_view s);
  const std::string& str() const { return s_; }
  bool operator==(const HouseholdId&) const = default;

 private:
  std::string s_;
};

struct NodeKek {
  AeadAlgorithm algorithm = AeadAlgorithm::kXChaCha20Poly1305;
  SymmetricKey key;
};

// Creates a new random KEK file with mode 0600:
//   tiezheng-kek v1\nalgorithm: xchacha20poly1305\nkey: <base64>\n
// Never overwrites ("kek.exists").
[[nodiscard]] Status WriteNodeKek(Env* env, const std::string& path, AeadAlgorithm alg);
// Loads a KEK file. Refuses a file readable by group/others and a file
// inside `data_dir` (the node's data directory; empty to skip the check).
[[nodiscard]] Result<NodeKek> LoadNodeKek(Env* env, const std::string& path,
                                          const std::string& data_dir);

enum class HouseholdKeyState { kNone, kActive, kShredded };

// Thread-safe.
class HouseholdVault {
 public:
  // `blobs` and `env` must outlive the vault. Wrapped keys live in
  // `keys_dir` (LocalBlobStore::HouseholdsDir() for the local backend).
  // Finishes any shredding a crash interrupted.
  [[nodiscard]] static Result<std::unique_ptr<HouseholdVault>> Open(BlobStore* blobs, Env* env,
                                                                    std::string keys_dir,
                                                                    NodeKek kek);

  // Encrypts plaintext under the household's key (creating the key on first
  // use) and stores the envelope. Returns the envelope's digest and size.
  // "household.shredded" after Shred. Bounded memory.
  [[nodiscard]] Result<BlobInfo> Put(const HouseholdId& id, ByteSource& plaintext);
  [[nodiscard]] Result<BlobInfo> Put(const HouseholdId& id, ByteSpan plaintext);

  // Opens a household blob for decrypted reading. Each 64 KiB chunk is
  // authenticated before it is returned; the envelope's digest is checked
  // when the end is reached ("blob.corrupt"), truncation is "aead.truncated".
  [[nodiscard]] Result<std::unique_ptr<ByteSource>> Open(const HouseholdId& id,
                                                         const Digest& digest);

  // Destroys the household's data key: its blobs stay stored and verifiable
  // by digest but can never be decrypted again; later Put and Open fail with
  // "household.shredded". Durable when it returns; idempotent.
  [[nodiscard]] Status Shred(const HouseholdId& id);

  [[nodiscard]] Result<HouseholdKeyState> State(const HouseholdId& id);

  // Small private records of a household — the reasons officials gave for
  // reading its file — encrypted under the household's key (created on
  // first use) and kept in the vault's own directory
  // (<keys_dir>/records/<household>.<name>.rec, mode 0600), never in the
  // blob store, so no public route can serve them. `name`: 1..64 lowercase
  // hex characters ("household.bad_record_name"); plaintext at most 64 KiB
  // ("household.record_too_large"). Durable when PutRecord returns; a
  // second put under the same name is "household.record_exists". After
  // Shred the records stay on disk but can never be decrypted again.
  //   file: "tzhhrec1" | alg (1 byte) | stream header | one final chunk
  [[nodiscard]] Status PutRecord(const HouseholdId& id, std::string_view name, ByteSpan plaintext);
  // "household.no_record" (kNotFound), "household.shredded", "aead.*"
  // (kCorruption) for a damaged or moved file.
  [[nodiscard]] Result<Bytes> GetRecord(const HouseholdId& id, std::string_view name);

 private:
  HouseholdVault(BlobStore* blobs, Env* env, std::string keys_dir, NodeKek kek);
  Result<SymmetricKey> LoadKey(const HouseholdId& id);
  Result<SymmetricKey> LoadOrCreateKey(const HouseholdId& id);
  Status DestroyKeyFile(const std::string& path);
  std::string KeyPath(const HouseholdId& id) const;
  std::string TombstonePath(const HouseholdId& id) const;
  std::string RecordPath(const HouseholdId& id, std::string_view name) const;

  BlobStore* blobs_;
  Env* env_;
  std::string keys_dir_;
  NodeKek kek_;
};

}  // namespace tz::archive
