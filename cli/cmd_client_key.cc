// `tiezheng key new|show|register|vote|revoke`: client keys and their
// registration on the ledger, which is a governance vote (gov.propose with a
// key.register action, then gov.vote by members until more than 2/3 agree).
#include <cstdio>

#include "client_common.h"
#include "crypto/encoding.h"

namespace tz::cli {
namespace {

using client::HttpClient;
using client::Options;

const char* kUsage =
    "Usage:\n"
    "  tiezheng key new  [--key FILE] [--name NAME]        生成客户端密钥 / new Ed25519 key\n"
    "  tiezheng key show [--key FILE]                      密钥与注册状态 / key id, registration\n"
    "  tiezheng key register --pub FILE --party PARTY --roles ROLES [--reason TEXT]\n"
    "                    --key MEMBER_KEYFILE              提议注册 / propose registering a key\n"
    "  tiezheng key vote PROPOSAL [--reject] --key MEMBER_KEYFILE   投票 / vote on a proposal\n"
    "  tiezheng key revoke KEYID [--reason TEXT] --key MEMBER_KEYFILE 提议吊销 / propose revoking\n"
    "  common: [--server URL] [--consortium FILE] [--json]\n"
    "  --key defaults to $TZ_KEY or ~/.tiezheng/client.key. ROLES: comma list of\n"
    "  construction_unit receiving_unit operator inspector tenant_rep department auditor.\n"
    "  register/vote/revoke are signed by a consortium member's key (tiezheng init writes one).\n";

int New(const Args& args, const Options& o) {
  std::string name = args.value_or("name", "client");
  NamedKeyPair kp{name, GenerateKeyPair(SignatureAlgorithm::kEd25519)};
  ledger::KeyId id = ledger::KeyIdOf(kp.keys.public_key);
  std::string pub = Base64Encode(kp.keys.public_key.bytes());
  Status s = WriteKeyFile(o.key_path, kp);
  if (!s.ok()) return Fail(s);
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("key", Json(ledger::ToHex(id)));
    j.set("algorithm", Json("ed25519"));
    j.set("public_key", Json(pub));
    j.set("path", Json(o.key_path));
    client::PrintJson(j);
  } else {
    std::printf(
        "✔ 已生成密钥 / key created: %s\n  密钥 ID Key id: %s\n  公钥 Public:   ed25519 %s\n",
        o.key_path.c_str(), ledger::ToHex(id).c_str(), pub.c_str());
    std::printf(
        "  注册（由联盟成员提议）/ to register it, a member runs:\n"
        "    tiezheng key register --pub %s --party PARTY --roles ROLES --key MEMBER_KEY\n",
        o.key_path.c_str());
  }
  return kExitOk;
}

int Show(const Options& o) {
  auto pub = ReadPublicKeyFile(o.key_path);
  if (!pub.ok()) return Fail(pub.status());
  ledger::KeyId id = ledger::KeyIdOf(pub->key);
  HttpClient http(o.server);
  auto rec = http.GetJson("/v1/keys/" + ledger::ToHex(id));
  bool registered = rec.ok();
  if (!rec.ok() && rec.status().code() != Code::kNotFound) return Fail(rec.status());
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("key", Json(ledger::ToHex(id)));
    j.set("name", Json(pub->name));
    j.set("algorithm", Json(SignatureName(pub->key.algorithm())));
    j.set("public_key", Json(Base64Encode(pub->key.bytes())));
    j.set("registered", Json(registered));
    if (registered) j.set("record", *rec);
    client::PrintJson(j);
    return kExitOk;
  }
  std::printf("密钥 Key %s (%s)\n  ID:     %s\n  公钥 Public: %s %s\n", o.key_path.c_str(),
              pub->name.c_str(), ledger::ToHex(id).c_str(),
              std::string(SignatureName(pub->key.algorithm())).c_str(),
              Base64Encode(pub->key.bytes()).c_str());
  if (!registered) {
    std::printf("  状态 Status: 未在 %s 注册 / not registered\n", o.server.c_str());
    return kExitOk;
  }
  std::string roles;
  if (const Json* r = rec->find("roles"); r && r->is_array()) {
    for (const Json& x : r->as_array()) roles += (roles.empty() ? "" : ",") + x.as_string();
  }
  const Json* revoked = rec->find("revoked");
  bool is_revoked = revoked && revoked->is_bool() && revoked->as_bool();
  std::printf("  状态 Status: %s\n  单位 Party:  %s\n  角色 Roles:  %s\n",
              is_revoked ? "已吊销 revoked" : "已注册 registered",
              client::StringOr(*rec, "party").c_str(), roles.c_str());
  return kExitOk;
}

