#!/usr/bin/env bash
# README command (1): the main job. Installs the dependencies, builds, creates
# a one-node consortium in a fresh data directory, starts the node on
# 127.0.0.1 in the background, loads the sample handover data (a project with
# three houses, their documents notarized and filed in each house's archive,
# and a joint acceptance record signed by the construction unit, the
# receiving unit and the inspector, each with its own registered key), and
# prints the portal address and the next commands to try.
#
# Usage: deploy/demo.sh            (as root on Debian 12, from a clone)
# Environment: TZ_DATA (default ./tz-data, wiped and recreated),
#              TZ_LISTEN (default 127.0.0.1:7390), BUILD_DIR (default build),
#              SKIP_BUILD=1 (use an existing build; for developers).
# The node keeps running; stop it with: kill "$(cat tz-data/node.pid)"
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DATA=${TZ_DATA:-$ROOT/tz-data}
LISTEN=${TZ_LISTEN:-127.0.0.1:7390}
BUILD_DIR=${BUILD_DIR:-build}
SAMPLE=$ROOT/deploy/sample/project-rongcheng-2
SERVER=http://$LISTEN

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [[ ${SKIP_BUILD:-0} != 1 ]]; then
  say "1/5 安装依赖 / installing dependencies"
  bash deploy/install-deps.sh
  say "2/5 编译 / building"
  BUILD_DIR=$BUILD_DIR bash deploy/build.sh
fi
TZ=$ROOT/$BUILD_DIR/tiezheng

say "3/5 初始化单节点联盟 / initialising a one-node consortium in $DATA"
if [[ -f $DATA/node.pid ]] && kill -0 "$(cat "$DATA/node.pid")" 2>/dev/null; then
  echo "stopping the previous demo node (pid $(cat "$DATA/node.pid"))"
  kill "$(cat "$DATA/node.pid")"
  for _ in $(seq 50); do kill -0 "$(cat "$DATA/node.pid")" 2>/dev/null || break; sleep 0.1; done
fi
if curl -s -o /dev/null --max-time 2 "$SERVER/v1/health"; then
  echo "error: something already serves $SERVER; stop it or set TZ_LISTEN=127.0.0.1:PORT" >&2
  exit 1
fi
rm -rf "$DATA"
"$TZ" init --data "$DATA" --name node1 --chain rongcheng-demo --listen "$LISTEN"

say "4/5 启动节点 / starting the node on $LISTEN"
nohup "$TZ" node run --data "$DATA" --listen "$LISTEN" >"$DATA/node.log" 2>&1 &
echo $! >"$DATA/node.pid"
for _ in $(seq 100); do
  curl -sf -o /dev/null "$SERVER/v1/health" && break
  if ! kill -0 "$(cat "$DATA/node.pid")" 2>/dev/null; then
    echo "error: the node exited; see $DATA/node.log:" >&2
    tail -20 "$DATA/node.log" >&2
    exit 1
  fi
  sleep 0.2
done
curl -sf "$SERVER/v1/health" >/dev/null || { echo "error: node not answering" >&2; exit 1; }
echo "node pid $(cat "$DATA/node.pid"), log $DATA/node.log"

say "5/5 载入示例数据 / loading the sample project (榕城安置房二期)"
# The demo's client side: party keys and the pinned consortium key set.
export TZ_HOME=$DATA/client TZ_SERVER=$SERVER
mkdir -p "$TZ_HOME"
LOADED=$(python3 deploy/sample/load-sample.py "$TZ" "$DATA/keys/member.key" "$SAMPLE" \
  "$TZ_HOME/keys")
echo "$LOADED" | sed '$d'
RECORD=$(echo "$LOADED" | tail -1)

REL_TZ=$BUILD_DIR/tiezheng
cat <<EOF

════════════════════════════════════════════════════════════════════════
 铁证 Tiezheng 演示已就绪 / demo is ready
════════════════════════════════════════════════════════════════════════
 门户 Web portal:        $SERVER/
   一房一档 house 1-101: $SERVER/#house=1-101
   (选择 deploy/sample/project-rongcheng-2/ 中的文件进行验证 /
    choose a file from deploy/sample/project-rongcheng-2/ to verify it)

 接下来试试 Next, try (客户端密钥与固定的联盟密钥 client keys and pinned consortium keys
 are in \$TZ_HOME):
   export TZ_HOME=$TZ_HOME TZ_SERVER=$SERVER
   $REL_TZ verify deploy/sample/project-rongcheng-2/质量保修书-1号楼.txt
   $REL_TZ house show 1-101
   $REL_TZ acceptance show $RECORD
   curl -s $SERVER/v1/checkpoints/latest
   curl -s $SERVER/v1/consortium
EOF
if "$TZ" audit --help >/dev/null 2>&1; then
  echo "   # 审计：从创世块重放（需先停止节点）/ audit: replay from genesis (stop the node first)"
  echo "   kill \$(cat $DATA/node.pid) && $REL_TZ audit $DATA"
fi
cat <<EOF

 篡改试验 Tamper test: 修改任一示例文件的一个字节后再验证，结果为“未存证”。
   cp deploy/sample/project-rongcheng-2/质量保修书-1号楼.txt /tmp/x.txt && echo 改 >> /tmp/x.txt
   $REL_TZ verify /tmp/x.txt        # exit 1: 未存证 / not notarized

 停止节点 Stop the node:  kill \$(cat $DATA/node.pid)
 日志 Log:                $DATA/node.log
EOF
