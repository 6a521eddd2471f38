// `tiezheng ledger ...`: tools that work on a stopped node's ledger directly
// (tests, benchmarks, operators). The node service is the normal way in.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli.h"
#include "crypto/keyfile.h"
#include "ledger/ledger.h"
#include "node/config.h"

namespace tz::cli {
namespace {

const char kHelp[] =
    "Usage: tiezheng ledger <command> DATA_DIR [options]\n"
    "\n"
    "Works on the ledger of a stopped node (DATA_DIR as made by `tiezheng init`).\n"
    "  info DATA_DIR                          head: height, log size and root, block hash\n"
    "  get DATA_DIR INDEX                     the signed entry at a log index\n"
    "  lookup DATA_DIR NAME VALUE [--limit N] log indices by index term\n"
    "                                         (doc, house, household, case, project,\n"
    "                                          acceptance, type, party)\n"
    "  append DATA_DIR --key KEYFILE [--entry FILE]\n"
    "                                         sign the entry JSON (default: stdin) with\n"
    "                                         KEYFILE's next sequence number and append\n"
    "                                         it as one block; prints the receipt\n"
    "  load DATA_DIR --count N [--key KEYFILE] [--batch B]\n"
    "                                         append N synthetic notarizations in blocks\n"
    "                                         of B [500]; after each durable block prints\n"
    "                                         \"ack <index> <entry id>\" per entry\n"
    "  adopt-mark DATA_DIR                    record the ledger's newest checkpoint in\n"
    "                                         DATA_DIR/checkpoint.hwm, for a data\n"
    "                                         directory made before that record existed\n"
    "                                         (only if the ledger never lost a block)\n"
    "KEYFILE defaults to DATA_DIR/keys/admin.key; checkpoints are signed with\n"
    "DATA_DIR/keys/node.key. A data directory's ledger is opened with its\n"
    "checkpoint record (DATA_DIR/checkpoint.hwm): it refuses to open below the\n"
    "newest checkpoint the node signed.\n";

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct Opened {
  std::unique_ptr<ledger::Ledger> ledger;
  std::string root;
};

Result<Opened> OpenDir(const std::string& root) {
  if (std::filesystem::is_directory(root + "/ledger")) {
    // A data directory: with its checkpoint mark, like the node.
    TZ_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> l,
                        node::OpenDataDirLedger(node::DataDir{root}, node::NodeLedgerOptions()));
    return Opened{std::move(l), root};
  }
  // A bare LevelDB directory (reading only: there is no node key beside it).
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<ledger::KvStore> kv, ledger::OpenLevelDbStore(root, false));
  TZ_ASSIGN_OR_RETURN(std::unique_ptr<ledger::Ledger> l,
                      ledger::Ledger::Open(std::move(kv), node::NodeLedgerOptions()));
  return Opened{std::move(l), root};
}

Result<log::NoteSigner> NodeSigner(const std::string& root) {
  TZ_ASSIGN_OR_RETURN(NamedKeyPair k, ReadKeyFile(root + "/keys/node.key"));
  return log::NoteSigner::Create(k.name, std::move(k.keys.secret_key));
}

int Info(const Opened& o) {
  ledger::Head h = o.ledger->head();
  Json j = Json::MakeObject();
  j.set("chain", Json(o.ledger->chain()));
  j.set("origin", Json(o.ledger->origin()));
  j.set("height", Json(h.height));
  j.set("block_hash", Json(ToHex(h.hash)));
  j.set("log_size", Json(h.log_size));
  j.set("log_root", Json(ToHex(h.log_root)));
  j.set("time", Json(h.time));
  std::printf("%s\n", j.Pretty().c_str());
  return kExitOk;
}

int Append(Opened& o, const Args& a) {
  auto key = ReadKeyFile(a.value_or("key", o.root + "/keys/admin.key"));
  if (!key.ok()) return Fail(key.status());
  std::stringstream ss;
  if (auto f = a.value("entry")) {
    std::ifstream in(*f);
    if (!in) return Fail(Status::NotFound("file.open", *f));
    ss << in.rdbuf();
  } else {
    ss << std::cin.rdbuf();
  }
  auto body = ParseJson(ss.str(), {.jcs_integers = true});
  if (!body.ok()) return Fail(body.status());
  auto signer = NodeSigner(o.root);
  if (!signer.ok()) return Fail(signer.status());
  ledger::KeyId id = ledger::KeyIdOf(key->keys.public_key);
  auto seq = o.ledger->CommittedState().GetSeq(id);
  if (!seq.ok()) return Fail(seq.status());
  int64_t now = NowMs();
  auto e = ledger::SignEntry(o.ledger->chain(), *body, id, key->keys.secret_key, *seq + 1, now);
  if (!e.ok()) return Fail(e.status());
  ledger::BlockBuilder b = o.ledger->NewBlock(now, signer->name());
  auto r = b.Add(*e);
  if (!r.ok()) return Fail(r.status());
  auto h = o.ledger->Commit(std::move(b), *signer);
  if (!h.ok()) return Fail(h.status());
  Json j = Json::MakeObject();
  j.set("id", Json(ledger::ToHex(r->id)));
  j.set("index", Json(r->index));
  j.set("height", Json(r->height));
  j.set("log_root", Json(ToHex(h->log_root)));
  std::printf("%s\n", j.Pretty().c_str());
  return kExitOk;
}

