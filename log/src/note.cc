// Signed notes: parsing, opening, signing, cosigning, quorum verification.

#include "log/note.h"

#include <algorithm>
#include <cstdio>

#include "crypto/encoding.h"
#include "note_internal.h"

namespace tz::log {
namespace {

using note_internal::CheckNoteChars;
using note_internal::Malformed;

constexpr std::string_view kSigPrefix = "\u2014 ";  // em dash, space

std::string KeyLabel(std::string_view name, uint32_t id) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return std::string(name) + "+" + buf;
}

bool SameKey(const NoteSignature& a, const NoteSignature& b) {
  return a.name == b.name && a.key_id == b.key_id;
}

// Parses one signature line (without its "\n").
Result<NoteSignature> ParseSignatureLine(std::string_view line) {
  if (line.size() > kMaxNoteSignatureLineSize) {
    return Malformed("line_too_long", "signature line longer than " +
                                          std::to_string(kMaxNoteSignatureLineSize) + " bytes");
  }
  if (line.empty()) return Malformed("blank_line", "blank line among the signatures");
  if (!line.starts_with(kSigPrefix)) {
    return Malformed("bad_signature_line", "signature line does not start with \"\u2014 \"");
  }
  line.remove_prefix(kSigPrefix.size());
  const size_t sp = line.find(' ');
  if (sp == std::string_view::npos || sp + 1 == line.size()) {
    return Malformed("bad_signature_line", "signature line is not \"\u2014 <name> <base64>\"");
  }
  NoteSignature sig;
  sig.name = std::string(line.substr(0, sp));
  sig.base64 = std::string(line.substr(sp + 1));
  if (!IsValidNoteKeyName(sig.name)) {
    return Malformed("bad_key_name", "invalid key name in signature line");
  }
  Result<Bytes> raw = Base64Decode(sig.base64);
  if (!raw.ok()) return Malformed("bad_base64", "signature is not canonical base64");
  if (raw->size() < 5) {
    return Malformed("short_signature", "signature shorter than key ID plus one byte");
  }
  const Bytes& b = *raw;
  sig.key_id = (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
  return sig;
}

// The signature bytes after the key ID. Requires a signature from ParseNote.
Bytes SignatureBytes(const NoteSignature& sig) {
  Bytes raw = std::move(Base64Decode(sig.base64)).value();
  return Bytes(raw.begin() + 4, raw.end());
}

std::string EncodeSignature(uint32_t id, const Bytes& sig) {
  Bytes b = {static_cast<uint8_t>(id >> 24), static_cast<uint8_t>(id >> 16),
             static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id)};
  b.insert(b.end(), sig.begin(), sig.end());
  return Base64Encode(b);
}

Status CheckText(std::string_view text) {
  if (text.size() > kMaxNoteSize) {
    return Malformed("too_large", "note text larger than " + std::to_string(kMaxNoteSize));
  }
  if (text.empty() || text.back() != '\n') {
    return Malformed("no_final_newline", "note text does not end in a newline");
  }
  return CheckNoteChars(text);
}

Result<NoteSignature> SignText(std::string_view text, const NoteSigner& signer) {
  TZ_ASSIGN_OR_RETURN(Bytes sig, signer.Sign(text));
  return NoteSignature{signer.name(), signer.key_id(), EncodeSignature(signer.key_id(), sig)};
}

// Formats and re-parses, so that nothing is returned that would not open.
Result<std::string> FormatChecked(const ParsedNote& n) {
  std::string out = n.Format();
  TZ_RETURN_IF_ERROR(ParseNote(out).status());
  return out;
}

// The verifier in `known` for a signature, nullptr if none. Two different
// keys with the same name and ID are an error ("note.ambiguous_key").
Result<const NoteVerifier*> FindVerifier(std::span<const NoteVerifier> known,
                                         const NoteSignature& sig) {
  const NoteVerifier* found = nullptr;
  for (const NoteVerifier& v : known) {
    if (v.name() != sig.name || v.key_id() != sig.key_id) continue;
    if (found != nullptr && !(*found == v)) {
      return Status::Invalid("note.ambiguous_key",
                             "ambiguous key " + KeyLabel(sig.name, sig.key_id));
    }
    found = &v;
  }
  return found;
}

}  // namespace

std::string NoteSignature::Line() const {
  return std::string(kSigPrefix) + name + " " + base64 + "\n";
}

std::string ParsedNote::Format() const {
  std::string out = text + "\n";
  for (const NoteSignature& s : signatures) out += s.Line();
  return out;
}

Result<ParsedNote> ParseNote(std::string_view note) {
  if (note.size() > kMaxNoteSize) {
    return Malformed("too_large", "note larger than " + std::to_string(kMaxNoteSize) + " bytes");
  }
  TZ_RETURN_IF_ERROR(CheckNoteChars(note));
  if (note.empty() || note.back() != '\n') {
    return Malformed("no_final_newline", "note does not end in a newline");
  }
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Malformed("no_separator", "no blank line between text and signatures");
  }
  ParsedNote out;
  out.text = std::string(note.substr(0, split + 1));
  std::string_view sigs = note.substr(split + 2);
  if (sigs.empty()) {
    // "...\n\n" at the very end: either nothing was signed, or a blank line
    // follows the signature lines.
    const size_t end = note.find_last_not_of('\n');
    const size_t line_start = end == std::string_view::npos ? 0 : note.rfind('\n', end);
    if (line_start != std::string_view::npos && end != std::string_view::npos &&
        note.substr(line_start + 1).starts_with(kSigPrefix)) {
      return Malformed("blank_line", "blank line after the signatures");
    }
    return Malformed("no_signatures", "no signature lines");
  }
  while (!sigs.empty()) {
    const size_t nl = sigs.find('\n');  // found: the note ends in "\n"
    if (out.signatures.size() == kMaxNoteSignatures) {
      return Malformed("too_many_signatures",
                       "more than " + std::to_string(kMaxNoteSignatures) + " signatures");
    }
    TZ_ASSIGN_OR_RETURN(NoteSignature sig, ParseSignatureLine(sigs.substr(0, nl)));
    out.signatures.push_back(std::move(sig));
    sigs.remove_prefix(nl + 1);
  }
  return out;
}

