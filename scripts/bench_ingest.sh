#!/bin/sh
# make bench (part): end-to-end carrier event ingestion through one server
# process -- HTTP push, DCSA parse, dedupe and store in Redis -- in events
# per second, beside redis-benchmark's plain XADD on the same Redis.
# wrk posts DCSA bodies of BENCH_BATCH events, every event with a new
# eventID (scripts/bench_ingest.lua), to POST /v1/feeds/chenglingji/events.
# Two set-ups, each a redis-server and a bin/dongting of its own, measured
# in turn: Redis with its append-only file (fsync every second, as make run
# has it) and Redis without persistence.  ROUNDS rounds, interleaved;
# medians are reported.
#   BENCH_SECONDS (10)  BENCH_CONNS (8)  BENCH_BATCH (100)  ROUNDS (3)
set -eu
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-10}
conns=${BENCH_CONNS:-8}
batch=${BENCH_BATCH:-100}
rounds=${ROUNDS:-3}
tmp=$(mktemp -d)
admin=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
pids=

. scripts/bench_lib.sh
trap cleanup EXIT INT TERM

# start NAME REDIS-PERSISTENCE-ARGS...: a Redis and a server; sets
# NAME_rport, NAME_port, NAME_spid.
start() {
    name=$1; shift
    rp=$(free_port); sp=$(free_port)
    mkdir -p "$tmp/$name"
    redis-server --port "$rp" --bind 127.0.0.1 --dir "$tmp/$name" --save "" "$@" \
        --daemonize no --logfile "$tmp/$name/redis.log" &
    pids="$pids $!"
    until redis-cli -p "$rp" ping >/dev/null 2>&1; do sleep 0.1; done
    bin/dongting --listen "127.0.0.1:$sp" --redis "127.0.0.1:$rp" --admin-key "$admin" \
        --rate-limit-rps 0 --max-body-bytes 16777216 2>"$tmp/$name/dongting.log" &
    spid=$!
    pids="$pids $spid"
    until curl -fsS "http://127.0.0.1:$sp/readyz" >/dev/null 2>&1; do sleep 0.1; done
    eval "${name}_rport=$rp ${name}_port=$sp ${name}_spid=$spid"
}
start aof --appendonly yes --appendfsync everysec
start mem --appendonly no

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "ingest: wrk -t2 -c$conns -d${secs}s, $batch DCSA events per body, $rounds interleaved rounds"
ingest() {  # name, port
    BENCH_BATCH=$batch BENCH_ROUND=$i wrk -t2 -c"$conns" -d"${secs}s" \
        -s scripts/bench_ingest.lua -H "Authorization: Bearer $admin" \
        "http://127.0.0.1:$2/v1/feeds/chenglingji/events" > "$tmp/wrk.out" 2>&1
    rps=$(awk '/Requests\/sec/ {print $2}' "$tmp/wrk.out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' "$tmp/wrk.out")
    echo "$1 $(echo "$rps $batch" | awk '{printf "%.0f", $1 * $2}') ${non2xx:-0}" >> "$tmp/results"
}
xadd() {  # name, port, extra redis-benchmark arguments
    name=$1; port=$2; shift 2
    x=$(redis-benchmark -p "$port" -c 50 "$@" -q XADD bench:xadd '*' f v 2>/dev/null \
        | tr '\r' '\n' | sed -n 's/.* \([0-9.]*\) requests per second.*/\1/p' | tail -1)
    echo "$name $x" >> "$tmp/results"
    redis-cli -p "$port" del bench:xadd >/dev/null
}
i=0
while [ $i -lt "$rounds" ]; do
    ingest ingest_aof_everysec "$aof_port"
    ingest ingest_no_persistence "$mem_port"
    xadd xadd_aof_everysec "$aof_rport" -n 200000
    xadd xadd_pipelined16_aof "$aof_rport" -n 400000 -P 16
    i=$((i + 1))
done
for name in aof mem; do
    eval "p=\$${name}_port"
    curl -fsS -H "Authorization: Bearer $admin" "http://127.0.0.1:$p/v1/feeds" | python3 -c 'import json,sys
f=[x for x in json.load(sys.stdin)["feeds"] if x["name"]=="chenglingji"][0]
print("server ('"$name"') counted: accepted %d, duplicates %d, rejected %d, bodies %d, store errors %d" %
      (f["accepted"], f["duplicates"], f["rejected"], f["bodies"], f["store_errors"]))'
done
printf '%-24s %14s\n' case "median per s"
for name in ingest_aof_everysec ingest_no_persistence xadd_aof_everysec xadd_pipelined16_aof; do
    grep "^$name " "$tmp/results" | sort -k2 -n | awk -v n="$rounds" -v name="$name" '
        NR == int((n + 1) / 2) { printf "%-24s %14s%s\n", name, $2,
                                 (name ~ /^ingest/ ? " events (non-2xx answers: " $3 ")" : " XADDs") }'
done
echo "(all rounds:)"; cat "$tmp/results"
for name in aof mem; do
    eval "sp=\$${name}_spid; rp=\$${name}_rport"
    echo "$name: dongting peak RSS $(awk '/VmHWM/ {print $2 " " $3}' "/proc/$sp/status"), redis used_memory $(redis-cli -p "$rp" info memory | awk -F: '/^used_memory_human/ {print $2}' | tr -d '\r'), $(redis-cli -p "$rp" info commandstats | tr -d '\r' | sed -n 's/^cmdstat_eval:calls=\([0-9]*\),usec=[0-9]*,usec_per_call=\([0-9.]*\).*/\1 store scripts of '"$batch"' events, \2 us each in Redis/p')"
done
