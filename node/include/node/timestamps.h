// Trusted time for a running node: RFC 3161 time-stamp tokens over its
// checkpoints (docs/timestamp.md).
//
// Tokens are derived data, not consensus state: they live next to the
// ledger in DIR/timestamps/<source>/<size>.tsr (source "local" = this node's
// own TSA, "external" = a TSA given by URL), one DER TimeStampToken per
// checkpoint log size, whose message imprint is SHA-256 of the exact bytes
// of that checkpoint's signed note. Deleting the directory loses no ledger
// data; a restarted stamper stamps the newest checkpoint again.
//
// A CheckpointStamper is a background thread per source. It never blocks
// block commits: it polls the ledger head, stamps the newest checkpoint not
// yet stamped (checkpoints committed while a stamp is in flight are
// coalesced: the next stamp covers them, since every checkpoint is a prefix
// of later ones), and backs off exponentially while the TSA fails.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "crypto/status.h"
#include "crypto/thread_annotations.h"
#include "crypto/timestamp.h"
#include "ledger/ledger.h"

namespace tz::node {

inline constexpr const char* kTsaSourceLocal = "local";
inline constexpr const char* kTsaSourceExternal = "external";

class TimestampStore {
 public:
  // Creates `dir` (and its source subdirectories) if missing.
  static Result<std::unique_ptr<TimestampStore>> Open(const std::string& dir);

  // Stores the token of checkpoint `size` for `source` durably (temporary
  // file, fsync, rename, fsync of the directory), replacing an older one.
  // Reasons: "tsa_store.bad_source", "tsa_store.io".
  Status Put(const std::string& source, uint64_t size, ByteSpan token_der);
  // The stored token, or nullopt. Reasons: "tsa_store.bad_source", "tsa_store.io".
  Result<std::optional<std::string>> Get(const std::string& source, uint64_t size) const;
  // The token that stamps exactly `note` (SHA-256 imprint), preferring the
  // external source over the local one; nullopt if neither does. A token
  // for an older version of the note (e.g. before more cosignatures were
  // added) is ignored. *source_out names the source used.
  Result<std::optional<std::string>> GetForNote(uint64_t size, std::string_view note,
                                                std::string* source_out = nullptr) const;
  // The largest size with a token from `source` (0 when none).
  uint64_t Newest(const std::string& source) const;

  const std::string& dir() const { return dir_; }

 private:
  explicit TimestampStore(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

// Transport for an external TSA (RFC 3161 §3.4, HTTP): POST `body` as
// application/timestamp-query to `url`, return the body of a 200 answer.
// The api module provides one (api/tsa_client.h); node/ does no network I/O.
using TsaPost = std::function<Result<std::string>(const std::string& url, const std::string& body,
                                                  std::chrono::milliseconds timeout)>;

struct StamperOptions {
  // Exactly one of `local` and (`url`, `ca_pem`, `post`) is used.
  const TimeStampAuthority* local = nullptr;
  std::string url;         // http://host[:port]/path
  std::string ca_pem;      // CA certificate(s) that the external TSA must chain to
  std::string policy_oid;  // policy to ask for; empty = the TSA's default
  TsaPost post;
  std::chrono::milliseconds poll{100};          // how often the head is looked at
  std::chrono::milliseconds retry_min{500};     // first back-off after a failure
  std::chrono::milliseconds retry_max{300000};  // back-off cap (doubles up to this)
  std::chrono::milliseconds timeout{10000};     // one HTTP exchange
};

struct StamperStats {
  uint64_t stamped = 0;         // tokens stored
  uint64_t failures = 0;        // failed attempts (rejections, bad replies, network)
  uint64_t newest_stamped = 0;  // log size of the newest stamped checkpoint
  std::string last_error;       // Status::ToString of the last failure ("" after a success)
};

class CheckpointStamper {
 public:
  // ledger and store must outlive the stamper. Starts the thread.
  CheckpointStamper(std::string source, const ledger::Ledger* ledger, TimestampStore* store,
                    StamperOptions options);
  ~CheckpointStamper();  // Stop()

  // Wakes the thread (e.g. after a commit); polling finds new blocks anyway.
  void Notify() TZ_EXCLUDES(mu_);
  void Stop() TZ_EXCLUDES(mu_);
  StamperStats stats() const TZ_EXCLUDES(mu_);
  const std::string& source() const { return source_; }

  // One stamp of `note`: the token (DER) after checking it. For the
  // external source the reply is verified against the nonce of our request,
  // the note's SHA-256 imprint and ca_pem before it is accepted.
  // Reasons: crypto "tsa.*", the transport's reasons.
  static Result<Bytes> StampNote(const StamperOptions& options, std::string_view note);

 private:
  void Run() TZ_EXCLUDES(mu_);
  bool WaitFor(std::chrono::milliseconds d) TZ_EXCLUDES(mu_);  // false when stopping

  std::string source_;
  const ledger::Ledger* ledger_;
  TimestampStore* store_;
  StamperOptions opts_;
  mutable tz::Mutex mu_;
  std::condition_variable_any cv_;
  bool stop_ TZ_GUARDED_BY(mu_) = false;
  bool notified_ TZ_GUARDED_BY(mu_) = false;
  StamperStats stats_ TZ_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace tz::node
