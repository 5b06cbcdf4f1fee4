#!/usr/bin/env bash
# Cold-admission latency of two builds of the gateway, in alternating pairs on the same machine (before/after a change
# to the admission path). Each run starts a build with a fresh data folder (and embedded PostgreSQL), serves small
# versions from a file:// upstream with the checksum DB and fact sources off, admits W versions of a warm-up module (a
# fresh process recompiles its hot paths for its first ~800 admissions), then asks for each of N new versions' .info
# once, one after the other (as the go command does), and prints their median latency. Needs curl and python3.
#
#   bench/cold-admission.sh BEFORE.dll AFTER.dll [pairs=3] [versions=40] [warm-up=1000]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

before=${1:?BEFORE.dll}
after=${2:?AFTER.dll}
pairs=${3:-3}
versions=${4:-40}
warm_up=${5:-1000}
port=${PORT:-8092}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/policies"
python3 - "$work/up" "$versions" "$warm_up" <<'PY'
import os, sys, zipfile
root = sys.argv[1]
for module, count in (("example.com/cold", int(sys.argv[2])), ("example.com/warmup", int(sys.argv[3]))):
    d = f"{root}/{module}/@v"
    os.makedirs(d)
    versions = [f"v1.0.{i}" for i in range(count)]
    open(f"{d}/list", "w").write("".join(v + "\n" for v in versions))
    for v in versions:
        open(f"{d}/{v}.info", "w").write('{"Version":"%s","Time":"2020-01-01T00:00:00Z"}' % v)
        open(f"{d}/{v}.mod", "w").write(f"module {module}\n")
        with zipfile.ZipFile(f"{d}/{v}.zip", "w") as z:
            z.writestr(f"{module}@{v}/go.mod", f"module {module}\n")
            z.writestr(f"{module}@{v}/LICENSE", "Permission is hereby granted, free of charge, to any person obtaining a copy\n")
            z.writestr(f"{module}@{v}/cold.go", "package cold\n")
PY
echo 'function rule(facts, config) { return null; }' > "$work/policies/no-opinion.js"

run() {
  local name=$1 dll=$2
  rm -rf "$work/data-$name"
  serve_file_upstream "$dll" "$port" "$work/up" "$work/data-$name" "$work/policies" "$work/serve-$name.log"
  admit_versions "http://127.0.0.1:$port" example.com/warmup "$warm_up"
  for i in $(seq 0 $((versions - 1))); do
    curl -sf -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/example.com/cold/@v/v1.0.$i.info"
  done | sort -g | awk '{ v[NR] = $1 } END { printf "%.1f\n", 1000 * v[int((NR + 1) / 2)] }'
  kill -TERM "$gateway_pid"
  wait "$gateway_pid" || true
}

a=(); b=()
for i in $(seq 1 "$pairs"); do
  a+=("$(run before "$before")"); b+=("$(run after "$after")")
  echo "pair $i: before ${a[-1]} ms, after ${b[-1]} ms per admission (median)"
done
m_a=$(median "${a[@]}"); m_b=$(median "${b[@]}")
echo "median before $m_a ms, after $m_b ms per admission: $(python3 -c "print(f'{($m_b / $m_a - 1) * 100:+.1f}%')")"
