#!/bin/sh
# make bench (part): GET /v1/waybills/NUMBER against the floor, and the ETA
# fan-out of a delayed trip.
#
# A private redis-server (append-only file, fsync every second, as make run
# has it) and bin/dongting on free loopback ports; BENCH_WAYBILLS waybills
# (default 10000, numbers DTWB000001...) booked through POST /v1/waybills
# by a forwarder key, all on run RIV-CSX-SHA.1:2026-12-03 (CNCSX to
# CNSHA-WGQ).  Then:
#  1. wrk (2 threads, random waybill per request: test/bench/waybills_get.lua)
#     at 32 and 256 connections on (a) floor: test/bench/floor_server, the
#     bare evhttp + hiredis answer -- one HMGET, the public view spliced --
#     on the same Redis; (b) public: dongting without a key; (c) full:
#     dongting with the forwarder's key.  ROUNDS rounds, interleaved;
#     medians of requests/s and p99, and each case's CPU per request
#     (server, Redis) from /proc.
#  2. ETA fan-out: POST /v1/trips/RIV-CSX-SHA.1/updates with an arrival
#     delay at stop 1, alternately 10 h and 0 h, so every round moves every
#     ETA; the server's own figure (its eta_fanout log line: recomputed and
#     stored) and the client's (test/bench/fanout_probe: from sending the
#     POST until ZCOUNT finds all of them at the new ETA).  Medians.
#   BENCH_SECONDS (10)  BENCH_WAYBILLS (10000)  ROUNDS (3)  FANOUT_ROUNDS (ROUNDS*2+1)
#   BENCH_THREADS (2, wrk's)  BENCH_PERF (0; 1: profile the server once, needs perf)
set -eu
cd "$(dirname "$0")/.."
secs=${BENCH_SECONDS:-10}
threads=${BENCH_THREADS:-2}
nwb=${BENCH_WAYBILLS:-10000}
rounds=${ROUNDS:-3}
frounds=${FANOUT_ROUNDS:-$((rounds * 2 + 1))}
tenant=bench
tmp=$(mktemp -d)
admin=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
pids=

make -s bench-waybills-build
build=build/release/test/bench

. scripts/bench_lib.sh
trap cleanup EXIT INT TERM

rport=$(free_port)
port=$(free_port)
fport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$tmp" --save "" \
    --appendonly yes --appendfsync everysec --daemonize no --logfile "$tmp/redis.log" &
rpid=$!
pids="$pids $rpid"
until redis-cli -p "$rport" ping >/dev/null 2>&1; do sleep 0.1; done
bin/dongting --listen "127.0.0.1:$port" --redis "127.0.0.1:$rport" --admin-key "$admin" \
    --rate-limit-rps 0 --public-rate-limit-rps 0 --max-connections 4096 \
    2>"$tmp/dongting.log" &
spid=$!
pids="$pids $spid"
until curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; do sleep 0.1; done
"$build/floor_server" "$fport" "$rport" 2>"$tmp/floor.log" &
fpid=$!
pids="$pids $fpid"

