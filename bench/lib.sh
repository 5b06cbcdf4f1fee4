# Shared by the bench scripts (sourced, not run).

# median N…: the median of the numbers given.
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# serve_file_upstream DLL PORT UPSTREAM_DIR DATA_DIR POLICY_DIR LOG [ARGS…]: a gateway build serving a file:// upstream
# with the checksum DB and every fact source off (ARGS come first, so they set anything else), started in the
# background; returns once /readyz answers (or after a minute), with its pid in gateway_pid.
serve_file_upstream() {
  local dll=$1 port=$2 upstream=$3 data=$4 policies=$5 log=$6
  shift 6
  dotnet "$dll" serve "$@" --urls "http://127.0.0.1:$port" --Gateway:Upstream="file://$upstream" --Gateway:DataDir="$data" \
    --Gateway:PolicyDir="$policies" --Gateway:SumDb=off --Gateway:VulnDb:Source=off --Gateway:Index:Url=off \
    --Gateway:GitHub:ApiUrl=off --Logging:LogLevel:Default=Warning >"$log" 2>&1 &
  gateway_pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return; sleep 0.5; done
}
