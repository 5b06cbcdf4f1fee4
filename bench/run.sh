#!/usr/bin/env bash
# The gateway against what it stands in front of, as ratios from one run on one machine (issue 14, "The benchmark"):
#   cold admission   `go mod download` of N new small versions, and of one large zip, through a gateway that has
#                    not seen them vs straight from the upstream and the checksum database (fresh module cache each
#                    time); once right after the gateway started, then (the goal's figure) after it admitted the
#                    warm-up versions, as a long-running gateway has; the gateway's RSS growth while it admits the zip;
#                    and `go mod download` in a project requiring N small modules, one new version of each per run
#   cached GET       wrk -t1 -c16 --latency: .zip (≈20 KB and ≈1 MB), .info, .mod from the gateway vs nginx serving
#                    the same files; req/s and p99
#   @v/list, @latest the gateway vs the upstream (nginx)
#   download ledger  cached GET of a zip with the ledger on vs a second gateway with it off, alternating
#   policy           p50 of the repository bundle's evaluation (`policy bench`)
#   hashing          the core's h1 of the large zip vs `unzip -p | sha256sum` over the same inflated bytes
#   licences         licence classification time per file never seen before, over the real-world corpus of the core
#                    tests (no baseline; a file seen before costs the SHA-256 of its bytes)
# The world (bench/SecureGateway.Bench): an upstream GOPROXY folder of a few hundred versions served by nginx, and the
# test suite's checksum database holding their records (plus 100,000 filler records). The gateway runs in Release with
# its embedded PostgreSQL and the repository's policies; the fact sources are off, except in a second cold run where
# they point at a closed loopback port to show what unreachable sources cost each admission.
# Installs nginx, wrk and unzip with apt-get when missing. Results: bench/results/<UTC time>/results.{json,md}.
#
#   bench/run.sh [--quick] [--no-build] [--store folder|s3] [--large-mb MB] [--seconds S] [--repeat R] [--versions N]
#                [--warm-up W]
#     --quick       50 MB large zip, 5 s per wrk run, 1 repetition, at most 300 warm-up versions (about 4 minutes after the build)
#     --no-build    use the Release builds already there
#     --store s3    the gateways keep their artefacts in S3: a one-node Ceph RADOS Gateway on loopback started by
#                   tests/s3-server/rgw.sh (installs radosgw ceph-mon ceph-osd when missing); default: the local folder
#     default       300 MB large zip, 10 s per wrk run, 3 repetitions (medians), 25 versions per cold download,
#                   each cold-admission gateway warmed up before it is timed until its JIT settled (100 admissions
#                   with less than 30 ms of compilation), at most 2,000 admissions (--warm-up W)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

large_mb=300 seconds=10 repeat=3 versions=25 warm_up=2000 mode=full build=1 store=folder
while [ $# -gt 0 ]; do
  case $1 in
    --quick) large_mb=50 seconds=5 repeat=1 warm_up=300 mode=quick ;;
    --no-build) build=0 ;;
    --store) store=$2; shift ;;
    --large-mb) large_mb=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --versions) versions=$2; shift ;;
    --warm-up) warm_up=$2; shift ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "$0")/.." && pwd)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="$root/bench/results/$stamp"
work=$(mktemp -d)
chmod 755 "$work" # nginx's workers run as an unprivileged user
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ "$store" = s3 ] && "$root/tests/s3-server/rgw.sh" stop "$work/rgw" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

missing=()
for tool in nginx wrk unzip curl python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}" >&2
  # A fresh machine has no package lists yet: without the update apt-get cannot locate wrk.
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
# store_args: what every gateway of the run is started with to keep its artefacts where --store says.
store_args=()
if [ "$store" = s3 ]; then
  command -v radosgw >/dev/null || { apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q radosgw ceph-mon ceph-osd >/dev/null; }
  echo "starting the S3 server (Ceph RADOS Gateway)" >&2
  "$root/tests/s3-server/rgw.sh" start "$work/rgw" >/dev/null
  . "$work/rgw/s3.env"
  curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    -X PUT "$S3_ENDPOINT/bench" >/dev/null
  store_args=(--Gateway:Store:Kind=s3 --Gateway:Store:S3:ServiceUrl="$S3_ENDPOINT" --Gateway:Store:S3:Bucket=bench
    --Gateway:Store:S3:AccessKey="$S3_ACCESS_KEY" --Gateway:Store:S3:SecretKey="$S3_SECRET_KEY")
elif [ "$store" != folder ]; then
  echo "--store folder|s3, not $store" >&2; exit 2
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

