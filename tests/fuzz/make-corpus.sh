#!/usr/bin/env bash
# Regenerates the "real output" seeds of tests/fuzz/corpus/ from a running
# demo node (deploy/demo.sh): checkpoints, proofs, signed entries, an
# evidence package, JSON documents and HTTP requests as the CLI sends them.
# The hand-written edge cases in the corpus are kept. Keys and times are new
# on every run, so the files differ from the committed ones; commit a rerun
# only when a format changes.
#
#   tests/fuzz/make-corpus.sh [BUILD_DIR]     (default build-clang; any build)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BUILD_DIR=${1:-build-clang}
TZ=$ROOT/$BUILD_DIR/tiezheng
C=$ROOT/tests/fuzz/corpus
PORT=${TZ_CORPUS_PORT:-7391}
PROXY_PORT=$((PORT + 1))
WORK=$(mktemp -d /tmp/tz-corpus.XXXXXX)
DATA=$WORK/data
cleanup() {
  [ -f "$DATA/node.pid" ] && kill "$(cat "$DATA/node.pid")" 2>/dev/null || true
  [ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

SKIP_BUILD=1 BUILD_DIR=$BUILD_DIR TZ_DATA=$DATA TZ_LISTEN=127.0.0.1:$PORT \
  bash deploy/demo.sh >"$WORK/demo.log" 2>&1 || {
  cat "$WORK/demo.log" >&2
  exit 1
}
S=http://127.0.0.1:$PORT
export TZ_HOME=$DATA/client

# Signed entries, read back from the stopped node's ledger; then the node
# runs again for the rest.
stop_node() {
  kill "$(cat "$DATA/node.pid")"
  for _ in $(seq 50); do kill -0 "$(cat "$DATA/node.pid")" 2>/dev/null || break; sleep 0.1; done
  rm -f "$DATA/node.pid"
}
stop_node
size=$("$TZ" ledger info "$DATA" | python3 -c 'import json,sys; print(json.load(sys.stdin)["log_size"])')
ids=()
for idx in $(seq 0 $((size - 1))); do
  "$TZ" ledger get "$DATA" "$idx" | tr -d '\n' >"$WORK/e.json"
  ids+=("$(python3 -c 'import hashlib,sys; print(hashlib.sha256(b"\0" + sys.stdin.buffer.read()).hexdigest())' <"$WORK/e.json")")
  type=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["entry"]["type"])' <"$WORK/e.json")
  [ -f "$C/entry/demo_$type.json" ] || cp "$WORK/e.json" "$C/entry/demo_$type.json"
done
nohup "$TZ" node run --data "$DATA" --listen "127.0.0.1:$PORT" >"$DATA/node.log" 2>&1 &
echo $! >"$DATA/node.pid"
for _ in $(seq 100); do curl -sf -o /dev/null "$S/v1/health" && break; sleep 0.2; done

# Checkpoint notes, JSON documents.
curl -sf "$S/v1/checkpoints/latest" >"$C/note/demo_latest_checkpoint.note"
curl -sf "$S/v1/consortium" >"$C/json/demo_consortium.json"
curl -sf "$S/v1/openapi.json" >"$WORK/openapi.json"  # (curl | head: curl's exit 23)
head -c 3000 "$WORK/openapi.json" >"$C/json/openapi_prefix_truncated.json"

# Proofs of two entries (the `tlog_proof` field of the proof JSON).
for i in 1 $((size - 1)); do
  curl -sf "$S/v1/entries/${ids[$i]}/proof" >"$C/json/demo_proof_$i.json"
  python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["tlog_proof"])' \
    <"$C/json/demo_proof_$i.json" >"$C/tlog_proof/demo_entry_$i.tlog-proof"
done

# An evidence package for the demo's first document.
doc=$(python3 -c 'import json; print(json.load(open("deploy/sample/project-rongcheng-2/manifest.json"))["documents"][0]["file"])')
sha=$(sha256sum "deploy/sample/project-rongcheng-2/$doc" | cut -d' ' -f1)
"$TZ" evidence export --node "$S" --document "$sha" -o "$C/evidence_tar/demo_document.tar"

# HTTP requests as the CLI sends them, through a recording proxy.
python3 - "$PROXY_PORT" "$PORT" "$WORK/http" <<'PY' &
import os, socket, sys, threading
lport, port, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", lport)); srv.listen(16)
n = 0
def pipe(a, b, rec):
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            if rec is not None and rec.tell() < 8192: rec.write(d[:8192]); rec.flush()
            b.sendall(d)
    except OSError: pass
    finally:
        for s in (a, b):
            try: s.shutdown(socket.SHUT_RDWR)
            except OSError: pass
while True:
    c, _ = srv.accept(); n += 1
    u = socket.create_connection(("127.0.0.1", port))
    rec = open(os.path.join(out, f"req{n:02d}.http"), "wb")
    threading.Thread(target=pipe, args=(c, u, rec), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c, None), daemon=True).start()
PY
PROXY_PID=$!
sleep 1
P=http://127.0.0.1:$PROXY_PORT
echo "fuzz corpus $(date +%s)" >"$WORK/new.txt"
key=$(ls "$TZ_HOME/keys/"*.key | head -1)
TZ_SERVER=$P "$TZ" verify "deploy/sample/project-rongcheng-2/$doc" >/dev/null || true
project=$(python3 -c 'import json; print(json.load(open("deploy/sample/project-rongcheng-2/manifest.json"))["project"]["id"])')
TZ_SERVER=$P "$TZ" notarize "$WORK/new.txt" --type other --title fuzz --project "$project" \
  --house 1-101 --key "$key" >/dev/null || true
sleep 1
i=0
for f in "$WORK"/http/req*.http; do
  [ -s "$f" ] || continue
  i=$((i + 1))
  { printf '\0'; cat "$f"; } >"$C/http_request/cli_request_$i.http"
done

echo "corpus updated:"; (cd "$C" && ls -1 */demo_* */cli_request_* 2>/dev/null)
