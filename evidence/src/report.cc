// report.html: what was checked and what each item proves, in Chinese with
// English, for judges, arbitrators and the parties' experts.
#include "evidence/report.h"

#include <ctime>
#include <map>

namespace tz::evidence {

using namespace ledger;  // evidence is written in the ledger's vocabulary
namespace {

std::string Esc(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Utc(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Status of all checks of one kind: failed if any failed, else unverified
// if any is, else passed; "—" if none.
std::string Summary(const VerifyReport& r, std::initializer_list<CheckKind> kinds) {
  bool any = false, failed = false, unverified = false;
  for (const auto& c : r.checks) {
    for (auto k : kinds) {
      if (c.check != k) continue;
      any = true;
      failed = failed || c.status == CheckStatus::kFailed;
      unverified = unverified || c.status == CheckStatus::kUnverified;
    }
  }
  if (!any) return "—";
  if (failed) return "<b class=bad>未通过 failed</b>";
  if (unverified) return "<b class=warn>未核验信任 trust not verified</b>";
  return "<b class=ok>通过 passed</b>";
}

struct Row {
  const char* zh;
  const char* en;
  std::initializer_list<CheckKind> checks;
  const char* proves;
};

const Row kCourtRows[] = {
    {"哈希值比对",
     "hash match",
     {CheckKind::kDocumentDigest, CheckKind::kDocumentNotarized},
     "每份文件的 SHA-256 与链上存证记录中的摘要一致 / each file's SHA-256 equals the digest in "
     "its notarization entry"},
    {"存证时间",
     "time of notarization",
     {CheckKind::kInclusion, CheckKind::kTimestamp},
     "记录所在区块的检查点时间；RFC 3161 时间戳证明检查点不晚于该时间已存在 / the block time of "
     "the checkpoint holding the entry; an RFC 3161 token proves the checkpoint existed by then"},
    {"提交主体",
     "submitter and registered key",
     {CheckKind::kEntrySignature, CheckKind::kEntryKey, CheckKind::kKeyset},
     "记录由登记在册、未被吊销的密钥签名（依据创世块与治理记录重放）/ each entry is signed by a "
     "key registered and not revoked at its position (replayed from genesis and governance)"},
    {"共同签名与保管链",
     "co-signatures and custody",
     {CheckKind::kCheckpointQuorum, CheckKind::kConsistency, CheckKind::kTrust},
     "检查点由联盟法定多数成员共同签名，早期检查点与最新检查点一致（只追加）/ checkpoints are "
     "signed by a quorum of the consortium, and earlier ones are prefixes of the newest"},
};

const Row kDaT70Rows[] = {
    {"真实性",
     "authenticity",
     {CheckKind::kEntrySignature, CheckKind::kEntryKey, CheckKind::kKeyset,
      CheckKind::kCheckpointQuorum},
     "来源可信：签名、密钥登记与联盟共同签名 / origin: signatures, key registration, consortium "
     "co-signatures"},
    {"完整性",
     "integrity",
     {CheckKind::kDocumentDigest, CheckKind::kInclusion, CheckKind::kConsistency,
      CheckKind::kCompleteness, CheckKind::kEntryFormat},
     "内容未被篡改、无缺失无多余：摘要、默克尔证明、一致性证明、清单完整 / unaltered and "
     "complete: digests, Merkle proofs, consistency, manifest completeness"},
    {"可用性",
     "usability",
     {CheckKind::kDocumentDigest, CheckKind::kCompleteness},
     "文件原样随包提供，可用通用工具（tar、sha256sum、openssl）打开与核验 / files are included "
     "as-is and checkable with standard tools (tar, sha256sum, openssl)"},
    {"安全性",
     "security",
     {CheckKind::kTimestamp, CheckKind::kTrust},
     "个人信息只以摘要出现；可信时间与固定的联盟密钥 / personal data appears only as digests; "
     "trusted time and a pinned consortium key set"},
};

void Table(std::string* h, const VerifyReport& r, const Row* rows, size_t n) {
  *h += "<table><tr><th>检查 Check</th><th>结果 Result</th><th>证明什么 What it proves</th></tr>";
  for (size_t i = 0; i < n; ++i) {
    *h += "<tr><td>" + std::string(rows[i].zh) + "<br><small>" + rows[i].en + "</small></td><td>" +
          Summary(r, rows[i].checks) + "</td><td>" + rows[i].proves + "</td></tr>";
  }
  *h += "</table>";
}

}  // namespace

std::string RenderEvidenceReport(const VerifyReport& r) {
  std::string h =
      "<!DOCTYPE html><html lang=zh-CN><head><meta charset=utf-8>"
      "<title>证据包核验报告 Evidence package report</title><style>"
      "body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse;"
      "width:100%}td,th{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}"
      ".ok{color:#060}.bad{color:#b00}.warn{color:#a60}code{word-break:break-all}</style></head>"
      "<body><h1>铁证 证据包核验报告<br><small>Tiezheng evidence package report</small></h1>";
  h +=
      "<p>结论 Verdict: " +
      std::string(r.verified ? "<b class=ok>核验通过 VERIFIED</b>"
                             : "<b class=bad>核验未通过 NOT VERIFIED</b> (" + Esc(r.reason) + ")") +
      "</p><p>本报告仅供阅读；证明力来自包内文件本身，请用 <code>tiezheng evidence verify</code> "
      "或 docs/evidence.md 所列标准工具复核。<br>This report is informational: the evidence is "
      "the files in the package; re-check them with <code>tiezheng evidence verify</code> or "
      "the standard tools listed in docs/evidence.md.</p>";
  if (r.manifest) {
    const evidence::Manifest& m = *r.manifest;
    h += "<p>对象 Subject: " + Esc(Name(m.subject_kind)) + " <code>" + Esc(m.subject_id) +
         "</code><br>账本 Chain: <code>" + Esc(m.chain) + "</code> · 检查点来源 Origin: <code>" +
         Esc(m.origin) + "</code><br>导出时间 Exported: " + Utc(m.exported_ms) + "</p>";
  }
  h += "<h2>法院对区块链证据的审查 / The court's checks of blockchain evidence</h2>";
  Table(&h, r, kCourtRows, std::size(kCourtRows));
  h += "<h2>DA/T 70 四性检测 / The four properties of electronic records</h2>";
  Table(&h, r, kDaT70Rows, std::size(kDaT70Rows));
  if (r.manifest) {
    h += "<h2>文件 Documents</h2><table><tr><th>名称 Title</th><th>SHA-256</th><th>字节 Bytes"
         "</th><th>随包 Included</th></tr>";
    for (const auto& d : r.manifest->documents) {
      h += "<tr><td>" + Esc(d.title) + "</td><td><code>" + ToHex(d.digest) + "</code></td><td>" +
           std::to_string(d.size) + "</td><td>" +
           (d.included ? std::string("是 yes") : "否 no (" + Esc(d.withheld) + ")") + "</td></tr>";
    }
    h += "</table>";
  }
  h += "<h2>存证记录 Entries</h2><table><tr><th>序号 Index</th><th>类型 Type</th><th>提交方 "
       "Party</th><th>密钥 Key</th><th>客户端时间 Client time</th><th>区块时间 Block time"
       "</th></tr>";
  for (const auto& e : r.entries) {
    h += "<tr><td>" + std::to_string(e.index) + "</td><td>" + Esc(e.type) + " <small>(" +
         Esc(Name(e.role)) + ")</small></td><td>" + Esc(e.party) + " <small>" + Esc(e.roles) +
         "</small></td><td><code>" + Esc(e.key_id) + "</code></td><td>" + Utc(e.client_time_ms) +
         "</td><td>" + (e.checkpoint_time_ms ? Utc(e.checkpoint_time_ms) : "—") + "</td></tr>";
  }
  h += "</table><h2>检查点 Checkpoints</h2><table><tr><th>日志大小 Size</th><th>区块 Height"
       "</th><th>时间 Time</th><th>签名 Signers</th><th>可信时间戳 RFC 3161</th></tr>";
  for (const auto& c : r.checkpoints) {
    std::string signers;
    for (const auto& s : c.signers) signers += (signers.empty() ? "" : ", ") + Esc(s);
    h += "<tr><td>" + std::to_string(c.size) + "</td><td>" + std::to_string(c.height) +
         "</td><td>" + Utc(c.time_ms) + "</td><td>" + signers + " (" +
         std::to_string(c.signers.size()) + "/" + std::to_string(c.members) + ", quorum " +
         std::to_string(c.quorum) + ")</td><td>" +
         (c.timestamp_time.empty()
              ? "—"
              : Esc(c.timestamp_time) + "<br><small>" + Esc(c.timestamp_tsa) + "</small>") +
         "</td></tr>";
  }
  h += "</table><h2>检查明细 All checks</h2><table><tr><th>项目 Item</th><th>检查 Check</th>"
       "<th>结果 Status</th><th>说明 Detail</th></tr>";
  for (const auto& c : r.checks) {
    h += "<tr><td><code>" + Esc(c.item) + "</code></td><td>" + Esc(std::string(Name(c.check))) +
         "</td><td>" + Esc(std::string(Name(c.status))) +
         (c.reason.empty() ? "" : " <code>" + Esc(c.reason) + "</code>") + "</td><td>" +
         Esc(c.detail) + "</td></tr>";
  }
  h += "</table></body></html>\n";
  return h;
}

}  // namespace tz::evidence
