// Blocks: an ordered batch of signed entries with a hash-chained header.
//
// The header is a JCS canonical JSON object:
//   {"chain":"<chain id>","entries":<count>,"entries_root":"<hex>",
//    "height":<h>,"log_root":"<hex>","log_size":<n>,"prev":"<hex>",
//    "proposer":"<member>","time":<ms>}
// entries_root is the RFC 6962 root over this block's entries alone;
// log_size and log_root describe the global log (all entries of all blocks)
// after the block. The block hash is SHA-256 of the header's JCS bytes; the
// genesis block's prev is 64 zeros.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.h"
#include "crypto/json.h"
#include "crypto/status.h"

namespace tz::ledger {

struct BlockHeader {
  std::string chain;
  uint64_t height = 0;
  Digest prev;
  int64_t time = 0;  // ms since the Unix epoch; never decreases along the chain
  std::string proposer;
  uint64_t entries = 0;
  Digest entries_root;
  uint64_t log_size = 0;
  Digest log_root;

  Json ToJson() const;
  std::string Canonical() const { return ToJson().Canonical(); }
  Digest Hash() const;
  // Strict: canonical bytes, exact fields. Reason "block.bad_header".
  static Result<BlockHeader> Parse(std::string_view canonical);
  bool operator==(const BlockHeader&) const = default;
};

struct Block {
  BlockHeader header;
  std::vector<std::string> entries;  // signed entry bytes, in log order
};

}  // namespace tz::ledger
