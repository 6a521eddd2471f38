// Fuzzes ledger/note.h (C2SP signed notes) and ledger/checkpoint.h (C2SP
// tlog-checkpoint bodies): every checkpoint a node, a cosigner or an offline
// verifier receives goes through these parsers.
//
// The input is used whole as a note, as a checkpoint body, and as a vkey /
// signer key string. Properties:
//   - ParseNote(n) succeeds => Format() == n, and the key IDs are the first
//     four bytes of each signature;
//   - OpenNote / VerifyQuorum / VerifyCertifiedCheckpoint agree with
//     ParseNote on syntax and only report keys they were given;
//   - Checkpoint::Parse(t) succeeds => Body() == t and Parse(Body()) is equal;
//   - AddSignature and MergeNotes keep the text and give notes that parse;
//   - NoteVerifier::Parse / NoteSigner::Parse round-trip through ToString.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/encoding.h"
#include "crypto/sign.h"
#include "fuzz_check.h"
#include "log/checkpoint.h"
#include "log/note.h"

namespace {

using tz::log::Checkpoint;
using tz::log::NoteSigner;
using tz::log::NoteVerifier;

// The consortium of tests/ledger/data/checkpoint_notes.txt (the seed corpus
// holds notes these keys signed), plus one key the fuzzer signs with.
const char* const kVkeys[] = {
    "node-1.tiezheng.example+011a5d81+AdBKsjJ0K7SrOhNovUYV5ObQIkq3GgFrr4UgozLJd4c3",
    "node-2.tiezheng.example+609f16de+AaCapfR6Z1mAL/lV+NwtKhSlyZ0jvpf4ZBJ/+Tg0VaTw",
    "node-3.tiezheng.example+efd61663+ARfLefsrQSDysexl5BmNbgiyjoE/6wHkpACDm4XhgIDO",
};

struct Keys {
  std::vector<NoteVerifier> known;
  std::vector<NoteSigner> signer;
  Keys() {
    for (const char* v : kVkeys) {
      auto parsed = NoteVerifier::Parse(v);
      TZ_FUZZ_CHECK(parsed.ok());
      known.push_back(*parsed);
    }
    auto sk = tz::SecretKey::FromBytes(tz::SignatureAlgorithm::kEd25519, tz::Bytes(32, 7));
    TZ_FUZZ_CHECK(sk.ok());
    auto s = NoteSigner::Create("fuzz.tiezheng.example", std::move(sk).value());
    TZ_FUZZ_CHECK(s.ok());
    signer.push_back(std::move(s).value());
  }
};

const Keys& GetKeys() {
  static const Keys keys;
  return keys;
}

bool IsKnown(const tz::log::NoteSignature& sig, const std::vector<NoteVerifier>& known) {
  for (const auto& v : known)
    if (v.name() == sig.name && v.key_id() == sig.key_id) return true;
  return false;
}

void CheckCheckpoint(std::string_view text) {
  auto c = Checkpoint::Parse(text);
  if (!c.ok()) return;
  TZ_FUZZ_CHECK(c->Validate().ok());
  std::string body = c->Body();
  TZ_FUZZ_CHECK(body == text);
  auto again = Checkpoint::Parse(body);
  TZ_FUZZ_CHECK(again.ok());
  TZ_FUZZ_CHECK(*again == *c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const Keys& keys = GetKeys();

  // As a checkpoint body on its own.
  CheckCheckpoint(input);

  // As a vkey or a signer key.
  if (auto v = NoteVerifier::Parse(input); v.ok()) {
    auto again = NoteVerifier::Parse(v->ToString());
    TZ_FUZZ_CHECK(again.ok());
    TZ_FUZZ_CHECK(*again == *v);
  }
  if (auto s = NoteSigner::Parse(input); s.ok()) {
    auto again = NoteSigner::Parse(s->ToSecretString());
    TZ_FUZZ_CHECK(again.ok());
    TZ_FUZZ_CHECK(again->verifier() == s->verifier());
  }

  // As a note.
  auto parsed = tz::log::ParseNote(input);
  auto opened = tz::log::OpenNote(input, keys.known);
  auto quorum = tz::log::VerifyQuorum(input, keys.known, 2);
  auto certified = tz::log::VerifyCertifiedCheckpoint(input, keys.known, 2);
  if (!parsed.ok()) {
    TZ_FUZZ_CHECK(tz::log::IsMalformedNote(parsed.status()));
    TZ_FUZZ_CHECK(!opened.ok() && !quorum.ok() && !certified.ok());
    return 0;
  }
  TZ_FUZZ_CHECK(parsed->Format() == input);
  TZ_FUZZ_CHECK(!parsed->signatures.empty());
  for (const auto& sig : parsed->signatures) {
    auto raw = tz::Base64Decode(sig.base64);
    TZ_FUZZ_CHECK(raw.ok() && raw->size() > 4);
    uint32_t id = (uint32_t{(*raw)[0]} << 24) | (uint32_t{(*raw)[1]} << 16) |
                  (uint32_t{(*raw)[2]} << 8) | uint32_t{(*raw)[3]};
    TZ_FUZZ_CHECK(id == sig.key_id);
  }
  if (opened.ok()) {
    TZ_FUZZ_CHECK(opened->text == parsed->text);
    TZ_FUZZ_CHECK(!opened->verified.empty());
    for (const auto& sig : opened->verified) TZ_FUZZ_CHECK(IsKnown(sig, keys.known));
  }
  if (quorum.ok()) {
    TZ_FUZZ_CHECK(opened.ok());
    TZ_FUZZ_CHECK(quorum->verified.size() >= 2);
  }
  if (certified.ok()) {
    TZ_FUZZ_CHECK(quorum.ok());
    TZ_FUZZ_CHECK(certified->checkpoint.Body() == parsed->text);
  }
  CheckCheckpoint(parsed->text);

  // Cosigning and merging keep the text and produce notes that parse.
  const NoteSigner& signer = keys.signer.front();
  std::vector<NoteVerifier> mine{signer.verifier()};
  bool had_mine = false;  // a line claiming the fuzzer's key (name and key ID)
  for (const auto& sig : parsed->signatures) had_mine = had_mine || IsKnown(sig, mine);
  auto cosigned = tz::log::AddSignature(input, signer);
  if (cosigned.ok()) {
    auto back = tz::log::ParseNote(*cosigned);
    TZ_FUZZ_CHECK(back.ok());
    TZ_FUZZ_CHECK(back->text == parsed->text);
    if (!had_mine) TZ_FUZZ_CHECK(tz::log::OpenNote(*cosigned, mine).ok());
    auto merged = tz::log::MergeNotes(input, *cosigned);
    if (merged.ok()) {
      auto m = tz::log::ParseNote(*merged);
      TZ_FUZZ_CHECK(m.ok());
      TZ_FUZZ_CHECK(m->text == parsed->text);
      if (!had_mine) TZ_FUZZ_CHECK(tz::log::OpenNote(*merged, mine).ok());
    }
  }
  return 0;
}
