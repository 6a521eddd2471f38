// A node's data directory and `tiezheng init`.
//
// Layout (docs/node.md):
//   DIR/node.json          configuration: {"chain","listen","name","origin","suite","version"}
//   DIR/keys/member.key    the member's governance key (signs the genesis, votes)
//   DIR/keys/node.key      the node's checkpoint key (C2SP signed-note signer)
//   DIR/keys/service.key   the node's service key: a client key with role
//                          "auditor" that signs access.log entries
//   DIR/keys/admin.key     a client key registered at genesis with roles
//                          department, operator, receiving_unit (for the
//                          operator of this node; see docs/node.md)
//   DIR/ledger/            LevelDB: entries, blocks, log, state, indices
//   DIR/archive/           the content-addressed blob store and upload sessions
//   DIR/timestamps/        RFC 3161 tokens over checkpoints (derived data,
//                          node/timestamps.h)
//   DIR/checkpoint.hwm     the newest checkpoint this node signed, outside
//                          ledger/ so that a damaged store cannot take it
//                          along (ledger/checkpoint_mark.h)
// Key files are mode 0600 (crypto/keyfile.h).
#pragma once

#include <memory>
#include <string>

#include "crypto/json.h"
#include "crypto/status.h"
#include "ledger/ledger.h"

namespace tz::node {

// The options every Tiezheng ledger is opened with: the handover domain's
// entry types (handover::EntryTypes()) on top of the ledger's own.
ledger::LedgerOptions NodeLedgerOptions();

struct NodeConfig {
  std::string name = "node1";  // member name, checkpoint key name
  std::string chain = "tiezheng-local";
  std::string origin;  // checkpoint origin; default "tiezheng/<chain>"
  std::string suite = "intl";
  std::string listen = "127.0.0.1:7390";

  Json ToJson() const;
  // Strict: exact fields. Reasons "config.*".
  static Result<NodeConfig> FromJson(const Json& j);
};

// Paths inside a data directory.
struct DataDir {
  std::string root;
  std::string config() const { return root + "/node.json"; }
  std::string keys() const { return root + "/keys"; }
  std::string member_key() const { return root + "/keys/member.key"; }
  std::string node_key() const { return root + "/keys/node.key"; }
  std::string service_key() const { return root + "/keys/service.key"; }
  std::string admin_key() const { return root + "/keys/admin.key"; }
  // Wrapped household data keys (一户一档): beside the local blob store,
  // whichever backend holds the ciphertext.
  std::string households() const { return root + "/archive/households"; }
  std::string ledger() const { return root + "/ledger"; }
  std::string archive() const { return root + "/archive"; }
  std::string timestamps() const { return root + "/timestamps"; }  // derived: RFC 3161 tokens
  std::string checkpoint_mark() const { return root + "/checkpoint.hwm"; }
};

// Opens the data directory's ledger with `options` and its checkpoint mark
// (DIR/checkpoint.hwm, fsynced when options.sync): the ledger refuses to
// open below the newest checkpoint this node signed and records every new
// one. Reasons: "kv.open", the Ledger::Open reasons ("ledger.rolled_back",
// "ledger.diverged", ...), "ledger.mark_missing" (a ledger without the mark
// file: made before the mark existed, or the file was removed; see
// AdoptCheckpointMark).
Result<std::unique_ptr<ledger::Ledger>> OpenDataDirLedger(const DataDir& dir,
                                                          ledger::LedgerOptions options);

// Records the ledger's newest checkpoint as the mark of a data directory
// that has none (one made before the mark existed). Only right if the ledger
// holds every block this node ever signed: the mark is what stops it from
// signing those sizes again. Reasons: "ledger.mark_exists", Ledger::Open
// reasons.
Status AdoptCheckpointMark(const DataDir& dir);

Result<NodeConfig> LoadConfig(const DataDir& dir);  // "config.missing", "config.bad"

struct InitOptions {
  std::string data_dir;
  NodeConfig config;
  bool force = false;  // remove an existing data directory first
  // Optional JSON file: an array of {"key":{"alg","pub"},"party","roles"}
  // registered at genesis besides the admin and service keys.
  std::string genesis_keys_file;
};

struct InitResult {
  std::string chain;
  std::string origin;
  std::string checkpoint;  // the genesis checkpoint note
  std::string node_vkey;   // verifier string of the node key
  std::string admin_key_id;
};

// Creates the data directory, keys, genesis block (this node the only
// member) and config. Reasons: "init.exists" (directory not empty and not
// force), "init.bad_keys_file", plus key, ledger and archive reasons.
Result<InitResult> InitDataDir(const InitOptions& options);

}  // namespace tz::node
