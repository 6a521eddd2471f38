#!/usr/bin/env bash
# HTTP API benchmarks (not part of ctest; numbers go to docs/node.md).
#
#   bench/api_bench.sh BUILD_DIR [ENTRIES] [WORKDIR]
#
# 1. verify-by-digest: initialises a node, bulk-loads ENTRIES (default
#    1000000) notarizations with `tiezheng node bulkload`, starts the node
#    and runs wrk (keep-alive, loopback) against GET /v1/documents/{sha256}
#    over a sample of the loaded digests (one random digest per request).
# 2. upload: PUT /v1/blobs/{sha256} of a 1 GiB file with curl, compared to
#    local ingest of the same file on the same disk (`tiezheng archive put`
#    into a fresh store, and cp + sync).
set -euo pipefail
BUILD=${1:?usage: api_bench.sh BUILD_DIR [ENTRIES] [WORKDIR]}
ENTRIES=${2:-1000000}
WORK=${3:-$(mktemp -d /tmp/tz-api-bench.XXXXXX)}
TZ="$BUILD/tiezheng"
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$WORK"

if [ ! -f "$WORK/data/node.json" ]; then
  "$TZ" init --data "$WORK/data" >/dev/null
  time "$TZ" node bulkload --data "$WORK/data" --count "$ENTRIES" --digests "$WORK/digests.txt"
fi
# A WORKDIR loaded before the checkpoint record existed (docs/node.md).
[ -f "$WORK/data/checkpoint.hwm" ] || "$TZ" ledger adopt-mark "$WORK/data"

PORT=${PORT:-7391}
"$TZ" node run --data "$WORK/data" --listen 127.0.0.1:$PORT --no-sync >"$WORK/node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf http://127.0.0.1:$PORT/v1/health >/dev/null && break; sleep 0.2; done
curl -s http://127.0.0.1:$PORT/v1/health; echo

echo "== wrk: GET /v1/documents/{sha256}, random digest of $(wc -l <"$WORK/digests.txt") sampled =="
DIGESTS="$WORK/digests.txt" wrk -t2 -c${CONNS:-64} -d${DURATION:-20s} --latency \
  -s "$HERE/documents.lua" http://127.0.0.1:$PORT/ | tee "$WORK/wrk.txt"

echo "== upload: 1 GiB PUT /v1/blobs vs local ingest =="
BLOB="$WORK/blob.bin"
[ -f "$BLOB" ] || head -c $((1 << 30)) /dev/urandom >"$BLOB"
SHA=$(sha256sum "$BLOB" | cut -d' ' -f1)
# Local ingest on the same disk: cp + sync (the disk's floor), and
# `tiezheng archive put` (hash + durable store, no HTTP) into a fresh store.
sync
T0=$(date +%s.%N); cp "$BLOB" "$WORK/copy.bin"; sync; T1=$(date +%s.%N)
rm -f "$WORK/copy.bin"
CP=$(echo "$T1 - $T0" | bc)
rm -rf "$WORK/localstore"; sync
T0=$(date +%s.%N); "$TZ" archive put --data "$WORK/localstore" "$BLOB" >/dev/null; T1=$(date +%s.%N)
rm -rf "$WORK/localstore"
LOCAL=$(echo "$T1 - $T0" | bc)
# Signed PUT: headers from the admin key via `tiezheng node sign-request`.
"$TZ" node sign-request --data "$WORK/data" --method PUT --target /v1/blobs/$SHA --sha256 $SHA \
  >"$WORK/put.headers"
T0=$(date +%s.%N)
curl -sS -o /dev/null -w "%{http_code}\n" -X PUT -H "Expect:" -H @"$WORK/put.headers" \
  -H "Content-Type: application/octet-stream" -T "$BLOB" \
  http://127.0.0.1:$PORT/v1/blobs/$SHA
T1=$(date +%s.%N)
HTTP=$(echo "$T1 - $T0" | bc)
echo "cp+sync: ${CP}s  archive put: ${LOCAL}s  HTTP PUT: ${HTTP}s  node peak RSS: $(grep VmHWM /proc/$NODE/status | tr -s ' \t' ' ')"
echo "ratio HTTP/local throughput (archive put time / HTTP time): $(echo "scale=2; $LOCAL / $HTTP" | bc)"
echo "ratio HTTP/cp+sync throughput: $(echo "scale=2; $CP / $HTTP" | bc)   load: $(uptime | sed 's/.*load/load/')"
