// Entries, proofs, checkpoints, blocks, keys and members.
#include "crypto/encoding.h"
#include "handlers.h"
#include "ledger/governance.h"

namespace tz::api {
namespace {

using ledger::Ledger;

Json HeaderJson(const ledger::BlockHeader& h) {
  Json j = Json::MakeObject();
  j.set("height", Json(h.height));
  j.set("hash", Json(ToHex(h.Hash())));
  j.set("prev", Json(ToHex(h.prev)));
  j.set("time", Json(h.time));
  j.set("proposer", Json(h.proposer));
  j.set("entries_root", Json(ToHex(h.entries_root)));
  j.set("entry_count", Json(h.entries));
  j.set("log_size", Json(h.log_size));
  j.set("log_root", Json(ToHex(h.log_root)));
  return j;
}

void SubmitEntry(Ctx* ctx, Request& req, Respond done) {
  ctx->node->Submit(std::move(req.body), [done](Result<ledger::Receipt> r) {
    if (!r.ok()) return done(ErrorResponse(r.status()));
    Json j = Json::MakeObject();
    j.set("id", Json(ledger::ToHex(r->id)));
    j.set("index", Json(r->index));
    j.set("height", Json(r->height));
    done(Ok(j, 201));
  });
}

Result<uint64_t> IndexOfId(Ledger& l, const std::string& hex) {
  TZ_ASSIGN_OR_RETURN(ledger::EntryId id, ledger::EntryIdFromHex(hex));
  auto idx = l.FindEntry(id);
  if (!idx.ok() && idx.status().code() == Code::kNotFound) {
    return Status::NotFound("entry.not_found", "no entry with id " + hex);
  }
  return idx;
}

Result<Json> GetEntryJson(Ctx* ctx, const Request& req) {
  TZ_ASSIGN_OR_RETURN(uint64_t index, IndexOfId(ctx->node->ledger(), req.params[0]));
  return EntrySummary(ctx, index);
}

Result<Json> EntryProof(Ctx* ctx, const Request& req) {
  Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(uint64_t index, IndexOfId(l, req.params[0]));
  TZ_ASSIGN_OR_RETURN(std::optional<int64_t> size, IntParam(req, "size"));
  ledger::Head head = l.head();
  uint64_t height = head.height, tree = head.log_size;
  if (size) {
    TZ_ASSIGN_OR_RETURN(ledger::BlockHeader h, BlockAtSize(l, static_cast<uint64_t>(*size)));
    height = h.height;
    tree = h.log_size;
  }
  if (index >= tree) {
    return Status::Invalid("proof.index_out_of_range", "the entry is not in a log of that size");
  }
  return ProofJson(l, index, tree, height);
}

Result<Json> ListEntries(Ctx* ctx, const Request& req) {
  Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(Page page, ParsePage(req));
  // Indexed filters first (the first one present drives the lookup), then
  // "key", which is only checked per entry.
  constexpr int kFilters = 5;
  std::optional<std::string> filters[kFilters];
  const char* names[kFilters] = {"house", "acceptance", "party", "type", "key"};
  for (int i = 0; i < kFilters; ++i) {
    TZ_ASSIGN_OR_RETURN(filters[i], req.query_param(names[i]));
  }
  // "house" and "acceptance" are index terms, not fields of an entry summary,
  // so only one of them can select entries.
  if (filters[0] && filters[1]) {
    return Status::Invalid("request.bad_query", "use either house= or acceptance=, not both");
  }
  TZ_ASSIGN_OR_RETURN(std::optional<int64_t> from, IntParam(req, "from"));
  TZ_ASSIGN_OR_RETURN(std::optional<int64_t> to, IntParam(req, "to"));
  std::vector<uint64_t> candidates;
  size_t want = page.limit;
  if (filters[0] || filters[1] || filters[2] || filters[3]) {
    int i = 0;
    while (!filters[i]) ++i;
    TZ_ASSIGN_OR_RETURN(candidates, l.Lookup(names[i], *filters[i], want, page.after));
  } else if (from || to) {
    TZ_ASSIGN_OR_RETURN(candidates, l.LookupTime(from.value_or(0), to.value_or(INT64_MAX), 100000));
    std::erase_if(candidates, [&](uint64_t x) { return page.after && x <= *page.after; });
    if (candidates.size() > want) candidates.resize(want);
  } else {
    uint64_t start = page.after ? *page.after + 1 : 0;
    uint64_t end = std::min<uint64_t>(l.head().log_size, start + want);
    for (uint64_t x = start; x < end; ++x) candidates.push_back(x);
  }
  Json entries = Json::MakeArray();
  for (uint64_t idx : candidates) {
    TZ_ASSIGN_OR_RETURN(Json s, EntrySummary(ctx, idx));
    auto field_is = [&](const char* k, const std::optional<std::string>& v) {
      return !v || s.find(k)->as_string() == *v;
    };
    if (!field_is("type", filters[3]) || !field_is("party", filters[2]) ||
        !field_is("key", filters[4])) {
      continue;
    }
    if ((from && s.find("time")->as_int64() < *from) || (to && s.find("time")->as_int64() >= *to)) {
      continue;
    }
    entries.push_back(std::move(s));
  }
  Json j = Json::MakeObject();
  j.set("entries", std::move(entries));
  if (candidates.size() == want) j.set("next_cursor", Json(std::to_string(candidates.back())));
  return j;
}

Result<Response> LatestCheckpoint(Ctx* ctx, const Request& req) {
  Ledger& l = ctx->node->ledger();
  ledger::Head head = l.head();
  TZ_ASSIGN_OR_RETURN(std::string note, l.GetCheckpoint(head.height));
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> format, req.query_param("format"));
  if (format && *format == "json") {
    Json j = Json::MakeObject();
    j.set("size", Json(head.log_size));
    j.set("root", Json(Base64Encode(head.log_root.span())));
    j.set("height", Json(head.height));
    j.set("note", Json(std::move(note)));
    return Ok(j);
  }
  if (format && *format != "text") {
    return Status::Invalid("request.bad_format", "format must be json or text");
  }
  return Response::Text(200, std::move(note), "text/plain; charset=utf-8");
}

Result<Response> CheckpointAt(Ctx* ctx, const Request& req) {
  Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(uint64_t size, ParseDecimal(req.params[0], "size"));
  TZ_ASSIGN_OR_RETURN(ledger::BlockHeader h, BlockAtSize(l, size));
  TZ_ASSIGN_OR_RETURN(std::string note, l.GetCheckpoint(h.height));
  return Response::Text(200, std::move(note), "text/plain; charset=utf-8");
}

Result<Json> Consistency(Ctx* ctx, const Request& req) {
  TZ_ASSIGN_OR_RETURN(std::optional<int64_t> from, IntParam(req, "from"));
  TZ_ASSIGN_OR_RETURN(std::optional<int64_t> to, IntParam(req, "to"));
  if (!from || !to) return Status::Invalid("request.missing_param", "from and to are required");
  Ledger& l = ctx->node->ledger();
  if (static_cast<uint64_t>(*to) > l.head().log_size) {
    return Status::NotFound("proof.beyond_head", "to is beyond the log size");
  }
  if (*from < 1 || *from > *to) {
    return Status::Invalid("proof.size_order", "need 0 < from <= to");
  }
  TZ_ASSIGN_OR_RETURN(std::vector<Digest> hashes,
                      l.ConsistencyProof(static_cast<uint64_t>(*from), static_cast<uint64_t>(*to)));
  Json hs = Json::MakeArray();
  for (const Digest& d : hashes) hs.push_back(Json(Base64Encode(d.span())));
  Json j = Json::MakeObject();
  j.set("from", Json(*from));
  j.set("to", Json(*to));
  j.set("hashes", std::move(hs));
  return j;
}

Result<Json> BlockJson(Ctx* ctx, const Request& req) {
  Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(uint64_t height, ParseDecimal(req.params[0], "height"));
  auto h = l.GetBlockHeader(height);
  if (!h.ok() && h.status().code() == Code::kNotFound) {
    return Status::NotFound("block.not_found", "no block at height " + req.params[0]);
  }
  if (!h.ok()) return h.status();
  Json j = HeaderJson(*h);
  Json ids = Json::MakeArray();
  for (uint64_t i = h->log_size - h->entries; i < h->log_size; ++i) {
    TZ_ASSIGN_OR_RETURN(std::string bytes, l.GetEntry(i));
    ids.push_back(Json(ledger::ToHex(ledger::EntryIdOf(AsBytes(bytes)))));
  }
  j.set("entries", std::move(ids));
  TZ_ASSIGN_OR_RETURN(std::string note, l.GetCheckpoint(height));
  j.set("checkpoint", Json(std::move(note)));
  return j;
}

Result<Json> ListBlocks(Ctx* ctx, const Request& req) {
  Ledger& l = ctx->node->ledger();
  TZ_ASSIGN_OR_RETURN(std::optional<int64_t> from, IntParam(req, "from"));
  TZ_ASSIGN_OR_RETURN(Page page, ParsePage(req));
  uint64_t start = page.after ? *page.after + 1 : static_cast<uint64_t>(from.value_or(0));
  uint64_t top = l.head().height;
  Json blocks = Json::MakeArray();
  uint64_t h = start;
  for (; h <= top && blocks.size() < page.limit; ++h) {
    TZ_ASSIGN_OR_RETURN(ledger::BlockHeader hdr, l.GetBlockHeader(h));
    blocks.push_back(HeaderJson(hdr));
  }
  Json j = Json::MakeObject();
  j.set("blocks", std::move(blocks));
  if (h <= top) j.set("next_cursor", Json(std::to_string(h - 1)));
  return j;
}

Json KeyJson(const ledger::KeyId& id, const ledger::KeyRecord& rec) {
  Json roles = Json::MakeArray();
  for (ledger::Role r : rec.roles) roles.push_back(Json(ledger::RoleName(r)));
  Json j = Json::MakeObject();
  j.set("key", Json(ledger::ToHex(id)));
  j.set("algorithm", Json(SignatureName(rec.public_key.algorithm())));
  j.set("public_key", Json(Base64Encode(rec.public_key.bytes())));
  j.set("party", Json(rec.party));
  j.set("roles", std::move(roles));
  j.set("revoked", Json(rec.revoked));
  if (!rec.member.empty()) j.set("member", Json(rec.member));
  return j;
}

Result<Json> KeyInfo(Ctx* ctx, const Request& req) {
  TZ_ASSIGN_OR_RETURN(ledger::KeyId id, ledger::KeyIdFromHex(req.params[0]));
  TZ_ASSIGN_OR_RETURN(std::optional<ledger::KeyRecord> rec,
                      ctx->node->ledger().CommittedState().GetKey(id));
  if (!rec) return Status::NotFound("key.not_found", "no key " + req.params[0]);
  return KeyJson(id, *rec);
}

Result<Json> Members(Ctx* ctx, const Request&) {
  ledger::State st = ctx->node->ledger().CommittedState();
  TZ_ASSIGN_OR_RETURN(std::vector<std::string> names, st.Members());
  Json members = Json::MakeArray();
  for (const std::string& name : names) {
    TZ_ASSIGN_OR_RETURN(std::optional<ledger::MemberRecord> info,
                        ledger::GetMemberRecord(st, name));
    Json m = info ? info->ToJson() : Json::MakeObject();
    m.set("name", Json(name));
    members.push_back(std::move(m));
  }
  Json nodes = Json::MakeArray();
  for (const auto& v : ctx->node->ledger().NodeKeys()) nodes.push_back(Json(v.ToString()));
  Json j = Json::MakeObject();
  j.set("members", std::move(members));
  j.set("node_keys", std::move(nodes));
  return j;
}

}  // namespace

