// `tiezheng verify FILE` and `tiezheng house show H`: what the ledger says
// about a document or a house, verified locally (client_common.h).
#include <cstdio>
#include <map>

#include "client_common.h"
#include "crypto/hash.h"

namespace tz::cli {
namespace {

using client::Consortium;
using client::HttpClient;
using client::Options;
using client::VerifiedNotarization;

Json ToJson(const VerifiedNotarization& v) {
  Json j = Json::MakeObject();
  j.set("verified", Json(true));
  j.set("sha256", Json(v.digest));
  j.set("entry", Json(v.entry_id));
  j.set("index", Json(v.index));
  j.set("height", Json(v.height));
  j.set("time", Json(v.client_time_ms));
  j.set("checkpoint_time", Json(v.checkpoint_time_ms));
  j.set("tree_size", Json(v.tree_size));
  j.set("key", Json(v.key_id));
  j.set("party", Json(v.party));
  j.set("title", Json(v.title));
  j.set("doc_type", Json(v.doc_type));
  j.set("project", Json(v.project));
  if (!v.house.empty()) j.set("house", Json(v.house));
  j.set("size", Json(v.size));
  Json signers = Json::MakeArray();
  for (const auto& s : v.checkpoint_signers) signers.push_back(Json(s));
  j.set("checkpoint_signers", signers);
  return j;
}

void PrintVerified(const std::string& file, const VerifiedNotarization& v, const Consortium& c) {
  std::printf("✔ 已验证：该文件已存证 / VERIFIED: this file is notarized\n");
  if (!file.empty()) std::printf("  文件 File:            %s\n", file.c_str());
  std::printf("  摘要 SHA-256:         %s\n", v.digest.c_str());
  std::printf("  标题 Title:           %s\n", v.title.c_str());
  std::printf("  类型 Document type:   %s\n", v.doc_type.c_str());
  std::printf("  项目 Project:         %s%s%s\n", v.project.c_str(),
              v.house.empty() ? "" : "   房屋 House: ", v.house.c_str());
  std::printf("  存证方 Notarized by:  %s (key %s)\n", v.party.c_str(), v.key_id.c_str());
  std::printf("  签署时间 Signed at:   %s\n", client::FormatTime(v.client_time_ms).c_str());
  std::printf("  日志位置 Log entry:   #%lld (block %lld), entry id %s\n",
              static_cast<long long>(v.index), static_cast<long long>(v.height),
              v.entry_id.c_str());
  std::string signers;
  for (const auto& s : v.checkpoint_signers) signers += (signers.empty() ? "" : ", ") + s;
  std::printf(
      "  检查点 Checkpoint:    log size %llu%s%s, signed by %zu of %zu members (quorum %zu): %s\n",
      static_cast<unsigned long long>(v.tree_size), v.checkpoint_time_ms >= 0 ? ", " : "",
      v.checkpoint_time_ms >= 0 ? client::FormatTime(v.checkpoint_time_ms).c_str() : "",
      v.checkpoint_signers.size(), c.keys.size(), c.quorum, signers.c_str());
  std::printf(
      "  本地核验 Checked locally: entry hash, submitter signature, RFC 9162 inclusion proof, "
      "checkpoint quorum signatures\n");
}

int PrintNotNotarized(const Options& o, const std::string& file, const std::string& digest) {
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("verified", Json(false));
    j.set("notarized", Json(false));
    j.set("sha256", Json(digest));
    client::PrintJson(j);
  } else {
    std::printf("✘ 未存证：账本中没有该文件 / NOT NOTARIZED: the ledger has no such document\n");
    if (!file.empty()) std::printf("  文件 File:    %s\n", file.c_str());
    std::printf("  摘要 SHA-256: %s\n", digest.c_str());
    std::printf("  (若文件被修改过，摘要会不同 / a modified file has a different digest)\n");
  }
  return kExitNotVerified;
}

int PrintVerifyFailure(const Options& o, const std::string& digest, const Status& s) {
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("verified", Json(false));
    j.set("notarized", Json(true));
    j.set("sha256", Json(digest));
    j.set("reason", Json(s.reason()));
    j.set("message", Json(s.message()));
    client::PrintJson(j);
  } else {
    std::printf("✘ 验证失败 / VERIFICATION FAILED [%s]: %s\n", s.reason().c_str(),
                s.message().c_str());
    std::printf(
        "  服务器声称已存证，但证据未通过本地核验 / the server claims it is notarized, "
        "but the evidence does not verify locally\n");
  }
  return kExitNotVerified;
}

