// ustar writer and strict reader (see evidence_tar.h).
#include "evidence/tar.h"

#include <cstring>
#include <set>

namespace tz::evidence {

namespace {

constexpr size_t kBlock = 512;

// Octal, zero-padded to width-1 digits and a NUL terminator.
void PutOctal(char* field, size_t width, uint64_t v) {
  for (size_t i = width - 1; i-- > 0;) {
    field[i] = static_cast<char>('0' + (v & 7));
    v >>= 3;
  }
  field[width - 1] = '\0';
}

bool ParseOctal(const char* field, size_t width, uint64_t* out) {
  uint64_t v = 0;
  size_t i = 0;
  while (i < width && field[i] == ' ') ++i;
  bool digits = false;
  for (; i < width && field[i] >= '0' && field[i] <= '7'; ++i) {
    if (v > (UINT64_MAX >> 3)) return false;
    v = (v << 3) | static_cast<uint64_t>(field[i] - '0');
    digits = true;
  }
  for (; i < width; ++i) {
    if (field[i] != ' ' && field[i] != '\0') return false;
  }
  *out = v;
  return digits;
}

uint64_t Checksum(const char* header) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    bool in_chksum = i >= 148 && i < 156;
    sum += in_chksum ? ' ' : static_cast<unsigned char>(header[i]);
  }
  return sum;
}

Status BadTar(const std::string& m) { return Status::Invalid("evidence.bad_tar", m); }

}  // namespace

bool IsSafeTarName(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '/') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-' || c == '/';
    if (!ok) return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<std::string> TarHeader(std::string_view name, uint64_t size, int64_t mtime_seconds) {
  if (!IsSafeTarName(name)) {
    return Status::Invalid("evidence.bad_name", "unsafe file name '" + std::string(name) + "'");
  }
  char h[kBlock];
  std::memset(h, 0, sizeof h);
  std::memcpy(h, name.data(), name.size());
  PutOctal(h + 100, 8, 0644);
  PutOctal(h + 108, 8, 0);
  PutOctal(h + 116, 8, 0);
  PutOctal(h + 124, 12, size);
  PutOctal(h + 136, 12, static_cast<uint64_t>(mtime_seconds < 0 ? 0 : mtime_seconds));
  h[156] = '0';
  std::memcpy(h + 257, "ustar", 6);  // magic "ustar\0"
  std::memcpy(h + 263, "00", 2);     // version
  std::memcpy(h + 265, "tiezheng", 8);
  std::memcpy(h + 297, "tiezheng", 8);
  PutOctal(h + 148, 7, Checksum(h));  // six digits, NUL, then a space
  h[155] = ' ';
  return std::string(h, kBlock);
}

size_t TarPadding(uint64_t size) { return static_cast<size_t>((kBlock - size % kBlock) % kBlock); }

Result<std::string> WriteTar(const std::vector<TarFile>& files, int64_t mtime_seconds) {
  std::string out;
  for (const TarFile& f : files) {
    TZ_ASSIGN_OR_RETURN(std::string header, TarHeader(f.name, f.data.size(), mtime_seconds));
    out.append(header);
    out.append(f.data);
    out.append(TarPadding(f.data.size()), '\0');
  }
  out.append(kTarTrailerSize, '\0');
  return out;
}

Result<std::vector<TarFile>> ReadTar(std::string_view a) {
  std::vector<TarFile> files;
  std::set<std::string> seen;
  size_t pos = 0;
  static const char kZero[kBlock] = {};
  while (true) {
    if (pos + kBlock > a.size()) return BadTar("archive truncated (no end-of-archive blocks)");
    const char* h = a.data() + pos;
    if (std::memcmp(h, kZero, kBlock) == 0) {
      // End of archive: everything after must be zero padding.
      for (size_t i = pos; i < a.size(); ++i) {
        if (a[i] != '\0') return BadTar("data after the end-of-archive marker");
      }
      break;
    }
    uint64_t sum = 0, size = 0;
    if (!ParseOctal(h + 148, 8, &sum) || sum != Checksum(h)) {
      return BadTar("bad header checksum at offset " + std::to_string(pos));
    }
    if (!ParseOctal(h + 124, 12, &size)) return BadTar("bad size field");
    if (std::memcmp(h + 257, "ustar", 5) != 0) return BadTar("not a ustar header");
    std::string name(h, strnlen(h, 100));
    if (h[345] != '\0') {
      std::string prefix(h + 345, strnlen(h + 345, 155));
      name = prefix + "/" + name;
    }
    char type = h[156];
    pos += kBlock;
    if (size > a.size() - pos) return BadTar("file '" + name + "' truncated");
    uint64_t padded = (size + kBlock - 1) / kBlock * kBlock;
    if (type == '5') {
      pos += padded;
      continue;
    }
    if (type != '0' && type != '\0') {
      return BadTar("entry '" + name + "' is not a regular file (type '" + std::string(1, type) +
                    "')");
    }
    if (!name.empty() && name.back() == '/') return BadTar("file name ends in '/'");
    if (!IsSafeTarName(name)) {
      return Status::Invalid("evidence.bad_name", "unsafe file name '" + name + "'");
    }
    if (!seen.insert(name).second) {
      return Status::Invalid("evidence.duplicate_file", "'" + name + "' appears twice");
    }
    files.push_back({name, std::string(a.substr(pos, size))});
    pos += padded > a.size() - pos ? a.size() - pos : padded;
  }
  return files;
}

}  // namespace tz::evidence
