// Shared pieces of the client subcommands (notarize, verify, house,
// acceptance, key): the HTTP client, client keys and their sequence numbers,
// the pinned consortium key set, entry submission, and local verification of
// a document's notarization (never trusting the server's word).
//
// The HTTP contract is docs/api.md; the CLI is documented in docs/cli.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli.h"
#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/keyfile.h"
#include "crypto/status.h"
#include "ledger/envelope.h"
#include "ledger/types.h"
#include "log/note.h"

namespace tz::cli::client {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:7390";

// Options every client subcommand accepts.
struct Options {
  std::string server;      // --server, $TZ_SERVER, kDefaultServer
  std::string key_path;    // --key, $TZ_KEY, ~/.tiezheng/client.key
  std::string consortium;  // --consortium FILE (pinned key set), else TOFU file
  bool json = false;       // --json: machine-readable stdout
};

// Value and flag option names shared by all client subcommands; append a
// command's own names to these.
std::vector<std::string> CommonValueOpts();
std::vector<std::string> CommonFlagOpts();
Options OptionsFrom(const Args& args);

// ~/.tiezheng (or $TZ_HOME), created on demand with mode 0700.
std::string ConfigDir();

// ---- HTTP -----------------------------------------------------------------

// A client key used to sign entries and HTTP requests (RFC 9421).
struct ClientKey {
  std::string path;
  NamedKeyPair pair;
  ledger::KeyId id;
};
// Reasons as ReadKeyFile ("keyfile.*"), plus "client.no_key" when the file
// does not exist (with a hint to run `tiezheng key new`).
Result<ClientKey> LoadClientKey(const std::string& path);

// Called while a body is sent: bytes done so far of `total`.
using Progress = std::function<void(uint64_t done, uint64_t total)>;

// A blocking HTTP client for one server. Non-2xx answers become a Status built
// from the server's JSON error ({"error":{"code","category","message"}}):
// reason = code, Code from the category. An unreachable server is
// kUnavailable "client.unreachable".
class HttpClient {
 public:
  explicit HttpClient(const std::string& server);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const std::string& server() const { return server_; }

  Result<Json> GetJson(const std::string& path_and_query);
  Result<std::string> GetText(const std::string& path_and_query);
  // The HTTP status of a HEAD request (any status; only transport errors fail).
  Result<int> HeadStatus(const std::string& path);
  // GET into a file, streamed (bounded memory): written to FILE.part and
  // renamed once every byte of Content-Length arrived. Returns the size.
  Result<uint64_t> GetToFile(const std::string& path_and_query, const std::string& file);
  // POST a body; signed with `key` (RFC 9421) unless null.
  Result<Json> Post(const std::string& path, const std::string& body,
                    const std::string& content_type, const ClientKey* key);
  // PUT a body; signed with `key` unless null. Also returns the HTTP status.
  Result<Json> Put(const std::string& path, const std::string& body,
                   const std::string& content_type, const ClientKey* key, int* status = nullptr);

