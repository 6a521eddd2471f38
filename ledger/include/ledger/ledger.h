// The ledger: a deterministic state machine over ordered blocks of signed
// entries, stored in a KvStore, with one global RFC 6962 log over all entries
// and a C2SP checkpoint per block.
//
// Two ways in, one code path:
//  - proposer (the single-node Sequencer, later the consensus leader):
//    NewBlock -> Add/AddAll (each entry validated against the state as left
//    by the entries before it) -> Commit;
//  - follower (consensus replicas, audit replay): ApplyBlock, which
//    re-validates every entry and commits only if the header it computes
//    equals the one given.
// Given the same blocks, every ledger writes the same bytes (state, log,
// headers); only checkpoint signatures differ by signer.
//
// Storage: one synced KvBatch per block holds the block's entries, new log
// nodes, state changes, indices, header, checkpoint and the new head, so a
// crash leaves either the whole block or none of it. Keys: docs/ledger.md.
//
// Fail-stop: once a write or sync of the store (or of the checkpoint mark)
// has failed, the store's state on disk is unknown — LevelDB may hold half a
// record that later writes would bury in the middle of its log — so the
// ledger latches the failure and refuses every later commit
// ("ledger.store_failed") until it is opened again, which re-verifies the
// store (and the mark). Nothing of the failed block reaches the ledger's
// head or caches.
//
// Thread safety: reads (Get*, Lookup*, proofs, head) may run concurrently
// with each other and with one writer; NewBlock/Add/Commit/ApplyBlock must
// be serialised by the caller (Sequencer does).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/hash.h"
#include "crypto/status.h"
#include "crypto/thread_annotations.h"
#include "ledger/block.h"
#include "ledger/checkpoint_mark.h"
#include "ledger/entries.h"
#include "ledger/envelope.h"
#include "ledger/kv.h"
#include "ledger/state.h"
#include "log/checkpoint.h"
#include "log/merkle_compact.h"
#include "log/note.h"

namespace tz::ledger {

struct Receipt {
  EntryId id;
  uint64_t index = 0;   // position in the global log
  uint64_t height = 0;  // block the entry is (or will be) in
};

struct Head {
  uint64_t height = 0;
  Digest hash;  // block hash
  uint64_t log_size = 0;
  Digest log_root;
  int64_t time = 0;
};

struct LedgerOptions {
  bool sync = true;        // fsync every block (tests may turn it off)
  int verify_threads = 2;  // signature verification threads in AddAll/ApplyBlock
  // The entry types this ledger accepts (must outlive the ledger); null
  // means the ledger's own types only (LedgerEntryTypes()). A Tiezheng node
  // passes handover::EntryTypes().
  const EntryTypeRegistry* types = nullptr;
  // Where the newest committed checkpoint is recorded outside the store
  // (ledger/checkpoint_mark.h); null: nowhere (tests, the audit's replay).
  // Open and CreateGenesis refuse a store that ends below the record or
  // differs from it; Commit records each block's checkpoint after the block
  // is durable and before it is published.
  std::shared_ptr<CheckpointMarkStore> mark;
};

class Ledger;

// Entries parsed and signature-checked ahead of adding them in order (the
// parallel half of AddAll; audit runs it for the next blocks while the
// current one is applied).
struct PreparedEntries {
  std::vector<std::optional<Result<SignedEntry>>> parsed;  // one per entry
  // 1 when the entry's signature verified under a public key whose KeyIdOf
  // equals the entry's key id; such an entry skips re-verification in Add.
  std::vector<char> verified;
};

// Parses `entries` and verifies each signature on `threads` threads with the
// public key that `keys` records for the entry's key id. A key id is the
// hash of its public key (KeyIdOf), and a record is used only if its public
// key hashes to the id, so `keys` may be any state: the committed one, a
// later one, or an untrusted stored one. An entry whose key is unknown
// there, or whose check fails, stays unverified; adding it verifies it in
// order and rejects it with the precise reason.
//
// `check` says how Ed25519 signatures are checked:
//   kEach   libsodium's single verification of each signature: the
//           cofactorless equation R == [S]B - [h]A, the rule the node
//           applies when it accepts an entry;
//   kBatch  crypto/ed25519_batch.h over contiguous runs of entries: the
//           cofactored batch equation, several times faster per signature.
//           A run that fails is re-checked signature by signature with
//           libsodium, so a failure names exactly the entries kEach would.
//           It may accept a signature whose R carries a small torsion
//           component, which libsodium rejects; only the holder of the
//           secret key can make one (see crypto/ed25519_batch.h). The audit
//           uses it unless asked to be strict.
// SM2 signatures are always checked one by one.
enum class SignatureCheck { kEach, kBatch };
PreparedEntries PrepareEntries(std::span<const std::string> entries, const State& keys, int threads,
                               SignatureCheck check = SignatureCheck::kEach);

// The block being built. Move-only; created by Ledger::NewBlock.
class BlockBuilder {
 public:
  BlockBuilder(BlockBuilder&&) = default;
  BlockBuilder& operator=(BlockBuilder&&) = default;

