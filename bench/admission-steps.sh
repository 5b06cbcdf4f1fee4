#!/usr/bin/env bash
# Serial cold-admission latency of two builds, with each admission step's mean, in alternating pairs (before/after a
# change to the admission path). The go command resolves a download's versions one .info after another, so this
# latency, not throughput, is what `go mod download` of new versions waits for. The world is the benchmark's own
# (bench/SecureGateway.Bench: small modules with licence files, the test checksum database with 100,000 filler
# records) served by nginx; the gateway verifies against that checksum DB, with the fact sources off and a rule without
# an opinion. Each run starts a build with a fresh data folder, admits W warm-up versions of another module (a fresh
# process runs tier-0 code and recompiles its hot paths in the background for its first ~800 admissions), then times
# N new versions one after another and prints their median and the steps' means (from /metrics). Needs nginx, curl and
# python3.
#
#   bench/admission-steps.sh BEFORE.dll AFTER.dll [pairs=3] [versions=50] [warm-up=1000]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

before=${1:?BEFORE.dll}
after=${2:?AFTER.dll}
pairs=${3:-3}
versions=${4:-50}
warm_up=${5:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT
for tool in nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install -y $tool)" >&2; exit 1; }
done

dotnet build -c Release "$root/bench/SecureGateway.Bench/SecureGateway.Bench.csproj" -v quiet -nologo >/dev/null
dotnet "$root/bench/SecureGateway.Bench/bin/Release/net10.0/SecureGateway.Bench.dll" world "$work" \
  --small-modules 1 --versions "$versions" --medium 0 --large-mb 1 --warm-up "$warm_up" >"$work/world.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do [ -s "$work/sumdb" ] && break; sleep 0.5; done
[ -s "$work/sumdb" ] || { echo "the world was not ready; see $work/world.log" >&2; exit 1; }
gosumdb=$(cat "$work/sumdb")

chmod 755 "$work" # nginx's workers run as an unprivileged user
start_nginx "$work" "$work/up" bench.example/small0/@v/list
pids+=("$nginx_pid")
mkdir -p "$work/policies"
echo 'function rule(facts, config) { return null; }' >"$work/policies/no-opinion.js"
module=bench.example/small0

# run DLL: prints "MEDIAN_MS step=mean_ms…" for one fresh gateway of that build.
run() {
  local dll=$1 port data
  port=$(free_port)
  data=$(mktemp -d "$work/data-XXXX")
  dotnet "$dll" serve --urls "http://127.0.0.1:$port" --Gateway:Upstream="$nginx_url" \
    --Gateway:DataDir="$data" --Gateway:PolicyDir="$work/policies" --Gateway:SumDb="$gosumdb" --Gateway:VulnDb:Source=off \
    --Gateway:Index:Url=off --Gateway:GitHub:ApiUrl=off --Logging:LogLevel:Default=Warning >"$data.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
  admit_versions "http://127.0.0.1:$port" bench.example/warmup "$warm_up"
  curl -sf "http://127.0.0.1:$port/metrics" >"$data.before"
  local latency
  latency=$(for i in $(seq 0 $((versions - 1))); do
    curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/$module/@v/v1.0.$i.info"
  done | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f", 1000 * v[int((NR + 1) / 2)] }')
  sleep 0.5 # the exporter answers a scrape within 300 ms of the last one from its cache: the "before" one, for a short run
  curl -sf "http://127.0.0.1:$port/metrics" >"$data.after"
  kill -TERM "$pid"; wait "$pid" || true
  python3 - "$data.before" "$data.after" "$versions" "$latency" <<'PY'
import re, sys
def steps(path):
    found = {}
    for line in open(path):
        m = re.match(r'securegateway_admission_step_duration_seconds_sum\{.*?step="(\w+)"\} (\S+)', line)
        if m:
            found[m.group(1)] = float(m.group(2))
    return found
before, after, count = steps(sys.argv[1]), steps(sys.argv[2]), int(sys.argv[3])
order = ["claim", "fetch", "verify", "checksum_db", "licences", "facts", "policy", "record", "commit"]
print(sys.argv[4], " ".join(f"{s}={(after.get(s, 0) - before.get(s, 0)) * 1000 / count:.2f}" for s in order))
PY
}

a=(); b=()
for i in $(seq 1 "$pairs"); do
  read -r ma sa <<<"$(run "$before")"; a+=("$ma")
  read -r mb sb <<<"$(run "$after")"; b+=("$mb")
  echo "pair $i: before $ma ms ($sa)"
  echo "        after  $mb ms ($sb)"
done
m_a=$(median "${a[@]}"); m_b=$(median "${b[@]}")
echo "median before $m_a ms, after $m_b ms per admission: $(python3 -c "print(f'{($m_b / $m_a - 1) * 100:+.1f}%')")"
