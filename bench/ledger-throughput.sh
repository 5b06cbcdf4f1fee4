#!/usr/bin/env bash
# Cached-GET throughput with the download ledger off and on, in alternating pairs (issue 5's budget: less than 5%
# lower with it on). Needs wrk and python3; builds the gateway in Release and serves one module from a file:// upstream.
#
#   bench/ledger-throughput.sh [pairs=5] [seconds=20] [same|distinct]
#     same      every request from one client with one user agent, as wrk sends them (identical pulls fold into one
#               ledger row per batch)
#     distinct  a new User-Agent on every request, so every pull is a row of its own: the ledger's worst case
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pairs=${1:-5}
seconds=${2:-20}
mode=${3:-same}
port=${PORT:-8090}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for tool in wrk python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install -y $tool)" >&2; exit 1; }
done

dotnet build -c Release "$root/src/SecureGateway/SecureGateway.csproj" -v quiet -nologo >/dev/null
gateway="$root/src/SecureGateway/bin/Release/net10.0/SecureGateway.dll"

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
cat > "$work/distinct.lua" <<'LUA'
math.randomseed(os.time())
request = function()
  return wrk.format("GET", nil, { ["User-Agent"] = "bench/" .. math.random(1, 2000000000) })
end
LUA
script=()
[ "$mode" = distinct ] && script=(-s "$work/distinct.lua")
url="http://127.0.0.1:$port/example.com/bench/@v/v1.0.0.zip"

run() {
  serve_file_upstream "$gateway" "$port" "$work/up" "$work/data" "$work/policies" "$work/serve-$1.log" --Gateway:DownloadLedger="$1"
  curl -sf -o /dev/null "$url" || { echo "the gateway did not serve $url; see its log:" >&2; cat "$work/serve-$1.log" >&2; exit 1; }
  wrk -t2 -c32 -d5s "${script[@]}" "$url" >/dev/null # JIT tiering settles
  wrk -t2 -c32 -d"${seconds}s" "${script[@]}" "$url" | awk '/Requests\/sec/ { print $2 }'
  kill -TERM "$gateway_pid"
  wait "$gateway_pid" || true
}

off=(); on=()
for i in $(seq 1 "$pairs"); do
  off+=("$(run false)"); on+=("$(run true)")
  echo "pair $i: ledger off ${off[-1]} req/s, on ${on[-1]} req/s"
done
m_off=$(median "${off[@]}"); m_on=$(median "${on[@]}")
awk -v off="$m_off" -v on="$m_on" -v mode="$mode" \
  'BEGIN { printf "%s: median ledger off %.0f req/s, on %.0f req/s: %.1f%% lower with the ledger on\n", mode, off, on, (off - on) * 100 / off }'
