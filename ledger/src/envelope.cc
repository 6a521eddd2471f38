#include "ledger/envelope.h"

#include "crypto/encoding.h"

namespace tz::ledger {
namespace {

constexpr std::string_view kSigMember = ",\"sig\":\"";

Status BadField(std::string message) {
  return Status::Invalid("envelope.bad_field", std::move(message));
}

Status ReadEntryHeader(const Json& entry, std::string* type, int64_t* version) {
  if (!entry.is_object()) return Status::Invalid("entry.bad_type", "'entry' must be an object");
  const Json* t = entry.find("type");
  const Json* v = entry.find("v");
  if (t == nullptr || !t->is_string() || v == nullptr || !v->is_int() || !v->fits_int64()) {
    return Status::Invalid("entry.bad_type", "entry needs a string 'type' and an integer 'v'");
  }
  *type = t->as_string();
  *version = v->as_int64();
  return Status::Ok();
}

}  // namespace

std::string SignedEntry::SigningMessage() const {
  // In canonical form the top-level members are ordered chain, entry, key,
  // seq, sig, time; only ,"time":<int>} follows "sig", so the last
  // occurrence of ,"sig":" is the top-level member.
  size_t pos = bytes.rfind(kSigMember);
  if (pos == std::string::npos) return bytes;
  size_t end = bytes.find('"', pos + kSigMember.size());
  if (end == std::string::npos) return bytes;
  std::string msg;
  msg.reserve(bytes.size());
  msg.append(bytes, 0, pos);
  msg.append(bytes, end + 1, std::string::npos);
  return msg;
}

Result<SignedEntry> SignEntry(std::string_view chain, const Json& entry, const KeyId& key,
                              const SecretKey& sk, int64_t seq, int64_t time) {
  Json env = Json::MakeObject();
  env.set("chain", Json(chain));
  env.set("entry", entry);
  env.set("key", Json(ToHex(key)));
  env.set("seq", Json(seq));
  env.set("time", Json(time));
  std::string unsigned_bytes = env.Canonical();
  TZ_ASSIGN_OR_RETURN(Signature sig, Sign(sk, AsBytes(unsigned_bytes)));
  env.set("sig", Json(Base64Encode(sig.span())));
  return ParseSignedEntry(env.Canonical());
}

Result<SignedEntry> ParseSignedEntry(std::string_view bytes) {
  if (bytes.size() > kMaxEntryBytes) {
    return Status::Invalid("envelope.too_large", "signed entry is " + std::to_string(bytes.size()) +
                                                     " bytes; the limit is " +
                                                     std::to_string(kMaxEntryBytes));
  }
  ParseOptions opts;
  opts.max_bytes = kMaxEntryBytes;
  opts.max_depth = 16;
  opts.jcs_integers = true;
  bool canonical = false;
  TZ_ASSIGN_OR_RETURN(Json env, ParseJson(bytes, opts, &canonical));
  if (!env.is_object()) return BadField("envelope must be a JSON object");
  if (!canonical) {
    return Status::Invalid("envelope.not_canonical",
                           "entry is not in RFC 8785 canonical form (sorted keys, no "
                           "whitespace, minimal escapes)");
  }
  const Json* sig = env.find("sig");
  if (sig == nullptr || !sig->is_string() || sig->as_string().empty()) {
    return Status::Invalid("envelope.unsigned", "entry has no signature");
  }
  SignedEntry e;
  auto sig_bytes = Base64Decode(sig->as_string());
  if (!sig_bytes.ok() || !Signature::FromSpan(*sig_bytes, &e.sig)) {
    return Status::Invalid("envelope.unsigned", "signature is not 64 bytes of base64");
  }
  for (const auto& [k, v] : env.as_object()) {
    if (k != "chain" && k != "entry" && k != "key" && k != "seq" && k != "sig" && k != "time") {
      return BadField("unknown envelope field '" + k + "'");
    }
  }
  const Json* chain = env.find("chain");
  const Json* key = env.find("key");
  const Json* seq = env.find("seq");
  const Json* time = env.find("time");
  const Json* entry = env.find("entry");
  if (chain == nullptr || !chain->is_string() || key == nullptr || !key->is_string() ||
      seq == nullptr || !seq->is_int() || time == nullptr || !time->is_int() || entry == nullptr) {
    return BadField("envelope needs chain, entry, key, seq, sig, time");
  }
  auto key_id = KeyIdFromHex(key->as_string());
  if (!key_id.ok()) return BadField("'key' must be a 32-character hex key id");
  if (!seq->fits_int64() || seq->as_int64() < 1) {
    return Status::Invalid("envelope.bad_seq", "'seq' must be >= 1");
  }
  if (!time->fits_int64() || time->as_int64() < 0) {
    return Status::Invalid("envelope.bad_time", "'time' must be >= 0");
  }
  TZ_RETURN_IF_ERROR(ReadEntryHeader(*entry, &e.type, &e.version));
  e.chain = chain->as_string();
  e.entry = *entry;
  e.key = *key_id;
  e.seq = seq->as_int64();
  e.time = time->as_int64();
  e.bytes = std::string(bytes);
  e.id = EntryIdOf(AsBytes(e.bytes));
  return e;
}

Status VerifyEntrySignature(const SignedEntry& e, const PublicKey& pk) {
  std::string msg = e.SigningMessage();
  Status s = Verify(pk, AsBytes(msg), e.sig);
  if (!s.ok()) {
    return Status::Verification("envelope.bad_signature",
                                "signature does not verify under key " + ToHex(e.key));
  }
  return Status::Ok();
}

}  // namespace tz::ledger