// Submits a governance entry signed by the member key and reports the outcome.
int SubmitGov(const Options& o, const Json& entry, const std::string& what) {
  auto s = client::SignAndSubmit(o, entry);
  if (!s.ok()) return Fail(s.status());
  if (o.json) {
    Json j = Json::MakeObject();
    j.set("entry", Json(s->id));
    j.set("index", Json(s->index));
    j.set("height", Json(s->height));
    client::PrintJson(j);
  } else {
    std::printf("✔ 已提交 %s / submitted\n  条目 Entry: %s (index %lld)\n", what.c_str(),
                s->id.c_str(), static_cast<long long>(s->index));
  }
  return kExitOk;
}

Json Proposal(Json action, const Args& args) {
  Json e = Json::MakeObject();
  e.set("type", Json("gov.propose"));
  e.set("v", Json(1));
  e.set("action", std::move(action));
  if (auto r = args.value("reason")) e.set("reason", Json(*r));
  return e;
}

int Register(const Args& args, const Options& o) {
  auto pub_path = args.value("pub");
  auto party = args.value("party");
  auto roles = args.value("roles");
  if (!pub_path || !party || !roles) {
    std::fprintf(stderr, "error: register needs --pub, --party and --roles\n%s", kUsage);
    return kExitUsage;
  }
  auto pub = ReadPublicKeyFile(*pub_path);
  if (!pub.ok()) return Fail(pub.status());
  Json spec = Json::MakeObject();
  spec.set("alg", Json(SignatureName(pub->key.algorithm())));
  spec.set("pub", Json(Base64Encode(pub->key.bytes())));
  Json action = Json::MakeObject();
  action.set("kind", Json("key.register"));
  action.set("key", spec);
  action.set("party", Json(*party));
  Json role_list = Json::MakeArray();
  for (const auto& r : client::SplitList(*roles)) role_list.push_back(Json(r));
  action.set("roles", role_list);
  std::string key_hex = ledger::ToHex(ledger::KeyIdOf(pub->key));
  int rc = SubmitGov(o, Proposal(action, args), "注册提议 key.register proposal for " + key_hex);
  if (rc != kExitOk || o.json) return rc;
  HttpClient http(o.server);
  bool enacted = http.GetJson("/v1/keys/" + key_hex).ok();
  std::printf(enacted ? "  已生效：密钥已注册 / enacted: the key is registered\n"
                      : "  等待其他成员投票 / awaiting votes: tiezheng key vote ENTRY --key ...\n");
  return kExitOk;
}

int Vote(const Args& args, const Options& o, const std::string& proposal) {
  if (!ledger::EntryIdFromHex(proposal).ok()) {
    return Fail(Status::Invalid("field.bad_entry_id", "PROPOSAL must be a 64-hex entry id"));
  }
  Json e = Json::MakeObject();
  e.set("type", Json("gov.vote"));
  e.set("v", Json(1));
  e.set("proposal", Json(proposal));
  e.set("approve", Json(!args.flag("reject")));
  return SubmitGov(o, e, args.flag("reject") ? "反对票 vote against" : "赞成票 vote for");
}

int Revoke(const Args& args, const Options& o, const std::string& key_id) {
  if (!ledger::KeyIdFromHex(key_id).ok()) {
    return Fail(Status::Invalid("field.bad_key_id", "KEYID must be 32 lowercase hex"));
  }
  Json action = Json::MakeObject();
  action.set("kind", Json("key.revoke"));
  action.set("key_id", Json(key_id));
  return SubmitGov(o, Proposal(action, args), "吊销提议 key.revoke proposal");
}

}  // namespace

int CmdKey(int argc, char** argv, int first) {
  auto vopts = client::CommonValueOpts();
  for (const char* v : {"name", "pub", "party", "roles", "reason"}) vopts.push_back(v);
  auto fopts = client::CommonFlagOpts();
  fopts.push_back("reject");
  Args args(vopts, fopts);
  bool parsed = args.Parse(argc, argv, first);
  const auto& pos = args.positional();
  std::string sub = pos.empty() ? "" : pos[0];
  bool ok = parsed && !args.flag("help") &&
            (((sub == "new" || sub == "show" || sub == "register") && pos.size() == 1) ||
             ((sub == "vote" || sub == "revoke") && pos.size() == 2));
  if (!ok) {
    std::fprintf(args.flag("help") ? stdout : stderr, "%s", kUsage);
    if (!args.error().empty()) std::fprintf(stderr, "error: %s\n", args.error().c_str());
    return args.flag("help") ? kExitOk : kExitUsage;
  }
  Options o = client::OptionsFrom(args);
  if (sub == "new") return New(args, o);
  if (sub == "show") return Show(o);
  if (sub == "register") return Register(args, o);
  if (sub == "vote") return Vote(args, o, pos[1]);
  return Revoke(args, o, pos[1]);
}

}  // namespace tz::cli