if [ "$build" = 1 ]; then
  echo "building (Release)" >&2
  dotnet build -c Release "$root/bench/SecureGateway.Bench/SecureGateway.Bench.csproj" -v quiet -nologo >/dev/null
fi
gateway_dll="$root/src/SecureGateway/bin/Release/net10.0/SecureGateway.dll"
bench_dll="$root/bench/SecureGateway.Bench/bin/Release/net10.0/SecureGateway.Bench.dll"

small_modules=$((2 * repeat + 3))
echo "$SECONDS s: world: $((small_modules + versions)) × $versions small versions, up to $warm_up to warm up, 5 medium, one of $large_mb MB" >&2
dotnet "$bench_dll" world "$work" --small-modules "$small_modules" --versions "$versions" --medium 5 --large-mb "$large_mb" \
  --warm-up "$warm_up" --dependencies "$versions" >&2 &
pids+=($!)
for _ in $(seq 1 600); do [ -s "$work/sumdb" ] && break; sleep 0.5; done
[ -s "$work/sumdb" ] || { echo "the world was not ready" >&2; exit 1; }
gosumdb=$(cat "$work/sumdb")

start_nginx "$work" "$work/up" bench.example/small0/@v/list
pids+=("$nginx_pid")
upstream=$nginx_url

cp -r "$root/policies" "$work/policies"
# Unreachable sources make the repository's rules quarantine (age and vulnerabilities unknown), and the go command then
# fetches no zip; a rule without an opinion lets the run measure the same admission work (the facts are gathered all
# the same) to its end.
mkdir -p "$work/no-opinion"
echo 'function rule(facts, config) { return null; }' >"$work/no-opinion/no-opinion.js"
gateway_pid=
# start_gateway NAME ARGS…: a gateway with its own data folder (and embedded PostgreSQL) on a free port.
start_gateway() {
  local name=$1; shift
  gateway_name=$name
  gateway_port=$(free_port)
  gateway="http://127.0.0.1:$gateway_port"
  dotnet "$gateway_dll" serve --urls "$gateway" --Gateway:DataDir="$work/data-$name" --Gateway:PolicyDir="$work/policies" \
    --Gateway:Upstream="$upstream" --Gateway:SumDb="$gosumdb" --Logging:LogLevel:Default=Warning \
    ${store_args[@]+"${store_args[@]}"} --Gateway:Store:S3:Prefix="$name/" "$@" >"$work/serve-$name.log" 2>&1 &
  gateway_pid=$!
  pids+=("$gateway_pid")
  for _ in $(seq 1 240); do curl -sf "$gateway/readyz" >/dev/null && return; sleep 0.5; done
  echo "gateway $name did not become ready; its log:" >&2
  cat "$work/serve-$name.log" >&2
  exit 1
}
# The gateway's own metrics (per-step admission times, cache tiers) are kept beside the results of each run.
stop_gateway() {
  mkdir -p "$out"
  curl -sf "$gateway/metrics" >"$out/metrics-$gateway_name.txt" || true
  kill -TERM "$gateway_pid"; wait "$gateway_pid" || true
}

results="$work/results.tsv"
: >"$results"
# record NAME UNIT BETTER GATEWAY BASELINE [NOTE]: one row of the table (BETTER: lower or higher).
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-}" >>"$results"; }
now_ms() { date +%s%3N; }

# go_download PROXY MODULE@VERSION…: milliseconds of `go mod download` with a fresh module cache.
# go_download PROXY GO_MOD: the same in a project whose go.mod is the file GO_MOD (its build list, fetched in parallel).
go_download() {
  local proxy=$1; shift
  local home; home=$(mktemp -d "$work/go-XXXX")
  local flags=-modcacherw
  if [ -f "$1" ]; then cp "$1" "$home/go.mod"; flags="$flags -mod=mod"; shift; fi
  local start; start=$(now_ms)
  if ! (cd "$home" && env HOME="$home" GOPATH="$home/gopath" GOMODCACHE="$home/modcache" GOCACHE="$home/cache" \
      GOPROXY="$proxy" GOSUMDB="$gosumdb" GOFLAGS="$flags" GONOSUMDB= GOPRIVATE= GONOPROXY= GOINSECURE= \
      go mod download "$@" >"$home/out" 2>&1); then
    echo "go mod download through $proxy failed:" >&2; tail -20 "$home/out" >&2; exit 1
  fi
  echo $(($(now_ms) - start))
  rm -rf "$home"
}
versions_of() { local v; for v in $(seq 0 $((versions - 1))); do echo "bench.example/$1@v1.0.$v"; done; }

