// Bulk loading for benchmarks: appends synthetic, validly signed
// doc.notarize entries (signed with the data directory's admin key) to a
// node's ledger in large blocks, bypassing HTTP. The node must not be
// running. Not for production data.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "crypto/status.h"

namespace tz::node {

struct BulkLoadOptions {
  uint64_t count = 1000000;
  size_t block_entries = 10000;
  // Writes every `sample_every`-th document digest (hex, one per line) here
  // for load generators; empty: none.
  std::string digests_out;
  uint64_t sample_every = 10;
  std::function<void(uint64_t done)> progress;
};

// Reasons: those of Node::Open and the ledger.
Status BulkLoadDocuments(const std::string& data_dir, const BulkLoadOptions& options);

}  // namespace tz::node
