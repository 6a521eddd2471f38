#include "node/consensus_ledger.h"

#include <utility>

namespace tz::node {

Result<ProposedBlock> LedgerProxy::Propose(std::span<const std::string> entries, int64_t time,
                                           std::string proposer) const {
  ledger::BlockBuilder b = ledger_->NewBlock(time, std::move(proposer));
  std::vector<Result<ledger::Receipt>> results = ledger_->AddAll(&b, entries);
  ProposedBlock out;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) out.refused.push_back({i, results[i].status()});
  }
  out.block.header = b.Header();
  out.block.entries = b.entries();
  out.checkpoint = ledger_->CheckpointFor(out.block.header);
  return out;
}

Status LedgerProxy::Validate(const ledger::Block& block) const {
  return ledger_->ReplayBlock(block).status();
}

Status LedgerProxy::Commit(const ledger::Block& block, std::string certificate) {
  TZ_ASSIGN_OR_RETURN(ledger::BlockBuilder b, ledger_->ReplayBlock(block));
  return ledger_->CommitWithCheckpoint(std::move(b), std::move(certificate)).status();
}

}  // namespace tz::node
