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

# admit_versions GATEWAY MODULE COUNT: asks for the .info of MODULE's v1.0.0 … v1.0.(COUNT-1), one after the other: a
# fresh process recompiles its admission path for its first ~800 admissions, which timed admissions must not include.
admit_versions() {
  local i
  for i in $(seq 0 $(($3 - 1))); do curl -sf -o /dev/null "$1/$2/@v/v1.0.$i.info"; done
}

# free_port: a TCP port on 127.0.0.1 that is free when asked.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_nginx WORK ROOT READY_PATH: nginx serving the folder ROOT on a free port (its config, pid and error log in WORK),
# in the background; sets nginx_pid and nginx_url, and returns once READY_PATH answers (or after 10 s).
start_nginx() {
  local work=$1 root=$2 ready=$3 port
  port=$(free_port)
  cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  types { application/zip zip; application/json info; }
  default_type text/plain;
  server { listen 127.0.0.1:$port; root $root; }
}
CONF
  nginx -c "$work/nginx.conf" -p "$work" &
  nginx_pid=$!
  nginx_url="http://127.0.0.1:$port"
  for _ in $(seq 1 50); do curl -sf -o /dev/null "$nginx_url/$ready" && return; sleep 0.2; done
}
