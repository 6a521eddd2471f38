#!/usr/bin/env bash
# Checks that the project's C++ sources match .clang-format: runs
# `clang-format --dry-run --Werror` over every .cc and .h file the repository
# tracks (the build directories are not tracked), lists the files that differ
# and exits 1 if there are any. Fix with:
#   git ls-files '*.cc' '*.h' | xargs clang-format -i
# CLANG_FORMAT picks the binary (default clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
  echo "[format] $CLANG_FORMAT not found (deploy/install-deps.sh installs clang-format)" >&2
  exit 2
fi
if [ ! -f .clang-format ]; then
  echo "[format] no .clang-format at the top of the tree" >&2
  exit 2
fi
mapfile -t files < <(git ls-files -- '*.cc' '*.h')
differ=()
for f in "${files[@]}"; do
  if ! "$CLANG_FORMAT" --dry-run --Werror "$f" >/dev/null 2>&1; then
    differ+=("$f")
  fi
done
if [ ${#differ[@]} -gt 0 ]; then
  echo "[format] ${#differ[@]} of ${#files[@]} files differ from $("$CLANG_FORMAT" --version | head -1):"
  printf '  %s\n' "${differ[@]}"
  exit 1
fi
echo "[format] all ${#files[@]} files formatted"
