# bench_lib.sh -- sourced by the benchmark scripts (bench_ingest.sh,
# bench_waybills.sh): a free loopback port, and a cleanup that stops every
# process whose pid the script added to $pids and removes $tmp.

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$tmp"
}