Result<OpenedNote> OpenNote(std::string_view note, std::span<const NoteVerifier> known) {
  TZ_ASSIGN_OR_RETURN(ParsedNote parsed, ParseNote(note));
  OpenedNote out;
  out.text = std::move(parsed.text);
  // Lines already verified, so that repeated identical lines cost nothing.
  std::vector<const NoteSignature*> checked;
  for (const NoteSignature& sig : parsed.signatures) {
    TZ_ASSIGN_OR_RETURN(const NoteVerifier* v, FindVerifier(known, sig));
    if (v == nullptr) {
      if (std::find(out.unverified.begin(), out.unverified.end(), sig) == out.unverified.end()) {
        out.unverified.push_back(sig);
      }
      continue;
    }
    const bool seen_line = std::any_of(checked.begin(), checked.end(),
                                       [&](const NoteSignature* c) { return *c == sig; });
    if (!seen_line) {
      TZ_RETURN_IF_ERROR(v->Verify(out.text, SignatureBytes(sig)));
      checked.push_back(&sig);
    }
    const bool seen_key = std::any_of(out.verified.begin(), out.verified.end(),
                                      [&](const NoteSignature& s) { return SameKey(s, sig); });
    if (!seen_key) out.verified.push_back(sig);
  }
  if (out.verified.empty()) {
    return Status::Verification("note.unverified", "note has no signature by a known key");
  }
  return out;
}

Result<std::string> SignNote(std::string_view text, std::span<const NoteSigner> signers) {
  TZ_RETURN_IF_ERROR(CheckText(text));
  if (signers.empty()) return Status::Invalid("note.no_signers", "no signers given");
  ParsedNote n;
  n.text = std::string(text);
  for (const NoteSigner& s : signers) {
    const bool dup = std::any_of(n.signatures.begin(), n.signatures.end(), [&](const auto& e) {
      return e.name == s.name() && e.key_id == s.key_id();
    });
    if (dup) continue;
    TZ_ASSIGN_OR_RETURN(NoteSignature sig, SignText(text, s));
    n.signatures.push_back(std::move(sig));
  }
  return FormatChecked(n);
}

Result<std::string> SignNote(std::string_view text, const NoteSigner& signer) {
  return SignNote(text, std::span<const NoteSigner>(&signer, 1));
}

Result<std::string> AddSignature(std::string_view note, const NoteSigner& signer) {
  TZ_ASSIGN_OR_RETURN(ParsedNote n, ParseNote(note));
  TZ_ASSIGN_OR_RETURN(NoteSignature sig, SignText(n.text, signer));
  std::erase_if(n.signatures, [&](const NoteSignature& e) { return SameKey(e, sig); });
  n.signatures.push_back(std::move(sig));
  return FormatChecked(n);
}

Result<std::string> MergeNotes(std::string_view a, std::string_view b) {
  TZ_ASSIGN_OR_RETURN(ParsedNote na, ParseNote(a));
  TZ_ASSIGN_OR_RETURN(ParsedNote nb, ParseNote(b));
  if (na.text != nb.text) {
    return Status::Invalid("note.text_mismatch", "notes to merge have different texts");
  }
  const size_t from_a = na.signatures.size();
  for (NoteSignature& s : nb.signatures) {
    const auto begin = na.signatures.begin();
    const auto end_a = begin + static_cast<ptrdiff_t>(from_a);
    const bool in_a = std::any_of(begin, end_a, [&](const auto& e) { return SameKey(e, s); });
    const bool added = std::find(end_a, na.signatures.end(), s) != na.signatures.end();
    if (!in_a && !added) na.signatures.push_back(std::move(s));
  }
  return FormatChecked(na);
}

Result<OpenedNote> VerifyQuorum(std::string_view note, std::span<const NoteVerifier> keyset,
                                size_t threshold) {
  if (threshold == 0 || threshold > keyset.size()) {
    return Status::Invalid("note.bad_threshold", "threshold " + std::to_string(threshold) +
                                                     " for a key set of " +
                                                     std::to_string(keyset.size()));
  }
  for (size_t i = 0; i < keyset.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const NoteVerifier& x = keyset[i];
      const NoteVerifier& y = keyset[j];
      if (x.public_key() == y.public_key() || (x.name() == y.name() && x.key_id() == y.key_id())) {
        return Status::Invalid("note.bad_keyset",
                               "key set lists one key twice: " + KeyLabel(x.name(), x.key_id()));
      }
    }
  }
  Result<OpenedNote> opened = OpenNote(note, keyset);
  size_t count = 0;
  if (opened.ok()) {
    count = opened->verified.size();
  } else if (opened.status().reason() != "note.unverified") {
    return opened.status();
  }
  if (count < threshold) {
    return Status::Verification("note.quorum_not_met", std::to_string(count) + " of the required " +
                                                           std::to_string(threshold) +
                                                           " key set signatures");
  }
  return opened;
}

}  // namespace tz::log
