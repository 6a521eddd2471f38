// Every byte the CLI writes to a terminal or a pipe as text goes through a
// filter that escapes control and bidirectional characters (crypto/text.h),
// so text from the ledger, a server or a file name can never move the
// cursor, recolour the terminal or reorder what a reader sees. Line breaks
// and tabs pass; "\r" does not (it would let a line repaint itself).
//
// main() installs the filter over stdout and stderr before any command
// runs. Output whose bytes are a format of their own (sha256sum lines, the
// blob bytes of `archive get`) is written to RawStdout() or to the file
// descriptor instead; JSON output may go through the filter, since its
// escapes ("\u202e") are JSON escapes of the same character.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace tz::cli {

// The stateful core of the filter: feed() the bytes in any pieces; a UTF-8
// sequence split between pieces is held back until it completes (or proves
// invalid). flush() releases what is held (escaped: it is incomplete).
class SafeTextFilter {
 public:
  std::string feed(std::string_view bytes);
  std::string flush();

 private:
  std::string held_;
};

// Replaces stdout and stderr with filtered streams (line-buffered stdout,
// unbuffered stderr) writing to descriptors 1 and 2. Idempotent.
void InstallSafeOutput();

// The unfiltered standard output, for byte formats. Flush stdout before
// mixing the two.
FILE* RawStdout();

// Writes a progress line ("\r...") straight to descriptor 2 when it is a
// terminal: the one place the CLI itself needs "\r".
void WriteProgress(std::string_view line);

}  // namespace tz::cli