  // Validates `e` against the state left by the block so far (ValidateEntry
  // reasons) and, if valid, appends it. On error nothing changes.
  Result<Receipt> Add(const SignedEntry& e, bool signature_verified = false);
  size_t entry_count() const { return entries_.size(); }
  uint64_t height() const { return header_.height; }
  int64_t time() const { return header_.time; }
  const std::vector<std::string>& entries() const { return entries_; }
  // The header the block has if committed now (its entries, entries root
  // and the global log after it).
  BlockHeader Header() const;
  // The writes Commit will make besides state, header and checkpoint:
  // entries, derived indices; and the new log nodes.
  const KvBatch& pending_writes() const { return batch_; }
  const std::vector<merkle::StoredNode>& new_nodes() const { return nodes_; }

 private:
  friend class Ledger;
  BlockBuilder(const Ledger* ledger, const KvStore* store) : ledger_(ledger), state_(store) {}
  const Ledger* ledger_;
  State state_;
  BlockHeader header_;
  merkle::CompactRange log_;
  merkle::CompactRange block_tree_;
  std::vector<std::string> entries_;
  std::vector<merkle::StoredNode> nodes_;
  KvBatch batch_;
  uint64_t index_terms_ = 0;
};

class Ledger {
 public:
  // Opens an initialised store: verifies the last block (header hash, link
  // to its predecessor, log root recomputed from stored nodes, checkpoint
  // signature), checks it against options.mark and rebuilds derived indices
  // that are missing. Reasons: "ledger.not_initialized",
  // "ledger.head_corrupt" (kCorruption), the CheckMark reasons
  // ("ledger.rolled_back", "ledger.diverged", "ledger.mark_corrupt"), "kv.*".
  static Result<std::unique_ptr<Ledger>> Open(std::unique_ptr<KvStore> store,
                                              LedgerOptions options = {});

  // Initialises an empty store with block 0 holding only `genesis` (a
  // "genesis" entry signed by the first member) and a checkpoint signed by
  // `signer` (the first member's node key). Reasons: ValidateEntry reasons,
  // "ledger.not_empty", "ledger.rolled_back" (options.mark already records
  // a checkpoint: that log exists, a new one would sign its sizes again).
  // A ledger with no blocks yet over an empty store, for a replica that will
  // receive every block from genesis through ApplyBlock/ReplayBlock (a
  // joining consensus node, the auditor's replay).
  static std::unique_ptr<Ledger> NewReplica(std::unique_ptr<KvStore> store, std::string chain,
                                            std::string origin, LedgerOptions options = {});

