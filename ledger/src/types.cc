#include "ledger/types.h"

#include <cstdio>

#include "crypto/encoding.h"
#include "crypto/text.h"

namespace tz::ledger {

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kConstructionUnit:
      return "construction_unit";
    case Role::kReceivingUnit:
      return "receiving_unit";
    case Role::kOperator:
      return "operator";
    case Role::kInspector:
      return "inspector";
    case Role::kTenantRep:
      return "tenant_rep";
    case Role::kDepartment:
      return "department";
    case Role::kAuditor:
      return "auditor";
    case Role::kMember:
      return "member";
  }
  return "unknown";
}

Result<Role> ParseRole(std::string_view name) {
  for (Role r : kAllRoles) {
    if (RoleName(r) == name) return r;
  }
  return Status::Invalid("field.bad_role", "unknown role '" + std::string(name) + "'");
}

KeyId KeyIdOf(const PublicKey& pk) {
  Hasher h(HashAlgorithm::kSha256);
  h.Update(std::string_view("tiezheng/key/v1\n"));
  h.Update(SignatureName(pk.algorithm()));
  h.Update(std::string_view("\n"));
  h.Update(ByteSpan(pk.bytes()));
  Digest d = h.Finish();
  KeyId id;
  (void)KeyId::FromSpan(d.span().first(KeyId::kSize), &id);
  return id;
}

std::string ToHex(const KeyId& id) { return HexEncode(id.span()); }

Result<KeyId> KeyIdFromHex(std::string_view hex) {
  KeyId id;
  if (!IsLowerHex(hex, 2 * KeyId::kSize)) {
    return Status::Invalid("field.bad_key_id", "key id must be 32 lowercase hex characters");
  }
  auto b = HexDecode(hex);
  if (!b.ok() || !KeyId::FromSpan(*b, &id)) {
    return Status::Invalid("field.bad_key_id", "key id does not decode");
  }
  return id;
}

EntryId EntryIdOf(ByteSpan bytes) {
  static const uint8_t kLeafPrefix[1] = {0x00};
  Digest d = HashParts(HashAlgorithm::kSha256, {ByteSpan(kLeafPrefix, 1), bytes});
  return EntryId(d.array());
}

std::string ToHex(const EntryId& id) { return HexEncode(id.span()); }

Result<EntryId> EntryIdFromHex(std::string_view hex) {
  EntryId id;
  if (!IsLowerHex(hex, 64)) {
    return Status::Invalid("field.bad_entry_id", "entry id must be 64 lowercase hex characters");
  }
  auto b = HexDecode(hex);
  if (!b.ok() || !EntryId::FromSpan(*b, &id)) {
    return Status::Invalid("field.bad_entry_id", "entry id does not decode");
  }
  return id;
}

