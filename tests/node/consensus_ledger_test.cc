// The consensus-facing interface over the ledger: a block proposed on one
// ledger validates and commits, with a certificate made elsewhere, on a
// replica; a block that breaks a ledger rule is refused and changes
// nothing; and the interface is small enough for a vector-backed test
// double (the shape the consensus tests will use).
#include "node/consensus_ledger.h"

#include <gtest/gtest.h>

#include <map>

#include "ledger/ledger_test_util.h"
#include "log/note.h"

namespace tz::node {
namespace {

using ledger::testing::Consortium;
using ledger::testing::kT0;

// A replica of c's ledger up to its head.
std::unique_ptr<ledger::Ledger> Replicate(Consortium& c) {
  auto replica =
      ledger::Ledger::NewReplica(ledger::NewMemKvStore(), ledger::testing::kChain,
                                 ledger::testing::kOrigin, ledger::testing::DomainOptions());
  for (uint64_t h = 0; h <= c.ledger->head().height; ++h) {
    ledger::Block b{*c.ledger->GetBlockHeader(h), {}};
    uint64_t begin = h == 0 ? 0 : c.ledger->GetBlockHeader(h - 1)->log_size;
    for (uint64_t i = begin; i < b.header.log_size; ++i)
      b.entries.push_back(*c.ledger->GetEntry(i));
    EXPECT_TRUE(replica->ApplyBlock(b, c.node).ok());
  }
  return replica;
}

TEST(LedgerProxy, ProposeValidateCommitWithForeignCertificate) {
  Consortium c;
  auto replica_ledger = Replicate(c);
  LedgerProxy proposer(c.ledger.get());
  LedgerProxy replica(replica_ledger.get());
  ASSERT_EQ(proposer.Tip().hash, replica.Tip().hash);

  ledger::SignedEntry good1 = c.c("builder").Sign(c.Notarize("a"));
  ledger::SignedEntry good2 = c.c("builder").Sign(c.Notarize("b"));
  ledger::SignedEntry replay = good1;  // the same entry twice: refused the second time
  std::vector<std::string> pending = {good1.bytes, replay.bytes, "not an entry", good2.bytes};
  auto p = proposer.Propose(pending, kT0 + 10, "zhujian");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->block.entries.size(), 2u);
  EXPECT_EQ(p->block.entries[0], good1.bytes);
  EXPECT_EQ(p->block.entries[1], good2.bytes);
  ASSERT_EQ(p->refused.size(), 2u);
  EXPECT_EQ(p->refused[0].position, 1u);
  EXPECT_EQ(p->refused[1].position, 2u);
  EXPECT_EQ(p->block.header.height, proposer.Tip().height + 1);
  // Proposing changed nothing.
  EXPECT_EQ(c.ledger->head().height, replica.Tip().height);
  EXPECT_EQ(p->checkpoint.size, p->block.header.log_size);
  EXPECT_EQ(p->checkpoint.block->block_hash, p->block.header.Hash());

