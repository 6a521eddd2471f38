// Fixture for evidence package tests: a one-member ledger (ledger test
// consortium) with notarized documents in a temporary blob store, helpers to
// export, tamper with and verify packages.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "archive/local_store.h"
#include "crypto/timestamp.h"
#include "evidence/evidence.h"
#include "ledger/ledger_test_util.h"
#include "node/config.h"
#include "node/evidence_export.h"

namespace tz::node::testing {

namespace ev = evidence;
using ledger::testing::Consortium;

inline std::string TempDirFor(const std::string& name) {
  std::random_device rd;
  std::string dir = ::testing::TempDir() + "tz-" + name + "-" + std::to_string(getpid()) + "-" +
                    std::to_string(rd());
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string& FileOf(std::vector<ev::TarFile>& files, const std::string& name) {
  for (auto& f : files) {
    if (f.name == name) return f.data;
  }
  ADD_FAILURE() << "no file " << name;
  static std::string none;
  return none;
}

inline void RemoveFile(std::vector<ev::TarFile>* files, const std::string& name) {
  std::erase_if(*files, [&](const ev::TarFile& f) { return f.name == name; });
}

inline Json ManifestOf(std::vector<ev::TarFile>& files) {
  return *ParseJson(FileOf(files, "manifest.json"));
}
inline void SetManifest(std::vector<ev::TarFile>& files, const Json& m) {
  FileOf(files, "manifest.json") = m.Canonical();
}
// The mutable array `key` of a manifest.
inline Json::Array& ManifestArray(Json& m, const std::string& key) {
  for (auto& [k, v] : m.as_object()) {
    if (k == key) return v.as_array();
  }
  ADD_FAILURE() << "no " << key;
  static Json::Array none;
  return none;
}

class EvidenceFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDirFor("evidence");
    blobs_ = archive::LocalBlobStore::Open(archive::Env::Default(), dir_ + "/blobs").value();
    docs_ = {"竣工图纸 drawing A", "质量保修书 warranty B", "使用说明书 manual C"};
    for (const auto& d : docs_) Put(d);
    ASSERT_TRUE(c_.AppendOne(c_.c("builder").Sign(c_.Notarize(docs_[0]))).ok());
    auto r = c_.Append(
        {c_.c("builder").Sign(c_.Notarize(docs_[1])), c_.c("builder").Sign(c_.Notarize(docs_[2]))});
    for (auto& x : r) ASSERT_TRUE(x.ok()) << x.status().ToString();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Put(const std::string& content) {
    auto w = blobs_->NewWriter();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Append(AsBytes(content)).ok());
    ASSERT_TRUE((*w)->Commit().ok());
  }

  // Export options for one subject at a fixed export time.
  static EvidenceExportOptions OptionsFor(const std::string& kind, const std::string& id) {
    EvidenceExportOptions o;
    o.kind = kind;
    o.id = id;
    o.now_ms = ledger::testing::kT0 + 1000;
    return o;
  }
  std::vector<ev::TarFile> Export(const std::string& kind, const std::string& id,
                                  const TimeStampAuthority* tsa = nullptr) {
    EvidenceExportOptions o = OptionsFor(kind, id);
    o.tsa = tsa;
    auto files = BuildEvidencePackage(*c_.ledger, blobs_.get(), o);
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    return files.ok() ? *files : std::vector<ev::TarFile>{};
  }
  std::vector<ev::TarFile> ExportDoc(size_t i) {
    return Export("document", ledger::testing::HexDigestOf(docs_[i]));
  }

  std::string dir_;
  Consortium c_;
  std::unique_ptr<archive::LocalBlobStore> blobs_;
  std::vector<std::string> docs_;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline int Shell(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// An EvidenceFixture with two demo TSA PKIs, "pki" and "other", made once per
// test suite by deploy/make-tsa-cert.sh (the same script the docs use).
class TsaPkiFixture : public EvidenceFixture {
 protected:
  static void MakePkis(const std::string& name) {
    pki_ = new std::string(TempDirFor(name));
    for (const char* d : {"pki", "other"}) {
      ASSERT_EQ(Shell("bash '" + std::string(TZ_SOURCE_DIR) + "/deploy/make-tsa-cert.sh' '" +
                      *pki_ + "/" + d + "' >/dev/null 2>&1"),
                0);
    }
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*pki_);
    delete pki_;
    pki_ = nullptr;
  }
  static TimeStampAuthority Tsa(const std::string& which) {
    std::string d = *pki_ + "/" + which;
    auto cfg = LoadTsaConfigFiles(d + "/tsa.pem", d + "/tsa.key", "", std::string(kDemoTsaPolicy));
    EXPECT_TRUE(cfg.ok()) << cfg.status().ToString();
    return TimeStampAuthority::Create(*cfg).value();
  }
  static std::string Ca(const std::string& which) { return Slurp(*pki_ + "/" + which + "/ca.pem"); }

  static inline std::string* pki_ = nullptr;
};

}  // namespace tz::node::testing
