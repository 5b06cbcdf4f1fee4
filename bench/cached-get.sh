#!/usr/bin/env bash
# Cached-GET throughput of two builds of the gateway, in alternating pairs on the same machine (before/after a change to
# the serving path). Each build keeps its own data folder (and embedded PostgreSQL) for the whole run; one module is
# served from a file:// upstream, admitted by the first request, then hammered with wrk. Needs wrk and python3.
#
#   bench/cached-get.sh BEFORE.dll AFTER.dll [pairs=5] [seconds=20]
#   AFTER_ARGS="--Gateway:HotSetBytes=0" bench/cached-get.sh …   extra settings for the AFTER build only
#   e.g. git worktree add /tmp/before <commit> && dotnet build -c Release /tmp/before/src/SecureGateway
#        dotnet build -c Release src/SecureGateway
#        bench/cached-get.sh /tmp/before/src/SecureGateway/bin/Release/net10.0/SecureGateway.dll \
#                            src/SecureGateway/bin/Release/net10.0/SecureGateway.dll
set -euo pipefail
. "$(dirname "$0")/lib.sh"

before=${1:?BEFORE.dll}
after=${2:?AFTER.dll}
pairs=${3:-5}
seconds=${4:-20}
port=${PORT:-8091}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for tool in wrk python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install -y $tool)" >&2; exit 1; }
done

mkdir -p "$work/up/example.com/bench/@v" "$work/policies"
python3 - "$work/up/example.com/bench/@v" <<'PY'
import sys, zipfile
d = sys.argv[1]
open(f"{d}/list", "w").write("v1.0.0\n")
open(f"{d}/v1.0.0.info", "w").write('{"Version":"v1.0.0","Time":"2020-01-01T00:00:00Z"}')
open(f"{d}/v1.0.0.mod", "w").write("module example.com/bench\n")
with zipfile.ZipFile(f"{d}/v1.0.0.zip", "w") as z:
    z.writestr("example.com/bench@v1.0.0/go.mod", "module example.com/bench\n")
    z.writestr("example.com/bench@v1.0.0/bench.go", "package bench\n")
PY
echo 'function rule(facts, config) { return null; }' > "$work/policies/no-opinion.js"
url="http://127.0.0.1:$port/example.com/bench/@v/v1.0.0.zip"

run() {
  local name=$1 dll=$2 extra=()
  [ "$name" = after ] && [ -n "${AFTER_ARGS:-}" ] && read -r -a extra <<<"$AFTER_ARGS"
  serve_file_upstream "$dll" "$port" "$work/up" "$work/data-$name" "$work/policies" "$work/serve-$name.log" "${extra[@]}"
  curl -sf -o /dev/null "$url" || { echo "$name did not serve $url; see its log:" >&2; cat "$work/serve-$name.log" >&2; exit 1; }
  wrk -t2 -c32 -d5s "$url" >/dev/null # JIT tiering settles
  wrk -t2 -c32 -d"${seconds}s" "$url" | awk '/Requests\/sec/ { print $2 }'
  kill -TERM "$gateway_pid"
  wait "$gateway_pid" || true
}

a=(); b=()
for i in $(seq 1 "$pairs"); do
  a+=("$(run before "$before")"); b+=("$(run after "$after")")
  echo "pair $i: before ${a[-1]} req/s, after ${b[-1]} req/s"
done
m_a=$(median "${a[@]}"); m_b=$(median "${b[@]}")
awk -v a="$m_a" -v b="$m_b" 'BEGIN { printf "median before %.0f req/s, after %.0f req/s: %+.1f%%\n", a, b, (b - a) * 100 / a }'
