// `tiezheng log`: an RFC 6962 log over files' digests, with C2SP checkpoints
// and proofs, entirely offline. The same formats the node serves, so the
// commands double as an independent check of what a node says.
//
// Log file (JSON, written by `log build`):
//   {"format":"tiezheng-log/v1","origin":"...","hash":"sha256",
//    "leaves":[{"name":"...","sha256":"<hex>"}...],
//    "checkpoints":["<signed note>"...]}   (one per build/append, oldest first)
// Leaf i is the 32 raw bytes of file i's digest; its leaf hash is
// H(0x00 || digest).
#include <cstdio>
#include <fstream>
#include <sstream>

#include "cli.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/keyfile.h"
#include "log/checkpoint.h"
#include "log/merkle.h"
#include "log/merkle_compact.h"
#include "log/merkle_proof.h"
#include "log/note.h"
#include "log/tlog_proof.h"

namespace tz::cli {
namespace {

using log::Checkpoint;
using log::NoteSigner;
using log::NoteVerifier;
using log::TlogProof;

constexpr size_t kMaxInputFile = 64 * 1024 * 1024;

const char kLogUsage[] =
    "Usage:\n"
    "  tiezheng log build --key KEYFILE --out LOG [--origin ORIGIN] [--append] FILE...\n"
    "      构建（或追加）以文件 SHA-256 为叶子的 RFC 6962 日志，并打印签名检查点\n"
    "      Build (or extend with --append) an RFC 6962 log whose leaves are the files'\n"
    "      SHA-256 digests; prints the C2SP signed checkpoint.\n"
    "  tiezheng log prove --log LOG (--index N | --file FILE) [--json]\n"
    "      打印包含证明（C2SP tlog-proof） / print an inclusion proof (C2SP tlog-proof)\n"
    "  tiezheng log prove --log LOG --from SIZE1 [--to SIZE2] [--json]\n"
    "      打印一致性证明 / print a consistency proof (RFC 9162 §2.1.4), one base64\n"
    "      hash per line, or JSON with both checkpoints\n"
    "  tiezheng log verify --vkey VKEY [--vkey VKEY...] [--quorum K] --proof P.tlog-proof FILE\n"
    "      离线验证文件在日志中 / verify offline that FILE is in the log\n"
    "  tiezheng log verify --vkey VKEY [--quorum K] --consistency PROOF.json\n"
    "      离线验证两个检查点一致 / verify that a newer checkpoint extends an older one\n"
    "\n"
    "VKEY is a C2SP verifier key string (name+hex8+base64) or a file holding one, or a\n"
    "tiezheng public key file (.pub). Exit codes: 0 verified/ok, 1 not verified, 2 usage,\n"
    "3 bad input, 4 failure.\n";

int Usage(const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "error: %s\n\n", why.c_str());
  std::fprintf(why.empty() ? stdout : stderr, "%s", kLogUsage);
  return why.empty() ? kExitOk : kExitUsage;
}

struct Leaf {
  std::string name;
  Digest digest;
};

struct LogFile {
  std::string origin;
  std::vector<Leaf> leaves;
  std::vector<std::string> checkpoints;

  Json ToJson() const {
    Json j = Json::MakeObject();
    j.set("format", "tiezheng-log/v1");
    j.set("origin", origin);
    j.set("hash", "sha256");
    Json leaves_json = Json::MakeArray();
    for (const Leaf& l : leaves) {
      Json e = Json::MakeObject();
      e.set("name", l.name);
      e.set("sha256", ToHex(l.digest));
      leaves_json.push_back(std::move(e));
    }
    j.set("leaves", std::move(leaves_json));
    Json cps = Json::MakeArray();
    for (const auto& c : checkpoints) cps.push_back(Json(c));
    j.set("checkpoints", std::move(cps));
    return j;
  }

