// The Tiezheng HTTP service: every route of docs/api.md on top of a Node,
// plus the server that runs them. `tiezheng node run` is a thin wrapper.
#pragma once

#include <memory>
#include <string>

#include "api/server.h"
#include "crypto/status.h"
#include "node/node.h"

namespace tz::api {

struct ServiceOptions {
  ServerOptions server;
  AuthOptions auth;
  size_t max_json_body = 1 << 20;              // JSON request bodies
  size_t max_entry_body = 64 * 1024;           // POST /v1/entries
  uint64_t max_blob_body = uint64_t{1} << 30;  // PUT /v1/blobs/{sha256}
  uint64_t part_size = 8 << 20;                // upload session parts
  // Directory of the portal's static files; empty: the first of
  // <dir of the binary>/portal and the source tree's api/portal (compiled in).
  std::string portal_dir;
  int worker_threads = 4;  // blocking work (fsync of blobs and parts)
  // The node's key-encryption key file (archive/household.h), outside the
  // data directory. Empty: household files cannot be decrypted
  // ("household.vault_unavailable").
  std::string kek_path;
};

class Service {
 public:
  // node must outlive the service.
  static Result<std::unique_ptr<Service>> Create(node::Node* node, ServiceOptions options);
  ~Service();

  Status Start();
  uint16_t port() const;
  void Stop();
  void Wait();
  const std::string& portal_dir() const;

  struct Impl;  // service.cc only

 private:
  Service() = default;
  std::unique_ptr<Impl> impl_;
};

// Picks the portal directory as described at ServiceOptions::portal_dir.
std::string DefaultPortalDir();

}  // namespace tz::api
