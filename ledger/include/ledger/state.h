// The ledger's derived state (keys, sequence numbers, notarized documents,
// acceptance records, archive heads, cases, proposals ...), kept in the
// KvStore under the "s/" prefix and read through an overlay of writes not
// yet committed.
//
// Entry validation reads a State; applying an entry writes into its overlay;
// Flush moves the overlay into the block's write batch. State is therefore a
// pure function of the ordered entries: two nodes applying the same blocks
// write the same bytes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "crypto/json.h"
#include "crypto/sign.h"
#include "crypto/status.h"
#include "crypto/thread_annotations.h"
#include "ledger/kv.h"
#include "ledger/types.h"

namespace tz::ledger {

// A registered client key.
struct KeyRecord {
  PublicKey public_key;
  std::string party;  // the organization the key acts for (an id token)
  std::vector<Role> roles;
  bool revoked = false;
  std::string member;  // for member keys: the member's name

  bool HasRole(Role r) const;
  Json ToJson() const;
  static Result<KeyRecord> FromJson(const Json& j);  // "state.corrupt"
};

class State {
 public:
  // base must outlive the State. A null base means an empty store.
  explicit State(const KvStore* base) : base_(base) {}
  State(State&& o) noexcept : base_(o.base_), overlay_(std::move(o.overlay_)) {}
  State& operator=(State&& o) noexcept TZ_EXCLUDES(cache_mu_) {
    base_ = o.base_;
    overlay_ = std::move(o.overlay_);
    tz::MutexLock lock(cache_mu_);
    key_cache_.clear();
    return *this;
  }

  // Newest value: the overlay first, then the store. Non-OK only if the
  // store failed or a record does not decode ("kv.io", "state.corrupt").
  Result<std::optional<std::string>> Get(const std::string& key) const;
  Result<std::optional<Json>> GetJson(const std::string& key) const;
  void Put(std::string key, std::string value) { overlay_[std::move(key)] = std::move(value); }
  void PutJson(std::string key, const Json& value) { Put(std::move(key), value.Canonical()); }

  Result<std::optional<KeyRecord>> GetKey(const KeyId& id) const TZ_EXCLUDES(cache_mu_);
  void PutKey(const KeyId& id, const KeyRecord& rec);
  // The last sequence number accepted from a key; 0 when none.
  Result<int64_t> GetSeq(const KeyId& id) const;
  void PutSeq(const KeyId& id, int64_t seq);

  // Member names in order of admission.
  Result<std::vector<std::string>> Members() const;
  void PutMembers(const std::vector<std::string>& names);

  // Moves the overlay into batch (as "s/..." puts) and empties it.
  void Flush(KvBatch* batch);
  void Discard() { overlay_.clear(); }
  bool empty() const { return overlay_.empty(); }
  size_t pending() const { return overlay_.size(); }

 private:
  const KvStore* base_;
  std::map<std::string, std::string> overlay_;
  // Decoded key records read from the base store (which does not change
  // during a State's life); thread-safe so that parallel signature checks
  // can share it.
  mutable tz::Mutex cache_mu_;
  mutable std::unordered_map<std::string, KeyRecord> key_cache_ TZ_GUARDED_BY(cache_mu_);
};

// State key names of the ledger's own records (all start with "s/"; an
// application's records use other "s/<letter>/" prefixes, e.g.
// handover/state_keys.h).
std::string StateKeyForKey(const KeyId& id);
std::string StateKeyForSeq(const KeyId& id);
std::string StateKeyForProposal(const EntryId& id);
std::string StateKeyForMember(std::string_view name);
std::string StateKeyForChain();  // "s/chain"

// A typed record stored as JSON under `key` (T::FromJson reads it back);
// nullopt when absent. Used for the governance and the domain's records.
template <typename T>
Result<std::optional<T>> GetJsonRecord(const State& state, const std::string& key) {
  TZ_ASSIGN_OR_RETURN(std::optional<Json> j, state.GetJson(key));
  if (!j) return std::optional<T>();
  TZ_ASSIGN_OR_RETURN(T rec, T::FromJson(*j));
  return std::optional<T>(std::move(rec));
}

}  // namespace tz::ledger
