// A running single-member node: the ledger, the blob store and upload
// sessions, the sequencer (group commit) and the node's own keys, opened
// from a data directory made by InitDataDir (node/config.h).
//
// Thread-safe: reads go straight to the ledger and archive (both allow
// concurrent readers); writes to the ledger go through the sequencer.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/blob_store.h"
#include "archive/upload.h"
#include "crypto/json.h"
#include "crypto/keyfile.h"
#include "crypto/status.h"
#include "crypto/thread_annotations.h"
#include "ledger/ledger.h"
#include "log/note.h"
#include "node/config.h"
#include "node/sequencer.h"
#include "node/timestamps.h"

namespace tz::node {

// Trusted time (node/timestamps.h, docs/timestamp.md). Either, both or
// neither: a local TSA (this node stamps its checkpoints and serves
// RFC 3161 over HTTP) and an external TSA by URL.
struct NodeTimestampOptions {
  std::optional<TsaConfig> local;  // certificate with the critical timeStamping EKU
  std::string url;                 // external TSA, http://host[:port]/path
  std::string ca_pem;              // CA certificate(s) the external TSA chains to
  std::string policy_oid;          // policy asked of the external TSA ("" = its default)
  TsaPost post;                    // transport for `url` (api/tsa_client.h)
  std::chrono::milliseconds retry_min{500}, retry_max{300000}, timeout{10000};
};

struct NodeOptions {
  bool sync = true;  // fsync every block
  size_t max_block_entries = 10000;
  NodeTimestampOptions timestamps = {};
};

class Node {
 public:
  // Reasons: "config.*", "keyfile.*", "ledger.*", "kv.*", "store.*".
  static Result<std::unique_ptr<Node>> Open(const std::string& data_dir,
                                            const NodeOptions& options = {});
  ~Node();

  const NodeConfig& config() const { return config_; }
  const DataDir& dir() const { return dir_; }
  ledger::Ledger& ledger() { return *ledger_; }
  archive::BlobStore& blobs() { return *blobs_; }
  archive::UploadSessions& uploads() { return *uploads_; }
  Sequencer& sequencer() { return *sequencer_; }
  const log::NoteSigner& checkpoint_signer() const { return *signer_; }
  const ledger::KeyId& service_key_id() const { return service_id_; }
  // Stored time-stamp tokens (DIR/timestamps), always open.
  const TimestampStore& timestamps() const { return *timestamps_; }
  // This node's own TSA, or null when none is configured.
  const TimeStampAuthority* tsa() const { return tsa_ ? &*tsa_ : nullptr; }
  // The running stampers (local and/or external).
  const std::vector<std::unique_ptr<CheckpointStamper>>& stampers() const { return stampers_; }

  // Submits signed entry bytes; `done` runs once the block holding it is
  // durable, or with the validation error.
  // A doc.notarize that says in_archive:true is refused before it reaches
  // the ledger unless this node's blob store holds those bytes at that size
  // ("document.not_in_archive", "document.size_mismatch"; 409): the flag is
  // a claim the ledger cannot check, so the node that admits it does.
  void Submit(std::string entry_bytes, Sequencer::Done done);
  // Signs `entry` ({"type",...}) with the node's service key and the next
  // sequence number, then submits it (access.log entries).
  void SubmitAsNode(const Json& entry, Sequencer::Done done) TZ_EXCLUDES(seq_mu_);
  // The in_archive check of Submit.
  Status CheckArchiveClaim(std::string_view entry_bytes);

  // Stops the sequencer after the queued entries are written.
  void Stop();

 private:
  Node() = default;
  Status StartTimestamps(const NodeTimestampOptions& options);
  NodeConfig config_;
  DataDir dir_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<archive::BlobStore> blobs_;
  std::unique_ptr<archive::UploadSessions> uploads_;
  std::unique_ptr<log::NoteSigner> signer_;
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<TimestampStore> timestamps_;
  std::optional<TimeStampAuthority> tsa_;
  std::vector<std::unique_ptr<CheckpointStamper>> stampers_;
  NamedKeyPair service_;
  ledger::KeyId service_id_;
  tz::Mutex seq_mu_;
  int64_t service_seq_ TZ_GUARDED_BY(seq_mu_) = 0;  // last sequence number used
};

}  // namespace tz::node
