#include "node/node.h"

#include <chrono>

#include "archive/local_store.h"
#include "crypto/hash.h"
#include "handover/records.h"
#include "ledger/envelope.h"

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
  TZ_ASSIGN_OR_RETURN(int64_t service_seq, n->ledger_->CommittedState().GetSeq(n->service_id_));
  {
    // n is not shared yet; the lock keeps every access to service_seq_ under seq_mu_.
    tz::MutexLock lock(n->seq_mu_);
    n->service_seq_ = service_seq;
  }
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

Status Node::CheckArchiveClaim(std::string_view entry_bytes) {
  // Canonical JSON (JCS) writes the member exactly so; any other entry makes
  // no claim and pays for no parse.
  if (entry_bytes.find("\"in_archive\":true") == std::string_view::npos) return Status::Ok();
  auto e = ledger::ParseSignedEntry(entry_bytes);
  if (!e.ok() || e->type != "doc.notarize") return Status::Ok();  // the ledger rejects or ignores
  auto n = handover::DocumentNotarization::Parse(e->entry);
  if (!n.ok() || !n->in_archive) return Status::Ok();
  auto info = blobs_->Stat(n->digest);
  if (!info.ok()) {
    if (info.status().code() != Code::kNotFound) return info.status();
    return Status(Code::kFailedPrecondition, "document.not_in_archive",
                  "in_archive is true, but this node holds no blob " + ToHex(n->digest) +
                      "; upload the bytes first (PUT /v1/blobs/{sha256}) or say in_archive:false");
  }
  if (static_cast<int64_t>(info->size) != n->size) {
    return Status(Code::kFailedPrecondition, "document.size_mismatch",
                  "the entry says " + std::to_string(n->size) + " bytes, the archived blob has " +
                      std::to_string(info->size));
  }
  return Status::Ok();
}

void Node::Submit(std::string entry_bytes, Sequencer::Done done) {
  if (Status s = CheckArchiveClaim(entry_bytes); !s.ok()) return done(s);
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
  tz::MutexLock lock(seq_mu_);
  auto e = ledger::SignEntry(ledger_->chain(), entry, service_id_, service_.keys.secret_key,
                             service_seq_ + 1, now);
  if (!e.ok()) return done(e.status());
  ++service_seq_;
  sequencer_->Submit(std::move(e->bytes), std::move(done));
}

}  // namespace tz::node
