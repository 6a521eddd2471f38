#include "ledger/state.h"

#include "crypto/encoding.h"

namespace tz::ledger {

bool KeyRecord::HasRole(Role r) const {
  for (Role x : roles) {
    if (x == r) return true;
  }
  return false;
}

Json KeyRecord::ToJson() const {
  Json j = Json::MakeObject();
  j.set("alg", Json(SignatureName(public_key.algorithm())));
  j.set("pub", Json(Base64Encode(public_key.bytes())));
  j.set("party", Json(party));
  Json roles_json = Json::MakeArray();
  for (Role r : roles) roles_json.push_back(Json(RoleName(r)));
  j.set("roles", roles_json);
  j.set("revoked", Json(revoked));
  if (!member.empty()) j.set("member", Json(member));
  return j;
}

Result<KeyRecord> KeyRecord::FromJson(const Json& j) {
  auto corrupt = [](const std::string& m) { return Status::Corruption("state.corrupt", m); };
  KeyRecord k;
  auto alg = GetString(j, "alg");
  auto pub = GetString(j, "pub");
  auto party = GetString(j, "party");
  auto revoked = GetBool(j, "revoked");
  auto roles = GetRoles(j, "roles");
  if (!alg.ok() || !pub.ok() || !party.ok() || !revoked.ok() || !roles.ok()) {
    return corrupt("key record does not decode");
  }
  auto sig_alg = ParseSignatureName(*alg);
  auto pub_bytes = Base64Decode(*pub);
  if (!sig_alg.ok() || !pub_bytes.ok()) return corrupt("key record has a bad key");
  auto pk = PublicKey::FromBytes(*sig_alg, *pub_bytes);
  if (!pk.ok()) return corrupt("key record has a bad key");
  k.public_key = *pk;
  k.party = *party;
  k.roles = *roles;
  k.revoked = *revoked;
  k.member = GetOptionalString(j, "member").value_or("");
  return k;
}

Result<std::optional<std::string>> State::Get(const std::string& key) const {
  auto it = overlay_.find(key);
  if (it != overlay_.end()) return std::optional<std::string>(it->second);
  if (base_ == nullptr) return std::optional<std::string>();
  return base_->Get(key);
}

Result<std::optional<Json>> State::GetJson(const std::string& key) const {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, Get(key));
  if (!v) return std::optional<Json>();
  auto j = ParseJson(*v);
  if (!j.ok()) return Status::Corruption("state.corrupt", "state record " + key + " is not JSON");
  return std::optional<Json>(std::move(*j));
}

Result<std::optional<KeyRecord>> State::GetKey(const KeyId& id) const {
  std::string key = StateKeyForKey(id);
  bool in_overlay = overlay_.count(key) > 0;
  if (!in_overlay) {
    tz::MutexLock lock(cache_mu_);
    auto it = key_cache_.find(key);
    if (it != key_cache_.end()) return std::optional<KeyRecord>(it->second);
  }
  TZ_ASSIGN_OR_RETURN(std::optional<Json> j, GetJson(key));
  if (!j) return std::optional<KeyRecord>();
  TZ_ASSIGN_OR_RETURN(KeyRecord rec, KeyRecord::FromJson(*j));
  if (!in_overlay) {
    tz::MutexLock lock(cache_mu_);
    key_cache_.emplace(key, rec);
  }
  return std::optional<KeyRecord>(std::move(rec));
}

void State::PutKey(const KeyId& id, const KeyRecord& rec) {
  PutJson(StateKeyForKey(id), rec.ToJson());
}

Result<int64_t> State::GetSeq(const KeyId& id) const {
  TZ_ASSIGN_OR_RETURN(std::optional<std::string> v, Get(StateKeyForSeq(id)));
  if (!v) return int64_t{0};
  if (v->size() != 8) return Status::Corruption("state.corrupt", "bad sequence record");
  return static_cast<int64_t>(DecodeU64(*v));
}

void State::PutSeq(const KeyId& id, int64_t seq) {
  Put(StateKeyForSeq(id), EncodeU64(static_cast<uint64_t>(seq)));
}

Result<std::vector<std::string>> State::Members() const {
  TZ_ASSIGN_OR_RETURN(std::optional<Json> j, GetJson("s/members"));
  std::vector<std::string> names;
  if (!j) return names;
  if (!j->is_array()) return Status::Corruption("state.corrupt", "bad member list");
  for (const Json& n : j->as_array()) names.push_back(n.as_string());
  return names;
}

void State::PutMembers(const std::vector<std::string>& names) {
  Json arr = Json::MakeArray();
  for (const auto& n : names) arr.push_back(Json(n));
  PutJson("s/members", arr);
}

void State::Flush(KvBatch* batch) {
  for (auto& [k, v] : overlay_) batch->Put(k, std::move(v));
  overlay_.clear();
}

std::string StateKeyForKey(const KeyId& id) { return "s/k/" + ToHex(id); }
std::string StateKeyForSeq(const KeyId& id) { return "s/q/" + ToHex(id); }
std::string StateKeyForProposal(const EntryId& id) { return "s/p/" + ToHex(id); }
std::string StateKeyForMember(std::string_view name) { return "s/m/" + std::string(name); }
std::string StateKeyForChain() { return "s/chain"; }

}  // namespace tz::ledger
