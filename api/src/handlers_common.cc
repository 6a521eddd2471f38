#include <algorithm>

#include "api/entry_facts.h"
#include "crypto/encoding.h"
#include "handlers.h"
#include "json_out.h"
#include "log/tlog_proof.h"

namespace tz::api {

WorkerPool::WorkerPool(int threads) {
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        std::function<void()> fn;
        {
          tz::MutexLock lock(mu_);
          cv_.wait(lock, [this]() TZ_REQUIRES(mu_) { return stop_ || !queue_.empty(); });
          if (queue_.empty()) return;
          fn = std::move(queue_.front());
          queue_.pop_front();
        }
        fn();
      }
    });
  }
}

WorkerPool::~WorkerPool() {
  {
    tz::MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::Post(std::function<void()> fn) {
  {
    tz::MutexLock lock(mu_);
    queue_.push_back(std::move(fn));
  }
  cv_.notify_one();
}

Json Strings(const std::vector<std::string>& v) {
  Json a = Json::MakeArray();
  for (const auto& s : v) a.push_back(Json(s));
  return a;
}

Result<ReadCache::BlockRef> ReadCache::BlockOf(ledger::Ledger& l, uint64_t index) {
  {
    tz::ReaderLock lock(mu_);
    if (!log_size_.empty() && index < log_size_.back()) {
      size_t h = static_cast<size_t>(std::upper_bound(log_size_.begin(), log_size_.end(), index) -
                                     log_size_.begin());
      return BlockRef{h, time_[h]};
    }
  }
  ledger::Head head = l.head();
  if (index >= head.log_size) {
    return Status::NotFound("ledger.no_entry", "no entry at index " + std::to_string(index));
  }
  tz::WriterLock lock(mu_);
  while (log_size_.size() <= head.height) {
    TZ_ASSIGN_OR_RETURN(ledger::BlockHeader h, l.GetBlockHeader(log_size_.size()));
    log_size_.push_back(h.log_size);
    time_.push_back(h.time);
  }
  size_t h = static_cast<size_t>(std::upper_bound(log_size_.begin(), log_size_.end(), index) -
                                 log_size_.begin());
  return BlockRef{h, time_[h]};
}

Result<std::string> ReadCache::PartyOf(ledger::Ledger& l, const ledger::KeyId& key) {
  {
    tz::ReaderLock lock(mu_);
    auto it = party_.find(key);
    if (it != party_.end()) return it->second;
  }
  TZ_ASSIGN_OR_RETURN(std::optional<ledger::KeyRecord> rec, l.CommittedState().GetKey(key));
  if (!rec) return std::string();
  tz::WriterLock lock(mu_);
  party_[key] = rec->party;
  return rec->party;
}

Result<Json> EntrySummary(Ctx* ctx, uint64_t index) {
  ledger::Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(std::string bytes, l.GetEntry(index));
  TZ_ASSIGN_OR_RETURN(EntryFacts e, ReadEntryFacts(bytes));
  TZ_ASSIGN_OR_RETURN(ReadCache::BlockRef b, ctx->cache.BlockOf(l, index));
  TZ_ASSIGN_OR_RETURN(std::string party, ctx->cache.PartyOf(l, e.key));
  Json j = Json::MakeObject();
  j.set("id", Json(ledger::ToHex(e.id)));
  j.set("index", Json(index));
  j.set("height", Json(b.height));
  j.set("time", Json(b.time));
  j.set("type", Json(std::move(e.type)));
  j.set("key", Json(ledger::ToHex(e.key)));
  j.set("party", Json(std::move(party)));
  j.set("signed", Json(std::move(bytes)));
  return j;
}

Status AppendEntrySummary(Ctx* ctx, uint64_t index, std::string* out, std::string* type) {
  ledger::Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(std::string bytes, l.GetEntry(index));
  TZ_ASSIGN_OR_RETURN(EntryFacts e, ReadEntryFacts(bytes));
  TZ_ASSIGN_OR_RETURN(ReadCache::BlockRef b, ctx->cache.BlockOf(l, index));
  TZ_ASSIGN_OR_RETURN(std::string party, ctx->cache.PartyOf(l, e.key));
  // JCS order: height, id, index, key, party, signed, time, type.
  out->append("{\"height\":");
  jsonout::Uint(out, b.height);
  out->append(",\"id\":\"");
  out->append(ledger::ToHex(e.id));
  out->append("\",\"index\":");
  jsonout::Uint(out, index);
  out->append(",\"key\":\"");
  out->append(ledger::ToHex(e.key));
  out->append("\",\"party\":");
  jsonout::String(out, party);
  out->append(",\"signed\":");
  jsonout::String(out, bytes);
  out->append(",\"time\":");
  jsonout::Int(out, b.time);
  out->append(",\"type\":");
  jsonout::String(out, e.type);
  out->push_back('}');
  *type = std::move(e.type);
  return Status::Ok();
}

Status AppendProof(Ctx* ctx, uint64_t index, uint64_t size, uint64_t height, std::string* out) {
  ledger::Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(std::vector<Digest> hashes, ctx->proofs.InclusionProof(l, index, size));
  TZ_ASSIGN_OR_RETURN(std::shared_ptr<const CachedNote> note, ctx->proofs.Checkpoint(l, height));
  // JCS order: checkpoint, hashes, index, tlog_proof, tree_size.
  out->append("{\"checkpoint\":");
  out->append(note->json);
  out->append(",\"hashes\":[");
  size_t first_hash = out->size() + 1;
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('"');
    jsonout::Base64(out, hashes[i]);
    out->push_back('"');
  }
  out->append("],\"index\":");
  jsonout::Uint(out, index);
  // The C2SP tlog-proof text (log::TlogProof::Format without extra
  // data) as a JSON string: only its newlines need escaping, and its note
  // part is the cached note's literal without the opening quote.
  out->append(",\"tlog_proof\":\"");
  out->append(log::kTlogProofHeader);
  out->append("\\nindex ");
  jsonout::Uint(out, index);
  out->append("\\n");
  for (size_t i = 0; i < hashes.size(); ++i) {
    char b64[44];  // the same base64 text as in "hashes"
    out->copy(b64, sizeof b64, first_hash + i * 47);
    out->append(b64, sizeof b64);
    out->append("\\n");
  }
  out->append("\\n");
  out->append(note->json, 1);
  out->append(",\"tree_size\":");
  jsonout::Uint(out, size);
  out->push_back('}');
  return Status::Ok();
}

Result<ledger::BlockHeader> BlockAtSize(ledger::Ledger& l, uint64_t size) {
  auto nf = [&] {
    return Status::NotFound("checkpoint.not_found",
                            "no block ends at log size " + std::to_string(size));
  };
  if (size == 0 || size > l.head().log_size) return nf();
  TZ_ASSIGN_OR_RETURN(uint64_t height, l.BlockOfEntry(size - 1));
  TZ_ASSIGN_OR_RETURN(ledger::BlockHeader h, l.GetBlockHeader(height));
  if (h.log_size != size) return nf();
  return h;
}

Result<Json> ProofJson(ledger::Ledger& l, uint64_t index, uint64_t size, uint64_t height) {
  TZ_ASSIGN_OR_RETURN(std::vector<Digest> hashes, l.InclusionProof(index, size));
  TZ_ASSIGN_OR_RETURN(std::string note, l.GetCheckpoint(height));
  log::TlogProof tp;
  tp.index = index;
  tp.inclusion = hashes;
  tp.checkpoint = note;
  Json hs = Json::MakeArray();
  for (const Digest& d : hashes) hs.push_back(Json(Base64Encode(d.span())));
  Json j = Json::MakeObject();
  j.set("index", Json(index));
  j.set("tree_size", Json(size));
  j.set("hashes", std::move(hs));
  j.set("checkpoint", Json(std::move(note)));
  j.set("tlog_proof", Json(tp.Format()));
  return j;
}

Result<std::optional<int64_t>> IntParam(const Request& req, std::string_view name) {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, req.query_param(name));
  if (!v) return std::optional<int64_t>();
  TZ_ASSIGN_OR_RETURN(uint64_t n, ParseDecimal(*v, name));
  return std::optional<int64_t>(static_cast<int64_t>(n));
}

Result<Page> ParsePage(const Request& req) {
  Page p;
  TZ_ASSIGN_OR_RETURN(std::optional<int64_t> limit, IntParam(req, "limit"));
  if (limit) {
    if (*limit < 1 || *limit > 500) {
      return Status::Invalid("request.bad_limit", "limit must be 1..500");
    }
    p.limit = static_cast<size_t>(*limit);
  }
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> cursor, req.query_param("cursor"));
  if (cursor) {
    auto c = ParseDecimal(*cursor, "cursor");
    if (!c.ok()) return Status::Invalid("request.bad_cursor", "cursor is not one we issued");
    p.after = *c;
  }
  return p;
}

}  // namespace tz::api
