// The entry type registry and the checks every entry type shares.
#include "ledger/entries.h"

#include "crypto/encoding.h"
#include "genesis_internal.h"

namespace tz::ledger {

EntryTypeRegistry::EntryTypeRegistry() : types_{&kGenesisType, &kGovProposeType, &kGovVoteType} {}

Status EntryTypeRegistry::Add(const EntryType* type) {
  for (const EntryType* t : types_) {
    if (t->name == type->name && t->version == type->version) {
      return Status::Invalid("registry.duplicate", "entry type '" + std::string(type->name) +
                                                       "' v" + std::to_string(type->version) +
                                                       " is registered twice");
    }
  }
  types_.push_back(type);
  return Status::Ok();
}

Result<const EntryType*> EntryTypeRegistry::Find(std::string_view name, int64_t version) const {
  bool known_name = false;
  for (const EntryType* t : types_) {
    if (t->name != name) continue;
    known_name = true;
    if (t->version == version) return t;
  }
  if (known_name) {
    return Status::Invalid(
        "entry.unsupported_version",
        "entry type '" + std::string(name) + "' has no version " + std::to_string(version));
  }
  return Status::Invalid("entry.unknown_type", "unknown entry type '" + std::string(name) + "'");
}

const EntryTypeRegistry& LedgerEntryTypes() {
  static const EntryTypeRegistry kTypes;
  return kTypes;
}

namespace {

Status CheckTime(const SignedEntry& e, int64_t block_time) {
  if (e.time > block_time + kMaxClockAheadMs || e.time < block_time - kMaxEntryAgeMs) {
    return Status::Invalid("envelope.time_skew", "client time " + std::to_string(e.time) +
                                                     " is too far from the block time " +
                                                     std::to_string(block_time));
  }
  return Status::Ok();
}

Result<KeyRecord> ValidateGenesis(const SignedEntry& e, const State& state, uint64_t index,
                                  uint64_t height, bool signature_verified, ParsedBody* body) {
  if (index != 0 || height != 0) {
    return Status(Code::kFailedPrecondition, "entry.genesis_only",
                  "a genesis entry may only be the first entry of block 0");
  }
  TZ_ASSIGN_OR_RETURN(*body, kGenesisType.parse(e.entry));
  KeyRecord first = GenesisFirstMemberKey(*body);
  if (KeyIdOf(first.public_key) != e.key) {
    return Status(Code::kPermissionDenied, "genesis.wrong_signer",
                  "the genesis must be signed by the first member's key");
  }
  if (!signature_verified) TZ_RETURN_IF_ERROR(VerifyEntrySignature(e, first.public_key));
  TZ_ASSIGN_OR_RETURN(std::vector<std::string> members, state.Members());
  if (!members.empty()) {
    return Status(Code::kFailedPrecondition, "entry.genesis_only", "the ledger has a genesis");
  }
  return first;
}

}  // namespace

Result<ValidatedEntry> ValidateEntry(const EntryTypeRegistry& types, const SignedEntry& e,
                                     std::string_view chain, const State& state, uint64_t index,
                                     uint64_t height, int64_t block_time, bool signature_verified) {
  if (e.chain != chain) {
    return Status::Invalid("envelope.wrong_chain", "entry is for chain '" + e.chain +
                                                       "', this is '" + std::string(chain) + "'");
  }
  TZ_ASSIGN_OR_RETURN(const EntryType* type, types.Find(e.type, e.version));
  TZ_RETURN_IF_ERROR(CheckEntryText(e.entry));
  if (type == &kGenesisType) {
    ParsedBody body;
    TZ_ASSIGN_OR_RETURN(KeyRecord first,
                        ValidateGenesis(e, state, index, height, signature_verified, &body));
    TZ_RETURN_IF_ERROR(CheckTime(e, block_time));
    EntryContext ctx{e, first, index, height, block_time};
    TZ_RETURN_IF_ERROR(type->validate(ctx, body.get(), state));
    return ValidatedEntry{type, std::move(first), std::move(body)};
  }
  if (index == 0) {
    return Status(Code::kFailedPrecondition, "entry.genesis_only",
                  "the first entry of a ledger must be its genesis");
  }
  TZ_ASSIGN_OR_RETURN(std::optional<KeyRecord> key, state.GetKey(e.key));
  if (!key) {
    return Status(Code::kUnauthenticated, "envelope.unknown_key",
                  "key " + ToHex(e.key) + " is not registered");
  }
  if (key->revoked) {
    return Status(Code::kFailedPrecondition, "envelope.revoked_key",
                  "key " + ToHex(e.key) + " has been revoked");
  }
  if (!signature_verified) TZ_RETURN_IF_ERROR(VerifyEntrySignature(e, key->public_key));
  TZ_ASSIGN_OR_RETURN(int64_t last_seq, state.GetSeq(e.key));
  if (e.seq <= last_seq) {
    return Status(Code::kAlreadyExists, "envelope.replayed",
                  "seq " + std::to_string(e.seq) + " of key " + ToHex(e.key) +
                      " is not above the last accepted " + std::to_string(last_seq));
  }
  TZ_RETURN_IF_ERROR(CheckTime(e, block_time));
  bool allowed = false;
  for (Role r : type->roles) allowed = allowed || key->HasRole(r);
  if (!allowed) {
    return Status(Code::kPermissionDenied, "envelope.role_not_allowed",
                  "key " + ToHex(e.key) + " has no role that may submit '" + e.type + "'");
  }
  TZ_ASSIGN_OR_RETURN(ParsedBody body, type->parse(e.entry));
  EntryContext ctx{e, *key, index, height, block_time};
  TZ_RETURN_IF_ERROR(type->validate(ctx, body.get(), state));
  return ValidatedEntry{type, std::move(*key), std::move(body)};
}

void ApplyEntry(const SignedEntry& e, const ValidatedEntry& v, State* state, uint64_t index,
                uint64_t height, int64_t block_time) {
  state->PutSeq(e.key, e.seq);
  EntryContext ctx{e, v.submitter, index, height, block_time};
  v.type->apply(ctx, v.body.get(), state);
}

std::vector<IndexTerm> IndexTermsOf(const ValidatedEntry& v) {
  std::vector<IndexTerm> terms;
  v.type->index_terms(v.body.get(), &terms);
  return terms;
}

std::vector<IndexTerm> IndexTermsOf(const EntryTypeRegistry& types, const SignedEntry& e) {
  std::vector<IndexTerm> terms;
  auto type = types.Find(e.type, e.version);
  if (!type.ok()) return terms;
  auto body = (*type)->parse(e.entry);
  if (body.ok()) (*type)->index_terms(body->get(), &terms);
  return terms;
}

}  // namespace tz::ledger