bool IsValidId(std::string_view s) {
  if (s.empty() || s.size() > kMaxIdLength) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool IsLowerHex(std::string_view s, size_t len) {
  if (s.size() != len) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Result<std::string> GetId(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(std::string s, GetString(obj, key));
  if (!IsValidId(s)) {
    return Status::Invalid("field.bad_id",
                           "'" + std::string(key) + "' must be 1-64 characters of [A-Za-z0-9._:-]");
  }
  return s;
}

std::optional<std::string> GetOptionalString(const Json& obj, std::string_view key) {
  const Json* v = obj.find(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return v->as_string();
}

Result<Digest> GetDigest(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(std::string s, GetString(obj, key));
  auto d = DigestFromHex(s);
  if (!d.ok()) {
    return Status::Invalid("field.bad_digest",
                           "'" + std::string(key) + "' must be 64 lowercase hex characters");
  }
  return *d;
}

Result<std::string> GetCommitment(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(std::string s, GetString(obj, key));
  if (!IsLowerHex(s, 64)) {
    return Status::Invalid(
        "field.bad_commitment",
        "'" + std::string(key) + "' must be a keyed commitment (64 lowercase hex characters)");
  }
  return s;
}

Result<EntryId> GetEntryId(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(std::string s, GetString(obj, key));
  return EntryIdFromHex(s);
}

Result<std::string> GetText(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(std::string s, GetString(obj, key));
  if (s.empty() || s.size() > kMaxTextLength) {
    return Status::Invalid("field.too_long", "'" + std::string(key) + "' must be 1-" +
                                                 std::to_string(kMaxTextLength) + " bytes");
  }
  return s;
}

Status CheckEntryText(const Json& v, std::string_view where) {
  auto check = [&](const std::string& text, std::string_view field) -> Status {
    auto bad = FindUnsafeChar(text);
    if (!bad) return Status::Ok();
    char cp[16];
    std::snprintf(cp, sizeof cp, bad->invalid_utf8 ? "byte 0x%02X" : "U+%04X", bad->code_point);
    return Status::Invalid("field.unsafe_text", "'" + std::string(field) + "' contains " + cp +
                                                    " at byte " + std::to_string(bad->offset) +
                                                    " (control or bidirectional character)");
  };
  if (v.is_string()) return check(v.as_string(), where);
  if (v.is_array()) {
    for (const Json& x : v.as_array()) TZ_RETURN_IF_ERROR(CheckEntryText(x, where));
  } else if (v.is_object()) {
    for (const auto& [k, x] : v.as_object()) {
      TZ_RETURN_IF_ERROR(check(k, "a field name"));
      TZ_RETURN_IF_ERROR(CheckEntryText(x, k));
    }
  }
  return Status::Ok();
}

Result<std::string> GetEnum(const Json& obj, std::string_view key,
                            std::initializer_list<std::string_view> allowed) {
  TZ_ASSIGN_OR_RETURN(std::string s, GetString(obj, key));
  for (std::string_view a : allowed) {
    if (a == s) return s;
  }
  return Status::Invalid("field.bad_enum",
                         "'" + std::string(key) + "' has unknown value '" + s + "'");
}

Result<int64_t> GetNonNegative(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(int64_t v, GetInt(obj, key));
  if (v < 0) return Status::Invalid("field.negative", "'" + std::string(key) + "' is negative");
  return v;
}

Result<const Json::Array*> GetArray(const Json& obj, std::string_view key, bool required) {
  static const Json::Array kEmpty;
  const Json* v = obj.find(key);
  if (v == nullptr) {
    if (!required) return &kEmpty;
    return Status::Invalid("json.missing_field", "missing '" + std::string(key) + "'");
  }
  if (!v->is_array()) {
    return Status::Invalid("json.wrong_type", "'" + std::string(key) + "' must be an array");
  }
  if (v->size() > kMaxListLength) {
    return Status::Invalid("field.too_many", "'" + std::string(key) + "' has too many elements");
  }
  return &v->as_array();
}

Json RolesJson(const std::vector<Role>& roles) {
  Json a = Json::MakeArray();
  for (Role r : roles) a.push_back(Json(RoleName(r)));
  return a;
}

Json StringsJson(const std::vector<std::string>& v) {
  Json a = Json::MakeArray();
  for (const std::string& s : v) a.push_back(Json(s));
  return a;
}

Result<std::vector<Role>> GetRoles(const Json& obj, std::string_view key) {
  TZ_ASSIGN_OR_RETURN(const Json::Array* arr, GetArray(obj, key));
  std::vector<Role> roles;
  for (const Json& r : *arr) {
    if (!r.is_string()) return Status::Invalid("json.wrong_type", "roles must be strings");
    TZ_ASSIGN_OR_RETURN(Role role, ParseRole(r.as_string()));
    for (Role seen : roles) {
      if (seen == role) return Status::Invalid("field.duplicate", "role listed twice");
    }
    roles.push_back(role);
  }
  return roles;
}

}  // namespace tz::ledger