// Fetches and verifies one digest. Returns NotFound "document.not_notarized"
// when the ledger has no notarization.
Result<VerifiedNotarization> CheckDigest(HttpClient& http, const Consortium& c,
                                         const std::string& digest) {
  auto answer = http.GetJson("/v1/documents/" + digest);
  if (!answer.ok()) return answer.status();
  return client::VerifyDocumentAnswer(http, c, digest, *answer);
}

bool IsNotNotarized(const Status& s) {
  return s.code() == Code::kNotFound &&
         (s.reason() == "document.not_notarized" || s.reason() == "http.404");
}

const char* kVerifyUsage =
    "Usage: tiezheng verify FILE [--digest SHA256] [--server URL] [--consortium FILE] [--json]\n"
    "  在本地核验文件的存证证据 / verifies a file's notarization locally.\n"
    "  Exit: 0 verified, 1 not notarized or not verified, 3 bad input, 4 failure.\n";

}  // namespace

int CmdVerify(int argc, char** argv, int first) {
  auto vopts = client::CommonValueOpts();
  vopts.push_back("digest");
  Args args(vopts, client::CommonFlagOpts());
  if (!args.Parse(argc, argv, first) || args.flag("help") ||
      (args.positional().size() != 1 && !args.value("digest")) || args.positional().size() > 1) {
    std::fprintf(args.flag("help") ? stdout : stderr, "%s", kVerifyUsage);
    if (!args.error().empty()) std::fprintf(stderr, "error: %s\n", args.error().c_str());
    return args.flag("help") ? kExitOk : kExitUsage;
  }
  Options o = client::OptionsFrom(args);
  std::string file, digest;
  if (!args.positional().empty()) {
    file = args.positional()[0];
    auto d = HashFile(HashAlgorithm::kSha256, file);
    if (!d.ok()) return Fail(d.status());
    digest = ToHex(*d);
  } else {
    digest = *args.value("digest");
    if (!DigestFromHex(digest).ok()) {
      return Fail(Status::Invalid("digest.bad_format", "--digest needs 64 lowercase hex"));
    }
  }
  HttpClient http(o.server);
  auto c = client::PinnedConsortium(http, o);
  if (!c.ok()) return Fail(c.status());
  auto v = CheckDigest(http, *c, digest);
  if (!v.ok()) {
    if (IsNotNotarized(v.status())) return PrintNotNotarized(o, file, digest);
    if (ExitCodeFor(v.status()) == kExitNotVerified)
      return PrintVerifyFailure(o, digest, v.status());
    return Fail(v.status());
  }
  if (o.json) {
    Json j = ToJson(*v);
    if (!file.empty()) j.set("file", Json(file));
    client::PrintJson(j);
  } else {
    PrintVerified(file, *v, *c);
  }
  return kExitOk;
}

