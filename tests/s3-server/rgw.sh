#!/usr/bin/env bash
# A real S3 server for the test suite: a throw-away one-node Ceph cluster (one monitor, one
# OSD on the in-memory "memstore" backend, one RADOS Gateway) bound to 127.0.0.1.
# Recipe: /work/shared/docs/s3-ceph-rgw.md (checked with Debian 12, Ceph 16.2 "pacific").
# Needs the Debian packages radosgw, ceph-mon and ceph-osd; .ci/run installs them.
#
#   rgw.sh start DIR   DIR empty or absent. Everything (config, keys, data, logs under
#                      DIR/log, pid files under DIR/run) stays inside DIR, so several
#                      instances can run at once. On success writes DIR/s3.env and prints
#                      S3_ENDPOINT=http://127.0.0.1:PORT, S3_ACCESS_KEY=..., S3_SECRET_KEY=...
#                      (path-style addressing, any region, Signature V4).
#   rgw.sh stop DIR    Ends radosgw, ceph-osd and ceph-mon of DIR (SIGTERM, then SIGKILL).
#                      Exits 0 even if they are already gone.
#
# Data lives in memory only: it is gone when the OSD stops. Start takes about 13 s, stop about
# 6 s. RGW_START_TIMEOUT (seconds, default 90) bounds the start.
# Clients must send x-amz-content-sha256 (AWS SDKs do; curl 7.88's --aws-sigv4 does not, so
# add -H "x-amz-content-sha256: UNSIGNED-PAYLOAD", otherwise RGW answers SignatureDoesNotMatch).
set -euo pipefail

readonly START_TIMEOUT=${RGW_START_TIMEOUT:-90}   # seconds until the gateway must answer HTTP
readonly STOP_GRACE=5              # seconds between SIGTERM and SIGKILL
readonly PID_NAMES=(client.rgw.a osd.0 mon.a)   # stop order: gateway, OSD, monitor

usage() {
    echo "usage: $0 start|stop DIR" >&2
    exit 2
}

die() {
    echo "rgw.sh: $*" >&2
    exit 1
}

# Pid of a daemon of this DIR, from its pid file, only if that process is still alive and
# was started with this DIR's ceph.conf (guards against a reused pid).
daemon_pid() {
    local dir=$1 name=$2 pid
    [[ -s $dir/run/$name.pid ]] || return 1
    pid=$(tr -dc '0-9' < "$dir/run/$name.pid")
    [[ -n $pid ]] || return 1
    local cmdline
    cmdline=$(tr '\0' ' ' 2>/dev/null < "/proc/$pid/cmdline") || return 1
    [[ $cmdline == *"$dir/ceph.conf"* ]] || return 1
    echo "$pid"
}

# One daemon at a time, gateway first: the OSD stops at once while the monitor still runs
# (with the monitor gone it would wait for it), the monitor last.
stop_daemons() {
    local dir=$1 name pid deadline
    for name in "${PID_NAMES[@]}"; do
        pid=$(daemon_pid "$dir" "$name") || continue
        kill -TERM "$pid" 2>/dev/null || continue
        deadline=$((SECONDS + STOP_GRACE))
        while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    done
}

