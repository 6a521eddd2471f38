// Key layout of the ledger's KvStore (docs/ledger.md):
//   m/head            {"hash","height","log_root","log_size","time"}
//   m/chain           {"chain","origin"}
//   m/indices         derived-index format version
//   b/<u64 height>    block header (JCS)
//   c/<u64 height>    checkpoint (signed note)
//   e/<u64 index>     signed entry bytes (the log leaf)
//   n/<u8 level><u64 index>   RFC 6962 perfect node hash (32 bytes)
//   s/...             state (state.h)
//   i/<32-byte id>    entry id -> u64 index            (derived index)
//   x/<name>/<value>\0<u64 index>  -> ""                (derived index)
//   x/time/<u64 ms><u64 index>     -> ""                (derived index)
#pragma once

#include <string>
#include <string_view>

#include "ledger/kv.h"
#include "ledger/types.h"
#include "log/merkle.h"

namespace tz::ledger::layout {

inline constexpr std::string_view kHead = "m/head";
inline constexpr std::string_view kChain = "m/chain";
inline constexpr std::string_view kIndices = "m/indices";
inline constexpr std::string_view kIndexVersion = "1";

inline std::string BlockKey(uint64_t h) { return "b/" + EncodeU64(h); }
inline std::string CheckpointKey(uint64_t h) { return "c/" + EncodeU64(h); }
inline std::string EntryKey(uint64_t i) { return "e/" + EncodeU64(i); }
inline std::string NodeKey(merkle::NodeId id) {
  std::string k = "n/";
  k.push_back(static_cast<char>(id.level));
  return k + EncodeU64(id.index);
}
inline std::string IdKey(const EntryId& id) {
  return "i/" + std::string(reinterpret_cast<const char*>(id.data()), id.size());
}
inline std::string TermPrefix(std::string_view name, std::string_view value) {
  std::string k = "x/";
  k.append(name).append("/").append(value);
  k.push_back('\0');
  return k;
}
inline std::string TermKey(std::string_view name, std::string_view value, uint64_t index) {
  return TermPrefix(name, value) + EncodeU64(index);
}
inline std::string TimeKey(int64_t ms, uint64_t index) {
  return "x/time/" + EncodeU64(static_cast<uint64_t>(ms)) + EncodeU64(index);
}

}  // namespace tz::ledger::layout