  // The replica validates the proposal and commits it with a certificate
  // signed by the proposer's node key (in a consortium: by a quorum).
  ASSERT_TRUE(replica.Validate(p->block).ok());
  auto cert = log::SignCheckpoint(p->checkpoint, std::span<const log::NoteSigner>(&c.node, 1));
  ASSERT_TRUE(cert.ok());
  ASSERT_TRUE(replica.Commit(p->block, *cert).ok());
  ASSERT_TRUE(proposer.Commit(p->block, *cert).ok());
  EXPECT_EQ(replica.Tip().hash, proposer.Tip().hash);
  EXPECT_EQ(*replica_ledger->GetCheckpoint(replica.Tip().height), *cert);
  // Committing it again is refused: it no longer extends the tip.
  EXPECT_FALSE(replica.Commit(p->block, *cert).ok());
}

TEST(LedgerProxy, BlockBreakingARuleIsRefusedAndChangesNothing) {
  Consortium c;
  LedgerProxy proxy(c.ledger.get());
  ledger::Head before = proxy.Tip();
  auto p = proxy.Propose(std::vector<std::string>{c.c("builder").Sign(c.Notarize("x")).bytes},
                         kT0 + 1, "zhujian");
  ASSERT_TRUE(p.ok());
  ledger::Block forged = p->block;
  forged.entries[0][forged.entries[0].size() / 2] ^= 1;  // a tampered entry
  EXPECT_FALSE(proxy.Validate(forged).ok());
  ledger::Block wrong_root = p->block;
  wrong_root.header.log_root = Sha256("x");
  EXPECT_EQ(proxy.Validate(wrong_root).reason(), "block.header_mismatch");
  ledger::Block wrong_height = p->block;
  wrong_height.header.height += 1;
  EXPECT_FALSE(proxy.Validate(wrong_height).ok());
  EXPECT_FALSE(proxy.Commit(forged, "cert").ok());
  EXPECT_EQ(proxy.Tip().hash, before.hash);
  EXPECT_EQ(proxy.Tip().height, before.height);
}

// A test double backed by a vector: blocks of opaque entries, no rules but
// height and parent. It exists to show that the consensus can be tested
// without a ledger; the consensus issue's simulator builds on it.
class VectorLedger {
 public:
  ledger::Head Tip() const { return tip_; }
  Result<ProposedBlock> Propose(std::span<const std::string> entries, int64_t time,
                                std::string proposer) const {
    ProposedBlock p;
    p.block.header.height = tip_.height + 1;
    p.block.header.prev = tip_.hash;
    p.block.header.time = time;
    p.block.header.proposer = std::move(proposer);
    p.block.entries.assign(entries.begin(), entries.end());
    p.block.header.entries = entries.size();
    p.block.header.log_size = tip_.log_size + entries.size();
    return p;
  }
  Status Validate(const ledger::Block& b) const {
    if (b.header.height != tip_.height + 1 || b.header.prev != tip_.hash) {
      return Status::Invalid("block.bad_prev", "does not extend the tip");
    }
    return Status::Ok();
  }
  Status Commit(const ledger::Block& b, std::string certificate) {
    TZ_RETURN_IF_ERROR(Validate(b));
    blocks_.push_back({b, std::move(certificate)});
    tip_ = {b.header.height, b.header.Hash(), b.header.log_size, {}, b.header.time};
    return Status::Ok();
  }
  size_t size() const { return blocks_.size(); }

 private:
  ledger::Head tip_;
  std::vector<std::pair<ledger::Block, std::string>> blocks_;
};
static_assert(ConsensusLedger<VectorLedger>);

// Generic code over the concept: what a consensus round does once it has
// a decision. `certify` stands for the quorum's cosigning of the checkpoint.
template <ConsensusLedger L, class Certify>
Status ProposeAndCommit(L& l, std::vector<std::string> entries, Certify certify) {
  TZ_ASSIGN_OR_RETURN(ProposedBlock p, l.Propose(entries, kT0 + 5, "zhujian"));
  TZ_RETURN_IF_ERROR(l.Validate(p.block));
  TZ_ASSIGN_OR_RETURN(std::string cert, certify(p.checkpoint));
  return l.Commit(p.block, std::move(cert));
}

TEST(ConsensusLedger, GenericCodeRunsOverTheStubAndTheRealLedger) {
  auto opaque = [](const log::Checkpoint&) -> Result<std::string> { return std::string("cert"); };
  VectorLedger stub;
  ASSERT_TRUE(ProposeAndCommit(stub, {"a", "b"}, opaque).ok());
  ASSERT_TRUE(ProposeAndCommit(stub, {"c"}, opaque).ok());
  EXPECT_EQ(stub.size(), 2u);
  EXPECT_EQ(stub.Tip().height, 2u);

  Consortium c;
  LedgerProxy real(c.ledger.get());
  uint64_t h = real.Tip().height;
  ledger::SignedEntry e = c.c("builder").Sign(c.Notarize("generic"));
  auto sign = [&](const log::Checkpoint& cp) {
    return log::SignCheckpoint(cp, std::span<const log::NoteSigner>(&c.node, 1));
  };
  Status s = ProposeAndCommit(real, {e.bytes}, sign);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(real.Tip().height, h + 1);
  // The stored certificate verifies against the node keys, and the audit
  // replays the chain.
  EXPECT_TRUE(log::VerifyCertifiedCheckpoint(*c.ledger->GetCheckpoint(h + 1), c.ledger->NodeKeys(),
                                             1, ledger::testing::kOrigin)
                  .ok());
  EXPECT_TRUE(ledger::Audit(c.ledger->store(), ledger::testing::DomainAudit()).ok());
}

}  // namespace
}  // namespace tz::node