key=$(curl -fsS -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d '{"role":"forwarder","tenant":"'$tenant'","name":"bench"}' \
    "http://127.0.0.1:$port/v1/keys" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

# The waybills: one curl process, 16 requests at a time, every waybill its
# own number and (ISO 6346 valid) container.
python3 - "$nwb" "$port" "$key" > "$tmp/create.curl" <<'EOF'
import sys
n, port, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def container(i):
    s = "DTBU%06d" % i
    total = 0
    for k, c in enumerate(s):
        if c.isalpha():
            v, x = 10, ord("A")
            while x < ord(c):
                v += 1
                if v % 11 == 0: v += 1
                x += 1
        else:
            v = int(c)
        total += v * 2 ** k
    return s + str(total % 11 % 10)
body = ('{"number":"DTWB%06d","type":"bl",'
        '"shipper":{"name":"岳阳茶业有限公司","phone":"+86 730 1234 5678"},'
        '"consignee":{"name":"张三","phone":"+86 138 0013 8000",'
        '"address":"上海市浦东新区外高桥 1 号","account":"zhang-home"},'
        '"origin":"CNCSX","destination":"CNSHA-WGQ",'
        '"cargo":{"pieces":20,"weight_kg":18000,"teu":1,"hs_codes":["090210"]},'
        '"containers":["%s"],"departure":"2026-12-02T12:00:00+08:00",'
        '"itinerary":{"legs":[{"trip_id":"RIV-CSX-SHA.1","run_id":"RIV-CSX-SHA.1:2026-12-03",'
        '"from":"CNCSX","to":"CNSHA-WGQ"}]}}')
for i in range(1, n + 1):
    if i > 1: print("next")
    b = (body % (i, container(i))).replace("\\", "\\\\").replace('"', '\\"')
    print('url = "http://127.0.0.1:%s/v1/waybills"' % port)
    print('header = "Authorization: Bearer %s"' % key)
    print('header = "Content-Type: application/json"')
    print('data-binary = "%s"' % b)
    print('output = "/dev/null"')
    print('write-out = "%{http_code}\\n"')
    print('silent')
    print('show-error')
EOF
t0=$(date +%s.%N)
curl -sS --parallel --parallel-max 16 -K "$tmp/create.curl" > "$tmp/create.codes" 2>"$tmp/create.err"
t1=$(date +%s.%N)
created=$(grep -c '^201$' "$tmp/create.codes" || true)
if [ "$created" != "$nwb" ]; then
    echo "bench_waybills: $created of $nwb waybills created; answers:" >&2
    sort "$tmp/create.codes" | uniq -c >&2; tail -5 "$tmp/create.err" >&2
    exit 1
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r); wrk, Redis, dongting and the floor share them"
echo "created $nwb waybills through POST /v1/waybills (16 at a time) in $(echo "$t0 $t1" | awk '{printf "%.1f", $2 - $1}') s"
echo "wrk -t$threads -d${secs}s --latency, random waybill of $nwb per request, $rounds interleaved rounds, medians"

# The full view must be what the forwarder gets, the public one what a
# stranger gets, and the floor must answer the public body byte for byte.
n1=DTWB000001
curl -fsS "http://127.0.0.1:$port/v1/waybills/$n1" > "$tmp/pub.json"
curl -fsS "http://127.0.0.1:$fport/v1/waybills/$n1" > "$tmp/floor.json"
curl -fsS -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/waybills/$n1" > "$tmp/full.json"
cmp -s "$tmp/pub.json" "$tmp/floor.json" || {
    echo "bench_waybills: the floor's body differs from the server's public view" >&2
    exit 1
}
grep -q '"view":"public"' "$tmp/pub.json" && grep -q '"view":"full"' "$tmp/full.json" || {
    echo "bench_waybills: unexpected views: $(head -c 200 "$tmp/pub.json") / $(head -c 200 "$tmp/full.json")" >&2
    exit 1
}
echo "body bytes: public $(wc -c < "$tmp/pub.json"), full $(wc -c < "$tmp/full.json")"

