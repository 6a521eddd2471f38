// Stored RFC 3161 tokens over checkpoints and the background stamper
// (node/timestamps.h).
#include "node/timestamps.h"

#include <algorithm>
#include <cstdio>

#include "archive/env.h"
#include "crypto/hash.h"

namespace tz::node {
namespace {

constexpr size_t kMaxToken = 64 * 1024;

bool KnownSource(const std::string& s) { return s == kTsaSourceLocal || s == kTsaSourceExternal; }

Status BadSource(const std::string& s) {
  return Status::Invalid("tsa_store.bad_source", "unknown time-stamp source '" + s + "'");
}

Status StoreIo(const Status& s) { return Status(s.code(), "tsa_store.io", s.ToString()); }

std::string TokenName(uint64_t size) { return std::to_string(size) + ".tsr"; }

}  // namespace

Result<std::unique_ptr<TimestampStore>> TimestampStore::Open(const std::string& dir) {
  archive::Env* env = archive::Env::Default();
  for (const char* s : {kTsaSourceLocal, kTsaSourceExternal}) {
    Status st = archive::CreateDirs(env, dir + "/" + s);
    if (!st.ok()) return StoreIo(st);
  }
  return std::unique_ptr<TimestampStore>(new TimestampStore(dir));
}

Status TimestampStore::Put(const std::string& source, uint64_t size, ByteSpan token_der) {
  if (!KnownSource(source)) return BadSource(source);
  Status st = archive::WriteFileAtomic(archive::Env::Default(),
                                       dir_ + "/" + source + "/" + TokenName(size), token_der);
  return st.ok() ? st : StoreIo(st);
}

Result<std::optional<std::string>> TimestampStore::Get(const std::string& source,
                                                       uint64_t size) const {
  if (!KnownSource(source)) return BadSource(source);
  auto r = archive::ReadSmallFile(archive::Env::Default(),
                                  dir_ + "/" + source + "/" + TokenName(size), kMaxToken);
  if (!r.ok()) {
    if (r.status().code() == Code::kNotFound) return std::optional<std::string>();
    return StoreIo(r.status());
  }
  return std::optional<std::string>(std::move(*r));
}

Result<std::optional<std::string>> TimestampStore::GetForNote(uint64_t size, std::string_view note,
                                                              std::string* source_out) const {
  const Digest want = Sha256(note);
  for (const char* s : {kTsaSourceExternal, kTsaSourceLocal}) {
    TZ_ASSIGN_OR_RETURN(std::optional<std::string> token, Get(s, size));
    if (!token) continue;
    auto info = InspectTimeStampTokenUnverified(AsBytes(*token));
    if (!info.ok() || info->message_imprint != want) continue;
    if (source_out != nullptr) *source_out = s;
    return token;
  }
  return std::optional<std::string>();
}

uint64_t TimestampStore::Newest(const std::string& source) const {
  if (!KnownSource(source)) return 0;
  auto names = archive::Env::Default()->ListDir(dir_ + "/" + source);
  if (!names.ok()) return 0;
  uint64_t newest = 0;
  for (const std::string& n : *names) {
    if (n.size() < 5 || n.compare(n.size() - 4, 4, ".tsr") != 0) continue;
    std::string digits = n.substr(0, n.size() - 4);
    if (digits.empty() || digits.size() > 19 ||
        digits.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    newest = std::max<uint64_t>(newest, std::stoull(digits));
  }
  return newest;
}

CheckpointStamper::CheckpointStamper(std::string source, const ledger::Ledger* ledger,
                                     TimestampStore* store, StamperOptions options)
    : source_(std::move(source)), ledger_(ledger), store_(store), opts_(std::move(options)) {
  stats_.newest_stamped = store_->Newest(source_);
  thread_ = std::thread([this] { Run(); });
}

CheckpointStamper::~CheckpointStamper() { Stop(); }

void CheckpointStamper::Notify() {
  {
    tz::MutexLock lock(mu_);
    notified_ = true;
  }
  cv_.notify_all();
}

void CheckpointStamper::Stop() {
  {
    tz::MutexLock lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

StamperStats CheckpointStamper::stats() const {
  tz::MutexLock lock(mu_);
  return stats_;
}

bool CheckpointStamper::WaitFor(std::chrono::milliseconds d) {
  tz::MutexLock lock(mu_);
  cv_.wait_for(lock, d, [this]() TZ_REQUIRES(mu_) { return stop_ || notified_; });
  notified_ = false;
  return !stop_;
}

Result<Bytes> CheckpointStamper::StampNote(const StamperOptions& o, std::string_view note) {
  const Digest digest = Sha256(note);
  if (o.local != nullptr) {
    TZ_ASSIGN_OR_RETURN(TimeStamp ts, o.local->Stamp(digest));
    return std::move(ts.token_der);
  }
  if (!o.post) return Status::Internal("tsa.no_transport", "no HTTP transport for the TSA");
  TimeStampRequestOptions req;
  req.nonce = GenerateTimeStampNonce();
  req.cert_req = true;
  req.policy_oid = o.policy_oid;
  TZ_ASSIGN_OR_RETURN(Bytes query, BuildTimeStampRequest(digest, req));
  TZ_ASSIGN_OR_RETURN(std::string reply, o.post(o.url, std::string(AsString(query)), o.timeout));
  auto status = ParseTimeStampResponseStatus(AsBytes(reply));
  if (status.ok() && !status->granted()) {
    return Status(Code::kUnavailable, "tsa.rejected", "the TSA answered " + status->text);
  }
  TimeStampVerifyOptions v;
  v.nonce = req.nonce;
  v.policy_oid = o.policy_oid;
  TZ_RETURN_IF_ERROR(VerifyTimeStampResponse(AsBytes(reply), digest, o.ca_pem, v).status());
  return ParseTimeStampResponse(AsBytes(reply));
}

void CheckpointStamper::Run() {
  uint64_t failures_in_row = 0;
  while (true) {
    ledger::Head head = ledger_->head();
    uint64_t newest;
    {
      tz::MutexLock lock(mu_);
      if (stop_) return;
      newest = stats_.newest_stamped;
    }
    if (head.log_size <= newest) {
      if (!WaitFor(opts_.poll)) return;
      continue;
    }
    Status st;
    auto note = ledger_->GetCheckpoint(head.height);
    if (!note.ok()) {
      st = note.status();
    } else {
      auto token = StampNote(opts_, *note);
      st = token.ok() ? store_->Put(source_, head.log_size, *token) : token.status();
    }
    if (st.ok()) {
      failures_in_row = 0;
      tz::MutexLock lock(mu_);
      ++stats_.stamped;
      stats_.newest_stamped = head.log_size;
      stats_.last_error.clear();
      continue;
    }
    ++failures_in_row;
    {
      tz::MutexLock lock(mu_);
      ++stats_.failures;
      stats_.last_error = st.ToString();
    }
    // Log the first failure of a run and then every tenth, not every retry.
    if (failures_in_row == 1 || failures_in_row % 10 == 0) {
      std::fprintf(stderr,
                   "tiezheng: time-stamp (%s) of checkpoint %llu failed (%llu in a row): %s\n",
                   source_.c_str(), static_cast<unsigned long long>(head.log_size),
                   static_cast<unsigned long long>(failures_in_row), st.ToString().c_str());
    }
    auto backoff = opts_.retry_min;
    for (uint64_t i = 1; i < failures_in_row && backoff < opts_.retry_max; ++i) backoff *= 2;
    backoff = std::min(backoff, opts_.retry_max);
    // Sleep through the back-off; a Notify (new block) must not cut it short.
    auto until = std::chrono::steady_clock::now() + backoff;
    while (std::chrono::steady_clock::now() < until) {
      tz::MutexLock lock(mu_);
      cv_.wait_until(lock, until, [this]() TZ_REQUIRES(mu_) { return stop_; });
      if (stop_) return;
    }
  }
}

}  // namespace tz::node
