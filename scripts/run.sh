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
set -eu
cd "$(dirname "$0")/.."

port=${PORT:-8080}
rport=${REDIS_PORT:-6380}
sport=${SIM_PORT:-8090}
speed=${SIM_SPEED:-60}
interval=${PULL_INTERVAL:-10}
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

bin/dongting --config "$var/dongting.conf" --listen "127.0.0.1:$port" --redis "127.0.0.1:$rport" &
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

cat >&2 <<MSG

  Dongting is running.
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

wait "$server_pid" || true
server_pid=
stop
