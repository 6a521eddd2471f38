// `tiezheng acceptance open|sign|show`: the joint acceptance record (联合验收)
// that the construction unit, the receiving unit and an inspector sign.
#include <cstdio>

#include "client_common.h"

namespace tz::cli {
namespace {

using client::HttpClient;
using client::Options;

const char* kUsage =
    "Usage:\n"
    "  tiezheng acceptance open --project P [--house H] --items CODE=RESULT[,...]\n"
    "                           [--report FILE|SHA256] [--require ROLES] [--optional ROLES]\n"
    "  tiezheng acceptance sign RECORD --role ROLE [--verdict accept|reject]\n"
    "                           [--comment FILE|SHA256]\n"
    "  tiezheng acceptance show RECORD\n"
    "  common: [--key KEYFILE] [--server URL] [--consortium FILE] [--json]\n"
    "  RESULT is pass, fail or na. ROLES is a comma list of construction_unit,\n"
    "  receiving_unit, inspector, operator, tenant_rep (construction_unit, receiving_unit\n"
    "  and inspector are always required). RECORD is the entry id that `open` printed.\n"
    "  --report/--comment name a document that is already notarized.\n";

// A SHA-256 given directly, or the digest of a file.
Result<std::string> DigestArg(const std::string& v) {
  if (DigestFromHex(v).ok()) return v;
  TZ_ASSIGN_OR_RETURN(Digest d, HashFile(HashAlgorithm::kSha256, v));
  return ToHex(d);
}

Json RoleList(const std::vector<std::string>& roles) {
  Json a = Json::MakeArray();
  for (const auto& r : roles) a.push_back(Json(r));
  return a;
}

int Open(const Args& args, const Options& o) {
  auto project = args.value("project");
  auto items = args.value("items");
  if (!project || !items) {
    std::fprintf(stderr, "error: open needs --project and --items\n%s", kUsage);
    return kExitUsage;
  }
  Json entry = Json::MakeObject();
  entry.set("type", Json("acceptance.open"));
  entry.set("v", Json(1));
  entry.set("project", Json(*project));
  if (auto h = args.value("house")) entry.set("house", Json(*h));
  Json list = Json::MakeArray();
  for (const std::string& it : client::SplitList(*items)) {
    auto eq = it.find('=');
    if (eq == std::string::npos) {
      return Fail(Status::Invalid("acceptance.bad_item", "item '" + it + "' is not CODE=RESULT"));
    }
    Json item = Json::MakeObject();
    item.set("code", Json(it.substr(0, eq)));
    item.set("result", Json(it.substr(eq + 1)));
    list.push_back(item);
  }
  entry.set("items", list);
  entry.set("required_roles", RoleList(client::SplitList(args.value_or(
                                  "require", "construction_unit,receiving_unit,inspector"))));
  if (auto opt = args.value("optional"))
    entry.set("optional_roles", RoleList(client::SplitList(*opt)));
  if (auto r = args.value("report")) {
    auto d = DigestArg(*r);
    if (!d.ok()) return Fail(d.status());
    entry.set("report", Json(*d));
  }
  auto s = client::SignAndSubmit(o, entry);
  if (!s.ok()) return Fail(s.status());
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("record", Json(s->id));
    j.set("index", Json(s->index));
    j.set("height", Json(s->height));
    client::PrintJson(j);
  } else {
    std::printf("✔ 已发起联合验收 / acceptance record opened\n  记录 Record: %s\n", s->id.c_str());
    std::printf(
        "  各方签署 Each party signs: tiezheng acceptance sign %s --role ROLE --key KEYFILE\n",
        s->id.c_str());
  }
  return kExitOk;
}

int Sign(const Args& args, const Options& o, const std::string& record) {
  auto role = args.value("role");
  if (!role) {
    std::fprintf(stderr, "error: sign needs --role\n%s", kUsage);
    return kExitUsage;
  }
  Json entry = Json::MakeObject();
  entry.set("type", Json("acceptance.sign"));
  entry.set("v", Json(1));
  entry.set("record", Json(record));
  entry.set("role", Json(*role));
  entry.set("verdict", Json(args.value_or("verdict", "accept")));
  if (auto cmt = args.value("comment")) {
    auto d = DigestArg(*cmt);
    if (!d.ok()) return Fail(d.status());
    entry.set("comment", Json(*d));
  }
  auto s = client::SignAndSubmit(o, entry);
  if (!s.ok()) return Fail(s.status());
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("entry", Json(s->id));
    j.set("record", Json(record));
    j.set("role", Json(*role));
    j.set("index", Json(s->index));
    client::PrintJson(j);
  } else {
    std::printf("✔ 已签署 / SIGNED as %s (%s)\n  条目 Entry: %s\n", role->c_str(),
                args.value_or("verdict", "accept").c_str(), s->id.c_str());
  }
  return kExitOk;
}

