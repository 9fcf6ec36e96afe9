#!/bin/sh
# Install the Debian 12 packages Dongting needs to build, run and test, then
# the npm packages of the web pages (server/web: the map's libraries) and of
# the browser tests (test/e2e: playwright-core, which drives Debian's
# Chromium; it never downloads a browser).
# Idempotent: installs only what is missing. As root it runs apt-get; otherwise
# it prints the exact command to run and exits non-zero. `npm ci` needs no
# root; it runs in a folder whose node_modules is missing or older than its
# package-lock.json, and a failure there (no network) is a warning: the
# server then draws maps without the coastline and make e2e skips.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libevent-dev libhiredis-dev redis-server redis-tools
libproj-dev proj-data libcurl4-openssl-dev libcriterion-dev
libjansson-dev libssl-dev libzip-dev wrk
protobuf-c-compiler libprotobuf-c-dev libxml2-dev
chromium"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
# node and npm: Debian's nodejs (/usr/bin/node) and npm (/usr/bin/npm),
# unless a node is installed another way (NodeSource's nodejs brings npm
# itself and conflicts with Debian's npm package).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
    cmd="apt-get install -y --no-install-recommends$missing"
    if [ "$(id -u)" -ne 0 ]; then
        echo "deps.sh: missing packages:$missing" >&2
        echo "deps.sh: run as root: apt-get update && $cmd" >&2
        exit 1
    fi
    echo "deps.sh: installing$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    $cmd
fi

# playwright-core (test/e2e) exits at once under node < 20; make e2e then skips.
if ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then
    echo "deps.sh: note: node $(node --version 2>/dev/null) is older than 20: make e2e skips" \
        "(playwright-core needs node 20 or later, e.g. Debian 13's or NodeSource's nodejs)" >&2
fi

# npm ci in DIR when DIR/node_modules is missing or older than the lock
# file (npm writes node_modules/.package-lock.json on every install).
for dir in server/web test/e2e; do
    [ -f "$dir/package-lock.json" ] || continue
    stamp="$dir/node_modules/.package-lock.json"
    if [ -f "$stamp" ] && [ -z "$(find "$dir/package-lock.json" -newer "$stamp")" ]; then
        continue
    fi
    echo "deps.sh: npm ci in $dir" >&2
    if ! (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund \
          --loglevel=error >&2); then
        echo "deps.sh: warning: npm ci failed in $dir (no network?); run it there by hand" >&2
    fi
done
exit 0
