// The newest checkpoint a ledger published, recorded outside its store.
//
// A store can lose its newest writes without noticing: a truncated or
// removed LevelDB log file, an older copy of the directory put back. The
// ledger would then open at an earlier size, every check of the store
// itself would pass, and the node would go on to sign checkpoints for sizes
// it had already certified with other roots: two signed, inconsistent views
// of one log. So every checkpoint the ledger commits is also written here —
// after its block is durable in the store, before the block is published or
// anyone acknowledged — in a file the store's directory does not hold, and
// Ledger::Open refuses a store that ends below the record or differs from
// it ("ledger.rolled_back", "ledger.diverged"). Such a node must recover the
// missing blocks (from a backup that holds them, later from its peers) and
// never sign those sizes again.
//
// The record is the signed checkpoint note exactly as published (a C2SP
// signed note; docs/checkpoints.md), so it can be checked with any
// signed-note tool and the node's verifier key.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/status.h"
#include "ledger/block.h"
#include "log/checkpoint.h"

namespace tz::ledger {

struct CheckpointMark {
  std::string note;            // the signed checkpoint note
  log::Checkpoint checkpoint;  // its body; always carries the block anchor
  uint64_t height() const { return checkpoint.block->height; }
  uint64_t size() const { return checkpoint.size; }

  // Parses a signed checkpoint note taken at a block (with the height,
  // block and time-ms lines). Signatures are not verified here. Reason
  // "ledger.mark_corrupt" (kCorruption).
  static Result<CheckpointMark> Parse(std::string note);
};

// Where the mark is kept.
class CheckpointMarkStore {
 public:
  virtual ~CheckpointMarkStore() = default;
  // The recorded mark; nullopt when none was ever recorded.
  // Reasons: "ledger.mark_corrupt", "ledger.mark_io".
  virtual Result<std::optional<CheckpointMark>> Load() const = 0;
  // Replaces the record atomically: after a crash either the old or the new
  // one is there. Durable before it returns when the store was made with
  // sync. Reasons: "storage.full" (kResourceExhausted), "ledger.mark_io".
  virtual Status Store(const CheckpointMark& mark) = 0;
};

// The record as one file at `path` (a node keeps DATA/checkpoint.hwm, beside
// the LevelDB directory, not in it), replaced by writing `path`.tmp,
// fdatasync, rename over `path`, fsync of the directory. Without sync the
// two fsyncs are skipped (for a ledger that does not fsync its blocks
// either: a crash of the machine may then lose the newest record, or leave
// a damaged one that Open refuses).
std::shared_ptr<CheckpointMarkStore> NewFileCheckpointMarkStore(std::string path, bool sync);

// Whether a ledger holds the marked checkpoint. `origin`, `head_height` and
// `head_log_size` describe the ledger; `at_mark` is its block header at the
// mark's height (nullopt when it has no block there). Reasons (kCorruption):
//   ledger.mark_corrupt  the mark is for another log (origin)
//   ledger.rolled_back   the ledger ends below the mark
//   ledger.diverged      its block at the mark's height is another one
//                        (another block hash, log size or root), or missing
Status CheckMark(const CheckpointMark& mark, std::string_view origin, uint64_t head_height,
                 uint64_t head_log_size, const std::optional<BlockHeader>& at_mark);

}  // namespace tz::ledger
