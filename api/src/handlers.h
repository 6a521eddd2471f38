// Private: the route groups and what they share.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "api/http.h"
#include "api/metrics.h"
#include "api/proof_cache.h"
#include "api/router.h"
#include "api/service.h"
#include "archive/household.h"
#include "crypto/json.h"
#include "crypto/thread_annotations.h"
#include "ledger/ledger.h"
#include "node/node.h"

namespace tz::api {

// A small pool for blocking work (fsync), so I/O threads never wait on disk.
class WorkerPool {
 public:
  explicit WorkerPool(int threads);
  ~WorkerPool();
  void Post(std::function<void()> fn) TZ_EXCLUDES(mu_);

 private:
  tz::Mutex mu_;
  std::condition_variable_any cv_;
  std::deque<std::function<void()>> queue_ TZ_GUARDED_BY(mu_);
  bool stop_ TZ_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

// Immutable facts about committed blocks and keys, cached so that a lookup
// does not re-read and re-parse block headers (heights, times and log sizes
// never change once committed; a key's party never changes).
class ReadCache {
 public:
  struct BlockRef {
    uint64_t height = 0;
    int64_t time = 0;
  };
  // The block holding log index `index` ("ledger.no_entry" past the head).
  Result<BlockRef> BlockOf(ledger::Ledger& l, uint64_t index) TZ_EXCLUDES(mu_);
  // The party of a registered key ("" when unknown).
  Result<std::string> PartyOf(ledger::Ledger& l, const ledger::KeyId& key) TZ_EXCLUDES(mu_);

 private:
  tz::SharedMutex mu_;
  std::vector<uint64_t> log_size_ TZ_GUARDED_BY(mu_);  // by height
  std::vector<int64_t> time_ TZ_GUARDED_BY(mu_);       // by height
  std::map<ledger::KeyId, std::string> party_ TZ_GUARDED_BY(mu_);
};

struct Ctx {
  node::Node* node;
  ServiceOptions options;
  Metrics* metrics;
  WorkerPool* workers;
  std::string openapi;  // rendered once
  std::string portal_dir;
  ReadCache cache;
  ProofCache proofs;                               // log nodes and the head checkpoint for proofs
  std::unique_ptr<archive::HouseholdVault> vault;  // null without --kek
};

void AddServiceRoutes(Router* r, Ctx* ctx);   // health, metrics, openapi, consortium, portal
void AddBlobRoutes(Router* r, Ctx* ctx);      // blobs, uploads
void AddLedgerRoutes(Router* r, Ctx* ctx);    // entries, proofs, checkpoints, blocks, keys
void AddArchiveRoutes(Router* r, Ctx* ctx);   // documents, houses, households, cases
void AddEvidenceRoutes(Router* r, Ctx* ctx);  // evidence packages, RFC 3161 TSA, stored tokens

// Shared helpers (handlers_common.cc).
// The summary of the entry at a log index: {"id","index","height","time",
// "type","key","party","signed"}.
Result<Json> EntrySummary(Ctx* ctx, uint64_t index);
// The same summary written as canonical JSON onto *out (byte for byte what
// Response::Json(EntrySummary(...)) would write); *type gets its type.
Status AppendEntrySummary(Ctx* ctx, uint64_t index, std::string* out, std::string* type);
// ProofJson's object written as canonical JSON onto *out, with proofs and
// the checkpoint from ctx->proofs.
Status AppendProof(Ctx* ctx, uint64_t index, uint64_t size, uint64_t height, std::string* out);
// {"index","tree_size","hashes","checkpoint","tlog_proof"} against the
// checkpoint of `height` (whose log size is `size`).
Result<Json> ProofJson(ledger::Ledger& l, uint64_t index, uint64_t size, uint64_t height);
// The block whose log size is exactly `size` ("checkpoint.not_found").
Result<ledger::BlockHeader> BlockAtSize(ledger::Ledger& l, uint64_t size);
// ?limit= (1..500, default 100) and ?cursor= (a decimal log index).
struct Page {
  size_t limit = 100;
  std::optional<uint64_t> after;
};
Result<Page> ParsePage(const Request& req);
Result<std::optional<int64_t>> IntParam(const Request& req, std::string_view name);
Json Strings(const std::vector<std::string>& v);
inline Response Ok(const Json& j, int status = 200) { return Response::Json(status, j); }

// Adapts a Result-returning function to a handler.
template <typename F>
std::function<void(Request&, Respond)> Sync(Ctx* ctx, F f) {
  return [ctx, f](Request& req, Respond done) {
    auto r = f(ctx, req);
    if (!r.ok()) return done(ErrorResponse(r.status()));
    if constexpr (std::is_same_v<std::decay_t<decltype(*r)>, Response>) {
      done(std::move(r).value());
    } else {
      done(Ok(*r));
    }
  };
}

}  // namespace tz::api
