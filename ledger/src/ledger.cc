// Ledger: opening, genesis, building and committing blocks.
#include "ledger/ledger.h"

#include <algorithm>

#include "crypto/ed25519_batch.h"
#include "layout.h"
#include "ledger/governance.h"
#include "parallel.h"

namespace tz::ledger {
namespace {

Json HeadJson(const Head& h) {
  Json j = Json::MakeObject();
  j.set("hash", Json(tz::ToHex(h.hash)));
  j.set("height", Json(h.height));
  j.set("log_root", Json(tz::ToHex(h.log_root)));
  j.set("log_size", Json(h.log_size));
  j.set("time", Json(h.time));
  return j;
}

Status HeadCorrupt(const std::string& m) { return Status::Corruption("ledger.head_corrupt", m); }

}  // namespace

// ---- BlockBuilder ----

BlockHeader BlockBuilder::Header() const {
  BlockHeader h = header_;
  h.entries = entries_.size();
  h.entries_root = block_tree_.Root();
  h.log_size = log_.size();
  h.log_root = log_.Root();
  return h;
}

Result<Receipt> BlockBuilder::Add(const SignedEntry& e, bool signature_verified) {
  uint64_t index = log_.size();
  TZ_ASSIGN_OR_RETURN(
      ValidatedEntry v,
      ValidateEntry(ledger_->types(), e, ledger_->chain_.empty() ? e.chain : ledger_->chain_,
                    state_, index, header_.height, header_.time, signature_verified));
  ApplyEntry(e, v, &state_, index, header_.height, header_.time);
  const KeyRecord& submitter = v.submitter;
  Digest leaf(e.id.array());
  log_.Append(leaf, &nodes_);
  block_tree_.Append(leaf);
  entries_.push_back(e.bytes);
  batch_.Put(layout::EntryKey(index), e.bytes);
  batch_.Put(layout::IdKey(e.id), EncodeU64(index));
  for (const IndexTerm& t : IndexTermsOf(v)) {
    batch_.Put(layout::TermKey(t.index, t.value, index), "");
  }
  batch_.Put(layout::TermKey("type", e.type, index), "");
  batch_.Put(layout::TermKey("party", submitter.party, index), "");
  batch_.Put(layout::TimeKey(header_.time, index), "");
  return Receipt{e.id, index, header_.height};
}

// ---- Ledger ----

Result<std::unique_ptr<Ledger>> Ledger::Open(std::unique_ptr<KvStore> store,
                                             LedgerOptions options) {
  std::unique_ptr<Ledger> l(new Ledger(std::move(store), options));
  TZ_RETURN_IF_ERROR(l->LoadHead());
  TZ_RETURN_IF_ERROR(l->VerifyHead());
  TZ_RETURN_IF_ERROR(l->CheckAgainstMark());
  TZ_RETURN_IF_ERROR(l->CheckIndices());
  return l;
}

Result<std::unique_ptr<Ledger>> Ledger::CreateGenesis(std::unique_ptr<KvStore> store,
                                                      const SignedEntry& genesis, int64_t time,
                                                      const log::NoteSigner& signer,
                                                      LedgerOptions options) {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> head, store->Get(layout::kHead));
  if (head) return Status(Code::kAlreadyExists, "ledger.not_empty", "the store has a ledger");
  std::unique_ptr<Ledger> l(new Ledger(std::move(store), options));
  if (options.mark) {
    TZ_ASSIGN_OR_RETURN(std::optional<CheckpointMark> mark, options.mark->Load());
    if (mark) {
      return Status::Corruption("ledger.rolled_back",
                                "this node already signed a checkpoint of a ledger here (height " +
                                    std::to_string(mark->height()) + ", size " +
                                    std::to_string(mark->size()) +
                                    "); a new genesis would sign its sizes again");
    }
  }
  if (genesis.type != "genesis") {
    return Status(Code::kFailedPrecondition, "entry.genesis_only",
                  "the first entry of a ledger must be its genesis");
  }
  l->chain_ = genesis.chain;
  // A genesis that does not parse is refused by Add, with its reason.
  Result<Genesis> parsed = Genesis::Parse(genesis.entry);
  l->origin_ = parsed.ok() ? parsed->origin : "";
  BlockBuilder b = l->NewBlock(time, parsed.ok() ? parsed->members.front().name : "");
  TZ_RETURN_IF_ERROR(b.Add(genesis).status());
  TZ_RETURN_IF_ERROR(l->Commit(std::move(b), signer).status());
  return l;
}