  static Result<LogFile> Load(const std::string& path) {
    TZ_ASSIGN_OR_RETURN(std::string text, ReadFileAtMost(path, kMaxInputFile));
    TZ_ASSIGN_OR_RETURN(Json j, ParseJson(text));
    TZ_RETURN_IF_ERROR(CheckKeys(j, {"format", "origin", "hash", "leaves", "checkpoints"}));
    TZ_ASSIGN_OR_RETURN(std::string format, GetString(j, "format"));
    TZ_ASSIGN_OR_RETURN(std::string hash, GetString(j, "hash"));
    if (format != "tiezheng-log/v1" || hash != "sha256") {
      return Status::Invalid("log.bad_file", path + ": not a tiezheng-log/v1 sha256 log file");
    }
    LogFile f;
    TZ_ASSIGN_OR_RETURN(f.origin, GetString(j, "origin"));
    const Json* leaves = j.find("leaves");
    const Json* cps = j.find("checkpoints");
    if (!leaves || !leaves->is_array() || !cps || !cps->is_array()) {
      return Status::Invalid("log.bad_file", path + ": leaves/checkpoints must be arrays");
    }
    for (const Json& e : leaves->as_array()) {
      Leaf l;
      TZ_ASSIGN_OR_RETURN(l.name, GetString(e, "name"));
      TZ_ASSIGN_OR_RETURN(std::string hex, GetString(e, "sha256"));
      TZ_ASSIGN_OR_RETURN(l.digest, DigestFromHex(hex));
      f.leaves.push_back(std::move(l));
    }
    for (const Json& c : cps->as_array()) {
      if (!c.is_string()) return Status::Invalid("log.bad_file", "checkpoint must be a string");
      f.checkpoints.push_back(c.as_string());
    }
    return f;
  }
};

// The tree over a log file's leaves, with every perfect node stored.
struct Tree {
  merkle::LogHasher hasher;
  merkle::CompactRange range;
  merkle::MemoryNodeStore store;

