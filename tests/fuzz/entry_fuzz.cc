// Fuzzes ledger/envelope.h ParseSignedEntry, the decoder of every signed
// entry a node accepts (POST /v1/entries) or reads back from its log, and
// then the entry type's schema check and index terms, which see the decoded
// body of any entry that parses.
//
// Properties, for every input that parses:
//   - the entry's bytes are the input (only canonical JCS is accepted);
//   - the signing message is canonical JSON and the envelope minus "sig";
//   - signing the decoded fields again gives an entry that parses to the
//     same fields and whose signature verifies.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/encoding.h"
#include "crypto/json.h"
#include "crypto/sign.h"
#include "fuzz_check.h"
#include "handover/entry_types.h"
#include "ledger/entries.h"
#include "ledger/envelope.h"
#include "ledger/types.h"

namespace {

const tz::KeyPair& FuzzKey() {
  static const tz::KeyPair kp = tz::GenerateKeyPair(tz::SignatureAlgorithm::kEd25519);
  return kp;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto parsed = tz::ledger::ParseSignedEntry(bytes);
  if (!parsed.ok()) return 0;
  const tz::ledger::SignedEntry& e = *parsed;

  TZ_FUZZ_CHECK(e.bytes == bytes);
  TZ_FUZZ_CHECK(e.seq >= 1);
  TZ_FUZZ_CHECK(e.time >= 0);
  TZ_FUZZ_CHECK(e.entry.is_object());
  TZ_FUZZ_CHECK(e.id == tz::ledger::EntryIdOf(tz::AsBytes(e.bytes)));

  // The signed message: the envelope without "sig", canonical.
  auto message = tz::ParseCanonicalJson(e.SigningMessage());
  TZ_FUZZ_CHECK(message.ok());
  auto envelope = tz::ParseJson(bytes);
  TZ_FUZZ_CHECK(envelope.ok());
  TZ_FUZZ_CHECK(message->find("sig") == nullptr);
  TZ_FUZZ_CHECK(message->size() + 1 == envelope->size());
  for (const auto& [k, v] : message->as_object()) {
    const tz::Json* orig = envelope->find(k);
    TZ_FUZZ_CHECK(orig != nullptr && *orig == v);
  }
  const tz::Json* sig = envelope->find("sig");
  TZ_FUZZ_CHECK(sig != nullptr && sig->is_string());

  // Verifying under an unrelated key must fail cleanly.
  TZ_FUZZ_CHECK(!tz::ledger::VerifyEntrySignature(e, FuzzKey().public_key).ok());

  // Re-signing the decoded fields round-trips.
  auto resigned =
      tz::ledger::SignEntry(e.chain, e.entry, e.key, FuzzKey().secret_key, e.seq, e.time);
  if (resigned.ok()) {
    auto back = tz::ledger::ParseSignedEntry(resigned->bytes);
    TZ_FUZZ_CHECK(back.ok());
    TZ_FUZZ_CHECK(back->chain == e.chain && back->entry == e.entry && back->key == e.key &&
                  back->seq == e.seq && back->time == e.time && back->type == e.type &&
                  back->version == e.version);
    TZ_FUZZ_CHECK(back->SigningMessage() == e.SigningMessage());
    TZ_FUZZ_CHECK(tz::ledger::VerifyEntrySignature(*back, FuzzKey().public_key).ok());
  }

  // The type's own schema check and index terms (pure functions of the body).
  auto type = tz::handover::EntryTypes().Find(e.type, e.version);
  if (type.ok()) {
    const tz::ledger::EntryType* t = *type;
    auto parsed_body = t->parse(e.entry);
    if (parsed_body.ok()) (void)tz::ledger::IndexTermsOf(tz::handover::EntryTypes(), e);
  }
  return 0;
}