struct Signature {
  std::string role, verdict, party, entry;
  int64_t time = 0;
};

// The sign entries for `record`, each verified (bytes, signature, inclusion).
Result<std::vector<Signature>> Signatures(HttpClient& http, const client::Consortium& c,
                                          const std::string& record) {
  std::vector<Signature> out;
  TZ_RETURN_IF_ERROR(client::ForEachEntry(
      http, "type=acceptance.sign&acceptance=" + record,
      [&](const ledger::SignedEntry& e, int64_t) -> Status {
        if (client::StringOr(e.entry, "record", "") != record) return Status::Ok();
        TZ_ASSIGN_OR_RETURN(client::VerifiedEntry v,
                            client::FetchVerifiedEntry(http, c, ledger::ToHex(e.id)));
        Signature sig;
        sig.role = client::StringOr(v.entry.entry, "role", "");
        sig.verdict = client::StringOr(v.entry.entry, "verdict", "");
        sig.party = v.party;
        sig.entry = ledger::ToHex(v.entry.id);
        sig.time = v.entry.time;
        out.push_back(sig);
        return Status::Ok();
      }));
  return out;
}

// The roles the record requires to sign ("required_roles").
std::vector<std::string> RequiredRoles(const Json& body) {
  std::vector<std::string> required;
  if (const Json* r = body.find("required_roles"); r && r->is_array()) {
    for (const Json& x : r->as_array()) required.push_back(x.as_string());
  }
  return required;
}

// "rejected" once a required role rejects; "complete" when the required
// roles' acceptances are as many as the required roles; else "open".
std::string RecordStatus(const std::vector<std::string>& required,
                         const std::vector<Signature>& sigs) {
  std::string status = "open";
  size_t accepted = 0;
  for (const auto& role : required) {
    for (const auto& s : sigs) {
      if (s.role != role) continue;
      if (s.verdict == "reject") status = "rejected";
      if (s.verdict == "accept") ++accepted;
    }
  }
  if (status == "open" && accepted == required.size()) status = "complete";
  return status;
}

// `acceptance show --json`.
Json ShowJson(const std::string& record, const std::string& status,
              const client::VerifiedEntry& open, const std::vector<Signature>& sigs) {
  Json j = Json::MakeObject();
  j.set("record", Json(record));
  j.set("status", Json(status));
  j.set("opened_by", Json(open.party));
  j.set("time", Json(open.entry.time));
  j.set("entry", open.entry.entry);
  Json arr = Json::MakeArray();
  for (const auto& s : sigs) {
    Json x = Json::MakeObject();
    x.set("role", Json(s.role));
    x.set("verdict", Json(s.verdict));
    x.set("party", Json(s.party));
    x.set("entry", Json(s.entry));
    x.set("time", Json(s.time));
    x.set("verified", Json(true));
    arr.push_back(x);
  }
  j.set("signatures", arr);
  return j;
}

