#include "handover/queries.h"

#include <map>

#include "handover/records.h"
#include "handover/state_keys.h"

namespace tz::handover {

namespace {

constexpr std::pair<Index, std::string_view> kIndexNames[] = {
    {Index::kDocument, "doc"}, {Index::kProject, "project"},
    {Index::kHouse, "house"},  {Index::kHousehold, "household"},
    {Index::kCase, "case"},    {Index::kAcceptance, "acceptance"},
};

}  // namespace

std::string_view IndexName(Index index) {
  for (const auto& [i, name] : kIndexNames) {
    if (i == index) return name;
  }
  return "";
}

Result<Index> ParseIndex(std::string_view name) {
  for (const auto& [i, n] : kIndexNames) {
    if (n == name) return i;
  }
  return Status::Invalid("index.unknown", "no index '" + std::string(name) + "'");
}

Result<std::vector<uint64_t>> Lookup(const ledger::Ledger& l, Index index, std::string_view value,
                                     size_t limit, std::optional<uint64_t> after) {
  return l.Lookup(IndexName(index), value, limit, after);
}

Json DocumentInfo(const ledger::Ledger& l, const std::string& hex) {
  Json doc = Json::MakeObject();
  doc.set("sha256", Json(hex));
  auto d = DigestFromHex(hex);
  if (!d.ok()) return doc;
  auto rec = GetDocumentRecord(l.CommittedState(), *d);
  if (!rec.ok() || !*rec) return doc;
  {
    auto bytes = l.GetEntry((*rec)->index);
    if (bytes.ok()) {
      auto e = ledger::ParseSignedEntry(*bytes);
      if (e.ok()) {
        if (const Json* t = e->entry.find("title")) doc.set("title", *t);
        if (const Json* t = e->entry.find("doc_type")) doc.set("doc_type", *t);
      }
    }
  }
  return doc;
}

Result<Json> Timeline(const ledger::Ledger& l, Index file, const std::string& id, bool links_only) {
  TZ_ASSIGN_OR_RETURN(std::vector<uint64_t> idx, Lookup(l, file, id, kMaxTimeline));
  Json items = Json::MakeArray();
  std::map<std::string, size_t> by_id;
  for (uint64_t i : idx) {
    TZ_ASSIGN_OR_RETURN(std::string bytes, l.GetEntry(i));
    TZ_ASSIGN_OR_RETURN(ledger::SignedEntry e, ledger::ParseSignedEntry(bytes));
    if (links_only && e.type != "archive.link") continue;
    TZ_ASSIGN_OR_RETURN(uint64_t height, l.BlockOfEntry(i));
    TZ_ASSIGN_OR_RETURN(ledger::BlockHeader h, l.GetBlockHeader(height));
    Json it = Json::MakeObject();
    std::string entry_id = ledger::ToHex(e.id);
    it.set("time", Json(h.time));
    it.set("height", Json(height));
    it.set("index", Json(i));
    it.set("type", Json(e.type));
    it.set("entry", Json(entry_id));
    const Json* doc = e.entry.find(e.type == "archive.link" ? "document" : "digest");
    if (doc != nullptr && doc->is_string()) it.set("document", DocumentInfo(l, doc->as_string()));
    for (const char* f : {"category", "slot"}) {
      if (const Json* v = e.entry.find(f)) it.set(f, *v);
    }
    it.set("superseded_by", Json());
    if (const Json* sup = e.entry.find("supersedes"); sup != nullptr && sup->is_string()) {
      auto old = by_id.find(sup->as_string());
      if (old != by_id.end()) items.as_array()[old->second].set("superseded_by", Json(entry_id));
    }
    by_id[entry_id] = items.size();
    items.push_back(std::move(it));
  }
  return items;
}

Result<std::optional<Json>> CaseState(const ledger::Ledger& l, std::string_view case_id) {
  return l.CommittedState().GetJson(StateKeyForCase(case_id));
}

}  // namespace tz::handover
