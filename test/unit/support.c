#include "support.h"

#include <stdio.h>
#include <stdlib.h>

const char *ut_path(const char *rel) {
    static char buf[4][1024];
    static int next;
    const char *src = getenv("DONGTING_SRC");
    char *out = buf[next++ % 4];
    snprintf(out, sizeof(buf[0]), "%s/%s", src && *src ? src : ".", rel);
    return out;
}