  explicit Tree(const std::vector<Leaf>& leaves) : range(hasher) {
    std::vector<merkle::StoredNode> created;
    for (const Leaf& l : leaves) {
      created.clear();
      range.Append(hasher.HashLeaf(l.digest.span()), &created);
      store.PutAll(created);
    }
  }
};

// Finds the checkpoint (signed note) of the log file at `size`, if any.
std::optional<std::string> CheckpointAt(const LogFile& f, uint64_t size) {
  for (const auto& note : f.checkpoints) {
    auto parsed = log::ParseNote(note);
    if (!parsed.ok()) continue;
    auto cp = Checkpoint::Parse(parsed->text);
    if (cp.ok() && cp->size == size) return note;
  }
  return std::nullopt;
}

Result<NoteVerifier> LoadVerifier(const std::string& arg) {
  std::ifstream probe(arg);
  if (!probe) return NoteVerifier::Parse(arg);
  auto pub = ReadPublicKeyFile(arg);
  if (pub.ok()) return NoteVerifier::Create(pub->name, pub->key);
  TZ_ASSIGN_OR_RETURN(std::string text, ReadFileAtMost(arg, kMaxInputFile));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return NoteVerifier::Parse(text);
}

int Build(const Args& args) {
  auto key_path = args.value("key");
  auto out = args.value("out");
  if (!key_path || !out) return Usage("log build needs --key and --out");
  if (args.positional().empty()) return Usage("log build needs at least one FILE");
  auto key = ReadKeyFile(*key_path);
  if (!key.ok()) return Fail(key.status());
  auto signer = NoteSigner::Create(key->name, std::move(key->keys.secret_key));
  if (!signer.ok()) return Fail(signer.status());

  LogFile f;
  if (args.flag("append")) {
    auto loaded = LogFile::Load(*out);
    if (!loaded.ok()) return Fail(loaded.status());
    f = std::move(loaded).value();
    if (args.value("origin") && *args.value("origin") != f.origin) {
      return Fail(Status::Invalid("log.origin_mismatch", "--origin differs from the log's"));
    }
  } else {
    f.origin = args.value_or("origin", "tiezheng.local/log/" + key->name);
  }
  for (const auto& path : args.positional()) {
    auto d = HashFile(HashAlgorithm::kSha256, path);
    if (!d.ok()) return Fail(d.status());
    f.leaves.push_back({path, *d});
  }
  Tree tree(f.leaves);
  Checkpoint cp;
  cp.origin = f.origin;
  cp.size = tree.range.size();
  cp.root_hash = tree.range.Root();
  auto signed_note = log::SignNote(cp.Body(), *signer);
  if (!signed_note.ok()) return Fail(signed_note.status());
  const std::string& note = *signed_note;
  f.checkpoints.push_back(note);
  Status s = WriteFileAtomically(*out, f.ToJson().Pretty() + "\n");
  if (!s.ok()) return Fail(s);
  std::fputs(note.c_str(), stdout);
  std::fprintf(stderr, "已写入 / wrote %s (%zu leaves); verifier key: %s\n", out->c_str(),
               f.leaves.size(), signer->verifier().ToString().c_str());
  return kExitOk;
}

int ProveInclusion(const Args& args, const LogFile& f, const Tree& tree) {
  uint64_t index = 0;
  if (auto file = args.value("file")) {
    auto d = HashFile(HashAlgorithm::kSha256, *file);
    if (!d.ok()) return Fail(d.status());
    bool found = false;
    for (size_t i = 0; i < f.leaves.size() && !found; ++i) {
      if (f.leaves[i].digest == *d) index = i, found = true;
    }
    if (!found) {
      return Fail(Status::NotFound("log.leaf_not_found",
                                   "no leaf with SHA-256 " + ToHex(*d) + " in the log"));
    }
  } else if (auto idx = args.value("index")) {
    char* end = nullptr;
    index = std::strtoull(idx->c_str(), &end, 10);
    if (idx->empty() || *end != '\0') return Usage("--index must be a number");
  } else {
    return Usage("log prove needs --index, --file or --from");
  }
  uint64_t size = tree.range.size();
  if (index >= size) {
    return Fail(Status::Invalid("log.index_out_of_range", "index beyond the log's size"));
  }
  auto hashes = merkle::InclusionProof(tree.store, tree.hasher, index, size);
  if (!hashes.ok()) return Fail(hashes.status());
  auto note = CheckpointAt(f, size);
  if (!note) return Fail(Status::Internal("log.no_checkpoint", "no checkpoint at log size"));
  TlogProof p;
  p.index = index;
  p.inclusion = *hashes;
  p.checkpoint = *note;
  if (args.flag("json")) {
    Json j = Json::MakeObject();
    j.set("index", index);
    j.set("tree_size", size);
    j.set("leaf_sha256", ToHex(f.leaves[index].digest));
    Json arr = Json::MakeArray();
    for (const Digest& h : *hashes) arr.push_back(Json(Base64Encode(h.span())));
    j.set("hashes", std::move(arr));
    j.set("checkpoint", *note);
    j.set("tlog_proof", p.Format());
    std::printf("%s\n", j.Pretty().c_str());
  } else {
    std::fputs(p.Format().c_str(), stdout);
  }
  return kExitOk;
}

int ProveConsistency(const Args& args, const LogFile& f, const Tree& tree) {
  auto parse_size = [](const std::string& s, uint64_t* v) {
    char* end = nullptr;
    *v = std::strtoull(s.c_str(), &end, 10);
    return !s.empty() && *end == '\0';
  };
  uint64_t size1 = 0, size2 = tree.range.size();
  if (!parse_size(*args.value("from"), &size1)) return Usage("--from must be a number");
  if (auto to = args.value("to"); to && !parse_size(*to, &size2)) {
    return Usage("--to must be a number");
  }
  if (size1 == 0 || size1 > size2 || size2 > tree.range.size()) {
    return Fail(Status::Invalid("log.bad_sizes", "need 0 < from <= to <= log size"));
  }
  auto hashes = merkle::ConsistencyProof(tree.store, tree.hasher, size1, size2);
  if (!hashes.ok()) return Fail(hashes.status());
  if (!args.flag("json")) {
    for (const Digest& h : *hashes) std::printf("%s\n", Base64Encode(h.span()).c_str());
    return kExitOk;
  }
  auto old_note = CheckpointAt(f, size1);
  auto new_note = CheckpointAt(f, size2);
  if (!old_note || !new_note) {
    return Fail(Status::NotFound("log.no_checkpoint",
                                 "the log file has no checkpoint at one of these sizes"));
  }
  Json j = Json::MakeObject();
  j.set("size1", size1);
  j.set("size2", size2);
  Json arr = Json::MakeArray();
  for (const Digest& h : *hashes) arr.push_back(Json(Base64Encode(h.span())));
  j.set("hashes", std::move(arr));
  j.set("checkpoint1", *old_note);
  j.set("checkpoint2", *new_note);
  std::printf("%s\n", j.Pretty().c_str());
  return kExitOk;
}

int Prove(const Args& args) {
  auto log_path = args.value("log");
  if (!log_path) return Usage("log prove needs --log");
  auto f = LogFile::Load(*log_path);
  if (!f.ok()) return Fail(f.status());
  Tree tree(f->leaves);
  if (args.value("from")) return ProveConsistency(args, *f, tree);
  return ProveInclusion(args, *f, tree);
}

// Prints the verdict in both languages; --json prints it as an object.
int Verdict(const Args& args, const Status& s, Json details) {
  if (args.flag("json")) {
    details.set("verified", s.ok());
    if (!s.ok()) {
      details.set("reason", s.reason());
      details.set("message", s.message());
    }
    std::printf("%s\n", details.Pretty().c_str());
    return s.ok() ? kExitOk : ExitCodeFor(s);
  }
  if (s.ok()) {
    std::printf("验证通过 / VERIFIED\n");
    for (const auto& [k, v] : details.as_object()) {
      std::printf("  %s: %s\n", k.c_str(),
                  v.is_string() ? v.as_string().c_str() : v.Canonical().c_str());
    }
    return kExitOk;
  }
  std::printf("验证失败 / NOT VERIFIED: %s [%s]\n", s.message().c_str(), s.reason().c_str());
  return ExitCodeFor(s);
}

Result<log::CertifiedCheckpoint> OpenWithKeys(const std::string& note,
                                              const std::vector<NoteVerifier>& keys,
                                              size_t quorum) {
  return log::VerifyCertifiedCheckpoint(note, keys, quorum);
}

Status VerifyInclusionProofFile(const Args& args, const std::vector<NoteVerifier>& keys,
                                size_t quorum, Json* details) {
  if (args.positional().size() != 1) {
    return Status::Invalid("usage", "log verify --proof needs exactly one FILE");
  }
  TZ_ASSIGN_OR_RETURN(std::string text, ReadFileAtMost(*args.value("proof"), kMaxInputFile));
  TZ_ASSIGN_OR_RETURN(TlogProof p, TlogProof::Parse(text));
  TZ_ASSIGN_OR_RETURN(auto cp, OpenWithKeys(p.checkpoint, keys, quorum));
  TZ_ASSIGN_OR_RETURN(Digest d, HashFile(HashAlgorithm::kSha256, args.positional()[0]));
  merkle::LogHasher hasher;
  details->set("file_sha256", ToHex(d));
  details->set("index", p.index);
  details->set("origin", cp.checkpoint.origin);
  details->set("tree_size", cp.checkpoint.size);
  std::string signers;
  for (const auto& n : cp.signers) signers += (signers.empty() ? "" : ",") + n;
  details->set("signed_by", signers);
  return merkle::VerifyInclusion(hasher, p.index, cp.checkpoint.size, hasher.HashLeaf(d.span()),
                                 p.inclusion, cp.checkpoint.root_hash);
}

Status VerifyConsistencyFile(const Args& args, const std::vector<NoteVerifier>& keys, size_t quorum,
                             Json* details) {
  TZ_ASSIGN_OR_RETURN(std::string text, ReadFileAtMost(*args.value("consistency"), kMaxInputFile));
  TZ_ASSIGN_OR_RETURN(Json j, ParseJson(text));
  TZ_RETURN_IF_ERROR(CheckKeys(j, {"size1", "size2", "hashes", "checkpoint1", "checkpoint2"}));
  TZ_ASSIGN_OR_RETURN(std::string note1, GetString(j, "checkpoint1"));
  TZ_ASSIGN_OR_RETURN(std::string note2, GetString(j, "checkpoint2"));
  TZ_ASSIGN_OR_RETURN(auto cp1, OpenWithKeys(note1, keys, quorum));
  TZ_ASSIGN_OR_RETURN(auto cp2, OpenWithKeys(note2, keys, quorum));
  if (cp1.checkpoint.origin != cp2.checkpoint.origin) {
    return Status::Verification("log.origin_mismatch", "the checkpoints are of different logs");
  }
  const Json* hashes = j.find("hashes");
  if (!hashes || !hashes->is_array()) return Status::Invalid("json.wrong_type", "hashes");
  std::vector<Bytes> proof;
  for (const Json& h : hashes->as_array()) {
    if (!h.is_string()) return Status::Invalid("json.wrong_type", "hashes must be strings");
    TZ_ASSIGN_OR_RETURN(Bytes b, Base64Decode(h.as_string()));
    proof.push_back(std::move(b));
  }
  details->set("origin", cp1.checkpoint.origin);
  details->set("size1", cp1.checkpoint.size);
  details->set("size2", cp2.checkpoint.size);
  merkle::LogHasher hasher;
  return merkle::VerifyConsistency(hasher, cp1.checkpoint.size, cp2.checkpoint.size, proof,
                                   cp1.checkpoint.root_hash.span(),
                                   cp2.checkpoint.root_hash.span());
}

int Verify(int argc, char** argv, int first) {
  // --vkey may repeat: collect those first, then parse the rest normally.
  std::vector<NoteVerifier> keys;
  std::vector<char*> rest = {argv[0]};
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--vkey" && i + 1 < argc) {
      auto v = LoadVerifier(argv[++i]);
      if (!v.ok()) return Fail(v.status());
      keys.push_back(std::move(v).value());
    } else {
      rest.push_back(argv[i]);
    }
  }
  Args args({"proof", "consistency", "quorum"}, {"json", "help"});
  if (!args.Parse(static_cast<int>(rest.size()), rest.data(), 1)) return Usage(args.error());
  if (args.flag("help")) return Usage("");
  if (keys.empty()) return Usage("log verify needs at least one --vkey");
  size_t quorum = 1;
  if (auto q = args.value("quorum")) quorum = std::strtoull(q->c_str(), nullptr, 10);
  if (quorum == 0 || quorum > keys.size()) return Usage("--quorum must be in 1..number of keys");
  Json details = Json::MakeObject();
  Status s;
  if (args.value("proof")) {
    s = VerifyInclusionProofFile(args, keys, quorum, &details);
  } else if (args.value("consistency")) {
    s = VerifyConsistencyFile(args, keys, quorum, &details);
  } else {
    return Usage("log verify needs --proof or --consistency");
  }
  if (!s.ok() && s.reason() == "usage") return Usage(s.message());
  return Verdict(args, s, std::move(details));
}

}  // namespace

int CmdLog(int argc, char** argv, int first) {
  if (first >= argc) return Usage("missing log subcommand");
  std::string sub = argv[first];
  if (sub == "--help" || sub == "-h" || sub == "help") return Usage("");
  if (sub == "verify") return Verify(argc, argv, first + 1);
  Args args({"key", "out", "origin", "log", "index", "file", "from", "to"},
            {"append", "json", "help"});
  if (!args.Parse(argc, argv, first + 1)) return Usage(args.error());
  if (args.flag("help")) return Usage("");
  if (sub == "build") return Build(args);
  if (sub == "prove") return Prove(args);
  return Usage("unknown log subcommand '" + sub + "'");
}

}  // namespace tz::cli
