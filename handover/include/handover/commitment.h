// Keyed commitments: how personal data is named on the ledger without being
// on it.
//
// A household (一户一档) is named by
//   HMAC-SHA256(salt_key, "tiezheng/household/v1\n" || identifier)
// as 64 lowercase hex characters, where identifier is the household's
// canonical identifier (e.g. the head of household's ID-card number) and
// salt_key is a random 32-byte key kept per household, off the ledger, in the
// household's encrypted file. Without the salt key nobody can test guesses
// (ID numbers have little entropy, so a plain hash would be brute-forced);
// with it, the holder can show that a commitment names a given household.
// Crypto-shredding the household destroys the salt key with its data key, so
// the commitment on the ledger becomes unlinkable to anyone while every
// proof over it stays valid.
//
// Other personal fields use the same construction with their own label
// ("tiezheng/<label>/v1\n"), e.g. a tenant's name in an access log request.
#pragma once

#include <string>
#include <string_view>

#include "crypto/aead.h"

namespace tz::handover {

// HMAC-SHA256(key, "tiezheng/" || label || "/v1\n" || value), lowercase hex.
std::string KeyedCommitment(const SymmetricKey& key, std::string_view label,
                            std::string_view value);

inline std::string HouseholdCommitment(const SymmetricKey& salt, std::string_view identifier) {
  return KeyedCommitment(salt, "household", identifier);
}

}  // namespace tz::handover