cpu_ticks() {  # utime + stime of PID, in clock ticks
    awk '{print $14 + $15}' "/proc/$1/stat"
}
# run NAME CONNS PID-OF-THE-SERVER-MEASURED, then wrk arguments
run() {
    name=$1; conns=$2; pid=$3; shift 3
    c0=$(cpu_ticks "$pid"); r0=$(cpu_ticks "$rpid")
    BENCH_WAYBILLS=$nwb wrk -t"$threads" -c"$conns" -d"${secs}s" --latency \
        -s test/bench/waybills_get.lua "$@" > "$tmp/wrk.out" 2>&1
    c1=$(cpu_ticks "$pid"); r1=$(cpu_ticks "$rpid")
    awk -v name="$name" -v conns="$conns" -v cs="$((c1 - c0))" -v rs="$((r1 - r0))" \
        -v hz="$(getconf CLK_TCK)" '
        function ms(s) { if (s ~ /us$/) return s / 1000; if (s ~ /ms$/) return s + 0;
                         if (s ~ /s$/) return s * 1000; return s }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /requests in/ { n = $1 }
        /Non-2xx/ { bad += $NF }
        /Socket errors/ { errs = $0 }
        END { printf "%s %s %.0f %.3f %.3f %.1f %.1f %d\n", name, conns, rps, p50, p99,
              cs / hz * 1e6 / n, rs / hz * 1e6 / n, bad }' "$tmp/wrk.out" >> "$tmp/results"
    sleep 1   # let the last run's connections close before the next one
    if grep -q 'Socket errors' "$tmp/wrk.out"; then
        echo "$name c$conns: $(grep 'Socket errors' "$tmp/wrk.out")" >> "$tmp/notes"
    fi
}
: > "$tmp/results"
: > "$tmp/notes"
i=0
while [ $i -lt "$rounds" ]; do
    for c in 32 256; do
        run floor "$c" "$fpid" "http://127.0.0.1:$fport"
        run public "$c" "$spid" "http://127.0.0.1:$port"
        run full "$c" "$spid" -H "Authorization: Bearer $key" "http://127.0.0.1:$port"
    done
    i=$((i + 1))
done
median() {  # stdin: numbers, one a line
    sort -n | awk '{v[NR] = $1} END { if (NR % 2) print v[(NR + 1) / 2];
                                      else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
col() {  # NAME CONNS FIELD: the median of that column
    awk -v n="$1" -v c="$2" -v f="$3" '$1 == n && $2 == c {print $f}' "$tmp/results" | median
}
printf '%-7s %5s %12s %9s %9s %8s %11s %11s %8s\n' case conns "median req/s" "p50 ms" \
    "p99 ms" "of floor" "server us/r" "redis us/r" non-2xx
for c in 32 256; do
    floor=$(col floor "$c" 3)
    for name in floor public full; do
        rps=$(col "$name" "$c" 3)
        printf '%-7s %5s %12s %9s %9s %7s%% %11s %11s %8s\n' "$name" "$c" "$rps" \
            "$(col "$name" "$c" 4)" "$(col "$name" "$c" 5)" \
            "$(echo "$rps $floor" | awk '{printf "%.0f", 100 * $1 / $2}')" \
            "$(col "$name" "$c" 6)" "$(col "$name" "$c" 7)" \
            "$(awk -v n="$name" -v c="$c" '$1 == n && $2 == c {s += $8} END {print s + 0}' "$tmp/results")"
    done
done
# The same ratio round by round (each case beside the floor run just
# before it), which the machine's drift between rounds does not move.
for c in 32 256; do
    for name in public full; do
        awk -v n="$name" -v c="$c" '$2 == c && $1 == "floor" {f[++i] = $3}
            $2 == c && $1 == n {r[++j] = $3}
            END {printf "per-round ratio %s c%s:", n, c; for (k = 1; k <= j; k++)
                 printf " %.0f%%", 100 * r[k] / f[k]; printf "\n"}' "$tmp/results"
    done
done
echo "(all rounds: case conns req/s p50 p99 server-us/req redis-us/req non-2xx)"; cat "$tmp/results" "$tmp/notes"
for c in 32 256; do
    for name in public full; do
        rps=$(col "$name" "$c" 3); floor=$(col floor "$c" 3); p99=$(col "$name" "$c" 5)
        echo "$rps $floor $p99 $c $name" | awk '{
            ok = $1 >= 0.7 * $2; lat = $4 != 32 || $3 < 5;
            printf "target %s c%s: %.0f%% of the floor (>= 70%%: %s)%s\n", $5, $4, 100 * $1 / $2,
                   ok ? "met" : "NOT met", $4 == 32 ? sprintf(", p99 %s ms (< 5 ms: %s)", $3,
                   lat ? "met" : "NOT met") : "" }'
    done
done

