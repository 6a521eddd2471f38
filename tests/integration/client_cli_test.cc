// The client subcommands against the real node, the way users run them:
// key registration by vote, notarize (with a resumable upload session for a
// big file), verify (locally checked; a tampered file and a foreign key set
// do not verify), the house archive, and the three-party acceptance sign-off.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>

#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/keyfile.h"
#include "integration/node_fixture.h"

namespace tz::testing {
namespace {

class ClientCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    node_ = new NodeProcess();
    home_ = new TempDir();
    setenv("TZ_HOME", home_->path().c_str(), 1);
  }
  static void TearDownTestSuite() {
    delete node_;
    delete home_;
    node_ = nullptr;
    home_ = nullptr;
    unsetenv("TZ_HOME");
  }
  void SetUp() override { ASSERT_GT(node_->port, 0) << node_->init_output << node_->start_output; }

  static std::string Server() { return "http://127.0.0.1:" + std::to_string(node_->port); }
  static std::string DataKey(const std::string& name) {
    return node_->dir.File("data") + "/keys/" + name + ".key";
  }
  // Writes a fixture key (registered at genesis) as a key file.
  static std::string KeyFile(const TestKey& k, const std::string& name) {
    std::string path = home_->File(name + ".key");
    if (!std::filesystem::exists(path)) {
      NamedKeyPair kp{name, KeyPair{k.keys.public_key, k.keys.secret_key.Clone()}};
      EXPECT_TRUE(WriteKeyFile(path, kp).ok());
    }
    return path;
  }
  static RunResult Cli(std::vector<std::string> args) {
    args.push_back("--server");
    args.push_back(Server());
    return Tz(args);
  }
  static Json JsonOut(const RunResult& r) {
    auto j = ParseJson(r.out);
    EXPECT_TRUE(j.ok()) << r.out << r.err;
    return j.ok() ? *j : Json();
  }
  static std::string Doc(const std::string& name, const std::string& text) {
    std::string path = home_->File(name);
    WriteFile(path, text);
    return path;
  }

  static NodeProcess* node_;
  static TempDir* home_;
};
NodeProcess* ClientCli::node_ = nullptr;
TempDir* ClientCli::home_ = nullptr;

