// Audit: re-verify a stored ledger from genesis without trusting anything
// derived in it.
//
// Replays every block into a fresh in-memory state: every entry's envelope,
// signature, sequence number, role and type rules; every block header (link
// to its predecessor, entries root, log size and root, time order); every
// checkpoint (signature by a member's node key, and size/root/height/block
// hash/time equal to the block's). Then compares what the replay produced
// with what is stored: the log nodes, the entry-id and term indices (a
// fingerprint per index name, so a missing, extra or altered index key is
// found), the state records and the head. Stops at the first failure and
// says where: block height, log index and entry id when an entry is at
// fault, the stable reason, and what failed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "crypto/status.h"
#include "ledger/checkpoint_mark.h"
#include "ledger/kv.h"
#include "ledger/ledger.h"

namespace tz::ledger {

struct AuditFailure {
  std::optional<uint64_t> height;       // the block at fault, if any
  std::optional<uint64_t> entry_index;  // the entry at fault, if any
  std::string entry_id;                 // its id (hex) when it parses
  Status status;                        // reason and message
  std::string ToString() const;
};

struct AuditReport {
  uint64_t blocks = 0;   // blocks verified
  uint64_t entries = 0;  // entries verified
  double seconds = 0;
  std::optional<AuditFailure> failure;
  bool ok() const { return !failure.has_value(); }
};

struct AuditOptions {
  int verify_threads = 2;
  // kBatch (the default) checks entry signatures with Ed25519 batch
  // verification; kEach with libsodium one by one, exactly the node's rule
  // (`tiezheng audit --strict`). See PrepareEntries for the difference.
  SignatureCheck signatures = SignatureCheck::kBatch;
  // Called after each verified block (progress output).
  std::function<void(uint64_t height)> progress;
  // The entry types to replay with (LedgerOptions::types); null: the
  // ledger's own types only.
  const EntryTypeRegistry* types = nullptr;
  // The newest checkpoint the node signed (its DATA/checkpoint.hwm), if
  // known: the ledger must reach it and hold that very block.
  std::optional<CheckpointMark> mark;
};

// Audits the ledger in `store`. Reasons of failures, besides every entry
// validation reason and the "block.*" reasons of Ledger::ReplayBlock:
//   audit.not_initialized   no head/chain record
//   audit.entry_missing     a block's entries are not all stored
//   audit.checkpoint        a checkpoint is missing, does not verify, or
//                           differs from its block
//   audit.index_mismatch    an index (the message names it) differs from
//                           the replay's
//   audit.node_mismatch     stored log nodes differ from the replay's
//   audit.state_mismatch    a state record differs (the message names it)
//   audit.head_mismatch     the head record differs from the last block
//   audit.extra_data        entries or blocks beyond the head
//   audit.rolled_back       the ledger ends below options.mark: it lost
//                           blocks the node had signed checkpoints for
//   audit.diverged          its block at the mark's height is not the one
//                           the node signed
//   audit.mark_corrupt      options.mark is for another log
AuditReport Audit(const KvStore& store, const AuditOptions& options = {});

}  // namespace tz::ledger
