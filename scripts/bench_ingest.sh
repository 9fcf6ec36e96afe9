#!/bin/sh
# make bench (part): end-to-end carrier event ingestion through one server
# process -- HTTP push, DCSA parse, dedupe and store in Redis -- in events
# per second, beside redis-benchmark's plain XADD on the same Redis for
# comparison.  wrk posts DCSA bodies of BENCH_BATCH events, every event
# with a new eventID (scripts/bench_ingest.lua), to POST
# /v1/feeds/chenglingji/events; each case runs ROUNDS times, interleaved,
# and medians are reported.
#   BENCH_SECONDS (10)  BENCH_CONNS (8)  BENCH_BATCH (100)  ROUNDS (3)
set -eu
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-8}
batch=${BENCH_BATCH:-100}
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

bin/dongting --listen "127.0.0.1:$port" --redis "127.0.0.1:$rport" --admin-key "$admin" \
    --rate-limit-rps 0 --max-body-bytes 16777216 2>"$tmp/dongting.log" &
spid=$!
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "ingest: wrk -t2 -c$conns -d${secs}s, $batch DCSA events per body, $rounds interleaved rounds"
i=0
while [ $i -lt "$rounds" ]; do
    BENCH_BATCH=$batch BENCH_ROUND=$i wrk -t2 -c"$conns" -d"${secs}s" \
        -s scripts/bench_ingest.lua -H "Authorization: Bearer $admin" \
        "http://127.0.0.1:$port/v1/feeds/chenglingji/events" > "$tmp/wrk.out" 2>&1
    rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.out")
    echo "ingest $(echo "$rps $batch" | awk '{printf "%.0f", $1 * $2}') ${non2xx:-0}" >> "$tmp/results"
    x=$(redis-benchmark -p "$rport" -n 200000 -c 50 -q XADD bench:xadd '*' f v 2>/dev/null \
        | tr '\r' '\n' | sed -n 's/.* \([0-9.]*\) requests per second.*/\1/p' | tail -1)
    echo "xadd $x" >> "$tmp/results"
    x=$(redis-benchmark -p "$rport" -n 400000 -c 50 -P 16 -q XADD bench:xadd '*' f v 2>/dev/null \
        | tr '\r' '\n' | sed -n 's/.* \([0-9.]*\) requests per second.*/\1/p' | tail -1)
    echo "xadd_pipelined16 $x" >> "$tmp/results"
    redis-cli -p "$rport" del bench:xadd >/dev/null
    i=$((i + 1))
done
stats=$(curl -fsS -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/v1/feeds")
echo "$stats" | python3 -c 'import json,sys
f=[x for x in json.load(sys.stdin)["feeds"] if x["name"]=="chenglingji"][0]
print("server counted: accepted %d, duplicates %d, rejected %d, bodies %d, store errors %d" %
      (f["accepted"], f["duplicates"], f["rejected"], f["bodies"], f["store_errors"]))'
printf '%-18s %14s\n' case "median per s"
for name in ingest xadd xadd_pipelined16; do
    grep "^$name " "$tmp/results" | sort -k2 -n | awk -v n="$rounds" -v name="$name" '
        NR == int((n + 1) / 2) { printf "%-18s %14s%s\n", name, $2,
                                 (name == "ingest" ? " events (non-2xx answers: " $3 ")" : " XADDs") }'
done
echo "(all rounds:)"; cat "$tmp/results"
awk '/VmHWM/ {print "dongting peak RSS: " $2 " " $3}' "/proc/$spid/status"
echo "redis used_memory: $(redis-cli -p "$rport" info memory | awk -F: '/^used_memory_human/ {print $2}' | tr -d '\r')"
