// tlog-checkpoint bodies with Tiezheng's block extension lines.

#include "log/checkpoint.h"

#include <array>

#include "crypto/encoding.h"
#include "note_internal.h"

namespace tz::log {
namespace {

using note_internal::CheckNoteChars;
using note_internal::ParseDecimalU64;

constexpr std::string_view kHeight = "height";
constexpr std::string_view kBlock = "block";
constexpr std::string_view kTime = "time-ms";
constexpr std::array<std::string_view, 3> kReserved = {kHeight, kBlock, kTime};

Status Bad(std::string_view what, std::string message) {
  return Status::Invalid("checkpoint." + std::string(what), std::move(message));
}

// True if the line is, or starts like, one of Tiezheng's extension lines.
bool IsReserved(std::string_view line) {
  for (std::string_view kw : kReserved) {
    if (line == kw || (line.starts_with(kw) && line.size() > kw.size() && line[kw.size()] == ' ')) {
      return true;
    }
  }
  return false;
}

// "<keyword> <value>" -> value, or nullopt if the keyword differs.
std::optional<std::string_view> Value(std::string_view line, std::string_view kw) {
  if (line.size() <= kw.size() || !line.starts_with(kw) || line[kw.size()] != ' ') {
    return std::nullopt;
  }
  return line.substr(kw.size() + 1);
}

Result<BlockAnchor> ParseAnchor(std::string_view height, std::string_view block,
                                std::string_view time) {
  BlockAnchor a;
  const auto h = Value(height, kHeight);
  const auto b = Value(block, kBlock);
  const auto t = Value(time, kTime);
  if (!h || !ParseDecimalU64(*h, &a.height)) {
    return Bad("bad_extension", "expected \"height <decimal>\"");
  }
  if (!b) return Bad("bad_extension", "expected \"block <64 hex>\" after height");
  Result<Digest> d = DigestFromHex(*b);
  if (!d.ok()) return Bad("bad_extension", "block hash is not 64 lowercase hex digits");
  a.block_hash = *d;
  if (!t || !ParseDecimalU64(*t, &a.time_ms)) {
    return Bad("bad_extension", "expected \"time-ms <decimal>\" after block");
  }
  return a;
}

Status CheckExtension(std::string_view line) {
  if (line.empty()) return Bad("empty_line", "empty extension line");
  if (!CheckNoteChars(line).ok() || line.find('\n') != std::string_view::npos) {
    return Bad("bad_extension", "extension line has invalid characters");
  }
  if (IsReserved(line)) {
    return Bad("bad_extension", "Tiezheng extension line out of place: " + std::string(line));
  }
  return Status::Ok();
}

Status CheckOrigin(std::string_view origin) {
  if (origin.empty()) return Bad("empty_line", "empty origin");
  if (!CheckNoteChars(origin).ok() || origin.find('\n') != std::string_view::npos) {
    return Bad("bad_origin", "origin has invalid characters");
  }
  return Status::Ok();
}

Status CheckOriginMatches(const Checkpoint& c, std::string_view expected) {
  if (!expected.empty() && c.origin != expected) {
    return Status::Verification(
        "checkpoint.wrong_origin",
        "checkpoint origin \"" + c.origin + "\", expected \"" + std::string(expected) + "\"");
  }
  return Status::Ok();
}

}  // namespace

std::string Checkpoint::Body() const {
  std::string out =
      origin + "\n" + std::to_string(size) + "\n" + Base64Encode(root_hash.span()) + "\n";
  if (block) {
    out += std::string(kHeight) + " " + std::to_string(block->height) + "\n";
    out += std::string(kBlock) + " " + tz::ToHex(block->block_hash) + "\n";
    out += std::string(kTime) + " " + std::to_string(block->time_ms) + "\n";
  }
  for (const std::string& e : extensions) out += e + "\n";
  return out;
}

Status Checkpoint::Validate() const {
  TZ_RETURN_IF_ERROR(CheckOrigin(origin));
  size_t total = origin.size() + 100;
  for (const std::string& e : extensions) {
    TZ_RETURN_IF_ERROR(CheckExtension(e));
    total += e.size() + 1;
  }
  if (total > kMaxNoteSize) return Bad("too_large", "checkpoint body too large");
  return Status::Ok();
}

Result<Checkpoint> Checkpoint::Parse(std::string_view text) {
  if (text.size() > kMaxNoteSize) return Bad("too_large", "checkpoint body too large");
  if (text.empty() || text.back() != '\n') {
    return Bad("malformed", "checkpoint body does not end in a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t pos = 0; pos < text.size();) {
    const size_t nl = text.find('\n', pos);
    lines.push_back(text.substr(pos, nl - pos));
    if (lines.back().empty()) return Bad("empty_line", "empty line in checkpoint body");
    pos = nl + 1;
  }
  if (lines.size() < 3) return Bad("malformed", "checkpoint body has fewer than 3 lines");

  Checkpoint c;
  TZ_RETURN_IF_ERROR(CheckOrigin(lines[0]));
  c.origin = std::string(lines[0]);
  if (!ParseDecimalU64(lines[1], &c.size)) {
    return Bad("bad_size", "tree size is not a canonical decimal 64-bit number");
  }
  Result<Bytes> root = Base64Decode(lines[2]);
  if (!root.ok() || !Digest::FromSpan(*root, &c.root_hash)) {
    return Bad("bad_root_hash", "root hash is not canonical base64 of 32 bytes");
  }
  size_t next = 3;
  if (next < lines.size() && IsReserved(lines[next])) {
    if (lines.size() < next + 3) return Bad("bad_extension", "incomplete block extension lines");
    TZ_ASSIGN_OR_RETURN(BlockAnchor a, ParseAnchor(lines[next], lines[next + 1], lines[next + 2]));
    c.block = a;
    next += 3;
  }
  for (; next < lines.size(); ++next) {
    TZ_RETURN_IF_ERROR(CheckExtension(lines[next]));
    c.extensions.emplace_back(lines[next]);
  }
  return c;
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint,
                                   std::span<const NoteSigner> signers) {
  TZ_RETURN_IF_ERROR(checkpoint.Validate());
  return SignNote(checkpoint.Body(), signers);
}

Result<SignedCheckpoint> OpenCheckpoint(std::string_view note, std::span<const NoteVerifier> known,
                                        std::string_view expected_origin) {
  TZ_ASSIGN_OR_RETURN(OpenedNote opened, OpenNote(note, known));
  TZ_ASSIGN_OR_RETURN(Checkpoint c, Checkpoint::Parse(opened.text));
  TZ_RETURN_IF_ERROR(CheckOriginMatches(c, expected_origin));
  return SignedCheckpoint{std::move(c), std::string(note), std::move(opened.verified)};
}

Result<CertifiedCheckpoint> VerifyCertifiedCheckpoint(std::string_view note,
                                                      std::span<const NoteVerifier> keyset,
                                                      size_t threshold,
                                                      std::string_view expected_origin) {
  TZ_ASSIGN_OR_RETURN(OpenedNote opened, VerifyQuorum(note, keyset, threshold));
  TZ_ASSIGN_OR_RETURN(Checkpoint c, Checkpoint::Parse(opened.text));
  TZ_RETURN_IF_ERROR(CheckOriginMatches(c, expected_origin));
  CertifiedCheckpoint out{std::move(c), std::string(note), {}};
  for (const NoteSignature& s : opened.verified) out.signers.push_back(s.name);
  return out;
}

}  // namespace tz::log
