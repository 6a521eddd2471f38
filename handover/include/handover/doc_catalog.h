// The one catalog of handover document types (移交资料目录; seed 000 §5.2,
// seed 003): the code that goes into a doc.notarize entry, the names people
// read, whether the type may hold personal data (then it must be stored
// encrypted, in a household file), and the house-archive category a
// document of the type is filed under by default.
//
// The codes are part of the chain's format: an entry names its type by
// code, and a code is never renamed or reused.
#pragma once

#include <span>
#include <string_view>

namespace tz::handover {

struct DocType {
  std::string_view code;      // e.g. "warranty"
  std::string_view name_zh;   // e.g. "工程质量保修书"
  std::string_view name_en;   // e.g. "Construction quality warranty"
  bool personal;              // may hold personal data
  std::string_view category;  // default house-archive category, e.g. "warranty"
};

// Every type, in catalog order.
std::span<const DocType> DocCatalog();
// The type with this code, or null.
const DocType* FindDocType(std::string_view code);
// Whether `code` is in the catalog (doc.notarize's doc_type).
inline bool IsCatalogDocType(std::string_view code) { return FindDocType(code) != nullptr; }
// The default category for `code`; "other" for an unknown code.
std::string_view DefaultCategory(std::string_view code);

}  // namespace tz::handover