// The signature lines of `acceptance show`: each required role (signed or
// pending), then the signatures of roles not required.
void PrintSignatures(const std::vector<std::string>& required, const std::vector<Signature>& sigs) {
  std::printf("  签署 Signatures (each verified locally: signature + inclusion proof):\n");
  for (const auto& role : required) {
    bool found = false;
    for (const auto& s : sigs) {
      if (s.role != role) continue;
      found = true;
      std::printf("    ✔ %-18s %-7s %s  %s\n", role.c_str(), s.verdict.c_str(), s.party.c_str(),
                  client::FormatTime(s.time).c_str());
    }
    if (!found) std::printf("    … %-18s 待签署 pending\n", role.c_str());
  }
  for (const auto& s : sigs) {
    bool req = false;
    for (const auto& r : required) req = req || r == s.role;
    if (!req) {
      std::printf("    ✔ %-18s %-7s %s (optional)\n", s.role.c_str(), s.verdict.c_str(),
                  s.party.c_str());
    }
  }
}

// `acceptance show` as text.
void PrintShow(const std::string& record, const std::string& status,
               const client::VerifiedEntry& open, const std::vector<std::string>& required,
               const std::vector<Signature>& sigs) {
  const Json& body = open.entry.entry;
  const char* zh = status == "complete" ? "已完成" : status == "rejected" ? "已驳回" : "进行中";
  std::printf("联合验收记录 Acceptance record %s\n", record.c_str());
  std::printf("  状态 Status:   %s / %s\n", zh, status.c_str());
  std::printf("  项目 Project:  %s%s%s\n", client::StringOr(body, "project", "").c_str(),
              body.find("house") ? "   房屋 House: " : "",
              client::StringOr(body, "house", "").c_str());
  std::printf("  发起 Opened:   %s by %s\n", client::FormatTime(open.entry.time).c_str(),
              open.party.c_str());
  if (const Json* items = body.find("items"); items && items->is_array()) {
    std::printf("  验收项 Items: ");
    for (const Json& it : items->as_array()) {
      std::printf(" %s=%s", client::StringOr(it, "code", "?").c_str(),
                  client::StringOr(it, "result", "?").c_str());
    }
    std::printf("\n");
  }
  PrintSignatures(required, sigs);
}

int Show(const Options& o, const std::string& record) {
  HttpClient http(o.server);
  auto c = client::PinnedConsortium(http, o);
  if (!c.ok()) return Fail(c.status());
  auto open = client::FetchVerifiedEntry(http, *c, record);
  if (!open.ok()) return Fail(open.status());
  if (open->entry.type != "acceptance.open") {
    return Fail(Status::Invalid("acceptance.not_a_record", record + " is not an acceptance.open"));
  }
  auto sigs = Signatures(http, *c, record);
  if (!sigs.ok()) return Fail(sigs.status());
  std::vector<std::string> required = RequiredRoles(open->entry.entry);
  std::string status = RecordStatus(required, *sigs);
  if (o.json) {
    client::PrintJson(ShowJson(record, status, *open, *sigs));
    return kExitOk;
  }
  PrintShow(record, status, *open, required, *sigs);
  return kExitOk;
}

}  // namespace

int CmdAcceptance(int argc, char** argv, int first) {
  auto vopts = client::CommonValueOpts();
  for (const char* v : {"project", "house", "items", "report", "require", "optional", "role",
                        "verdict", "comment"}) {
    vopts.push_back(v);
  }
  Args args(vopts, client::CommonFlagOpts());
  bool parsed = args.Parse(argc, argv, first);
  const auto& pos = args.positional();
  bool ok = parsed && !args.flag("help") && !pos.empty() &&
            ((pos[0] == "open" && pos.size() == 1) ||
             ((pos[0] == "sign" || pos[0] == "show") && pos.size() == 2));
  if (!ok) {
    std::fprintf(args.flag("help") ? stdout : stderr, "%s", kUsage);
    if (!args.error().empty()) std::fprintf(stderr, "error: %s\n", args.error().c_str());
    return args.flag("help") ? kExitOk : kExitUsage;
  }
  Options o = client::OptionsFrom(args);
  if (pos[0] == "open") return Open(args, o);
  if (!ledger::EntryIdFromHex(pos[1]).ok()) {
    return Fail(Status::Invalid("field.bad_entry_id", "RECORD must be a 64-hex entry id"));
  }
  if (pos[0] == "sign") return Sign(args, o, pos[1]);
  return Show(o, pos[1]);
}

}  // namespace tz::cli