Status Ledger::LoadHead() {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> chain, store_->Get(layout::kChain));
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> head, store_->Get(layout::kHead));
  if (!chain || !head) {
    return Status(Code::kFailedPrecondition, "ledger.not_initialized",
                  "the store holds no ledger (run `tiezheng ledger init`)");
  }
  auto cj = ParseJson(*chain);
  auto hj = ParseJson(*head);
  if (!cj.ok() || !hj.ok()) return HeadCorrupt("head or chain record is not JSON");
  auto c = GetString(*cj, "chain");
  auto o = GetString(*cj, "origin");
  auto hash = GetString(*hj, "hash");
  auto height = GetInt(*hj, "height");
  auto root = GetString(*hj, "log_root");
  auto size = GetInt(*hj, "log_size");
  auto time = GetInt(*hj, "time");
  if (!c.ok() || !o.ok() || !hash.ok() || !height.ok() || !root.ok() || !size.ok() || !time.ok()) {
    return HeadCorrupt("head or chain record misses fields");
  }
  auto hd = DigestFromHex(*hash);
  auto rd = DigestFromHex(*root);
  if (!hd.ok() || !rd.ok()) return HeadCorrupt("head hashes are not hex");
  chain_ = *c;
  origin_ = *o;
  tz::MutexLock lock(mu_);
  head_ = Head{static_cast<uint64_t>(*height), *hd, static_cast<uint64_t>(*size), *rd, *time};
  has_head_ = true;
  return Status::Ok();
}

Status Ledger::VerifyHead() {
  // Only Open calls this, before the ledger is shared; it still reads the
  // guarded fields under mu_ (a copy of the head), as everything else does.
  const Head h = head();
  auto header = GetBlockHeader(h.height);
  if (!header.ok()) return HeadCorrupt("last block header: " + header.status().message());
  if (header->Hash() != h.hash) return HeadCorrupt("last block hash differs from the head");
  if (header->log_size != h.log_size || header->log_root != h.log_root) {
    return HeadCorrupt("last block's log size/root differ from the head");
  }
  if (h.height > 0) {
    auto prev = GetBlockHeader(h.height - 1);
    if (!prev.ok() || prev->Hash() != header->prev) {
      return HeadCorrupt("last block does not link to its predecessor");
    }
  }
  std::vector<Digest> frontier;
  for (merkle::NodeId id : merkle::FrontierNodes(h.log_size)) {
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, store_->Get(layout::NodeKey(id)));
    Digest d;
    if (!v || !Digest::FromSpan(AsBytes(*v), &d)) return HeadCorrupt("a log node is missing");
    frontier.push_back(d);
  }
  auto range = merkle::CompactRange::Restore(merkle::LogHasher(), h.log_size, frontier);
  if (!range.ok() || range->Root() != h.log_root) {
    return HeadCorrupt("stored log nodes do not give the head's root");
  }
  {
    tz::MutexLock lock(mu_);
    log_ = std::move(*range);
  }
  if (h.log_size > 0) {
    // The last entry must exist and hash to the stored leaf node.
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> last,
                        store_->Get(layout::EntryKey(h.log_size - 1)));
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> leaf,
                        store_->Get(layout::NodeKey({0, h.log_size - 1})));
    EntryId id = last ? EntryIdOf(AsBytes(*last)) : EntryId();
    if (!last || !leaf || AsString(id.span()) != *leaf) {
      return HeadCorrupt("the last entry is missing or differs from its log leaf");
    }
  }
  RefreshNodeKeys();
  auto note = GetCheckpoint(h.height);
  if (!note.ok()) return HeadCorrupt("the last block has no checkpoint");
  auto cp = log::VerifyCertifiedCheckpoint(*note, NodeKeys(), 1, origin_);
  if (!cp.ok()) return HeadCorrupt("last checkpoint: " + cp.status().ToString());
  if (cp->checkpoint.size != h.log_size || cp->checkpoint.root_hash != h.log_root ||
      !cp->checkpoint.block || cp->checkpoint.block->block_hash != h.hash) {
    return HeadCorrupt("the last checkpoint does not match the last block");
  }
  return Status::Ok();
}

Status Ledger::CheckAgainstMark() {
  if (!options_.mark) return Status::Ok();
  TZ_ASSIGN_OR_RETURN(mark_, options_.mark->Load());
  if (!mark_) return Status::Ok();
  const Head now = head();  // Open runs alone, but the head is read under its lock
  std::optional<BlockHeader> at_mark;
  if (mark_->height() <= now.height) {
    auto h = GetBlockHeader(mark_->height());
    if (h.ok()) {
      at_mark = std::move(*h);
    } else if (h.status().code() != Code::kNotFound) {
      return h.status();
    }
  }
  return CheckMark(*mark_, origin_, now.height, now.log_size, at_mark);
}