# Two distinct free TCP ports on 127.0.0.1 (held open together while picking).
free_ports() {
    python3 - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

rand_hex() { # $1 = number of bytes
    od -An -vtx1 -N"$1" /dev/urandom | tr -d ' \n'
}

cmd_stop() {
    local dir=$1
    [[ -d $dir ]] || return 0
    dir=$(cd "$dir" && pwd -P)
    stop_daemons "$dir"
}

cmd_start() {
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    [[ -z $(ls -A "$dir") ]] || die "$dir is not empty"
    command -v ceph-mon >/dev/null && command -v ceph-osd >/dev/null &&
        command -v radosgw >/dev/null && command -v radosgw-admin >/dev/null ||
        die "ceph-mon, ceph-osd, radosgw and radosgw-admin are needed (apt-get install -y radosgw ceph-mon ceph-osd)"

    local conf=$dir/ceph.conf log=$dir/log/setup.log
    mkdir -p "$dir/run" "$dir/log" "$dir/mon.a" "$dir/osd.0"

    local ports monport s3port fsid
    ports=$(free_ports)
    read -r monport s3port <<<"$ports"
    fsid=$(cat /proc/sys/kernel/random/uuid)

    cat > "$conf" <<EOF
[global]
fsid = $fsid
mon host = 127.0.0.1:$monport
mon initial members = a
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/keyring
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon allow pool size one = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = 2147483648
osd crush chooseleaf type = 0

[client]
# command-line clients (ceph, radosgw-admin) may run concurrently: one socket each
admin socket = $dir/run/\$name.\$pid.asok

[mon.a]
mon data = $dir/mon.a
# the monitor would shut itself down below 5 % free disk (and warn below 30 %)
mon data avail warn = 1
mon data avail crit = 0

[osd.0]
osd data = $dir/osd.0
public addr = 127.0.0.1
cluster addr = 127.0.0.1

[client.rgw.a]
admin socket = $dir/run/\$name.asok
rgw frontends = beast endpoint=127.0.0.1:$s3port tcp_nodelay=1
rgw enable usage log = false
EOF

    local deadline=$((SECONDS + START_TIMEOUT))
    # On any failure from here on: report, show the logs, stop what was started.
    fail() {
        echo "rgw.sh: $*" >&2
        local f
        for f in "$dir"/log/*.log; do
            [[ -s $f ]] || continue
            echo "----- tail of $f" >&2
            tail -n 25 "$f" >&2
        done
        stop_daemons "$dir"
        exit 1
    }
    run() { # run a setup command, output to the setup log, bounded by the overall deadline
        local left=$((deadline - SECONDS))
        ((left > 0)) || fail "timed out after ${START_TIMEOUT}s (at: $*)"
        echo "+ $*" >> "$log"
        timeout "$left" "$@" >> "$log" 2>&1 || fail "command failed: $*"
    }
    ceph_() { run ceph -c "$conf" --connect-timeout 30 "$@"; }

    # Keys and monitor.
    run ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *'
    run ceph-authtool "$dir/keyring" --gen-key -n client.admin \
        --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *'
    run monmaptool --create --add a "127.0.0.1:$monport" --fsid "$fsid" "$dir/monmap"
    run ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring"
    run ceph-mon -c "$conf" -i a

    # OSD.
    ceph_ osd create
    local left=$((deadline - SECONDS))
    echo "+ ceph auth get-or-create osd.0 > $dir/osd.0/keyring" >> "$log"
    timeout "$left" ceph -c "$conf" --connect-timeout 30 auth get-or-create osd.0 \
        mon 'allow profile osd' osd 'allow *' mgr 'allow profile osd' \
        > "$dir/osd.0/keyring" 2>> "$log" || fail "could not create the osd.0 key"
    run ceph-osd -c "$conf" -i 0 --mkfs --osd-data "$dir/osd.0" --keyring "$dir/osd.0/keyring"
    run ceph-osd -c "$conf" -i 0 --osd-data "$dir/osd.0" --keyring "$dir/osd.0/keyring"
    ceph_ osd crush add osd.0 1 root=default host=localhost

    # Gateway.
    left=$((deadline - SECONDS))
    echo "+ ceph auth get-or-create client.rgw.a > $dir/rgw.keyring" >> "$log"
    timeout "$left" ceph -c "$conf" --connect-timeout 30 auth get-or-create client.rgw.a \
        mon 'allow rw' osd 'allow rwx' \
        > "$dir/rgw.keyring" 2>> "$log" || fail "could not create the client.rgw.a key"
    run radosgw -c "$conf" -n client.rgw.a --keyring "$dir/rgw.keyring"

    local endpoint=http://127.0.0.1:$s3port
    until curl -s -o /dev/null --max-time 2 "$endpoint/"; do
        ((SECONDS < deadline)) ||
            fail "radosgw did not answer on $endpoint within ${START_TIMEOUT}s"
        [[ -s $dir/run/client.rgw.a.pid ]] && ! daemon_pid "$dir" client.rgw.a >/dev/null &&
            fail "radosgw exited before answering on $endpoint"
        sleep 0.5
    done

    # A user with fresh credentials.
    local access secret
    access=$(rand_hex 10 | tr 'a-f' 'A-F')
    secret=$(rand_hex 20)
    run radosgw-admin -c "$conf" user create --uid=gateway --display-name=gateway \
        --access-key="$access" --secret="$secret"

    local name
    for name in "${PID_NAMES[@]}"; do
        daemon_pid "$dir" "$name" >/dev/null || fail "$name is not running (no live pid in $dir/run/$name.pid)"
    done

    printf 'S3_ENDPOINT=%s\nS3_ACCESS_KEY=%s\nS3_SECRET_KEY=%s\n' "$endpoint" "$access" "$secret" \
        > "$dir/s3.env"
    cat "$dir/s3.env"
}

(($# == 2)) || usage
case $1 in
    start) cmd_start "$2" ;;
    stop) cmd_stop "$2" ;;
    *) usage ;;
esac