 private:
  struct Impl;
  std::string server_;
  std::unique_ptr<Impl> impl_;
};

// ---- Ledger ---------------------------------------------------------------

// The consortium key set, pinned on first use (TOFU) or given with
// --consortium; the server's current answer is never trusted over the pin.
struct Consortium {
  std::string chain;
  std::string suite;
  std::string origin;
  size_t quorum = 0;
  std::vector<log::NoteVerifier> keys;
  std::vector<std::string> member_names;
  Json raw;  // as /v1/consortium answered it
};
// Parses a /v1/consortium document. Reason "consortium.malformed".
Result<Consortium> ParseConsortium(const Json& j);
// The pinned key set for this server: --consortium FILE, else the TOFU file
// ConfigDir()/consortium/<host_port>.json, created from /v1/consortium on
// first use (a notice goes to stderr). If the server now reports a different
// key set, that is "consortium.changed" (kVerificationFailed).
Result<Consortium> PinnedConsortium(HttpClient& http, const Options& opts);

// The next sequence number for a key: max(last used + 1, now in ms), kept in
// "<keyfile>.seq" so that entries from one key strictly increase (docs/cli.md).
Result<int64_t> NextSequence(const ClientKey& key);

struct Submitted {
  std::string id;  // 64-hex entry id
  int64_t index = 0;
  int64_t height = 0;
  std::string bytes;  // the signed entry
};
// Signs `entry` ({"type","v",...}) with the key and POSTs it to /v1/entries.
Result<Submitted> SubmitEntry(HttpClient& http, const ClientKey& key, const std::string& chain,
                              const Json& entry);
// The whole client round for one entry: load opts.key_path, pin the
// consortium (for its chain id), sign and submit.
Result<Submitted> SignAndSubmit(const Options& opts, const Json& entry);

// Pages through GET /v1/entries?<query>&limit=500 and calls fn with each
// entry whose signed bytes parse and its log index. A non-OK status from fn
// stops the walk and is returned. The entries are not verified here.
Status ForEachEntry(HttpClient& http, const std::string& query,
                    const std::function<Status(const ledger::SignedEntry&, int64_t)>& fn);

// The public key registered under `key_id` (GET /v1/keys/{id}), checked to
// hash to that id so the server cannot substitute another key. Sets *party
// to the registered party (the server's word).
Result<PublicKey> RegisteredKey(HttpClient& http, const ledger::KeyId& key_id, std::string* party);

// Verifies a proof object ({"index","tree_size","hashes","checkpoint"}, as
// GET /v1/entries/{id}/proof answers) for the leaf `entry_id`: the checkpoint
// is signed by a quorum of the pinned consortium and the RFC 9162 inclusion
// proof leads from the leaf to its root. Returns the certified checkpoint's
// signer names, size and block time (-1 if absent).
struct ProvenInclusion {
  int64_t index = 0;
  uint64_t tree_size = 0;
  int64_t checkpoint_time_ms = -1;
  std::vector<std::string> signers;
};
Result<ProvenInclusion> VerifyInclusionAnswer(const Consortium& consortium,
                                              const ledger::EntryId& entry_id, const Json& proof);
// Fetches /v1/entries/{id}, checks the bytes hash to the id, the submitter's
// signature and the inclusion proof (/v1/entries/{id}/proof).
struct VerifiedEntry {
  ledger::SignedEntry entry;
  std::string party;
  int64_t height = -1;
  ProvenInclusion inclusion;
};
Result<VerifiedEntry> FetchVerifiedEntry(HttpClient& http, const Consortium& consortium,
                                         const std::string& entry_id_hex);

// A document notarization checked locally.
struct VerifiedNotarization {
  std::string digest;
  std::string entry_id;
  int64_t index = 0;
  int64_t height = 0;
  int64_t client_time_ms = 0;       // signed by the submitter
  int64_t checkpoint_time_ms = -1;  // certified checkpoint's block time, -1 if absent
  uint64_t tree_size = 0;
  std::string key_id, party, title, doc_type, project, house, media_type;
  int64_t size = 0;
  std::vector<std::string> checkpoint_signers;
  std::vector<std::string> other_entries;  // types of other entries mentioning it
};
// Verifies the answer of GET /v1/documents/{digest}: the notarization entry's
// bytes hash to its id, it notarizes the digest and its signature verifies
// under the submitter's registered key (handover::VerifyNotarization), the
// inclusion proof leads to the checkpoint's root, and the checkpoint is
// signed by a quorum of the pinned consortium. Failures are
// kVerificationFailed with the verifier's reason.
Result<VerifiedNotarization> VerifyDocumentAnswer(HttpClient& http, const Consortium& consortium,
                                                  const std::string& digest, const Json& answer);

// ---- Output ---------------------------------------------------------------

// "2025-03-01 14:03:12 +0800" in local time.
std::string FormatTime(int64_t ms);
// Prints a JSON value on stdout (pretty) followed by a newline.
void PrintJson(const Json& j);
// Writes "\r[=====     ] 48% 12.0/25.0 MiB" on stderr when it is a terminal.
void DrawProgress(uint64_t done, uint64_t total);

// Field access on server answers; reason "client.bad_answer" when missing.
Result<std::string> AnswerString(const Json& j, std::string_view key);
Result<int64_t> AnswerInt(const Json& j, std::string_view key);

// obj[key] if it is a string, else `def`.
std::string StringOr(const Json& obj, std::string_view key, const std::string& def = "");

// Splits "a,b,,c" into {"a","b","c"}.
std::vector<std::string> SplitList(const std::string& s);

}  // namespace tz::cli::client

namespace tz::cli {
// `tiezheng house link` (cmd_client_notarize.cc); CmdHouse parsed `args`.
int CmdHouseLink(const Args& args);
}  // namespace tz::cli