namespace {

const char* kHouseUsage =
    "Usage: tiezheng house show HOUSE [--server URL] [--consortium FILE] [--json]\n"
    "       tiezheng house link SHA256 --house HOUSE --type DOC_TYPE [--category C] [--slot S]\n"
    "                          [--key KEYFILE] [--server URL] [--json]\n"
    "  show: 一房一档时间线，逐个核验证明 / a house's archive timeline, each proof checked "
    "locally.\n"
    "  link: 将已存证文件归入房屋档案 / file a notarized document in a house archive.\n";

int HouseShow(const Args& args) {
  Options o = client::OptionsFrom(args);
  const std::string& house = args.positional()[1];
  if (!ledger::IsValidId(house)) {
    return Fail(Status::Invalid("field.bad_id", "house id must be 1-64 chars of [A-Za-z0-9._:-]"));
  }
  HttpClient http(o.server);
  auto c = client::PinnedConsortium(http, o);
  if (!c.ok()) return Fail(c.status());
  auto answer = http.GetJson("/v1/houses/" + house);
  if (!answer.ok()) return Fail(answer.status());
  const Json* timeline = answer->find("timeline");
  if (timeline == nullptr || !timeline->is_array()) {
    return Fail(Status(Code::kInternal, "client.bad_answer", "answer lacks timeline"));
  }
  std::map<std::string, Status> checked;  // digest -> verification result
  bool all_ok = true;
  Json out_items = Json::MakeArray();
  if (!o.json) {
    std::printf("一房一档 House archive: %s  (%zu 条记录 entries)\n", house.c_str(),
                timeline->size());
  }
  for (const Json& item : timeline->as_array()) {
    const Json* doc = item.find("document");
    std::string digest, title, doc_type;
    if (doc != nullptr && doc->is_object()) {
      digest =
          client::AnswerString(*doc, "sha256").ok() ? *client::AnswerString(*doc, "sha256") : "";
      if (const Json* t = doc->find("title"); t && t->is_string()) title = t->as_string();
      if (const Json* t = doc->find("doc_type"); t && t->is_string()) doc_type = t->as_string();
    }
    Status st;
    if (!digest.empty()) {
      if (!checked.count(digest)) {
        auto v = CheckDigest(http, *c, digest);
        checked[digest] = v.ok() ? Status::Ok() : v.status();
      }
      st = checked[digest];
      if (!st.ok()) all_ok = false;
    }
    int64_t time = client::AnswerInt(item, "time").ok() ? *client::AnswerInt(item, "time") : 0;
    std::string type =
        client::AnswerString(item, "type").ok() ? *client::AnswerString(item, "type") : "";
    const Json* sup = item.find("superseded_by");
    bool superseded = sup != nullptr && sup->is_string() && !sup->as_string().empty();
    if (o.json) {
      Json j = item;
      j.set("verified", Json(!digest.empty() && st.ok()));
      if (!st.ok()) j.set("reason", Json(st.reason()));
      out_items.push_back(j);
      continue;
    }
    std::string status = digest.empty() ? "" : st.ok() ? "✔ 已验证 verified" : "✘ " + st.reason();
    std::printf("  %s  %-16s %-22s %s%s\n", client::FormatTime(time).c_str(), type.c_str(),
                doc_type.c_str(), title.c_str(), superseded ? "  (已被替代 superseded)" : "");
    if (!digest.empty()) std::printf("      sha256 %s  %s\n", digest.c_str(), status.c_str());
  }
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("house", Json(house));
    j.set("verified", Json(all_ok));
    j.set("timeline", out_items);
    client::PrintJson(j);
  } else {
    std::printf(all_ok ? "全部证明已在本地核验 / all proofs verified locally\n"
                       : "有证明未通过核验 / some proofs did not verify\n");
  }
  return all_ok ? kExitOk : kExitNotVerified;
}

}  // namespace

int CmdHouse(int argc, char** argv, int first) {
  auto vopts = client::CommonValueOpts();
  for (const char* v : {"house", "type", "category", "slot"}) vopts.push_back(v);
  Args args(vopts, client::CommonFlagOpts());
  bool parsed = args.Parse(argc, argv, first);
  const auto& pos = args.positional();
  if (!parsed || args.flag("help") || pos.size() != 2 || (pos[0] != "show" && pos[0] != "link")) {
    std::fprintf(args.flag("help") ? stdout : stderr, "%s", kHouseUsage);
    if (!args.error().empty()) std::fprintf(stderr, "error: %s\n", args.error().c_str());
    return args.flag("help") ? kExitOk : kExitUsage;
  }
  if (pos[0] == "link") return CmdHouseLink(args);
  return HouseShow(args);
}

}  // namespace tz::cli
