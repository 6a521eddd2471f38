// The web portal: the in-browser verifier's unit tests under Node.js, and an
// end-to-end run in headless Debian Chromium (playwright-core) against the
// real node holding sample data: a notarized file verifies, a tampered one
// is not notarized, the language switches, the house archive shows proofs.
//
// Missing tools (node, npm packages, /usr/bin/chromium) fail the test when
// CI=true — deploy/install-deps.sh installs them — and skip it elsewhere.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "crypto/keyfile.h"
#include "integration/node_fixture.h"

namespace tz::testing {
namespace {

const std::string kPortalTests = std::string(TZ_SOURCE_DIR) + "/tests/integration/portal";

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

// Fails in CI, skips elsewhere. Use as `if (Missing(...)) return;`.
#define TZ_REQUIRE_TOOL(cond, what)                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      if (InCi()) FAIL() << what << " (deploy/install-deps.sh installs it)"; \
      GTEST_SKIP() << what;                                                  \
    }                                                                        \
  } while (0)

bool HaveNode() { return Run({"node", "--version"}).exit_code == 0; }

// playwright-core from package-lock.json; installed by deploy/install-deps.sh,
// or here if a fresh build runs the tests first.
bool EnsurePlaywright() {
  if (std::filesystem::exists(kPortalTests + "/node_modules/playwright-core/package.json")) {
    return true;
  }
  RunResult r = Run({"npm", "ci", "--no-audit", "--no-fund", "--prefix", kPortalTests});
  if (r.exit_code != 0) std::fprintf(stderr, "npm ci failed:\n%s\n", r.err.c_str());
  return r.exit_code == 0;
}

TEST(PortalUnit, InBrowserVerifierPassesNodeTests) {
  TZ_REQUIRE_TOOL(HaveNode(), "Node.js (node) is not installed");
  setenv("TZ_TESTDATA_DIR", TZ_TESTDATA_DIR, 1);
  RunResult r = tz::testing::Run({"node", "--test", kPortalTests + "/unit/verify.test.mjs"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("# fail 0"), std::string::npos) << r.out;
}

TEST(PortalBrowser, VerifyTamperLanguageAndHouseArchive) {
  TZ_REQUIRE_TOOL(HaveNode(), "Node.js (node) is not installed");
  TZ_REQUIRE_TOOL(std::filesystem::exists("/usr/bin/chromium"), "/usr/bin/chromium is missing");
  TZ_REQUIRE_TOOL(EnsurePlaywright(), "npm package playwright-core is not installed");

  NodeProcess node;
  ASSERT_GT(node.port, 0) << node.init_output << node.start_output;
  std::string server = "http://127.0.0.1:" + std::to_string(node.port);
  TempDir home;
  setenv("TZ_HOME", home.path().c_str(), 1);

  // Sample data: a handover document filed in house 1-101 by the receiving unit.
  std::string sample =
      std::string(TZ_SOURCE_DIR) + "/deploy/sample/project-rongcheng-2/质量保修书-1号楼.txt";
  std::string doc = home.File("质量保修书-1号楼.txt");
  WriteFile(doc, ReadFile(sample));
  RunResult r = Tz({"notarize", doc, "--type", "warranty", "--house", "1-101", "--project",
                    "rongcheng-2", "--title", "工程质量保修书（1号楼）", "--key",
                    node.dir.File("data") + "/keys/admin.key", "--server", server});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string tampered = home.File("质量保修书-1号楼-改.txt");
  WriteFile(tampered, ReadFile(sample) + "保修期改为一年。\n");

  r = tz::testing::Run({"node", kPortalTests + "/portal_e2e.mjs", server, doc, tampered, "1-101"});
  unsetenv("TZ_HOME");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(" 0 failed"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace tz::testing
