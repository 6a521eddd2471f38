// A data directory's ledger together with its checkpoint mark.
#include <filesystem>

#include "node/config.h"

namespace tz::node {

Result<std::unique_ptr<ledger::Ledger>> OpenDataDirLedger(const DataDir& dir,
                                                          ledger::LedgerOptions options) {
  std::error_code ec;
  bool has_mark = std::filesystem::exists(dir.checkpoint_mark(), ec);
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<ledger::KvStore> kv,
                      ledger::OpenLevelDbStore(dir.ledger(), false));
  if (!has_mark) {
    return Status(Code::kFailedPrecondition, "ledger.mark_missing",
                  dir.checkpoint_mark() +
                      " is missing: without the record of the newest checkpoint this node "
                      "signed, a ledger that lost blocks cannot be told from a whole one. "
                      "Restore the file, or, for a data directory made before it existed, "
                      "run `tiezheng ledger adopt-mark " +
                      dir.root + "` (docs/node.md)");
  }
  options.mark = ledger::NewFileCheckpointMarkStore(dir.checkpoint_mark(), options.sync);
  auto l = ledger::Ledger::Open(std::move(kv), std::move(options));
  if (!l.ok() &&
      (l.status().reason() == "ledger.rolled_back" || l.status().reason() == "ledger.diverged")) {
    const Status& s = l.status();
    return Status(s.code(), s.reason(),
                  s.message() + " (" + dir.checkpoint_mark() +
                      "). The node will not start: it would sign those sizes again. Restore "
                      "the ledger from a copy that holds every block up to the record, or "
                      "from the consortium's other members (docs/node.md, \"A node behind its "
                      "own signatures\"); never remove the record or re-initialise.");
  }
  return l;
}

Status AdoptCheckpointMark(const DataDir& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir.checkpoint_mark(), ec)) {
    return Status(Code::kAlreadyExists, "ledger.mark_exists",
                  dir.checkpoint_mark() + " exists already");
  }
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<ledger::KvStore> kv,
                      ledger::OpenLevelDbStore(dir.ledger(), false));
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> l,
                      ledger::Ledger::Open(std::move(kv), NodeLedgerOptions()));
  TZ_ASSIGN_OR_RETURN(std::string note, l->GetCheckpoint(l->head().height));
  TZ_ASSIGN_OR_RETURN(ledger::CheckpointMark mark, ledger::CheckpointMark::Parse(std::move(note)));
  return ledger::NewFileCheckpointMarkStore(dir.checkpoint_mark(), true)->Store(mark);
}

}  // namespace tz::node
