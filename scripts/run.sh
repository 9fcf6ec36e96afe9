#!/bin/sh
# make run: a private redis-server (data under var/redis, AOF on), the
# carrier feed simulator (bin/dongting-feedsim, docs/feed-simulator.md) on
# 127.0.0.1:8090 and bin/dongting on 127.0.0.1:8080, pulling all five feeds
# from the simulator (var/dongting.conf, written here).  Ctrl-C stops the
# server first (it finishes in-flight requests), then the simulator and Redis
# (which writes its AOF and exits).
#
# `make run PORT=8081 REDIS_PORT=6381 SIM_PORT=8091` picks other ports
# (defaults 8080, 6380 so that a system Redis on 6379 is left alone, and
# 8090); SIM_SPEED (default 60: a simulated minute per second) and
# PULL_INTERVAL (default 10 s) tune the simulation.  The admin key is
# DONGTING_ADMIN_KEY if set, else one generated once and kept in var/admin.key.
#
# Once the server is ready it makes a forwarder key (tenant "demo") and a
# consignee key (tenant "demo-consignee"), kept in var/forwarder.key and
# var/consignee.key and reused while they still work, and books SEED_WAYBILLS
# (default 50) of the simulator's consignments as waybills (GET
# /sim/waybills, POST /v1/waybills; the ones already there from an earlier
# run answer 409 and count as existing), plus the simulator's up to five
# two-leg "DTCONN" waybills whose connection a delay breaks (one is named
# at the end, to watch it turn at risk).  Refusals go to var/seed.log, the
# consignee tokens of the waybills created to var/waybill-tokens.  Then a
# customs key (var/customs.key) and export declarations for a dozen of them,
# which the simulator's events cross-check (the customs desk's alerts).
# The web pages are at http://127.0.0.1:PORT/ (docs/web.md).
set -eu
cd "$(dirname "$0")/.."

port=${PORT:-8080}
rport=${REDIS_PORT:-6380}
sport=${SIM_PORT:-8090}
speed=${SIM_SPEED:-60}
interval=${PULL_INTERVAL:-10}
nseed=${SEED_WAYBILLS:-50}
var=$PWD/var
mkdir -p "$var/redis"
chmod 700 "$var"

if [ -z "${DONGTING_ADMIN_KEY:-}" ]; then
    if [ ! -s "$var/admin.key" ]; then
        (umask 077; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$var/admin.key")
    fi
    DONGTING_ADMIN_KEY=$(cat "$var/admin.key")
fi
export DONGTING_ADMIN_KEY

if redis-cli -h 127.0.0.1 -p "$rport" ping >/dev/null 2>&1; then
    echo "run.sh: something already answers on 127.0.0.1:$rport; try make run REDIS_PORT=6381" >&2
    exit 1
fi

# Redis runs in its own session so that Ctrl-C reaches only the server; this
# script stops Redis after the server has drained.
setsid redis-server --port "$rport" --bind 127.0.0.1 --dir "$var/redis" \
    --appendonly yes --appendfsync everysec --save "" \
    --logfile "$var/redis.log" --daemonize no &
redis_pid=$!

server_pid=
sim_pid=
stop() {
    trap '' INT TERM
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "$sim_pid" ]; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        wait "$sim_pid" 2>/dev/null || true
    fi
    redis-cli -h 127.0.0.1 -p "$rport" shutdown >/dev/null 2>&1 || kill -TERM "$redis_pid" 2>/dev/null || true
    wait "$redis_pid" 2>/dev/null || true
    echo "run.sh: stopped dongting and redis-server" >&2
    exit 0
}
trap stop INT TERM

i=0
until redis-cli -h 127.0.0.1 -p "$rport" ping >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$redis_pid" 2>/dev/null; then
        echo "run.sh: redis-server did not start; see $var/redis.log" >&2
        stop
    fi
    sleep 0.1
done

setsid bin/dongting-feedsim --port "$sport" --start-ago P7D --speed "$speed" > "$var/feedsim.out" 2> "$var/feedsim.log" &
sim_pid=$!
i=0
until grep -q "feedsim listening" "$var/feedsim.out" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$sim_pid" 2>/dev/null; then
        echo "run.sh: the feed simulator did not start; see $var/feedsim.log" >&2
        stop
    fi
    sleep 0.1
done

