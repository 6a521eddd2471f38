// Fuzzes crypto/json.h: the strict parser and the RFC 8785 canonical form.
//
// Properties, for every input the parser accepts:
//   - parse(canonical(x)) == x, and canonical is idempotent;
//   - the parser's "is this text already canonical" answer is right;
//   - ParseCanonicalJson accepts exactly the canonical text;
//   - parse(pretty(x)) == x;
//   - jcs_integers only ever narrows what is accepted, never changes a value;
//   - copies are independent after mutation (copy-on-write containers).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crypto/json.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  bool was_canonical = false;
  auto parsed = tz::ParseJson(text, tz::ParseOptions{}, &was_canonical);

  tz::ParseOptions jcs;
  jcs.jcs_integers = true;
  auto narrow = tz::ParseJson(text, jcs);
  if (narrow.ok()) {
    TZ_FUZZ_CHECK(parsed.ok());
    TZ_FUZZ_CHECK(*narrow == *parsed);
  }

  auto strict = tz::ParseCanonicalJson(text);
  if (!parsed.ok()) {
    TZ_FUZZ_CHECK(!strict.ok());
    return 0;
  }
  const tz::Json& x = *parsed;

  std::string canonical = x.Canonical();
  TZ_FUZZ_CHECK(was_canonical == (canonical == text));
  // ParseCanonicalJson also restricts integers to +-(2^53-1).
  TZ_FUZZ_CHECK(strict.ok() == (was_canonical && narrow.ok()));
  if (strict.ok()) TZ_FUZZ_CHECK(*strict == x);

  bool again_canonical = false;
  auto reparsed = tz::ParseJson(canonical, tz::ParseOptions{}, &again_canonical);
  TZ_FUZZ_CHECK(reparsed.ok());
  TZ_FUZZ_CHECK(*reparsed == x);
  TZ_FUZZ_CHECK(again_canonical);
  TZ_FUZZ_CHECK(reparsed->Canonical() == canonical);
  TZ_FUZZ_CHECK(tz::ParseCanonicalJson(canonical).ok() == narrow.ok());

  auto from_pretty = tz::ParseJson(x.Pretty());
  TZ_FUZZ_CHECK(from_pretty.ok());
  TZ_FUZZ_CHECK(*from_pretty == x);

  // A mutated copy must leave the original alone.
  tz::Json copy = x;
  if (copy.is_array()) {
    copy.push_back(tz::Json("fuzz"));
    TZ_FUZZ_CHECK(copy.size() == x.size() + 1);
    TZ_FUZZ_CHECK(x.Canonical() == canonical);
  } else if (copy.is_object()) {
    copy.set("\x7f-fuzz-key", tz::Json(true));
    TZ_FUZZ_CHECK(x.find("\x7f-fuzz-key") == nullptr || x.size() == copy.size());
    TZ_FUZZ_CHECK(x.Canonical() == canonical);
  }
  return 0;
}
