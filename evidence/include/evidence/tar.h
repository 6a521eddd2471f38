// A minimal POSIX ustar (IEEE Std 1003.1-1988) writer and strict reader for
// evidence packages: regular files only, so that `tar -xf` anywhere unpacks a
// package and the verifier reads exactly what an expert sees.
//
// Written archives are deterministic: files in the order given, mode 0644,
// uid/gid 0, owner "tiezheng", the given mtime, 512-byte blocks, two zero
// blocks at the end. Names are at most 100 bytes of [A-Za-z0-9._/-] (the
// ustar prefix field is not used).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/status.h"

namespace tz::evidence {

struct TarFile {
  std::string name;
  std::string data;
};

// Requires every name to satisfy IsSafeTarName (reason "evidence.bad_name").
Result<std::string> WriteTar(const std::vector<TarFile>& files, int64_t mtime_seconds);

// The pieces of WriteTar, for writers that stream a file's data (evidence
// export over HTTP): the 512-byte header of one file, the zero padding after
// `size` bytes of data, and the end-of-archive marker (two zero blocks).
// A streamed archive of header + data + padding per file, then the trailer,
// is byte for byte what WriteTar returns for the same files.
inline constexpr size_t kTarTrailerSize = 1024;
Result<std::string> TarHeader(std::string_view name, uint64_t size, int64_t mtime_seconds);
size_t TarPadding(uint64_t size);

// Reads a whole archive. Accepts regular files (typeflag '0' or NUL) and
// directories (skipped); rejects everything else. Reasons (kInvalidArgument):
//   evidence.bad_tar        truncated, bad header checksum, bad size field,
//                           links/devices/pax headers, data after the end
//   evidence.bad_name       an unsafe name ("..", absolute, odd characters)
//   evidence.duplicate_file the same name twice
Result<std::vector<TarFile>> ReadTar(std::string_view archive);

// Relative, no "..", "." or empty components, at most 100 bytes,
// characters [A-Za-z0-9._/-].
bool IsSafeTarName(std::string_view name);

}  // namespace tz::evidence
