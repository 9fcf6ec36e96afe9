#!/bin/sh
# make run: a private redis-server (data under var/redis, AOF on) and
# bin/dongting on 127.0.0.1:8080.  Ctrl-C stops the server first (it finishes
# in-flight requests), then Redis (which writes its AOF and exits).
#
# `make run PORT=8081 REDIS_PORT=6381` picks other ports (defaults 8080 and
# 6380, so a system Redis on 6379 is left alone).  The admin key is
# DONGTING_ADMIN_KEY if set, else one generated once and kept in var/admin.key.
set -eu
cd "$(dirname "$0")/.."

port=${PORT:-8080}
rport=${REDIS_PORT:-6380}
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
stop() {
    trap '' INT TERM
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
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

bin/dongting --listen "127.0.0.1:$port" --redis "127.0.0.1:$rport" &
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
  Try:
    curl -H "Authorization: Bearer \$(cat var/admin.key)" http://127.0.0.1:$port/v1/whoami
  Redis: 127.0.0.1:$rport, data in var/redis (AOF, fsync every second).
  Ctrl-C stops both.

MSG

wait "$server_pid" || true
server_pid=
stop
