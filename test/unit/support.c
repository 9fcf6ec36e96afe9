#include "support.h"

#include <criterion/criterion.h>

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

char *ut_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    cr_assert_not_null(f, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    cr_assert_geq(n, 0, "cannot size %s", path);
    buf = malloc((size_t)n + 1);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n, "cannot read %s", path);
    buf[n] = '\0';
    fclose(f);
    if (len) *len = (size_t)n;
    return buf;
}