# wrk_run URL: "req/s p99-ms" of one wrk -t1 -c16 run.
wrk_run() {
  wrk -t1 -c16 -d"${seconds}s" --latency "$1" | awk '
    /Requests\/sec/ { rps = $2 }
    $1 == "99%" { v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
                  p99 = v * (unit == "us" ? 0.001 : unit == "s" ? 1000 : 1) }
    END { printf "%s %.3f\n", rps, p99 }'
}
# warm URL: runs wrk on URL in 3 s rounds until two rounds agree within 10% (at most 10 rounds). A fresh process serves
# from tier-0 JIT code at first and its hot path is recompiled in the background (measured on a busy 2-core box: a 20 KB
# zip at 4-6k req/s for 10 s, then 21k, then 28k); the figures are of the steady state a long-running gateway is in.
warm() {
  local previous=0 current
  for _ in $(seq 1 10); do
    current=$(wrk -t1 -c16 -d3s "$1" | awk '/Requests\/sec/ { printf "%d", $2 }')
    if [ "$previous" -gt 0 ] && [ $((current * 10)) -le $((previous * 11)) ] && [ $((current * 10)) -ge $((previous * 9)) ]; then
      return
    fi
    previous=$current
  done
}
# compare_get NAME PATH: the gateway and nginx alternately, medians of req/s and p99.
compare_get() {
  local name=$1 path=$2 g_rps=() g_p99=() n_rps=() n_p99=() r
  curl -sf -o /dev/null "$gateway$path" || { echo "the gateway did not serve $path" >&2; exit 1; }
  warm "$gateway$path"
  for _ in $(seq 1 "$repeat"); do
    read -r -a r <<<"$(wrk_run "$gateway$path")"; g_rps+=("${r[0]}"); g_p99+=("${r[1]}")
    read -r -a r <<<"$(wrk_run "$upstream$path")"; n_rps+=("${r[0]}"); n_p99+=("${r[1]}")
  done
  record "$name req/s" "req/s" higher "$(median "${g_rps[@]}")" "$(median "${n_rps[@]}")" "nginx"
  record "$name p99" "ms" lower "$(median "${g_p99[@]}")" "$(median "${n_p99[@]}")" "nginx"
}

# jit_seconds: the gateway's JIT compilation time so far (s), from its /metrics.
jit_seconds() { { curl -sf "$gateway/metrics" || true; } | awk '/^dotnet_jit_compilation_time_seconds_total/ { print $2 }'; }
# jit_settled BEFORE AFTER: whether less than 30 ms of compilation came between the two readings (100 admissions apart).
jit_settled() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(b - a < 0.03) }'; }