  static Result<std::unique_ptr<Ledger>> CreateGenesis(std::unique_ptr<KvStore> store,
                                                       const SignedEntry& genesis, int64_t time,
                                                       const log::NoteSigner& signer,
                                                       LedgerOptions options = {});

  Head head() const TZ_EXCLUDES(mu_);
  const std::string& chain() const { return chain_; }
  const std::string& origin() const { return origin_; }
  const LedgerOptions& options() const { return options_; }
  const EntryTypeRegistry& types() const {
    return options_.types ? *options_.types : LedgerEntryTypes();
  }
  // The node keys of the current members (checkpoint signers).
  std::vector<log::NoteVerifier> NodeKeys() const TZ_EXCLUDES(mu_);

  // ---- proposer path ----
  // A new block at head().height + 1. `time` is raised to the head's time
  // if it is earlier (block times never decrease).
  BlockBuilder NewBlock(int64_t time, std::string proposer) const TZ_EXCLUDES(mu_);
  // Parses and verifies signatures of `entries` on verify_threads threads,
  // then Adds each in order; one result per entry.
  std::vector<Result<Receipt>> AddAll(BlockBuilder* builder,
                                      std::span<const std::string> entries) const;
  // Adds entries prepared by PrepareEntries, in order; one result per entry.
  std::vector<Result<Receipt>> AddPrepared(BlockBuilder* builder, PreparedEntries&& prepared) const;
  // Writes the block with one synced batch and a checkpoint signed by
  // `signer`, records the checkpoint in options.mark, then publishes the
  // block (head, proofs). Requires builder from NewBlock on this ledger at
  // the current head ("ledger.stale_block" otherwise). An empty block is
  // allowed. A failed write returns its error ("kv.io", "storage.full",
  // "ledger.mark_io") and latches it: every later commit fails with
  // "ledger.store_failed" (kUnavailable). A block whose write failed may
  // still be in the store after a restart (never acknowledged, but
  // durable); a resubmitted entry is then refused as a replay.
  Result<BlockHeader> Commit(BlockBuilder&& builder, const log::NoteSigner& signer);
  // As Commit, storing a checkpoint note signed elsewhere (a certified
  // checkpoint from the consortium, or the one being audited). The note is
  // stored as given; verifying it is the caller's job.
  Result<BlockHeader> CommitWithCheckpoint(BlockBuilder&& builder, std::string note);

  // The C2SP checkpoint of the log after the block with header `h` (the
  // body every member signs for that block; its note is the block's
  // certificate).
  log::Checkpoint CheckpointFor(const BlockHeader& h) const;

  // ---- follower path ----
  // Re-validates and applies a block; commits only if it extends the head
  // and the computed header equals block.header. Reasons: "block.bad_height", "block.bad_proposer",
  // "block.bad_prev", "block.wrong_chain", "block.time_regress",
  // "block.entry_invalid" (the message names the entry index and the
  // entry's own reason, which the returned status' reason replaces; see
  // ReplayBlock), "block.header_mismatch" (message names the field).
  Status ApplyBlock(const Block& block, const log::NoteSigner& signer);

  // Builds (without committing) the block `block` describes and checks its
  // header; the building block of ApplyBlock and audit. On an invalid entry
  // returns its ValidateEntry status with the message prefixed by
  // "entry <index>"; *bad_entry gets the entry's log index.
  Result<BlockBuilder> ReplayBlock(const Block& block, uint64_t* bad_entry = nullptr) const;
  // As above with the block's entries already prepared (PrepareEntries over
  // block.entries, in the same order).
  Result<BlockBuilder> ReplayBlock(const Block& block, PreparedEntries&& prepared,
                                   uint64_t* bad_entry = nullptr) const TZ_EXCLUDES(mu_);

