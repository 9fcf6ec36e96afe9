#!/bin/sh
# Routing benchmark (issue 4, "Performance"), run by `make bench` after
# scripts/bench.sh: writes synthetic GTFS feeds with test/bench/gtfs_gen
# under build/bench/ (kept until gtfs_gen changes: same seed, same bytes)
# and runs test/bench/routing_bench over them, which prints the table and
# the verdict on the issue's targets.
# Then test/bench/mc_bench times the multi-criteria freight search on the
# feeds up to 10^6 connections (fewer queries: one takes up to a second
# there) and on the zone's own network as /v1/routes runs it.
#   BENCH_QUERIES (500)  ROUNDS (3)  BENCH_SEED (1)  BENCH_MC_QUERIES (60)
set -eu
cd "$(dirname "$0")/.."
queries=${BENCH_QUERIES:-500}
rounds=${ROUNDS:-3}
seed=${BENCH_SEED:-1}
mc_queries=${BENCH_MC_QUERIES:-60}

make --no-print-directory -s bench-routing-build
bld=build/release/test/bench
out=build/bench

# connections:days.  10^6 twice: one dense day, and the same count over two
# days (half the trips a day), as the query time depends on the density.
feeds=""
for spec in 100000:1 1000000:1 1000000:2 5000000:2; do
    n=${spec%:*}; d=${spec#*:}
    dir=$out/gtfs-$n-${d}d-seed$seed
    if [ ! "$dir/.done" -nt "$bld/gtfs_gen" ]; then  # missing, or an older generator
        rm -rf "$dir" && mkdir -p "$dir"
        t0=$(date +%s.%N)
        "$bld/gtfs_gen" --out "$dir" --conns "$n" --days "$d" --seed "$seed"
        awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "  generated in %.1f s\n", b - a }' >&2
        touch "$dir/.done"
    fi
    feeds="$feeds $dir"
done

echo "== routing benchmark"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -r)"
echo "$bld/routing_bench --queries $queries --rounds $rounds --seed $seed$feeds"
# shellcheck disable=SC2086
"$bld/routing_bench" --queries "$queries" --rounds "$rounds" --seed "$seed" $feeds

echo "== multi-criteria routing benchmark"
mc_feeds=""
for f in $feeds; do
    case "$f" in *gtfs-5000000-*) ;; *) mc_feeds="$mc_feeds $f" ;; esac
done
echo "$bld/mc_bench --queries $mc_queries --rounds 1 --seed $seed --freight geodata/freight --zone geodata/data geodata/gtfs/feed$mc_feeds"
# shellcheck disable=SC2086
"$bld/mc_bench" --queries "$mc_queries" --rounds 1 --seed "$seed" --freight geodata/freight \
    --zone geodata/data geodata/gtfs/feed $mc_feeds
