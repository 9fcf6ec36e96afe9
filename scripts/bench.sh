#!/bin/sh
# make bench: throughput and latency of the HTTP front, measured with wrk
# against a private redis-server and bin/dongting on free loopback ports.
# Each case runs ROUNDS times (default 3), interleaved, and the median of
# requests/s is reported, as the machines are noisy.
#   BENCH_SECONDS (10)  BENCH_CONNS (32)  ROUNDS (3)
set -eu
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-32}
rounds=${ROUNDS:-3}
tmp=$(mktemp -d)

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
rport=$(free_port)
port=$(free_port)
admin=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')

redis-server --port "$rport" --bind 127.0.0.1 --dir "$tmp" --save "" \
    --appendonly yes --appendfsync everysec --daemonize no --logfile "$tmp/redis.log" &
rpid=$!
cleanup() {
    kill "${spid:-}" 2>/dev/null || true
    kill "$rpid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
until redis-cli -p "$rport" ping >/dev/null 2>&1; do sleep 0.1; done

bin/dongting --listen "127.0.0.1:$port" --redis "127.0.0.1:$rport" \
    --admin-key "$admin" --rate-limit-rps 0 --public-rate-limit-rps 0 --max-connections 4096 2>"$tmp/dongting.log" &
spid=$!
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done

key=$(curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d '{"role":"forwarder","tenant":"bench","name":"bench"}' \
    "http://127.0.0.1:$port/v1/keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "wrk -t2 -c$conns -d${secs}s, $rounds interleaved rounds, median requests/s"
run() {  # name, then wrk arguments
    name=$1; shift
    wrk -t2 -c"$conns" -d"${secs}s" --latency "$@" > "$tmp/wrk.out" 2>&1
    rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
    p50=$(awk '$1=="50%" {print $2}' "$tmp/wrk.out")
    p99=$(awk '$1=="99%" {print $2}' "$tmp/wrk.out")
    errs=$(awk '/Non-2xx|Socket errors/' "$tmp/wrk.out" | tr '\n' ' ')
    echo "$name $rps $p50 $p99 ${errs:-no errors}" >> "$tmp/results"
}
i=0
while [ $i -lt "$rounds" ]; do
    run healthz "http://127.0.0.1:$port/healthz"
    run whoami_redis_auth -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/whoami"
    run distance_sea "http://127.0.0.1:$port/v1/distance?from=CNSHA&to=NLRTM&mode=sea"
    i=$((i + 1))
done
printf '%-20s %12s %10s %10s  %s\n' case "median req/s" "p50" "p99" "errors"
for name in healthz whoami_redis_auth distance_sea; do
    grep "^$name " "$tmp/results" | sort -k2 -n | awk -v n="$rounds" -v name="$name" '
        NR == int((n + 1) / 2) { printf "%-20s %12s %10s %10s  ", name, $2, $3, $4;
                                 for (i = 5; i <= NF; i++) printf "%s ", $i; printf "\n" }'
done
echo "(all rounds:)"; cat "$tmp/results"
rss=$(awk '/VmHWM/ {print $2 " " $3}' "/proc/$spid/status")
echo "dongting peak RSS: $rss"

# Network data load time at start-up, as the server measures and logs it:
# median of 7 starts (no Redis needed for this).
i=0
: > "$tmp/load_ms"
while [ $i -lt 7 ]; do
    p=$(free_port)
    bin/dongting --listen "127.0.0.1:$p" --redis "127.0.0.1:$rport" 2>"$tmp/start.log" &
    lpid=$!
    until grep -q network_loaded "$tmp/start.log" 2>/dev/null; do sleep 0.05; done
    kill "$lpid"; wait "$lpid" 2>/dev/null || true
    sed -n 's/.* in \([0-9.]*\) ms.*/\1/p' "$tmp/start.log" | head -1 >> "$tmp/load_ms"
    i=$((i + 1))
done
echo "network load at start-up (geodata/data, 7 starts): median $(sort -n "$tmp/load_ms" | sed -n 4p) ms, all: $(tr '\n' ' ' < "$tmp/load_ms")"
