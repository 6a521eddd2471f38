// Private helpers shared by the archive sources.
#pragma once

#include <string>
#include <string_view>

#include "crypto/hash.h"
#include "crypto/status.h"

namespace tz::archive {

// Maps an errno value to a Status with the reasons listed in archive/env.h;
// `fallback_reason` is used for errors without a specific mapping.
Status ErrnoStatus(std::string_view fallback_reason, const std::string& what, int err);

// "blob.not_found" for a digest.
Status BlobNotFound(const Digest& digest);

// Joins path components with '/'.
inline std::string JoinPath(std::string_view a, std::string_view b) {
  std::string r(a);
  if (!r.empty() && r.back() != '/') r.push_back('/');
  r.append(b);
  return r;
}

}  // namespace tz::archive