sim=http://127.0.0.1:$sport
cat > "$var/dongting.conf" <<CONF
# Written by scripts/run.sh: the five carrier feeds pulled from the simulator.
feed.chenglingji.format = dcsa-tnt
feed.chenglingji.url = $sim/dcsa/v2/events?limit=1000
feed.chenglingji.interval = $interval
feed.sanhe.format = iata-cargo-imp
feed.sanhe.url = $sim/iata/cargo-imp
feed.sanhe.interval = $interval
feed.sanhe-1r.format = one-record
feed.sanhe-1r.url = $sim/one-record/events
feed.sanhe-1r.interval = $interval
feed.rail.format = rail-events
feed.rail.url = $sim/rail/events
feed.rail.interval = $interval
feed.rail-rt.format = gtfs-rt
feed.rail-rt.url = $sim/gtfs-rt/trip-updates
feed.rail-rt.interval = $interval
CONF

# --webhook-allow-loopback: this is a local development setup, and a user
# trying webhooks points a subscription at a receiver on their own machine
# (127.0.0.1), which the server refuses by default.
bin/dongting --config "$var/dongting.conf" --listen "127.0.0.1:$port" --redis "127.0.0.1:$rport" \
    --webhook-allow-loopback &
server_pid=$!

i=0
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run.sh: dongting did not start" >&2
        stop
    fi
    sleep 0.1
done

api=http://127.0.0.1:$port

i=0
until curl -fsS "$api/readyz" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run.sh: dongting did not become ready in 30 s" >&2
        stop
    fi
    sleep 0.1
done

# The value of "key" in a compact JSON answer of POST /v1/keys (keys are
# printable without quotes or backslashes).
json_key() {
    sed -n 's/.*"key":"\([^"\\]*\)".*/\1/p'
}

# KEYFILE ROLE TENANT: reuse the key in KEYFILE when the server still knows
# it as ROLE of TENANT, else issue a new one with the admin key.  Prints
# nothing; the key stays in the file (mode 600), never on the terminal.
demo_key() {
    if [ -s "$1" ] && curl -fsS -H "Authorization: Bearer $(cat "$1")" "$api/v1/whoami" 2>/dev/null |
        grep -q "\"role\":\"$2\".*\"tenant\":\"$3\"\|\"tenant\":\"$3\".*\"role\":\"$2\""; then
        return 0
    fi
    k=$(curl -fsS -X POST -H "Authorization: Bearer $DONGTING_ADMIN_KEY" \
        -H 'Content-Type: application/json' \
        -d "{\"role\":\"$2\",\"tenant\":\"$3\",\"name\":\"make run demo $2\"}" \
        "$api/v1/keys" | json_key) || k=
    if [ -z "$k" ]; then
        echo "run.sh: could not issue a $2 key for tenant $3" >&2
        return 1
    fi
    (umask 077; printf '%s\n' "$k" > "$1")
    chmod 600 "$1"
}

seed_waybills() {
    demo_key "$var/forwarder.key" forwarder demo || return 0
    demo_key "$var/consignee.key" consignee demo-consignee || return 0
    fwd=$(cat "$var/forwarder.key")
    # The bodies hold (made-up) personal data: readable by the owner only.
    if ! (umask 077; curl -fsS "$sim/sim/waybills?limit=$nseed" > "$var/waybills.ndjson"); then
        echo "run.sh: could not fetch $sim/sim/waybills" >&2
        return 0
    fi
    : > "$var/seed.log"
    [ -e "$var/waybill-tokens" ] || (umask 077; : > "$var/waybill-tokens")
    created=0 existing=0 refused=0
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        num=$(printf '%s\n' "$line" | sed -n 's/^{"number":"\([^"]*\)".*/\1/p')
        code=$(printf '%s' "$line" | curl -sS -o "$var/seed.resp" -w '%{http_code}' -X POST \
            -H "Authorization: Bearer $fwd" -H 'Content-Type: application/json' \
            --data-binary @- "$api/v1/waybills") || code=000
        case $code in
        201)
            created=$((created + 1))
            tok=$(sed -n 's/.*"consignee_token":"\([^"]*\)".*/\1/p' "$var/seed.resp")
            printf '%s %s\n' "$num" "$tok" >> "$var/waybill-tokens"
            ;;
        409) existing=$((existing + 1)) ;;
        *)
            refused=$((refused + 1))
            # The server's message names the field and the reason; it never
            # quotes names, phones or addresses (docs/waybills.md).
            printf '%s %s %s\n' "$num" "$code" "$(cat "$var/seed.resp" 2>/dev/null)" >> "$var/seed.log"
            ;;
        esac
    done < "$var/waybills.ndjson"
    rm -f "$var/seed.resp"
    seen=
    [ "$refused" -eq 0 ] || seen=" (see var/seed.log)"
    echo "run.sh: waybills from the simulator: $created created, $existing existing," \
        "$refused refused$seen" >&2
    # A waybill to show: the first one the demo consignee follows.
    sample=$(sed -n 's/^{"number":"\([^"]*\)".*"account":"demo-consignee".*/\1/p' "$var/waybills.ndjson" | head -n 1)
    [ -n "$sample" ] || sample=$(sed -n 's/^{"number":"\([^"]*\)".*/\1/p' "$var/waybills.ndjson" | head -n 1)
    # A connecting waybill (two legs, the first on a run the simulator
    # delays): it turns at risk once the delay reaches the server.
    conn=$(sed -n 's/^{"number":"\(DTCONN[0-9]*\)".*/\1/p' "$var/waybills.ndjson" | head -n 1)
}