Status Ledger::store_status() const {
  if (!store_failed_.load(std::memory_order_acquire)) return Status::Ok();
  tz::MutexLock lock(failure_mu_);
  return Status(Code::kUnavailable, "ledger.store_failed",
                "an earlier write of the ledger's store failed (" + store_failure_.ToString() +
                    "); nothing more is written until the ledger is reopened (restart the node)");
}

void Ledger::LatchFailure(const Status& s) {
  tz::MutexLock lock(failure_mu_);
  if (store_failed_.load(std::memory_order_relaxed)) return;  // keep the first
  store_failure_ = s;
  store_failed_.store(true, std::memory_order_release);
}

Status Ledger::WriteStore(const KvBatch& batch, bool sync) {
  if (store_failed_.load(std::memory_order_acquire)) return store_status();
  Status s = store_->Write(batch, sync);
  if (!s.ok()) LatchFailure(s);
  return s;
}

void Ledger::RefreshNodeKeys() {
  State st(store_.get());
  std::vector<log::NoteVerifier> keys;
  auto members = st.Members();
  if (members.ok()) {
    for (const std::string& name : *members) {
      auto info = GetMemberRecord(st, name);
      if (!info.ok() || !*info) continue;
      auto v = log::NoteVerifier::Parse((*info)->node_vkey);
      if (v.ok()) keys.push_back(*v);
    }
  }
  tz::MutexLock lock(mu_);
  node_keys_ = std::move(keys);
}

Head Ledger::head() const {
  tz::MutexLock lock(mu_);
  return head_;
}

std::vector<log::NoteVerifier> Ledger::NodeKeys() const {
  tz::MutexLock lock(mu_);
  return node_keys_;
}

BlockBuilder Ledger::NewBlock(int64_t time, std::string proposer) const {
  BlockBuilder b(this, store_.get());
  tz::MutexLock lock(mu_);
  b.header_.chain = chain_;
  b.header_.height = has_head_ ? head_.height + 1 : 0;
  b.header_.prev = has_head_ ? head_.hash : Digest();
  b.header_.time = has_head_ ? std::max(time, head_.time) : time;
  b.header_.proposer = std::move(proposer);
  b.log_ = log_;
  return b;
}

namespace {

// The public key `keys` records for e's key id, only if it hashes to that id.
std::optional<PublicKey> KeyFor(const SignedEntry& e, const State& keys) {
  auto key = keys.GetKey(e.key);
  if (!key.ok() || !*key) return std::nullopt;
  if (KeyIdOf((*key)->public_key) != e.key) return std::nullopt;
  return std::move((*key)->public_key);
}

// kBatch over entries [begin, end): parse each, then verify the Ed25519
// signatures in runs of kRun with one batch each.
void PrepareRange(std::span<const std::string> entries, const State& keys, size_t begin, size_t end,
                  PreparedEntries* p) {
  constexpr size_t kRun = 256;
  std::vector<size_t> index;
  std::vector<std::string> messages;
  std::vector<PublicKey> pks;
  index.reserve(kRun);
  messages.reserve(kRun);
  pks.reserve(kRun);
  auto flush = [&] {
    Ed25519BatchVerifier batch;
    for (size_t k = 0; k < index.size(); ++k) {
      batch.Add(pks[k], AsBytes(messages[k]), p->parsed[index[k]]->value().sig);
    }
    std::vector<bool> ok = batch.VerifyEach();
    for (size_t k = 0; k < index.size(); ++k) p->verified[index[k]] = ok[k] ? 1 : 0;
    index.clear();
    messages.clear();
    pks.clear();
  };
  for (size_t i = begin; i < end; ++i) {
    p->parsed[i] = ParseSignedEntry(entries[i]);
    if (!p->parsed[i]->ok()) continue;
    const SignedEntry& e = p->parsed[i]->value();
    std::optional<PublicKey> pk = KeyFor(e, keys);
    if (!pk) continue;
    if (pk->algorithm() != SignatureAlgorithm::kEd25519) {
      if (VerifyEntrySignature(e, *pk).ok()) p->verified[i] = 1;
      continue;
    }
    index.push_back(i);
    messages.push_back(e.SigningMessage());
    pks.push_back(std::move(*pk));
    if (index.size() == kRun) flush();
  }
  if (!index.empty()) flush();
}

}  // namespace

