// Private helper shared by the genesis entry type and the ledger's genesis
// checks.
#pragma once

#include "ledger/entries.h"
#include "ledger/state.h"

namespace tz::ledger {

// The key record of the genesis' first member, who must sign the genesis.
// `genesis` is what kGenesisType.parse returned (a ledger::Genesis).
KeyRecord GenesisFirstMemberKey(const ParsedBody& genesis);

}  // namespace tz::ledger
