// Fuzzes ledger/evidence_tar.h ReadTar, the strict ustar reader that
// `tiezheng evidence verify` runs on a package handed in by anyone.
//
// Properties, for every archive that reads:
//   - every name is safe (IsSafeTarName) and appears once;
//   - writing the files again (WriteTar) and reading that back gives the
//     same files in the same order, and the streamed pieces (TarHeader,
//     data, TarPadding, trailer) are byte for byte WriteTar's output.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "evidence/tar.h"
#include "fuzz_check.h"

namespace ev = tz::evidence;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view archive(reinterpret_cast<const char*>(data), size);
  auto files = ev::ReadTar(archive);
  if (!files.ok()) return 0;

  std::set<std::string> names;
  for (const auto& f : *files) {
    TZ_FUZZ_CHECK(ev::IsSafeTarName(f.name));
    TZ_FUZZ_CHECK(names.insert(f.name).second);
  }

  const int64_t mtime = 1700000000;
  auto written = ev::WriteTar(*files, mtime);
  TZ_FUZZ_CHECK(written.ok());
  TZ_FUZZ_CHECK(written->size() % 512 == 0);
  auto back = ev::ReadTar(*written);
  TZ_FUZZ_CHECK(back.ok());
  TZ_FUZZ_CHECK(back->size() == files->size());
  for (size_t i = 0; i < files->size(); ++i) {
    TZ_FUZZ_CHECK((*back)[i].name == (*files)[i].name);
    TZ_FUZZ_CHECK((*back)[i].data == (*files)[i].data);
  }

  std::string streamed;
  for (const auto& f : *files) {
    auto header = ev::TarHeader(f.name, f.data.size(), mtime);
    TZ_FUZZ_CHECK(header.ok());
    TZ_FUZZ_CHECK(header->size() == 512);
    streamed += *header;
    streamed += f.data;
    streamed.append(ev::TarPadding(f.data.size()), '\0');
  }
  streamed.append(ev::kTarTrailerSize, '\0');
  TZ_FUZZ_CHECK(streamed == *written);
  return 0;
}