PreparedEntries PrepareEntries(std::span<const std::string> entries, const State& keys, int threads,
                               SignatureCheck check) {
  size_t n = entries.size();
  PreparedEntries p;
  p.parsed.resize(n);
  p.verified.assign(n, 0);
  if (check == SignatureCheck::kBatch) {
    ParallelRanges(n, threads,
                   [&](size_t begin, size_t end) { PrepareRange(entries, keys, begin, end, &p); });
    return p;
  }
  ParallelFor(n, threads, [&](size_t i) {
    p.parsed[i] = ParseSignedEntry(entries[i]);
    if (!p.parsed[i]->ok()) return;
    const SignedEntry& e = p.parsed[i]->value();
    // Genesis is signed by a key that is not in any state yet; Add checks it.
    std::optional<PublicKey> pk = KeyFor(e, keys);
    if (pk && VerifyEntrySignature(e, *pk).ok()) p.verified[i] = 1;
  });
  return p;
}

std::vector<Result<Receipt>> Ledger::AddAll(BlockBuilder* builder,
                                            std::span<const std::string> entries) const {
  // Key id -> public key never changes, so the committed state's records
  // serve even if a key is revoked later in this block (ValidateEntry checks
  // revocation in order).
  return AddPrepared(builder,
                     PrepareEntries(entries, State(store_.get()), options_.verify_threads));
}

std::vector<Result<Receipt>> Ledger::AddPrepared(BlockBuilder* builder,
                                                 PreparedEntries&& prepared) const {
  size_t n = prepared.parsed.size();
  std::vector<Result<Receipt>> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!prepared.parsed[i]->ok()) {
      out.push_back(prepared.parsed[i]->status());
    } else {
      out.push_back(builder->Add(prepared.parsed[i]->value(), prepared.verified[i] != 0));
    }
  }
  return out;
}

Result<BlockHeader> Ledger::Commit(BlockBuilder&& b, const log::NoteSigner& signer) {
  return CommitInternal(std::move(b), &signer, "");
}

Result<BlockHeader> Ledger::CommitWithCheckpoint(BlockBuilder&& b, std::string note) {
  return CommitInternal(std::move(b), nullptr, std::move(note));
}

std::unique_ptr<Ledger> Ledger::NewReplica(std::unique_ptr<KvStore> store, std::string chain,
                                           std::string origin, LedgerOptions options) {
  std::unique_ptr<Ledger> l(new Ledger(std::move(store), options));
  l->chain_ = std::move(chain);
  l->origin_ = std::move(origin);
  return l;
}

Result<BlockHeader> Ledger::CommitInternal(BlockBuilder&& b, const log::NoteSigner* signer,
                                           std::string note) {
  TZ_RETURN_IF_ERROR(store_status());
  {
    tz::MutexLock lock(mu_);
    uint64_t expect = has_head_ ? head_.height + 1 : 0;
    if (b.ledger_ != this || b.header_.height != expect || b.log_.size() < log_.size()) {
      return Status(Code::kFailedPrecondition, "ledger.stale_block",
                    "the block does not extend the current head");
    }
  }
  b.header_ = b.Header();
  BlockHeader& h = b.header_;
  Digest hash = h.Hash();
  log::Checkpoint cp = CheckpointFor(h);
  // Open refused a store below the mark, so this holds unless the ledger was
  // made some other way; it is what keeps a height, and with it a size,
  // from ever being signed twice.
  if (mark_ && (h.height <= mark_->height() || h.log_size < mark_->size())) {
    return Status::Corruption("ledger.rolled_back",
                              "refusing to sign height " + std::to_string(h.height) +
                                  ": this node already signed a checkpoint at height " +
                                  std::to_string(mark_->height()));
  }
  if (signer != nullptr) {
    TZ_ASSIGN_OR_RETURN(note, log::SignCheckpoint(cp, std::span<const log::NoteSigner>(signer, 1)));
  }
  std::optional<CheckpointMark> mark;
  if (options_.mark) {
    auto m = CheckpointMark::Parse(note);
    if (!m.ok()) return m.status().WithContext("the block's checkpoint note");
    if (m->checkpoint.size != h.log_size || m->checkpoint.root_hash != h.log_root ||
        m->checkpoint.block->block_hash != hash) {
      return Status::Invalid("ledger.bad_checkpoint", "the checkpoint note is not the block's");
    }
    mark = std::move(*m);
  }
  if (h.height == 0) {
    Json chain = Json::MakeObject();
    chain.set("chain", Json(chain_));
    chain.set("origin", Json(origin_));
    b.batch_.Put(std::string(layout::kChain), chain.Canonical());
    b.batch_.Put(std::string(layout::kIndices), std::string(layout::kIndexVersion));
  }
  b.state_.Flush(&b.batch_);
  for (const merkle::StoredNode& n : b.nodes_) {
    b.batch_.Put(layout::NodeKey(n.id),
                 std::string(reinterpret_cast<const char*>(n.hash.data()), Digest::kSize));
  }
  b.batch_.Put(layout::BlockKey(h.height), h.Canonical());
  b.batch_.Put(layout::CheckpointKey(h.height), note);
  Head next{h.height, hash, h.log_size, h.log_root, h.time};
  b.batch_.Put(std::string(layout::kHead), HeadJson(next).Canonical());
  TZ_RETURN_IF_ERROR(WriteStore(b.batch_, options_.sync));
  if (mark) {
    // The block is durable; its checkpoint is recorded before anyone sees
    // it. If this fails the block stays unpublished (and is found in the
    // store after a restart, above the old mark).
    if (Status s = options_.mark->Store(*mark); !s.ok()) {
      LatchFailure(s);
      return s;
    }
    mark_ = std::move(mark);
  }
  bool keys_changed = false;
  for (const std::string& e : b.entries_) {
    keys_changed = keys_changed || e.find("\"type\":\"gov.") != std::string::npos ||
                   e.find("\"type\":\"genesis\"") != std::string::npos;
  }
  {
    tz::MutexLock lock(mu_);
    head_ = next;
    has_head_ = true;
    log_ = b.log_;
  }
  if (keys_changed) RefreshNodeKeys();
  return h;
}

