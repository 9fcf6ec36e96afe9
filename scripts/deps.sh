#!/bin/sh
# Install the Debian 12 packages Dongting needs to build, run and test.
# Idempotent: installs only what is missing. As root it runs apt-get; otherwise
# it prints the exact command to run and exits non-zero.
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libevent-dev libhiredis-dev redis-server redis-tools
libproj-dev proj-data libcurl4-openssl-dev libcriterion-dev
libjansson-dev libssl-dev libzip-dev wrk
protobuf-c-compiler libprotobuf-c-dev libxml2-dev"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

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
