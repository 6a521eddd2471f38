#include "node/node.h"

#include <chrono>

#include "archive/local_store.h"

namespace tz::node {

Result<std::unique_ptr<Node>> Node::Open(const std::string& data_dir, const NodeOptions& options) {
  std::unique_ptr<Node> n(new Node());
  n->dir_ = DataDir{data_dir};
  TZ_ASSIGN_OR_RETURN(n->config_, LoadConfig(n->dir_));
  TZ_ASSIGN_OR_RETURN(NamedKeyPair node_key, ReadKeyFile(n->dir_.node_key()));
  TZ_ASSIGN_OR_RETURN(log::NoteSigner signer,
                      log::NoteSigner::Create(node_key.name, std::move(node_key.keys.secret_key)));
  n->signer_ = std::make_unique<log::NoteSigner>(std::move(signer));
  TZ_ASSIGN_OR_RETURN(n->service_, ReadKeyFile(n->dir_.service_key()));
  n->service_id_ = ledger::KeyIdOf(n->service_.keys.public_key);

  ledger::LedgerOptions lo = NodeLedgerOptions();
  lo.sync = options.sync;
  TZ_ASSIGN_OR_RETURN(n->ledger_, OpenDataDirLedger(n->dir_, lo));
  archive::LocalStoreOptions so;
  so.create_if_missing = false;
  // The embedded default backend. The node uses it only as a BlobStore;
  // uploads are staged beside it, so they are made from the concrete store.
  TZ_ASSIGN_OR_RETURN(
      std::unique_ptr<archive::LocalBlobStore> local,
      archive::LocalBlobStore::Open(archive::Env::Default(), n->dir_.archive(), so));
  TZ_ASSIGN_OR_RETURN(n->uploads_, archive::LocalUploadSessions::Open(local.get()));
  n->blobs_ = std::move(local);
  TZ_ASSIGN_OR_RETURN(n->service_seq_, n->ledger_->CommittedState().GetSeq(n->service_id_));
  // The sequencer signs checkpoints with its own copy of the node key.
  TZ_ASSIGN_OR_RETURN(log::NoteSigner seq_signer,
                      log::NoteSigner::Parse(n->signer_->ToSecretString()));
  node::SequencerOptions seq_opts;
  seq_opts.max_block_entries = options.max_block_entries;
  n->sequencer_ = std::make_unique<Sequencer>(n->ledger_.get(), std::move(seq_signer),
                                              n->config_.name, seq_opts);
  TZ_RETURN_IF_ERROR(n->StartTimestamps(options.timestamps));
  return n;
}

Node::~Node() { Stop(); }

Status Node::StartTimestamps(const NodeTimestampOptions& o) {
  TZ_ASSIGN_OR_RETURN(timestamps_, TimestampStore::Open(dir_.timestamps()));
  StamperOptions base;
  base.retry_min = o.retry_min;
  base.retry_max = o.retry_max;
  base.timeout = o.timeout;
  if (o.local) {
    TZ_ASSIGN_OR_RETURN(TimeStampAuthority tsa, TimeStampAuthority::Create(*o.local));
    tsa_.emplace(std::move(tsa));
    StamperOptions so = base;
    so.local = &*tsa_;
    stampers_.push_back(
        std::make_unique<CheckpointStamper>(kTsaSourceLocal, ledger_.get(), timestamps_.get(), so));
  }
  if (!o.url.empty()) {
    if (o.ca_pem.empty() || !o.post) {
      return Status::Invalid("tsa.config", "an external TSA needs its CA certificate");
    }
    StamperOptions so = base;
    so.url = o.url;
    so.ca_pem = o.ca_pem;
    so.policy_oid = o.policy_oid;
    so.post = o.post;
    stampers_.push_back(std::make_unique<CheckpointStamper>(kTsaSourceExternal, ledger_.get(),
                                                            timestamps_.get(), so));
  }
  return Status::Ok();
}

void Node::Stop() {
  for (auto& s : stampers_) s->Stop();
  if (sequencer_) sequencer_->Stop();
}

void Node::Submit(std::string entry_bytes, Sequencer::Done done) {
  if (stampers_.empty()) return sequencer_->Submit(std::move(entry_bytes), std::move(done));
  // Wake the stampers once the block is durable, so that a new checkpoint
  // is stamped without waiting for the next poll.
  sequencer_->Submit(std::move(entry_bytes),
                     [this, done = std::move(done)](Result<ledger::Receipt> r) {
                       bool committed = r.ok();
                       done(std::move(r));
                       if (committed) {
                         for (auto& s : stampers_) s->Notify();
                       }
                     });
}

void Node::SubmitAsNode(const Json& entry, Sequencer::Done done) {
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  // Numbering and queueing under one lock keeps sequence numbers in queue
  // order, so they increase along the log.
  std::lock_guard<std::mutex> lock(seq_mu_);
  auto e = ledger::SignEntry(ledger_->chain(), entry, service_id_, service_.keys.secret_key,
                             service_seq_ + 1, now);
  if (!e.ok()) return done(e.status());
  ++service_seq_;
  sequencer_->Submit(std::move(e->bytes), std::move(done));
}

}  // namespace tz::node
