#!/usr/bin/env bash
# Installs the Debian 12 packages Tiezheng needs to build, test and run.
# Idempotent: packages already present are skipped quickly. Run as root.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config ccache      # toolchain
  clang-14 libclang-rt-14-dev                  # sanitizer and libFuzzer build (deploy/test.sh, tests/fuzz)
  clang-format                                 # deploy/check-format.sh
  libssl-dev                                   # SHA-256 (SHA-NI), SM2/SM3/SM4, X.509, TLS, RFC 3161
  libsodium-dev                                # Ed25519, XChaCha20-Poly1305, secure memory
  libleveldb-dev libsnappy-dev                 # ledger storage (LevelDB's CMake config links snappy)
  libboost-dev                                 # Beast/Asio HTTP server and peer transport
  libcpp-httplib-dev                           # HTTP client for the CLI and tests
  libgtest-dev libgmock-dev                    # unit and integration tests
  libbenchmark-dev                             # benchmarks (bench/)
  python3 python3-cryptography                 # test helpers, the documented proof-check script, independent note checks
  openssl                                      # `openssl ts -verify`, `openssl dgst` in docs and tests
  curl                                         # used by the demo to show the HTTP API
  chromium                                     # headless browser for the portal tests
  nodejs                                       # portal tests: node --test, playwright-core
)
# npm: Debian ships it apart from nodejs; NodeSource's nodejs bundles it (and
# conflicts with Debian's npm package).
command -v npm >/dev/null 2>&1 || PKGS+=(npm)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "[install-deps] installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "[install-deps] all packages present"
fi

# The portal's browser tests drive the system Chromium with playwright-core
# (pinned in tests/integration/portal/package-lock.json; no browser download).
PORTAL_TESTS="$(cd "$(dirname "$0")/.." && pwd)/tests/integration/portal"
if [ ! -f "$PORTAL_TESTS/node_modules/playwright-core/package.json" ]; then
  echo "[install-deps] npm ci ($PORTAL_TESTS)"
  (cd "$PORTAL_TESTS" && npm ci --no-audit --no-fund --loglevel=error)
fi
