// The manifest's typed entry roles and subject kinds (evidence/evidence.h):
// names only at the JSON boundary, the same manifest bytes, and unknown or
// misplaced values in a package a court loads reported as before.
#include <gtest/gtest.h>

#include <string>

#include "node/evidence_test_util.h"

namespace tz::node::testing {
namespace {

using ev::EntryRole;
using ev::SubjectKind;

// The manifest entry at log index `index`.
Json& EntryAt(Json& manifest, uint64_t index) {
  for (Json& e : ManifestArray(manifest, "entries")) {
    if (e.find("index")->as_uint64() == index) return e;
  }
  ADD_FAILURE() << "no entry " << index;
  static Json none;
  return none;
}

class ManifestTest : public EvidenceFixture {};

TEST_F(ManifestTest, RolesAndKindsAreTypedAndEncodeToTheSameBytes) {
  auto files = Export("house", "H-1-101");
  const std::string bytes = FileOf(files, std::string(ev::kManifestPath));
  auto m = ev::Manifest::FromJson(*ParseJson(bytes));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->subject_kind, SubjectKind::kHouse);
  ASSERT_EQ(m->entries.size(), 4u);  // the genesis and the three notarizations of H-1-101
  EXPECT_EQ(m->entries[0].role, EntryRole::kKeyset);
  for (size_t i = 1; i < m->entries.size(); ++i) EXPECT_EQ(m->entries[i].role, EntryRole::kSubject);
  EXPECT_EQ(m->ToJson().Canonical(), bytes);
  EXPECT_NE(bytes.find(R"("role":"keyset")"), std::string::npos);
  EXPECT_NE(bytes.find(R"("subject":{"id":"H-1-101","kind":"house"})"), std::string::npos);

  ev::VerifyReport r = ev::VerifyPackageFiles(files);
  ASSERT_TRUE(r.verified) << r.reason;
  Json report = r.ToJson();
  EXPECT_EQ(report.find("subject")->find("kind")->as_string(), "house");
  EXPECT_EQ(report.find("entries")->as_array()[0].find("role")->as_string(), "keyset");
  EXPECT_EQ(r.entries[0].role, EntryRole::kKeyset);
  EXPECT_EQ(r.entries[1].role, EntryRole::kSubject);
}

TEST_F(ManifestTest, UnknownRoleOrKindIsReportedByName) {
  struct Case {
    std::string field, value, detail;
  } cases[] = {
      {"role", "witness", "entry role must be subject, context or keyset"},
      {"role", "Subject", "entry role must be subject, context or keyset"},
      {"kind", "street", "unknown subject kind 'street'"},
      {"kind", "", "unknown subject kind ''"},
  };
  for (const Case& c : cases) {
    auto files = ExportDoc(1);
    Json m = ManifestOf(files);
    if (c.field == "role") {
      EntryAt(m, 0).set("role", Json(c.value));
    } else {
      for (auto& [k, v] : m.as_object()) {
        if (k == "subject") v.set("kind", Json(c.value));
      }
    }
    SetManifest(files, m);
    ev::VerifyReport r = ev::VerifyPackageFiles(files);
    EXPECT_FALSE(r.verified) << c.value;
    EXPECT_EQ(r.reason, "evidence.bad_manifest") << c.value;
    const ev::CheckResult* f = r.FirstFailure();
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->item, "manifest.json");
    EXPECT_EQ(f->check, ev::CheckKind::kManifest);
    EXPECT_EQ(f->detail, c.detail);
  }
}

TEST_F(ManifestTest, AKeysetRoleOnlyForGovernanceEntries) {
  auto files = ExportDoc(1);
  Json m = ManifestOf(files);
  uint64_t notarization = ManifestArray(m, "entries").back().find("index")->as_uint64();
  for (auto [index, role] : {std::pair<uint64_t, std::string>{0, "subject"},
                             std::pair<uint64_t, std::string>{notarization, "keyset"}}) {
    Json changed = m;
    EntryAt(changed, index).set("role", Json(role));
    SetManifest(files, changed);
    ev::VerifyReport r = ev::VerifyPackageFiles(files);
    EXPECT_FALSE(r.verified) << role;
    EXPECT_TRUE(r.HasFailure("evidence.manifest_mismatch")) << role << ": " << r.reason;
  }
}

TEST_F(ManifestTest, EveryMissingFieldIsBadManifestNeverACrash) {
  // A court's verifier loads manifests it did not write: leaving out any
  // field, at any level, is a clear refusal (once a null dereference).
  auto files = Export("house", "H-1-101");
  Json full = *ParseJson(FileOf(files, std::string(ev::kManifestPath)));
  auto without = [](Json j, const std::string& key) {
    Json::Object kept;
    for (auto& [k, v] : j.as_object()) {
      if (k != key) kept.emplace_back(k, v);
    }
    return Json::MakeObject(std::move(kept));
  };
  for (const auto& [key, value] : full.as_object()) {
    auto m = ev::Manifest::FromJson(without(full, key));
    EXPECT_EQ(m.status().reason(), "evidence.bad_manifest") << "without " << key;
    if (value.is_object()) {
      for (const auto& [inner, unused] : value.as_object()) {
        Json broken = full;
        broken.set(key, without(value, inner));
        EXPECT_EQ(ev::Manifest::FromJson(broken).status().reason(), "evidence.bad_manifest")
            << "without " << key << "." << inner;
      }
    }
    if (value.is_array() && value.size() > 0 && value.as_array()[0].is_object()) {
      for (const auto& [inner, unused] : value.as_array()[0].as_object()) {
        Json broken = full;
        Json arr = value;
        arr.as_array()[0] = without(value.as_array()[0], inner);
        broken.set(key, arr);
        EXPECT_EQ(ev::Manifest::FromJson(broken).status().reason(), "evidence.bad_manifest")
            << "without " << key << "[0]." << inner;
      }
    }
  }
  // The subject (or anything) of the wrong type.
  for (const char* key : {"subject", "documents", "entries", "checkpoints", "chain"}) {
    Json broken = full;
    broken.set(key, Json(7));
    EXPECT_EQ(ev::Manifest::FromJson(broken).status().reason(), "evidence.bad_manifest") << key;
  }
}

TEST(ManifestNames, RoundTrip) {
  for (EntryRole r : {EntryRole::kSubject, EntryRole::kContext, EntryRole::kKeyset}) {
    EXPECT_EQ(ev::ParseEntryRole(ev::Name(r)), r);
  }
  for (SubjectKind k : {SubjectKind::kDocument, SubjectKind::kAcceptance, SubjectKind::kHouse,
                        SubjectKind::kCase}) {
    EXPECT_EQ(ev::ParseSubjectKind(ev::Name(k)), k);
  }
  EXPECT_EQ(ev::Name(EntryRole::kContext), "context");
  EXPECT_EQ(ev::Name(SubjectKind::kAcceptance), "acceptance");
  EXPECT_FALSE(ev::ParseEntryRole("keysets"));
  EXPECT_FALSE(ev::ParseSubjectKind("House"));
}

}  // namespace
}  // namespace tz::node::testing