  // ---- reads ----
  // Signed entry bytes at a log index ("ledger.no_entry", kNotFound).
  Result<std::string> GetEntry(uint64_t index) const;
  Result<uint64_t> FindEntry(const EntryId& id) const;        // "ledger.no_entry"
  Result<BlockHeader> GetBlockHeader(uint64_t height) const;  // "ledger.no_block"
  Result<std::string> GetCheckpoint(uint64_t height) const;   // signed note
  // The height of the block holding log index `index` (binary search).
  Result<uint64_t> BlockOfEntry(uint64_t index) const;
  // RFC 9162 proofs from stored nodes, O(log n) reads. Require
  // index < size <= head().log_size, resp. 0 < size1 <= size2 <= log_size
  // ("proof.*" reasons from merkle_proof.h, "ledger.beyond_head").
  Result<std::vector<Digest>> InclusionProof(uint64_t index, uint64_t size) const;
  Result<std::vector<Digest>> ConsistencyProof(uint64_t size1, uint64_t size2) const;
  Result<Digest> RootAt(uint64_t size) const;

  // Log indices of entries with an index term (entries.h IndexTerm, plus
  // "type" -> entry type and "party" -> submitter's party), ascending,
  // starting after `after` (use -1 ... i.e. nullopt for the beginning), at
  // most `limit`.
  Result<std::vector<uint64_t>> Lookup(std::string_view index, std::string_view value, size_t limit,
                                       std::optional<uint64_t> after = {}) const;
  // Log indices of entries in blocks with from_ms <= time < to_ms.
  Result<std::vector<uint64_t>> LookupTime(int64_t from_ms, int64_t to_ms, size_t limit) const;

  // The committed state (key records, acceptance records, cases, ...).
  State CommittedState() const { return State(store_.get()); }
  const KvStore& store() const { return *store_; }
  KvStore* mutable_store() { return store_.get(); }

  // Deletes and rebuilds every derived index ("i/", "x/") from the entries.
  Status RebuildIndices();

  // OK until a write of the store or of the mark fails; then the status
  // every commit returns ("ledger.store_failed", kUnavailable, its message
  // naming the first failure), until the ledger is opened again.
  Status store_status() const TZ_EXCLUDES(failure_mu_);

 private:
  friend class BlockBuilder;
  Ledger(std::unique_ptr<KvStore> store, LedgerOptions options)
      : store_(std::move(store)), options_(options) {}
  Result<BlockHeader> CommitInternal(BlockBuilder&& b, const log::NoteSigner* signer,
                                     std::string note) TZ_EXCLUDES(mu_);
  Status LoadHead() TZ_EXCLUDES(mu_);
  Status VerifyHead() TZ_EXCLUDES(mu_);
  Status CheckAgainstMark();
  // Writes through the latch: refuses once a write failed, latches a failure.
  Status WriteStore(const KvBatch& batch, bool sync) TZ_EXCLUDES(failure_mu_);
  void LatchFailure(const Status& s) TZ_EXCLUDES(failure_mu_);
  Status CheckIndices();
  void RefreshNodeKeys() TZ_EXCLUDES(mu_);

  std::unique_ptr<KvStore> store_;
  LedgerOptions options_;
  std::string chain_;
  std::string origin_;
  // The head, the log's frontier and the checkpoint signers change with
  // every commit while readers run. chain_ and origin_ are set once, before
  // the ledger is shared.
  mutable tz::Mutex mu_;
  Head head_ TZ_GUARDED_BY(mu_);
  bool has_head_ TZ_GUARDED_BY(mu_) = false;
  merkle::CompactRange log_ TZ_GUARDED_BY(mu_);
  std::vector<log::NoteVerifier> node_keys_ TZ_GUARDED_BY(mu_);
  // The newest checkpoint recorded in options_.mark (writer only).
  std::optional<CheckpointMark> mark_;
  // The latched store failure (store_failed_ set once, never cleared).
  std::atomic<bool> store_failed_{false};
  mutable tz::Mutex failure_mu_;
  Status store_failure_ TZ_GUARDED_BY(failure_mu_);
};

}  // namespace tz::ledger