void AddLedgerRoutes(Router* r, Ctx* ctx) {
  auto add = [&](std::string method, std::string pattern, std::string summary,
                 std::function<void(Request&, Respond)> h, std::vector<QueryParam> q = {}) {
    Route rt;
    rt.method = std::move(method);
    rt.pattern = std::move(pattern);
    rt.summary = std::move(summary);
    rt.handler = std::move(h);
    rt.query = std::move(q);
    return rt;
  };
  Route submit =
      add("POST", "/v1/entries", "Submit a signed entry; answers once its block is durable",
          [ctx](Request& req, Respond done) { SubmitEntry(ctx, req, std::move(done)); });
  submit.max_body = ctx->options.max_entry_body;
  r->Add(std::move(submit));
  std::vector<QueryParam> page = {{"limit", "page size 1..500", true},
                                  {"cursor", "next_cursor of the previous page", false}};
  auto list_q = page;
  for (const char* f : {"type", "key", "party", "house", "acceptance"})
    list_q.push_back({f, "filter", false});
  list_q.push_back({"from", "block time >= (ms)", true});
  list_q.push_back({"to", "block time < (ms)", true});
  r->Add(add("GET", "/v1/entries", "List entries", Sync(ctx, ListEntries), list_q));
  r->Add(add("GET", "/v1/entries/{id64}", "One entry by id", Sync(ctx, GetEntryJson)));
  r->Add(add("GET", "/v1/entries/{id64}/proof", "Inclusion proof and checkpoint",
             Sync(ctx, EntryProof), {{"size", "log size of an earlier checkpoint", true}}));
  Route latest = add("GET", "/v1/checkpoints/latest", "The latest checkpoint (signed note)",
                     Sync(ctx, LatestCheckpoint), {{"format", "text or json", false}});
  latest.response_type = "text/plain";
  r->Add(std::move(latest));
  Route at =
      add("GET", "/v1/checkpoints/{n}", "The checkpoint at a log size", Sync(ctx, CheckpointAt));
  at.response_type = "text/plain";
  r->Add(std::move(at));
  r->Add(add("GET", "/v1/proofs/consistency", "RFC 9162 consistency proof", Sync(ctx, Consistency),
             {{"from", "first log size", true}, {"to", "second log size", true}}));
  auto blocks_q = page;
  blocks_q.push_back({"from", "first height", true});
  r->Add(add("GET", "/v1/blocks", "A page of block headers", Sync(ctx, ListBlocks), blocks_q));
  r->Add(add("GET", "/v1/blocks/{n}", "One block", Sync(ctx, BlockJson)));
  r->Add(add("GET", "/v1/keys/{keyid}", "A registered key", Sync(ctx, KeyInfo)));
  r->Add(add("GET", "/v1/members", "Consortium members and their keys", Sync(ctx, Members)));
}

}  // namespace tz::api