# Customs demo: export declarations (order, customs waybill, inventory;
# docs/customs.md) for the first SEED_DECLARATIONS (default 12) simulated
# waybills, declared at Changsha customs (4900) for exit through Shanghai
# (2200) by water.  The simulator's events then cross-check them: the
# waybills that leave through another port or by rail raise alerts on the
# customs desk.  The declarations carry no personal data.
seed_customs() {
    [ -n "${fwd:-}" ] && [ -s "$var/waybills.ndjson" ] || return 0
    demo_key "$var/customs.key" customs yueyang-customs || return 0
    n=0 stored=0
    ndecl=${SEED_DECLARATIONS:-12}
    while IFS= read -r line && [ "$n" -lt "$ndecl" ]; do
        num=$(printf '%s\n' "$line" | sed -n 's/^{"number":"\([^"]*\)".*/\1/p')
        kg=$(printf '%s\n' "$line" | sed -n 's/.*"weight_kg":\([0-9.]*\).*/\1/p')
        [ -n "$num" ] && [ ${#num} -le 32 ] || continue
        [ -n "$kg" ] || kg=1000
        n=$((n + 1))
        g=$(printf 'D%07d-0000-4000-8000-%012d' "$n" "$n")
        head='"appType":"1","appTime":"20261120093000","appStatus":"2"'
        tr='"transfer":{"copCode":"4301960DEM","copName":"make run demo","dxpMode":"DXP","dxpId":"DXPDEMO0000001"}'
        item='{"gnum":"1","itemName":"Goods","gcode":"0902100000","gname":"Goods","qty":"1","unit":"007","qty1":"1","unit1":"007","price":"100","totalPrice":"100"}'
        for m in \
            "{\"message\":\"CEB303\",\"guid\":\"${g}-1\",\"blocks\":[{\"head\":{\"guid\":\"${g}-1\",$head,\"orderType\":\"E\",\"orderNo\":\"ORD-$num\",\"ebpCode\":\"4301960EBP\",\"ebcCode\":\"4301960EXP\",\"goodsValue\":\"100\",\"freight\":\"0\",\"currency\":\"142\"},\"items\":[$item]}],$tr}" \
            "{\"message\":\"CEB505\",\"guid\":\"${g}-2\",\"blocks\":[{\"head\":{\"guid\":\"${g}-2\",$head,\"logisticsCode\":\"4301960LOG\",\"logisticsNo\":\"$num\",\"freight\":\"0\",\"currency\":\"142\",\"grossWeight\":\"$kg\",\"packNo\":\"1\",\"ebcCode\":\"4301960EXP\"}}],$tr}" \
            "{\"message\":\"CEB603\",\"guid\":\"${g}-3\",\"blocks\":[{\"head\":{\"guid\":\"${g}-3\",$head,\"customsCode\":\"4900\",\"ebpCode\":\"4301960EBP\",\"orderNo\":\"ORD-$num\",\"logisticsCode\":\"4301960LOG\",\"logisticsNo\":\"$num\",\"copNo\":\"INV-$num\",\"ieFlag\":\"E\",\"portCode\":\"2200\",\"ieDate\":\"20261120\",\"ebcCode\":\"4301960EXP\",\"tradeMode\":\"9610\",\"trafMode\":\"2\",\"billNo\":\"$num\",\"country\":\"502\",\"freight\":\"0\",\"packNo\":\"1\",\"grossWeight\":\"$kg\",\"netWeight\":\"$kg\"},\"items\":[$item]}],$tr}"; do
            code=$(printf '%s' "$m" | curl -sS -o /dev/null -w '%{http_code}' -X POST \
                -H "Authorization: Bearer $fwd" -H 'Content-Type: application/json' \
                --data-binary @- "$api/v1/customs/messages") || code=000
            case $code in 200|201) stored=$((stored + 1)) ;; esac
        done
    done < "$var/waybills.ndjson"
    echo "run.sh: customs declarations for $n waybills: $stored messages stored" >&2
}

sample= conn=
seed_waybills
seed_customs

stok=
[ -z "$sample" ] || stok=$(sed -n "s/^$sample \(wbt_[0-9a-f]*\)\$/\1/p" "$var/waybill-tokens" 2>/dev/null | tail -n 1)
cat >&2 <<MSG

  Dongting is running.  Open the web pages:
    http://127.0.0.1:$port/                 track a shipment (number, B/L, AWB or container)
MSG
[ -z "$sample" ] || echo "    http://127.0.0.1:$port/track/$sample${stok:+?token=$stok}" >&2
cat >&2 <<MSG
        (one of the simulated waybills, with its consignee token: the page
        keeps the token in the tab and takes it out of the address)
    http://127.0.0.1:$port/plan             route planner (key: var/forwarder.key)
    http://127.0.0.1:$port/customs          customs desk (key: var/customs.key)
    http://127.0.0.1:$port/ops              operations (key: var/admin.key)
  The API:
    http://127.0.0.1:$port/healthz   process alive
    http://127.0.0.1:$port/readyz    ready to serve
    http://127.0.0.1:$port/metrics   Prometheus metrics (admin key)
  Admin key (kept in var/admin.key):
    $DONGTING_ADMIN_KEY
  Carrier feeds: simulated at $sim (from a week ago at speed $speed until
  the present, then real time; see $sim/sim/truth),
  pulled every $interval s.  Try:
    curl -H "Authorization: Bearer \$(cat var/admin.key)" http://127.0.0.1:$port/v1/feeds
    curl -H "Authorization: Bearer \$(cat var/admin.key)" "http://127.0.0.1:$port/v1/events?ref=container:CONTAINER"
    (a container from $sim/sim/truth)
  Redis: 127.0.0.1:$rport, data in var/redis (AOF, fsync every second).
  Ctrl-C stops all three.
MSG

if [ -n "$sample" ]; then
    tok=$(sed -n "s/^$sample \(wbt_[0-9a-f]*\)\$/\1/p" "$var/waybill-tokens" 2>/dev/null | tail -n 1)
    cat >&2 <<MSG
  Waybills (tenant "demo"; keys in var/forwarder.key and var/consignee.key,
  consignee tokens of the waybills made here in var/waybill-tokens):
    curl -H "Authorization: Bearer \$(cat var/forwarder.key)" $api/v1/waybills
    curl -H "Authorization: Bearer \$(cat var/forwarder.key)" "$api/v1/waybills?at_risk=true"
  One of them, $sample: public view (masked) and in full for its consignee:
    curl $api/v1/waybills/$sample
    curl -H "Authorization: Bearer \$(cat var/consignee.key)" $api/v1/waybills/$sample
MSG
    [ -z "$tok" ] || echo "    curl \"$api/v1/waybills/$sample?token=$tok\"" >&2
    cat >&2 <<MSG
    curl -H "Authorization: Bearer \$(cat var/consignee.key)" $api/v1/waybills/$sample/events
    curl -N $api/v1/waybills/$sample/stream      (live: hello, then tracking and event)
  Webhooks: run any HTTP receiver that answers POST with 2xx on this machine,
  e.g. on port 9099, then subscribe it (loopback is allowed in make run):
    curl -X POST -H "Authorization: Bearer \$(cat var/consignee.key)" \\
      -H 'Content-Type: application/json' $api/v1/subscriptions \\
      -d '{"callback_url":"http://127.0.0.1:9099/hook","secret":"make-run-demo-secret-0123456789abcdef","waybills":["$sample"],"eta_change_min":1}'
    curl -X POST -H "Authorization: Bearer \$(cat var/consignee.key)" $api/v1/subscriptions/SUB_ID/test
MSG
    [ -z "$conn" ] || cat >&2 <<MSG
  Watch this one turn at risk: GET /v1/waybills/$conn (two legs booked on
  a connection the simulator's delay breaks; once the feeds report the delay
  it shows at_risk, risk_reason and proposals; PATCH {"accept_proposal":0}
  rebooks it on the first proposal):
    curl -H "Authorization: Bearer \$(cat var/forwarder.key)" $api/v1/waybills/$conn
MSG
    echo >&2
fi

wait "$server_pid" || true
server_pid=
stop
