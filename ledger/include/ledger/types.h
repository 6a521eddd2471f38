// Basic ledger vocabulary: roles, identifiers, and the validation helpers
// shared by every entry type.
//
// Identifiers that appear in entries (project, house and case ids, slot
// names) are short ASCII tokens; anything that could identify a person
// (household ids, names, ID-card numbers) appears only as a keyed
// commitment (see commitment.h), never in the clear.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/sign.h"
#include "crypto/status.h"

namespace tz::ledger {

// Who a client key acts for. A key holds one or more roles; each entry type
// lists the roles that may submit it (entries.h).
enum class Role {
  kConstructionUnit,  // 建设单位
  kReceivingUnit,     // 接收单位
  kOperator,          // 运营单位
  kInspector,         // 第三方检测机构
  kTenantRep,         // 保障对象代表
  kDepartment,        // 主管部门 (住建, 财政, 街道, 民政 ...)
  kAuditor,           // 审计
  kMember,            // a consortium member's governance key
};
inline constexpr Role kAllRoles[] = {
    Role::kConstructionUnit, Role::kReceivingUnit, Role::kOperator, Role::kInspector,
    Role::kTenantRep,        Role::kDepartment,    Role::kAuditor,  Role::kMember};

// "construction_unit", "receiving_unit", "operator", "inspector",
// "tenant_rep", "department", "auditor", "member".
std::string_view RoleName(Role r);
// Reason "field.bad_role" for an unknown name.
Result<Role> ParseRole(std::string_view name);

// A client key id: the first 16 bytes of
// SHA-256("tiezheng/key/v1\n" || algorithm name || "\n" || public key),
// written as 32 lowercase hex characters.
struct KeyIdTag {};
using KeyId = FixedBytes<16, KeyIdTag>;
KeyId KeyIdOf(const PublicKey& pk);
std::string ToHex(const KeyId& id);
Result<KeyId> KeyIdFromHex(std::string_view hex);  // "field.bad_key_id"

// An entry id is the RFC 6962 leaf hash of the signed entry's bytes,
// SHA-256(0x00 || bytes): the same value that sits in the global log.
struct EntryIdTag {};
using EntryId = FixedBytes<32, EntryIdTag>;
EntryId EntryIdOf(ByteSpan signed_entry_bytes);
std::string ToHex(const EntryId& id);
Result<EntryId> EntryIdFromHex(std::string_view hex);  // "field.bad_entry_id"

// Limits.
inline constexpr size_t kMaxEntryBytes = 64 * 1024;  // a whole signed entry
inline constexpr size_t kMaxIdLength = 64;
inline constexpr size_t kMaxTextLength = 256;   // titles and similar
inline constexpr size_t kMaxListLength = 1000;  // arrays inside an entry

// Field helpers used by the entry validators. Each returns a specific
// reason: "json.missing_field", "json.wrong_type", "field.bad_id",
// "field.bad_digest", "field.bad_commitment", "field.too_long",
// "field.bad_enum", "field.negative", "field.too_many", "field.unsafe_text".

// An id token: 1..64 chars of [A-Za-z0-9._:-].
Result<std::string> GetId(const Json& obj, std::string_view key);
std::optional<std::string> GetOptionalString(const Json& obj, std::string_view key);
// 64 lowercase hex chars (a SHA-256 document digest).
Result<Digest> GetDigest(const Json& obj, std::string_view key);
// A household commitment: 64 lowercase hex chars (commitment.h).
Result<std::string> GetCommitment(const Json& obj, std::string_view key);
Result<EntryId> GetEntryId(const Json& obj, std::string_view key);
// A UTF-8 string of at most kMaxTextLength bytes, non-empty.
Result<std::string> GetText(const Json& obj, std::string_view key);
// "field.unsafe_text" if any string in `v` (values and field names, at any
// depth) holds a control or bidirectional character (crypto/text.h), so that
// no entry text can repaint a terminal or reorder what a reader sees.
// `where` names the field in the message.
Status CheckEntryText(const Json& v, std::string_view where = "entry");
// A string that must be one of `allowed`.
Result<std::string> GetEnum(const Json& obj, std::string_view key,
                            std::initializer_list<std::string_view> allowed);
Result<int64_t> GetNonNegative(const Json& obj, std::string_view key);
// An array of at most kMaxListLength elements ("json.wrong_type", "field.too_many").
Result<const Json::Array*> GetArray(const Json& obj, std::string_view key, bool required = true);
Result<std::vector<Role>> GetRoles(const Json& obj, std::string_view key);
// The writing side: roles by name, strings as a JSON array, in order.
Json RolesJson(const std::vector<Role>& roles);
Json StringsJson(const std::vector<std::string>& v);

bool IsValidId(std::string_view s);
bool IsLowerHex(std::string_view s, size_t len);

}  // namespace tz::ledger