int Load(Opened& o, const Args& a) {
  auto key = ReadKeyFile(a.value_or("key", o.root + "/keys/admin.key"));
  if (!key.ok()) return Fail(key.status());
  auto signer = NodeSigner(o.root);
  if (!signer.ok()) return Fail(signer.status());
  long long count = std::atoll(a.value_or("count", "0").c_str());
  long long batch = std::max(1LL, std::atoll(a.value_or("batch", "500").c_str()));
  ledger::KeyId id = ledger::KeyIdOf(key->keys.public_key);
  int64_t seq = *o.ledger->CommittedState().GetSeq(id);
  for (long long done = 0; done < count;) {
    int64_t now = NowMs();
    std::vector<std::string> entries;
    for (long long i = 0; i < batch && done + i < count; ++i) {
      ++seq;
      std::string content = "load " + ledger::ToHex(id) + " " + std::to_string(seq);
      Json body = Json::MakeObject();
      body.set("type", Json("doc.notarize"));
      body.set("v", Json(1));
      body.set("digest", Json(ToHex(Sha256(content))));
      body.set("size", Json(static_cast<int64_t>(content.size())));
      body.set("media_type", Json("text/plain"));
      body.set("title", Json("load test document"));
      body.set("doc_type", Json("other"));
      body.set("project", Json("LOAD"));
      body.set("in_archive", Json(false));
      body.set("encrypted", Json(false));
      auto e = ledger::SignEntry(o.ledger->chain(), body, id, key->keys.secret_key, seq, now);
      if (!e.ok()) return Fail(e.status());
      entries.push_back(e->bytes);
    }
    ledger::BlockBuilder b = o.ledger->NewBlock(now, signer->name());
    auto results = o.ledger->AddAll(&b, entries);
    for (const auto& r : results) {
      if (!r.ok()) return Fail(r.status());
    }
    auto h = o.ledger->Commit(std::move(b), *signer);
    if (!h.ok()) return Fail(h.status());
    for (const auto& r : results) {
      std::printf("ack %llu %s\n", (unsigned long long)r->index, ledger::ToHex(r->id).c_str());
    }
    std::fflush(stdout);
    done += static_cast<long long>(entries.size());
  }
  return kExitOk;
}

}  // namespace

int CmdLedger(int argc, char** argv, int first) {
  Args a({"key", "entry", "count", "batch", "limit"}, {"help"});
  if (!a.Parse(argc, argv, first) || a.flag("help") || a.positional().size() < 2) {
    std::fputs(kHelp, a.flag("help") ? stdout : stderr);
    return a.flag("help") ? kExitOk : kExitUsage;
  }
  const std::string& cmd = a.positional()[0];
  if (cmd == "adopt-mark" && a.positional().size() == 2) {
    node::DataDir dir{a.positional()[1]};
    if (Status s = node::AdoptCheckpointMark(dir); !s.ok()) return Fail(s);
    std::printf("recorded the newest checkpoint in %s\n", dir.checkpoint_mark().c_str());
    return kExitOk;
  }
  auto o = OpenDir(a.positional()[1]);
  if (!o.ok()) return Fail(o.status());
  const auto& p = a.positional();
  if (cmd == "info" && p.size() == 2) return Info(*o);
  if (cmd == "append" && p.size() == 2) return Append(*o, a);
  if (cmd == "load" && p.size() == 2) return Load(*o, a);
  if (cmd == "get" && p.size() == 3) {
    auto e = o->ledger->GetEntry(std::strtoull(p[2].c_str(), nullptr, 10));
    if (!e.ok()) return Fail(e.status());
    std::printf("%s\n", e->c_str());
    return kExitOk;
  }
  if (cmd == "lookup" && p.size() == 4) {
    auto r = o->ledger->Lookup(p[2], p[3], std::atoi(a.value_or("limit", "100").c_str()));
    if (!r.ok()) return Fail(r.status());
    for (uint64_t i : *r) std::printf("%llu\n", (unsigned long long)i);
    return kExitOk;
  }
  std::fputs(kHelp, stderr);
  return kExitUsage;
}

}  // namespace tz::cli
