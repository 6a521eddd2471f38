// The narrow interface through which block agreement drives the ledger.
//
// Whatever orders blocks — today the single-node Sequencer, next the
// Tendermint consensus (docs/ARCHITECTURE.md) — needs exactly four things
// from the ledger: where the chain stands, a block built from pending
// entries, a check of a block someone else proposed, and the commit of a
// block the consortium agreed on together with its certificate. The
// consensus is written as a template over any type that models
// ConsensusLedger (in the spirit of CCF's consensus over a LedgerProxy), so
// that it runs over the real ledger in production (LedgerProxy below) and
// over a vector-backed stub in its tests.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/status.h"
#include "ledger/block.h"
#include "ledger/ledger.h"
#include "log/checkpoint.h"

namespace tz::node {

// A block built by a proposer, and what it left out.
struct ProposedBlock {
  ledger::Block block;
  // The checkpoint of the log after the block: what members sign.
  log::Checkpoint checkpoint;
  // Entries that were not taken, by position in the input, with the reason
  // (ValidateEntry reasons); the taken ones keep their relative order.
  struct Refusal {
    size_t position;
    Status status;
  };
  std::vector<Refusal> refused;
};

template <class L>
concept ConsensusLedger = requires(L& l, const L& cl, const ledger::Block& block,
                                   std::span<const std::string> entries, int64_t time,
                                   std::string text) {
  // The newest committed block.
  { cl.Tip() } -> std::same_as<ledger::Head>;
  // A block at Tip().height + 1 holding every valid entry of `entries`, in
  // order; changes nothing.
  { cl.Propose(entries, time, text) } -> std::same_as<Result<ProposedBlock>>;
  // Whether `block` extends the tip and obeys every ledger rule (each entry
  // valid against the state left by the ones before it, header as
  // recomputed); changes nothing. A block that fails is never voted for.
  { cl.Validate(block) } -> std::same_as<Status>;
  // Commits `block` (re-validated) with `text` as its certificate: the
  // checkpoint note cosigned by the quorum.
  { l.Commit(block, text) } -> std::same_as<Status>;
};

// ConsensusLedger over a ledger::Ledger. Propose and Validate may run
// concurrently with reads; Commit must be serialised by the caller, as every
// ledger write is.
class LedgerProxy {
 public:
  explicit LedgerProxy(ledger::Ledger* ledger) : ledger_(ledger) {}

  ledger::Head Tip() const { return ledger_->head(); }
  // Reasons: none of its own; refused entries are listed, not errors.
  Result<ProposedBlock> Propose(std::span<const std::string> entries, int64_t time,
                                std::string proposer) const;
  // Reasons: those of ledger::Ledger::ReplayBlock ("block.*" and, for an
  // invalid entry, the entry's own reason).
  Status Validate(const ledger::Block& block) const;
  // Reasons: those of Validate, "ledger.stale_block", "kv.*".
  Status Commit(const ledger::Block& block, std::string certificate);

 private:
  ledger::Ledger* ledger_;
};
static_assert(ConsensusLedger<LedgerProxy>);

}  // namespace tz::node
