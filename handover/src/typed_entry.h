// TypedEntryType: a handover entry type from its typed body T (records.h)
// and functions over T; the parse is T::Parse.
#pragma once

#include <string_view>
#include <utility>
#include <vector>

#include "ledger/entries.h"

namespace tz::handover {

template <typename T, auto Validate, auto Apply, auto Terms>
ledger::EntryType TypedEntryType(std::string_view name, int64_t version,
                                 std::vector<ledger::Role> roles) {
  return ledger::MakeEntryType<T, &T::Parse, Validate, Apply, Terms>(name, version,
                                                                     std::move(roles));
}

}  // namespace tz::handover