std::string Str(const Json& j, const char* key) {
  const Json* v = j.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

TEST_F(ClientCli, KeyNewRegisterByMemberProposalShow) {
  std::string key = home_->File("new-party.key");
  RunResult r = Cli({"key", "new", "--key", key, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string id = Str(JsonOut(r), "key");
  EXPECT_EQ(id.size(), 32u);

  r = Cli({"key", "show", "--key", key, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(JsonOut(r).find("registered")->as_bool());

  r = Cli({"key", "register", "--pub", key, "--party", "ops-co", "--roles", "operator", "--key",
           DataKey("member")});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("enacted"), std::string::npos) << r.out;

  r = Cli({"key", "show", "--key", key, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = JsonOut(r);
  EXPECT_TRUE(j.find("registered")->as_bool());
  EXPECT_EQ(Str(*j.find("record"), "party"), "ops-co");

  // A non-member cannot propose.
  r = Cli({"key", "register", "--pub", key, "--party", "x", "--roles", "operator", "--key", key});
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(ClientCli, NotarizeThenVerifyLocallyAndTamperedFails) {
  std::string doc = Doc("warranty-2-201.txt", "质量保修书 2-201: 5 years\n");
  RunResult r = Cli({"notarize", doc, "--type", "warranty", "--house", "2-201", "--project", "p1",
                     "--key", KeyFile(node_->builder, "builder"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json n = JsonOut(r);
  EXPECT_EQ(Str(n, "entry").size(), 64u);
  // A construction unit may notarize but not file into the archive.
  EXPECT_NE(Str(n, "link").find("skipped"), std::string::npos);

  r = Cli({"verify", doc, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json v = JsonOut(r);
  EXPECT_TRUE(v.find("verified")->as_bool());
  EXPECT_EQ(Str(v, "entry"), Str(n, "entry"));
  EXPECT_EQ(Str(v, "party"), "builder-co");
  EXPECT_EQ(Str(v, "house"), "2-201");

  r = Cli({"verify", doc});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("VERIFIED"), std::string::npos) << r.out;

  std::string tampered = Doc("warranty-2-201-tampered.txt", "质量保修书 2-201: 1 year\n");
  r = Cli({"verify", tampered, "--json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(JsonOut(r).find("notarized")->as_bool());

  // Notarizing the same bytes again is idempotent.
  r = Cli({"notarize", doc, "--type", "warranty", "--project", "p1", "--key",
           KeyFile(node_->builder, "builder"), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(JsonOut(r).find("already_notarized")->as_bool());
}

// True if `s` holds a byte sequence that could steer a terminal: ESC, CR,
// another C0 control but LF/TAB, DEL, a C1 control, or a bidirectional
// override/isolate (U+202A..U+202E, U+2066..U+2069).
bool HasTerminalControls(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xa0) return true;
    if (c == 0xe2 && i + 2 < s.size()) {
      unsigned char b = static_cast<unsigned char>(s[i + 1]);
      unsigned char d = static_cast<unsigned char>(s[i + 2]);
      if (b == 0x80 && d >= 0xaa && d <= 0xae) return true;
      if (b == 0x81 && d >= 0xa6 && d <= 0xa9) return true;
    }
  }
  return false;
}

TEST_F(ClientCli, TerminalControlsInNamesAndAnswersAreEscaped) {
  // A file received from someone else, named to repaint the terminal and to
  // reverse the rest of the line; its default title is that name.
  std::string evil = "report\x1b[2J\x1b[1;1H\u2714 VERIFIED\r\u202Efdp.exe";
  std::string doc = Doc(evil, "某文件\n");
  RunResult r = Cli({"notarize", doc, "--type", "warranty", "--project", "p1", "--key",
                     KeyFile(node_->builder, "builder")});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("field.unsafe_text"), std::string::npos) << r.out << r.err;
  EXPECT_FALSE(HasTerminalControls(r.out)) << r.out;
  EXPECT_FALSE(HasTerminalControls(r.err)) << r.err;
  // Nothing was notarized; verify prints the name, escaped.
  r = Cli({"verify", doc});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(HasTerminalControls(r.out)) << r.out;
  EXPECT_FALSE(HasTerminalControls(r.err)) << r.err;
  EXPECT_NE(r.out.find("\\u001b[2J"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\\u202e"), std::string::npos) << r.out;
  // With a clean title the same bytes notarize, and the output is clean.
  r = Cli({"notarize", doc, "--type", "warranty", "--project", "p1", "--title", "报告", "--key",
           KeyFile(node_->builder, "builder")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(HasTerminalControls(r.out + r.err)) << r.out << r.err;
  // JSON output stays valid JSON and names the file exactly: its escapes
  // are JSON escapes of the same characters.
  r = Cli({"verify", doc, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_FALSE(HasTerminalControls(r.out)) << r.out;
  Json j = JsonOut(r);
  EXPECT_EQ(Str(j, "file"), doc) << r.out;
}

TEST_F(ClientCli, VerifyNeverTrustsAnotherConsortium) {
  std::string doc = Doc("manual.txt", "使用说明书\n");
  RunResult r = Cli({"notarize", doc, "--type", "user_manual", "--project", "p1", "--key",
                     KeyFile(node_->builder, "builder")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // A pinned key set that is not this node's: the server's answer is refused.
  std::string pin =
      Doc("other-consortium.json",
          R"({"chain":"test-chain","origin":"tiezheng/test-chain","quorum":1,)"
          R"("suite":"intl","members":[{"name":"node1","verifier_key":)"
          R"("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"}]})");
  r = Cli({"verify", doc, "--consortium", pin});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("consortium"), std::string::npos) << r.out << r.err;
}

TEST_F(ClientCli, HouseArchiveLinksSupersedesAndVerifies) {
  std::string admin = DataKey("admin");  // receiving_unit, operator, department
  std::string v1 = Doc("pipes-v1.svg", "<svg>v1</svg>\n");
  std::string v2 = Doc("pipes-v2.svg", "<svg>v2</svg>\n");
  RunResult r = Cli({"notarize", v1, "--type", "pipe_network_drawings", "--house", "3-301",
                     "--project", "p1", "--key", admin, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string link1 = Str(JsonOut(r), "link");
  EXPECT_EQ(link1.size(), 64u) << r.out;
  r = Cli({"notarize", v2, "--type", "pipe_network_drawings", "--house", "3-301", "--project", "p1",
           "--key", admin, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Str(JsonOut(r), "supersedes"), link1);

  r = Cli({"house", "show", "3-301", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json h = JsonOut(r);
  EXPECT_TRUE(h.find("verified")->as_bool());
  EXPECT_GE(h.find("timeline")->size(), 4u);
  r = Cli({"house", "show", "3-301"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("已验证"), std::string::npos) << r.out;
}

TEST_F(ClientCli, AcceptanceSignedByThreeParties) {
  std::string admin = DataKey("admin");
  std::string report = Doc("acceptance-4-401.txt", "分户验收表 4-401\n");
  RunResult r =
      Cli({"notarize", report, "--type", "acceptance_report", "--project", "p1", "--key", admin});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string builder = KeyFile(node_->builder, "builder");
  r = Cli({"acceptance", "open", "--project", "p1", "--house", "4-401", "--items",
           "structure=pass,water=pass", "--report", report, "--key", builder, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string record = Str(JsonOut(r), "record");
  ASSERT_EQ(record.size(), 64u);

  ASSERT_EQ(Cli({"acceptance", "sign", record, "--role", "construction_unit", "--key", builder})
                .exit_code,
            0);
  r = Cli({"acceptance", "show", record, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Str(JsonOut(r), "status"), "open");
  // The same party cannot sign twice.
  r = Cli({"acceptance", "sign", record, "--role", "construction_unit", "--key", builder});
  EXPECT_EQ(r.exit_code, 3) << r.err;

  ASSERT_EQ(
      Cli({"acceptance", "sign", record, "--role", "receiving_unit", "--key", admin}).exit_code, 0);
  r = Cli({"acceptance", "sign", record, "--role", "inspector", "--key",
           KeyFile(node_->workers[0], "inspector")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Cli({"acceptance", "show", record, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json s = JsonOut(r);
  EXPECT_EQ(Str(s, "status"), "complete");
  EXPECT_EQ(s.find("signatures")->size(), 3u);
}

TEST_F(ClientCli, BigFileGoesThroughAnUploadSession) {
  std::string big(9 * 1024 * 1024 + 123, 'x');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  std::string path = Doc("photos.bin", big);
  RunResult r = Cli({"notarize", path, "--type", "photo", "--project", "p1", "--key",
                     DataKey("admin"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(JsonOut(r).find("size")->as_int64(), static_cast<int64_t>(big.size()));
  EXPECT_EQ(Cli({"verify", path}).exit_code, 0);
}

TEST_F(ClientCli, InterruptedUploadResumesFromTheReceivedParts) {
  // An upload that stopped after its first part: the session id is where the
  // CLI keeps it, and the node holds part 0.
  std::string data(17 * 1024 * 1024, 'r');
  data[5] = 's';
  std::string path = Doc("drawings.bin", data);
  std::string hex = ToHex(Sha256(data));
  auto c = node_->Client();
  Json session = node_->BeginUpload(c, data);
  ASSERT_TRUE(session.is_object());
  std::string id = session.find("upload_id")->as_string();
  uint64_t part = session.find("part_size")->as_uint64();
  std::string t = "/v1/uploads/" + id + "/parts/0";
  std::string chunk = data.substr(0, part);
  auto r = c.Put(t, NodeProcess::Signed(node_->builder, "PUT", t, chunk), chunk,
                 "application/octet-stream");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  std::filesystem::create_directories(home_->File("uploads"));
  WriteFile(home_->File("uploads/" + hex + ".id"), id + "\n");

  RunResult cli = Cli({"notarize", path, "--type", "as_built_drawings", "--project", "p1", "--key",
                       KeyFile(node_->builder, "builder")});
  ASSERT_EQ(cli.exit_code, 0) << cli.out << cli.err;
  EXPECT_NE(cli.err.find("resuming upload " + id), std::string::npos) << cli.err;
  EXPECT_FALSE(std::filesystem::exists(home_->File("uploads/" + hex + ".id")));
  EXPECT_EQ(Cli({"verify", path}).exit_code, 0);
}

TEST_F(ClientCli, ExitCodesForUsageInputAndUnreachable) {
  EXPECT_EQ(Tz({"verify"}).exit_code, 2);
  EXPECT_EQ(Tz({"notarize", "x"}).exit_code, 2);  // --type missing
  EXPECT_EQ(Tz({"acceptance", "frobnicate"}).exit_code, 2);
  RunResult r = Cli({"notarize", home_->File("no-such-file"), "--type", "other", "--project", "p1",
                     "--key", DataKey("admin")});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  std::string doc = Doc("unreachable.txt", "x\n");
  r = Tz({"verify", doc, "--server", "http://127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("client.unreachable"), std::string::npos) << r.err;
  r = Cli({"acceptance", "show", "not-an-id"});
  EXPECT_EQ(r.exit_code, 3);
}

}  // namespace
}  // namespace tz::testing