# cold_admission NAME FIRST_MODULE TIMED_MODULE…: into the table, `go mod download` of FIRST_MODULE's versions through
# the gateway just started (and straight from the upstream), then the warm-up, then the medians of the TIMED_MODULEs'.
# A fresh process runs tier-0 JIT code while the runtime recompiles its hot paths in the background (with profile-guided
# optimisation, which cached serving gains ~10% from): some 14 s of compilation, over the first 600 to 1,700 admissions
# on a busy 2-core box (the call counting that promotes a method waits while new methods are still being compiled). The
# warm-up goes on until 100 admissions cost less than 30 ms of compilation, at most --warm-up admissions; the table's
# note says where it stopped (`warmed`, also used by project_download on the same gateway).
cold_admission() {
  local name=$1 first=$2 mods g=() d=() first_g first_d module; shift 2
  mapfile -t mods < <(versions_of "$first")
  first_g=$(go_download "$gateway" "${mods[@]}"); first_d=$(go_download "$upstream" "${mods[@]}")
  record "cold: $versions small versions, $name, first download after the gateway started" ms lower "$first_g" "$first_d" \
    "go mod download direct; one run"
  local warm=() v admitted=0 jit_mark jit_at=0
  jit_mark=$(jit_seconds)
  warmed="JIT still compiling after $warm_up warm-up admissions"
  for v in $(seq 0 $((warm_up - 1))); do
    warm+=("bench.example/warmup@v1.0.$v")
    if [ ${#warm[@]} -eq "$versions" ] || [ "$v" -eq $((warm_up - 1)) ]; then
      go_download "$gateway" "${warm[@]}" >/dev/null; warm=(); admitted=$((v + 1))
      if [ $((admitted - jit_at)) -ge 100 ]; then
        if jit_settled "$jit_mark" "$(jit_seconds)"; then warmed="after $admitted warm-up admissions (JIT settled)"; break; fi
        jit_mark=$(jit_seconds); jit_at=$admitted
      fi
    fi
  done
  echo "$SECONDS s: warm-up: $warmed" >&2
  for module in "$@"; do
    mapfile -t mods < <(versions_of "$module")
    g+=("$(go_download "$gateway" "${mods[@]}")"); d+=("$(go_download "$upstream" "${mods[@]}")")
  done
  record "cold: $versions small versions, $name" ms lower "$(median "${g[@]}")" "$(median "${d[@]}")" \
    "go mod download direct; $warmed"
}
# project_download NAME: into the table, the medians of `go mod download` in a project that requires $versions modules
# (bench.example/dep1 …, one new version of each per run) through the gateway and straight from the upstream. The go
# command reads their go.mod files and then their zips two at a time on two cores (GOMAXPROCS), so the gateway admits
# in parallel here, where `go mod download` of one module's versions asks for each .info in turn.
project_download() {
  local g=() d=() r k
  for r in $(seq 0 $((repeat - 1))); do
    { printf 'module bench.example/app\n\ngo 1.19\n\nrequire (\n'
      for k in $(seq 1 "$versions"); do printf '\tbench.example/dep%s v1.0.%s\n' "$k" "$r"; done
      printf ')\n'; } >"$work/project.mod"
    g+=("$(go_download "$gateway" "$work/project.mod")"); d+=("$(go_download "$upstream" "$work/project.mod")")
  done
  record "cold: a project requiring $versions small modules, $1" ms lower "$(median "${g[@]}")" "$(median "${d[@]}")" \
    "go mod download direct, in the project; $warmed"
}
timed_modules() { local r; for r in $(seq "$1" "$2"); do echo "small$r"; done; }

echo "$SECONDS s: cold admission with the fact sources refused" >&2
# A loopback port nobody listens on: connections are refused at once, as on a site without a route to the sources.
unreachable=http://127.0.0.1:$(free_port)
start_gateway unreachable --Gateway:PolicyDir="$work/no-opinion" --Gateway:VulnDb:Source="$unreachable" --Gateway:Index:Url="$unreachable" --Gateway:GitHub:ApiUrl="$unreachable/"
cold_admission "fact sources refused, no-opinion rule" "small$((2 * repeat + 1))" $(timed_modules $((repeat + 1)) $((2 * repeat)))
stop_gateway

echo "$SECONDS s: cold admission with the fact sources off" >&2
start_gateway off --Gateway:VulnDb:Source=off --Gateway:Index:Url=off --Gateway:GitHub:ApiUrl=off
cold_admission "fact sources off, repository policies" "small$((2 * repeat + 2))" $(timed_modules 1 "$repeat")
project_download "fact sources off, repository policies"

# The peak RSS is reset (clear_refs 5) so that VmHWM afterwards is the peak during the admission alone.
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
rss_before=$(rss_kb "$gateway_pid" VmRSS)
echo 5 >"/proc/$gateway_pid/clear_refs"
g_large=$(go_download "$gateway" bench.example/large@v1.0.0)
rss_peak=$(rss_kb "$gateway_pid" VmHWM)
d_large=$(go_download "$upstream" bench.example/large@v1.0.0)
record "cold: one $large_mb MB zip" ms lower "$g_large" "$d_large" "go mod download direct"
record "cold: $large_mb MB zip, gateway RSS growth" MB lower "$(((rss_peak - rss_before) / 1024))" "" "peak VmHWM − VmRSS before; goal < 64"

echo "$SECONDS s: cached GET (wrk -t1 -c16, $seconds s, $repeat× alternating)" >&2
curl -sf -o /dev/null "$gateway/bench.example/medium/@v/v1.0.0.zip"
compare_get "GET .zip (20 KB)" /bench.example/small1/@v/v1.0.0.zip
compare_get "GET .zip (1 MB)" /bench.example/medium/@v/v1.0.0.zip
compare_get "GET .info" /bench.example/small1/@v/v1.0.0.info
compare_get "GET .mod" /bench.example/small1/@v/v1.0.0.mod
compare_get "GET @v/list" /bench.example/small1/@v/list
compare_get "GET @latest" /bench.example/small1/@latest

echo "$SECONDS s: the download ledger's cost to cached GET (one client, ledger on vs off, alternating)" >&2
# Two fresh gateways alike but for the ledger: the one that ran the figures above carries their state (a larger heap,
# thousands of decisions), which would be measured as the ledger's cost.
stop_gateway
zip_path=/bench.example/small1/@v/v1.0.0.zip
ledger_args=(--Gateway:VulnDb:Source=off --Gateway:Index:Url=off --Gateway:GitHub:ApiUrl=off)
start_gateway ledger-on --Gateway:DownloadLedger=true "${ledger_args[@]}"
ledger_on=$gateway; ledger_on_pid=$gateway_pid
start_gateway ledger-off --Gateway:DownloadLedger=false "${ledger_args[@]}"
ledger_off=$gateway
for url in "$ledger_on$zip_path" "$ledger_off$zip_path"; do
  curl -sf -o /dev/null "$url" || { echo "a ledger gateway did not serve $url" >&2; exit 1; }
  warm "$url"
done
on=(); off=()
for _ in $(seq 1 "$repeat"); do
  read -r -a r <<<"$(wrk_run "$ledger_on$zip_path")"; on+=("${r[0]}")
  read -r -a r <<<"$(wrk_run "$ledger_off$zip_path")"; off+=("${r[0]}")
done
record "GET .zip (20 KB) req/s with the download ledger" "req/s" higher "$(median "${on[@]}")" "$(median "${off[@]}")" "the same gateway without it; goal ≥ 0.95"
stop_gateway
gateway=$ledger_on; gateway_pid=$ledger_on_pid; gateway_name=ledger-on
stop_gateway

echo "$SECONDS s: policy evaluation" >&2
policy_p50=$(dotnet "$gateway_dll" policy bench --dir "$work/policies" | sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p')
record "policy evaluation p50, repository bundle" ms lower "$policy_p50" "" "policy bench, 10,000 evaluations; goal ≤ 0.5"

echo "$SECONDS s: hashing" >&2
large_zip="$work/up/bench.example/large/@v/v1.0.0.zip"
h1_ms=$(dotnet "$bench_dll" h1 "$large_zip" 3)
sha=()
for _ in 1 2 3; do
  start=$(now_ms); unzip -p "$large_zip" | sha256sum >/dev/null; sha+=($(($(now_ms) - start)))
done
record "h1 of the $large_mb MB zip" ms lower "$h1_ms" "$(printf '%s\n' "${sha[@]}" | sort -n | head -1)" "unzip -p | sha256sum; best of 3"

echo "$SECONDS s: licence classification" >&2
licences=$(dotnet "$bench_dll" licences "$root/tests/SecureGateway.Core.Tests/Policy/Licences/Corpus" 10 | tail -1)
record "licence classification per file never seen before, p50" ms lower "$(sed -n 's/.*p50 \([0-9.]*\) ms.*/\1/p' <<<"$licences")" "" "$licences"

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$out"
python3 - "$results" "$out" "$mode, store $store" "$load_before" "$load_after" "$(nproc)" "$(git -C "$root" rev-parse --short HEAD)" \
  "$(go version | cut -d' ' -f3)" "$seconds" "$repeat" <<'PY'
import json, sys
rows_path, out, mode, load_before, load_after, cores, commit, go, seconds, repeat = sys.argv[1:]
rows = []
for line in open(rows_path):
    name, unit, better, gateway, baseline, note = line.rstrip("\n").split("\t")
    g = float(gateway)
    b = float(baseline) if baseline else None
    rows.append({"name": name, "unit": unit, "better": better, "gateway": g, "baseline": b,
                 "ratio": round(g / b, 3) if b else None, "baseline_is": note})
meta = {"mode": mode, "commit": commit, "go": go, "cores": int(cores), "load_before": load_before,
        "load_after": load_after, "wrk_seconds": int(seconds), "repeat": int(repeat)}
json.dump({"meta": meta, "results": rows}, open(f"{out}/results.json", "w"), indent=2)
fmt = lambda v: "" if v is None else (f"{v:,.0f}" if v >= 100 else f"{v:.3g}")
md = [f"Benchmark ({mode}) at {commit}, {go}, {cores} cores, load {load_before} before / {load_after} after; "
      f"wrk {seconds} s per run, medians of {repeat}.", "",
      "| measure | unit | gateway | baseline | gateway ÷ baseline | better | baseline |", "|---|---|---:|---:|---:|---|---|"]
cell = lambda text: text.replace("|", "\\|")
for r in rows:
    md.append(f"| {r['name']} | {r['unit']} | {fmt(r['gateway'])} | {fmt(r['baseline'])} | {fmt(r['ratio'])} | {r['better']} | {cell(r['baseline_is'])} |")
open(f"{out}/results.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
echo "written to $out" >&2
