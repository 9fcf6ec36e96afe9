#!/bin/sh
# make check: house rules that a compiler does not enforce (see ../shared/STYLE.md).
#  - banned calls (unbounded or error-blind C library functions);
#  - layering: only server/ includes libevent or hiredis, and only
#    server/store*.c send Redis commands (store_int.h is theirs alone).
set -u
cd "$(dirname "$0")/.."
fail=0

files=$(git ls-files '*.c' '*.h' 2>/dev/null; git ls-files --others --exclude-standard '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find server routing carriers geodata test -name '*.[ch]')

banned='\b(sprintf|vsprintf|strcpy|strcat|stpcpy|atoi|atol|atoll|atof|gets|strtok|tmpnam|mktemp)[[:space:]]*\('
hits=$(echo "$files" | xargs grep -nE "$banned" 2>/dev/null | grep -v 'checksrc: allow')
if [ -n "$hits" ]; then
    echo "checksrc: banned calls (use snprintf, strtol, memcpy with a length):" >&2
    echo "$hits" >&2
    fail=1
fi

layer=$(echo "$files" | grep -E '^(routing|carriers|geodata)/' | xargs -r grep -nE '#include[[:space:]]*(<event\.h>|[<"](event2/|hiredis))' 2>/dev/null)
if [ -n "$layer" ]; then
    echo "checksrc: routing/, carriers/ and geodata/ may not include libevent or hiredis:" >&2
    echo "$layer" >&2
    fail=1
fi

redis=$(echo "$files" | grep -E '^(server|routing|carriers|geodata)/' | grep -vE '^server/store[a-z_]*\.c$' | xargs -r grep -nE '\bredis(Async)?(Command|CommandArgv|AppendCommand)\b' 2>/dev/null)
if [ -n "$redis" ]; then
    echo "checksrc: only server/store*.c send Redis commands:" >&2
    echo "$redis" >&2
    fail=1
fi

int=$(echo "$files" | grep -vE '^server/store[a-z_]*\.(c|h)$' | xargs -r grep -nE '#include[[:space:]]*"store_int\.h"' 2>/dev/null)
if [ -n "$int" ]; then
    echo "checksrc: only server/store*.c may include store_int.h:" >&2
    echo "$int" >&2
    fail=1
fi

n=$(echo "$files" | wc -l)
if [ $fail -eq 0 ]; then
    echo "checksrc: $n files clean"
fi
exit $fail
