// `tiezheng init`: keys, genesis (this node the only member), config.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "archive/local_store.h"
#include "crypto/encoding.h"
#include "crypto/keyfile.h"
#include "crypto/suite.h"
#include "ledger/envelope.h"
#include "ledger/kv.h"
#include "ledger/ledger.h"
#include "log/note.h"
#include "node/config.h"

namespace tz::node {
namespace {

namespace fs = std::filesystem;

Json KeySpec(const PublicKey& pk) {
  Json j = Json::MakeObject();
  j.set("alg", Json(SignatureName(pk.algorithm())));
  j.set("pub", Json(Base64Encode(pk.bytes())));
  return j;
}

Json ClientKey(const PublicKey& pk, const std::string& party,
               std::initializer_list<const char*> roles) {
  Json r = Json::MakeArray();
  for (const char* role : roles) r.push_back(Json(role));
  Json j = Json::MakeObject();
  j.set("key", KeySpec(pk));
  j.set("party", Json(party));
  j.set("roles", std::move(r));
  return j;
}

Result<Json::Array> ReadExtraKeys(const std::string& path) {
  if (path.empty()) return Json::Array();
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("init.bad_keys_file", "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = ParseJson(ss.str());
  if (!j.ok() || !j->is_array()) {
    return Status::Invalid("init.bad_keys_file",
                           path + ": expected a JSON array of {\"key\",\"party\",\"roles\"}");
  }
  return j->as_array();
}

Status WriteText(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return Status::IOError("io.write", "cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Status::IOError("io.rename", path + ": " + ec.message());
  return Status::Ok();
}

// Leaves an empty data directory with its keys/ subdirectory (owner only).
// A non-empty directory is replaced only with `force`, and only if it is a
// Tiezheng data directory.
Status PrepareDataDir(const DataDir& dir, bool force) {
  std::error_code ec;
  if (fs::exists(dir.root, ec) && !fs::is_empty(dir.root, ec)) {
    if (!force) {
      return Status(Code::kAlreadyExists, "init.exists",
                    dir.root + " is not empty (use --force to replace it)");
    }
    if (!fs::exists(dir.config(), ec)) {
      return Status(Code::kFailedPrecondition, "init.exists",
                    dir.root + " is not a Tiezheng data directory; refusing to delete it");
    }
    fs::remove_all(dir.root, ec);
    if (ec) return Status::IOError("io.remove", dir.root + ": " + ec.message());
  }
  fs::create_directories(dir.keys(), ec);
  if (ec) return Status::IOError("io.mkdir", dir.keys() + ": " + ec.message());
  fs::permissions(dir.keys(), fs::perms::owner_all, ec);
  return Status::Ok();
}

// The keys of a new node: its member key (signs genesis), its checkpoint
// key, and the service and admin client keys.
struct NodeKeys {
  NamedKeyPair member, node, service, admin;
};

// Generates the node's keys and writes them under DIR/keys/.
Result<NodeKeys> CreateKeys(const DataDir& dir, const std::string& name, SignatureAlgorithm alg) {
  NodeKeys k{{name, GenerateKeyPair(alg)},
             {name, GenerateKeyPair(alg)},
             {name + "-service", GenerateKeyPair(alg)},
             {name + "-admin", GenerateKeyPair(alg)}};
  TZ_RETURN_IF_ERROR(WriteKeyFile(dir.member_key(), k.member));
  TZ_RETURN_IF_ERROR(WriteKeyFile(dir.node_key(), k.node));
  TZ_RETURN_IF_ERROR(WriteKeyFile(dir.service_key(), k.service));
  TZ_RETURN_IF_ERROR(WriteKeyFile(dir.admin_key(), k.admin));
  return k;
}

// The genesis entry: this node the only member (checkpoints verified with
// `signer`); the admin and service client keys, then `extra`.
Json GenesisEntry(const NodeConfig& cfg, const NodeKeys& k, const log::NoteSigner& signer,
                  Json::Array extra) {
  Json m = Json::MakeObject();
  m.set("key", KeySpec(k.member.keys.public_key));
  m.set("name", Json(cfg.name));
  m.set("node", Json(signer.verifier().ToString()));
  Json keys = Json::MakeArray();
  keys.push_back(ClientKey(k.admin.keys.public_key, k.admin.name,
                           {"department", "operator", "receiving_unit"}));
  keys.push_back(ClientKey(k.service.keys.public_key, k.service.name, {"auditor"}));
  for (Json& key : extra) keys.push_back(std::move(key));
  Json genesis = Json::MakeObject();
  genesis.set("type", Json("genesis"));
  genesis.set("v", Json(1));
  genesis.set("chain", Json(cfg.chain));
  genesis.set("suite", Json(cfg.suite));
  genesis.set("origin", Json(cfg.origin));
  genesis.set("members", Json::MakeArray({std::move(m)}));
  genesis.set("keys", std::move(keys));
  return genesis;
}

}  // namespace

Result<InitResult> InitDataDir(const InitOptions& o) {
  DataDir dir{o.data_dir};
  NodeConfig cfg = o.config;
  if (cfg.origin.empty()) cfg.origin = "tiezheng/" + cfg.chain;
  TZ_ASSIGN_OR_RETURN(CryptoSuite suite, CryptoSuite::Parse(cfg.suite));
  if (!ledger::IsValidId(cfg.name) || !ledger::IsValidId(cfg.chain)) {
    return Status::Invalid("init.bad_name", "node and chain names are id tokens [A-Za-z0-9._:-]");
  }
  TZ_ASSIGN_OR_RETURN(Json::Array extra, ReadExtraKeys(o.genesis_keys_file));
  TZ_RETURN_IF_ERROR(PrepareDataDir(dir, o.force));
  TZ_ASSIGN_OR_RETURN(NodeKeys k, CreateKeys(dir, cfg.name, suite.signature));

  TZ_ASSIGN_OR_RETURN(log::NoteSigner signer,
                      log::NoteSigner::Create(cfg.name, k.node.keys.secret_key.Clone()));
  Json genesis = GenesisEntry(cfg, k, signer, std::move(extra));
  int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  TZ_ASSIGN_OR_RETURN(
      ledger::SignedEntry signed_genesis,
      ledger::SignEntry(cfg.chain, genesis, ledger::KeyIdOf(k.member.keys.public_key),
                        k.member.keys.secret_key, 1, now));
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<ledger::KvStore> kv,
                      ledger::OpenLevelDbStore(dir.ledger(), true));
  ledger::LedgerOptions lo = NodeLedgerOptions();
  lo.mark = ledger::NewFileCheckpointMarkStore(dir.checkpoint_mark(), true);
  TZ_ASSIGN_OR_RETURN(
      std::unique_ptr<ledger::Ledger> l,
      ledger::Ledger::CreateGenesis(std::move(kv), signed_genesis, now, signer, lo));
  TZ_ASSIGN_OR_RETURN(auto store,
                      archive::LocalBlobStore::Open(archive::Env::Default(), dir.archive()));
  TZ_RETURN_IF_ERROR(WriteText(dir.config(), cfg.ToJson().Pretty() + "\n"));

  InitResult r;
  r.chain = cfg.chain;
  r.origin = cfg.origin;
  TZ_ASSIGN_OR_RETURN(r.checkpoint, l->GetCheckpoint(0));
  r.node_vkey = signer.verifier().ToString();
  r.admin_key_id = ledger::ToHex(ledger::KeyIdOf(k.admin.keys.public_key));
  return r;
}

}  // namespace tz::node
