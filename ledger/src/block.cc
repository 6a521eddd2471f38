#include "ledger/block.h"

namespace tz::ledger {

Json BlockHeader::ToJson() const {
  Json j = Json::MakeObject();
  j.set("chain", Json(chain));
  j.set("entries", Json(entries));
  j.set("entries_root", Json(tz::ToHex(entries_root)));
  j.set("height", Json(height));
  j.set("log_root", Json(tz::ToHex(log_root)));
  j.set("log_size", Json(log_size));
  j.set("prev", Json(tz::ToHex(prev)));
  j.set("proposer", Json(proposer));
  j.set("time", Json(time));
  return j;
}

Digest BlockHeader::Hash() const { return Sha256(Canonical()); }

Result<BlockHeader> BlockHeader::Parse(std::string_view canonical) {
  auto bad = [](const std::string& m) { return Status::Corruption("block.bad_header", m); };
  ParseOptions opts;
  opts.jcs_integers = true;
  auto j = ParseJson(canonical, opts);
  if (!j.ok() || !j->is_object()) return bad("block header is not a JSON object");
  if (j->Canonical() != canonical) return bad("block header is not canonical");
  if (!CheckKeys(*j, {"chain", "entries", "entries_root", "height", "log_root", "log_size", "prev",
                      "proposer", "time"})
           .ok()) {
    return bad("block header has unknown fields");
  }
  BlockHeader h;
  auto chain = GetString(*j, "chain");
  auto entries = GetInt(*j, "entries");
  auto entries_root = GetString(*j, "entries_root");
  auto height = GetInt(*j, "height");
  auto log_root = GetString(*j, "log_root");
  auto log_size = GetInt(*j, "log_size");
  auto prev = GetString(*j, "prev");
  auto proposer = GetString(*j, "proposer");
  auto time = GetInt(*j, "time");
  if (!chain.ok() || !entries.ok() || !entries_root.ok() || !height.ok() || !log_root.ok() ||
      !log_size.ok() || !prev.ok() || !proposer.ok() || !time.ok()) {
    return bad("block header field missing or mistyped");
  }
  auto er = DigestFromHex(*entries_root);
  auto lr = DigestFromHex(*log_root);
  auto pv = DigestFromHex(*prev);
  if (!er.ok() || !lr.ok() || !pv.ok()) return bad("block header hash not 64 hex");
  if (*entries < 0 || *height < 0 || *log_size < 0 || *time < 0) {
    return bad("negative block header field");
  }
  h.chain = *chain;
  h.entries = static_cast<uint64_t>(*entries);
  h.entries_root = *er;
  h.height = static_cast<uint64_t>(*height);
  h.log_root = *lr;
  h.log_size = static_cast<uint64_t>(*log_size);
  h.prev = *pv;
  h.proposer = *proposer;
  h.time = *time;
  return h;
}

}  // namespace tz::ledger
