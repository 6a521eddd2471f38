#include "safe_output.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "crypto/text.h"

namespace tz::cli {

std::string SafeTextFilter::feed(std::string_view bytes) {
  std::string in = std::move(held_);
  held_.clear();
  in.append(bytes);
  // Hold back a trailing sequence that is still incomplete; DecodeUtf8
  // returns -1 only when more bytes could complete it (at most 3).
  size_t keep = in.size();
  for (size_t back = 1; back <= 3 && back <= in.size(); ++back) {
    size_t start = in.size() - back;
    uint32_t cp = 0;
    if (DecodeUtf8(std::string_view(in).substr(start), &cp) == -1) {
      keep = start;
      break;
    }
  }
  held_ = in.substr(keep);
  return EscapeForDisplay(std::string_view(in).substr(0, keep), LineBreaks::kKeep);
}

std::string SafeTextFilter::flush() {
  std::string out = EscapeForDisplay(held_, LineBreaks::kKeep);
  held_.clear();
  return out;
}

namespace {

struct Sink {
  int fd;
  SafeTextFilter filter;
};

bool WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

ssize_t CookieWrite(void* cookie, const char* buf, size_t size) {
  auto* sink = static_cast<Sink*>(cookie);
  if (!WriteAll(sink->fd, sink->filter.feed(std::string_view(buf, size)))) return -1;
  return static_cast<ssize_t>(size);
}

int CookieClose(void* cookie) {
  auto* sink = static_cast<Sink*>(cookie);
  return WriteAll(sink->fd, sink->filter.flush()) ? 0 : -1;
}

FILE* raw_stdout = nullptr;
// The two sinks live as long as the process: glibc flushes the streams at
// exit after static destructors have run, so they are never destroyed (and
// these pointers keep them reachable for the leak checker).
Sink* out_sink = nullptr;
Sink* err_sink = nullptr;

FILE* Filtered(Sink* sink, int mode) {
  cookie_io_functions_t io{};
  io.write = CookieWrite;
  io.close = CookieClose;
  FILE* f = fopencookie(sink, "w", io);
  if (f != nullptr) setvbuf(f, nullptr, mode, mode == _IONBF ? 0 : BUFSIZ);
  return f;
}

// At exit: what a filter still holds (an incomplete UTF-8 sequence at the
// very end) is written, escaped.
void FlushHeld() {
  std::fflush(stdout);
  std::fflush(stderr);
  for (Sink* s : {out_sink, err_sink}) {
    if (s != nullptr) WriteAll(s->fd, s->filter.flush());
  }
}

}  // namespace

void InstallSafeOutput() {
  if (raw_stdout != nullptr) return;
  std::fflush(stdout);
  std::fflush(stderr);
  raw_stdout = stdout;
  out_sink = new Sink{STDOUT_FILENO, {}};
  err_sink = new Sink{STDERR_FILENO, {}};
  FILE* out = Filtered(out_sink, _IOLBF);
  FILE* err = Filtered(err_sink, _IONBF);
  if (out == nullptr || err == nullptr) std::abort();  // only on allocation failure
  stdout = out;
  stderr = err;
  std::atexit(FlushHeld);
}

FILE* RawStdout() {
  if (raw_stdout == nullptr) return stdout;
  std::fflush(stdout);
  return raw_stdout;
}

void WriteProgress(std::string_view line) {
  if (!::isatty(STDERR_FILENO)) return;
  std::fflush(stderr);
  WriteAll(STDERR_FILENO, line);
}

}  // namespace tz::cli
