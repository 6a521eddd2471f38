// The ustar writer and strict reader of evidence packages.
#include "evidence/tar.h"

#include <gtest/gtest.h>

namespace tz::evidence {
namespace {

TEST(EvidenceTar, RoundTrip) {
  std::vector<TarFile> files = {
      {"manifest.json", "{}"}, {"documents/ab", std::string(1000, 'x')}, {"empty", ""}};
  auto tar = WriteTar(files, 1700000000);
  ASSERT_TRUE(tar.ok());
  EXPECT_EQ(tar->size() % 512, 0u);
  auto back = ReadTar(*tar);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[1].data, files[1].data);
  EXPECT_EQ((*back)[2].name, "empty");
}

TEST(EvidenceTar, UnsafeNames) {
  for (const char* n : {"../x", "/etc/passwd", "a//b", "a/./b", "a b", "", "a/"}) {
    EXPECT_FALSE(IsSafeTarName(n)) << n;
    EXPECT_EQ(WriteTar({{n, "x"}}, 0).status().reason(), "evidence.bad_name") << n;
  }
  EXPECT_TRUE(IsSafeTarName("proofs/12.tlog-proof"));
}

TEST(EvidenceTar, RejectsCorruptAndDuplicate) {
  auto tar = *WriteTar({{"a", "1"}, {"b", "2"}}, 0);
  std::string bad = tar;
  bad[0] = 'c';  // header checksum no longer matches
  EXPECT_EQ(ReadTar(bad).status().reason(), "evidence.bad_tar");
  EXPECT_EQ(ReadTar(tar.substr(0, 700)).status().reason(), "evidence.bad_tar");
  EXPECT_EQ(ReadTar(tar + "junk").status().reason(), "evidence.bad_tar");
  auto dup = *WriteTar({{"a", "1"}, {"a", "2"}}, 0);
  EXPECT_EQ(ReadTar(dup).status().reason(), "evidence.duplicate_file");
  std::string link = *WriteTar({{"a", "1"}}, 0);
  link[156] = '2';  // symlink; fix the checksum so only the type is wrong
  unsigned sum = 0;
  for (int i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : (unsigned char)link[i];
  snprintf(&link[148], 8, "%06o", sum);
  link[155] = ' ';
  EXPECT_EQ(ReadTar(link).status().reason(), "evidence.bad_tar");
}

}  // namespace
}  // namespace tz::evidence