Result<BlockBuilder> Ledger::ReplayBlock(const Block& block, uint64_t* bad_entry) const {
  return ReplayBlock(block,
                     PrepareEntries(block.entries, State(store_.get()), options_.verify_threads),
                     bad_entry);
}

Result<BlockBuilder> Ledger::ReplayBlock(const Block& block, PreparedEntries&& prepared,
                                         uint64_t* bad_entry) const {
  const BlockHeader& want = block.header;
  if (prepared.parsed.size() != block.entries.size()) {
    return Status::Internal("ledger.internal", "prepared entries do not match the block");
  }
  // The head and whether there is one, read together: a commit may run
  // meanwhile (LedgerProxy::Validate beside a Commit).
  Head h;
  bool has_head = false;
  {
    tz::MutexLock lock(mu_);
    h = head_;
    has_head = has_head_;
  }
  if (want.chain != chain_) {
    return Status::Verification("block.wrong_chain", "block is for chain '" + want.chain + "'");
  }
  if (want.height != (has_head ? h.height + 1 : 0)) {
    return Status::Verification("block.bad_height", "block height " + std::to_string(want.height) +
                                                        " does not follow the head");
  }
  if (has_head && want.prev != h.hash) {
    return Status::Verification("block.bad_prev", "block does not link to the head");
  }
  if (has_head && want.time < h.time) {
    return Status::Verification("block.time_regress", "block time is before the head's");
  }
  if (has_head) {
    TZ_ASSIGN_OR_RETURN(std::vector<std::string> members, State(store_.get()).Members());
    if (std::find(members.begin(), members.end(), want.proposer) == members.end()) {
      return Status::Verification("block.bad_proposer",
                                  "proposer '" + want.proposer + "' is not a member");
    }
  }
  BlockBuilder b = NewBlock(want.time, want.proposer);
  std::vector<Result<Receipt>> results = AddPrepared(&b, std::move(prepared));
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].ok()) {
      uint64_t index = h.log_size + i;
      if (bad_entry != nullptr) *bad_entry = index;
      return results[i].status().WithContext("entry " + std::to_string(index));
    }
  }
  BlockHeader got = b.Header();
  auto mismatch = [](const char* field) {
    return Status::Verification("block.header_mismatch",
                                std::string("recomputed header differs in '") + field + "'");
  };
  if (got.entries != want.entries) return mismatch("entries");
  if (got.entries_root != want.entries_root) return mismatch("entries_root");
  if (got.log_size != want.log_size) return mismatch("log_size");
  if (got.log_root != want.log_root) return mismatch("log_root");
  if (got.proposer != want.proposer) return mismatch("proposer");
  if (got.time != want.time) return mismatch("time");
  return b;
}

log::Checkpoint Ledger::CheckpointFor(const BlockHeader& h) const {
  log::Checkpoint cp;
  cp.origin = origin_;
  cp.size = h.log_size;
  cp.root_hash = h.log_root;
  cp.block = log::BlockAnchor{h.height, h.Hash(), static_cast<uint64_t>(h.time)};
  return cp;
}

Status Ledger::ApplyBlock(const Block& block, const log::NoteSigner& signer) {
  TZ_ASSIGN_OR_RETURN(BlockBuilder b, ReplayBlock(block));
  return Commit(std::move(b), signer).status();
}

}  // namespace tz::ledger
