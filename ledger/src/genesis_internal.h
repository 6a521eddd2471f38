// Private helpers shared by the governance entry types and the ledger.
#pragma once

#include "crypto/json.h"
#include "crypto/sign.h"
#include "crypto/status.h"
#include "ledger/state.h"

namespace tz::ledger {

// {"alg":"ed25519","pub":"<base64>"} -> PublicKey. Reason "field.bad_key".
Result<PublicKey> ParseKeySpec(const Json& obj, std::string_view field);
Json KeySpecJson(const PublicKey& pk);

// The key record of the genesis' first member (who must sign the genesis).
Result<KeyRecord> GenesisFirstMemberKey(const Json& genesis);

// Votes needed among n members: more than two thirds, floor(2n/3) + 1.
size_t GovernanceThreshold(size_t members);

}  // namespace tz::ledger
