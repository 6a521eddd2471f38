#include "log/tlog_proof.h"

#include "crypto/encoding.h"

namespace tz::log {
namespace {

Status Malformed(const std::string& why) {
  return Status::Invalid("tlog_proof.malformed", "tlog-proof: " + why);
}

// Splits off the next line (without '\n'); false if no '\n' remains.
bool NextLine(std::string_view* rest, std::string_view* line) {
  size_t nl = rest->find('\n');
  if (nl == std::string_view::npos) return false;
  *line = rest->substr(0, nl);
  rest->remove_prefix(nl + 1);
  return true;
}

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

}  // namespace

std::string TlogProof::Format() const {
  std::string out(kTlogProofHeader);
  out += '\n';
  if (extra) out += "extra " + Base64Encode(*extra) + "\n";
  out += "index " + std::to_string(index) + "\n";
  for (const Digest& h : inclusion) out += Base64Encode(h.span()) + "\n";
  out += '\n';
  out += checkpoint;
  return out;
}

Result<TlogProof> TlogProof::Parse(std::string_view text) {
  if (text.size() > kMaxTlogProofBytes) return Malformed("too large");
  if (text.find('\r') != std::string_view::npos) return Malformed("carriage return");
  TlogProof p;
  std::string_view rest = text, line;
  if (!NextLine(&rest, &line) || line != kTlogProofHeader) return Malformed("bad header line");
  if (!NextLine(&rest, &line)) return Malformed("missing index line");
  if (line.starts_with("extra ")) {
    auto extra = Base64Decode(line.substr(6));
    if (!extra.ok()) return Malformed("bad extra data");
    p.extra = std::move(extra).value();
    if (!NextLine(&rest, &line)) return Malformed("missing index line");
  }
  if (!line.starts_with("index ") || !ParseDecimal(line.substr(6), &p.index)) {
    return Malformed("bad index line");
  }
  while (true) {
    if (!NextLine(&rest, &line)) return Malformed("missing empty line before checkpoint");
    if (line.empty()) break;
    if (p.inclusion.size() == kMaxInclusionProofLength) return Malformed("proof too long");
    auto h = Base64Decode(line);
    Digest d;
    if (!h.ok() || !Digest::FromSpan(*h, &d)) return Malformed("bad proof hash line");
    p.inclusion.push_back(d);
  }
  if (rest.empty() || rest.back() != '\n') return Malformed("missing or unterminated checkpoint");
  p.checkpoint = std::string(rest);
  return p;
}

}  // namespace tz::log
