#include "handover/state_keys.h"

#include "crypto/encoding.h"

namespace tz::handover {

std::string StateKeyForDocument(const Digest& d) { return "s/d/" + tz::ToHex(d); }
std::string StateKeyForAcceptance(const ledger::EntryId& id) { return "s/a/" + ledger::ToHex(id); }
std::string StateKeyForArchiveHead(std::string_view kind, std::string_view file,
                                   std::string_view category, std::string_view slot) {
  std::string k = "s/l/";
  k.append(kind).append("/").append(file).append("/").append(category).append("/").append(slot);
  return k;
}
std::string StateKeyForCase(std::string_view case_id) { return "s/c/" + std::string(case_id); }
std::string StateKeyForHousehold(std::string_view c) { return "s/h/" + std::string(c); }

}  // namespace tz::handover