# BENCH_PERF=1: where the CPU goes in the public case at 32 connections,
# dongting's beside the floor's (perf record on each for one more wrk run).
if [ "${BENCH_PERF:-0}" = 1 ]; then
    for target in "dongting $spid $port" "floor $fpid $fport"; do
        set -- $target
        perf record -q -F 1999 -o "$tmp/perf.data" -p "$2" -- sleep "$secs" 2>/dev/null &
        perfpid=$!
        BENCH_WAYBILLS=$nwb wrk -t"$threads" -c32 -d"${secs}s" -s test/bench/waybills_get.lua \
            "http://127.0.0.1:$3" > /dev/null 2>&1
        wait "$perfpid" || true
        echo "perf: $1, public GET at 32 connections, share of its CPU by library:"
        perf report -q -i "$tmp/perf.data" --sort dso 2>/dev/null | grep '%' | head -10
        echo "perf: $1, by function (top 30):"
        perf report -q -i "$tmp/perf.data" --sort dso,symbol 2>/dev/null | grep '%' | head -30
    done
fi

# ---- ETA fan-out ------------------------------------------------------------
etakey="wb:{wb}:eta:$tenant"
base=$(redis-cli -p "$rport" zrange "$etakey" 0 0 withscores | sed -n 2p)
same=$(redis-cli -p "$rport" zcount "$etakey" "$base" "$base")
if [ "$same" != "$nwb" ]; then
    echo "bench_waybills: $same of $nwb waybills at the scheduled ETA $base" >&2
    exit 1
fi
echo "ETA fan-out: $nwb waybills on run RIV-CSX-SHA.1:2026-12-03 (scheduled ETA $base), arrival delay at stop 1 alternately 10 h and 0 h, $frounds rounds"
: > "$tmp/fanout"
i=0
while [ $i -lt "$frounds" ]; do
    if [ $((i % 2)) -eq 0 ]; then delay=36000; else delay=0; fi
    body='{"date":"2026-12-03","stops":[{"stop_sequence_index":1,"arrival_delay_s":'$delay'}]}'
    before=$(grep -c '"eta_fanout"' "$tmp/dongting.log" || true)
    out=$("$build/fanout_probe" "$port" "$rport" "$admin" "$body" "$tenant" "$nwb" \
        $((base + delay)))
    n=0
    until [ "$(grep -c '"eta_fanout"' "$tmp/dongting.log" || true)" -gt "$before" ] || [ $n -ge 40 ]; do
        sleep 0.05; n=$((n + 1))
    done
    line=$(grep '"eta_fanout"' "$tmp/dongting.log" | tail -1)
    srv=$(echo "$line" | sed -n 's/.*: \([0-9]*\) waybills recomputed and stored in \([0-9.]*\) ms.*/\1 \2/p')
    echo "delay ${delay}s: client post/all ms $out, server count/ms ${srv:-none}" >> "$tmp/fanout_all"
    echo "$out $srv" >> "$tmp/fanout"
    i=$((i + 1))
    sleep 1
done
fpost=$(awk '{print $1}' "$tmp/fanout" | median)
fall=$(awk '{print $2}' "$tmp/fanout" | median)
fsrv=$(awk '{print $4}' "$tmp/fanout" | median)
fcount=$(awk '{print $3}' "$tmp/fanout" | sort -u | tr '\n' ' ')
echo "server (eta_fanout log, waybills: $fcount): median $fsrv ms recomputed and stored"
echo "client: median $fpost ms until the POST's answer, $fall ms until all $nwb ETAs are in Redis"
cat "$tmp/fanout_all"
echo "$fall $fsrv" | awk '{printf "target fan-out < 200 ms: client %s (%s ms), server %s (%s ms)\n",
    $1 < 200 ? "met" : "NOT met", $1, $2 < 200 ? "met" : "NOT met", $2}'
echo "dongting peak RSS $(awk '/VmHWM/ {print $2 " " $3}' "/proc/$spid/status"), floor peak RSS $(awk '/VmHWM/ {print $2 " " $3}' "/proc/$fpid/status"), redis used_memory $(redis-cli -p "$rport" info memory | awk -F: '/^used_memory_human/ {print $2}' | tr -d '\r')"
