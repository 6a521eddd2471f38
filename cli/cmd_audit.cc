// `tiezheng audit DATA_DIR`: re-verify a ledger from genesis.
#include <cstdio>
#include <filesystem>

#include "cli.h"
#include "handover/entry_types.h"
#include "ledger/audit.h"
#include "ledger/checkpoint_mark.h"
#include "ledger/kv.h"
#include "safe_output.h"

namespace tz::cli {
namespace {

const char kHelp[] =
    "Usage: tiezheng audit DATA_DIR [--threads N] [--strict] [--quiet]\n"
    "\n"
    "Re-verifies the ledger in DATA_DIR (a node data directory, or the LevelDB\n"
    "directory itself) from genesis: every entry's signature, sequence number and\n"
    "validation rules, every block link and Merkle root, every checkpoint\n"
    "signature, the stored log nodes, indices and state. Stops at the first bad\n"
    "item and names it (block height, log index, entry id, reason).\n"
    "The node must not be running (LevelDB allows one process).\n"
    "\n"
    "Entry signatures are checked with Ed25519 batch verification (the cofactored\n"
    "equation of RFC 8032 5.1.7, several times faster); a batch that fails is\n"
    "re-checked one by one, so failures are exact. --strict checks every\n"
    "signature alone with libsodium (cofactorless), the rule the node applied when\n"
    "it accepted the entry; the two differ only on signatures a key holder\n"
    "deliberately malformed (see docs/ledger.md).\n"
    "\n"
    "In a data directory the ledger must also reach the newest checkpoint the\n"
    "node signed, recorded in DATA_DIR/checkpoint.hwm, and hold that very block:\n"
    "a ledger that lost its newest blocks (a truncated or older LevelDB) fails\n"
    "with audit.rolled_back or audit.diverged.\n"
    "  --threads N   verification threads (default 2)\n"
    "  --strict      one-by-one signature checks (slower)\n"
    "  --quiet       no progress output\n"
    "\n"
    "Exit codes: 0 verified, 1 not verified, 3 no ledger there, 4 I/O failure.\n";

}  // namespace

int CmdAudit(int argc, char** argv, int first) {
  Args a({"threads"}, {"quiet", "strict", "help"});
  if (!a.Parse(argc, argv, first) || a.flag("help") || a.positional().size() != 1) {
    std::fputs(kHelp, a.flag("help") ? stdout : stderr);
    return a.flag("help") ? kExitOk : kExitUsage;
  }
  std::string dir = a.positional()[0];
  // The checkpoint mark lives in the data directory, beside ledger/.
  std::string mark_path;
  if (std::filesystem::is_directory(dir + "/ledger")) {
    mark_path = dir + "/checkpoint.hwm";
    dir += "/ledger";
  } else {
    std::filesystem::path parent = std::filesystem::path(dir).lexically_normal().parent_path();
    if (parent.filename().empty()) parent = parent.parent_path();  // "dir/" names dir
    if (std::filesystem::exists(parent / "node.json")) {
      mark_path = (parent / "checkpoint.hwm").string();
    }
  }
  if (!std::filesystem::exists(dir + "/CURRENT")) {
    return Fail(Status::NotFound("audit.not_initialized", dir + " holds no ledger"));
  }
  auto store = ledger::OpenLevelDbStore(dir, false);
  if (!store.ok()) return Fail(store.status());
  ledger::AuditOptions opts;
  if (!mark_path.empty()) {
    auto mark = ledger::NewFileCheckpointMarkStore(mark_path, false)->Load();
    if (!mark.ok()) {
      std::printf("audit FAILED: %s\n", mark.status().ToString().c_str());
      return kExitNotVerified;
    }
    if (*mark) {
      opts.mark = std::move(**mark);
    } else {
      std::fprintf(stderr,
                   "warning: %s is missing: whether the ledger lost blocks the node signed "
                   "is not checked\n",
                   mark_path.c_str());
    }
  }
  int threads = std::atoi(a.value_or("threads", "2").c_str());
  opts.verify_threads = threads < 1 ? 1 : threads;
  if (a.flag("strict")) opts.signatures = ledger::SignatureCheck::kEach;
  bool quiet = a.flag("quiet");
  if (!quiet) {
    opts.progress = [](uint64_t h) {
      if (h % 1000 == 0) WriteProgress("\raudit: block " + std::to_string(h));
    };
  }
  opts.types = &handover::EntryTypes();
  ledger::AuditReport r = ledger::Audit(**store, opts);
  if (!quiet) WriteProgress("\r" + std::string(40, ' ') + "\r");
  if (!r.ok()) {
    std::printf("audit FAILED: %s\n", r.failure->ToString().c_str());
    std::printf("verified before the failure: %llu blocks, %llu entries\n",
                (unsigned long long)r.blocks, (unsigned long long)r.entries);
    int code = ExitCodeFor(r.failure->status);
    return code == kExitInput ? kExitNotVerified : code;
  }
  std::printf("audit ok: %llu blocks, %llu entries verified in %.2f s (%.0f entries/s)\n",
              (unsigned long long)r.blocks, (unsigned long long)r.entries, r.seconds,
              r.seconds > 0 ? r.entries / r.seconds : 0.0);
  if (opts.mark) {
    std::printf("newest signed checkpoint (height %llu, size %llu) is held\n",
                (unsigned long long)opts.mark->height(), (unsigned long long)opts.mark->size());
  }
  return kExitOk;
}

}  // namespace tz::cli
