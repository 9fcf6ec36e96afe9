/* csv.c -- RFC 4180 reader with line numbers (see csv.h). */
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int csv_error(struct csv_reader *r, const char *fmt, ...) {
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    snprintf(r->err, sizeof(r->err), "%s:%d: %s", r->source, r->line, why);
    return -1;
}

int csv_double(const char *s, double lo, double hi, double *out) {
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

static int init(struct csv_reader *r, const char *source) {
    memset(r, 0, sizeof(*r));
    snprintf(r->source, sizeof(r->source), "%s", source);
    r->next_line = 1;
    r->scratch = malloc(CSV_MAX_RECORD);
    if (r->scratch == NULL) {
        snprintf(r->err, sizeof(r->err), "%s: out of memory", source);
        return -1;
    }
    return 0;
}

int csv_open_buffer(struct csv_reader *r, const char *buf, size_t len,
                    const char *source) {
    if (init(r, source) != 0) return -1;
    r->buf = buf;
    r->len = len;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
    return 0;
}

int csv_open_file(struct csv_reader *r, const char *path, size_t maxbytes) {
    FILE *f;
    long size;
    if (init(r, path) != 0) return -1;
    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(r->err, sizeof(r->err), "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        snprintf(r->err, sizeof(r->err), "%s: cannot read: %s", path, strerror(errno));
        fclose(f);
        return -1;
    }
    if ((size_t)size > maxbytes) {
        snprintf(r->err, sizeof(r->err), "%s: %ld bytes is over the %zu byte limit",
                 path, size, maxbytes);
        fclose(f);
        return -1;
    }
    r->owned = malloc((size_t)size + 1);
    if (r->owned == NULL || fread(r->owned, 1, (size_t)size, f) != (size_t)size) {
        snprintf(r->err, sizeof(r->err), "%s: cannot read: %s", path,
                 r->owned ? strerror(errno) : "out of memory");
        fclose(f);
        return -1;
    }
    fclose(f);
    r->buf = r->owned;
    r->len = (size_t)size;
    if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
    return 0;
}

int csv_next(struct csv_reader *r) {
    size_t out = 0;
    int quoted, after_quote;

    /* Skip blank lines. */
    while (r->pos < r->len && (r->buf[r->pos] == '\n' || r->buf[r->pos] == '\r')) {
        if (r->buf[r->pos] == '\n') r->next_line++;
        r->pos++;
    }
    if (r->pos >= r->len) return 0;
    r->line = r->next_line;
    r->nfields = 0;

    for (;;) {                                   /* one field per turn */
        if (r->nfields == CSV_MAX_FIELDS)
            return csv_error(r, "more than %d fields", CSV_MAX_FIELDS);
        r->fields[r->nfields++] = r->scratch + out;
        quoted = r->pos < r->len && r->buf[r->pos] == '"';
        after_quote = 0;
        if (quoted) r->pos++;
        for (;;) {
            char c;
            if (r->pos >= r->len) {
                if (quoted && !after_quote)
                    return csv_error(r, "quoted field is not closed");
                break;
            }
            c = r->buf[r->pos];
            if (c == '\0') return csv_error(r, "NUL byte in the data");
            if (quoted && !after_quote) {
                r->pos++;
                if (c == '"') {
                    if (r->pos < r->len && r->buf[r->pos] == '"') {
                        r->pos++;        /* doubled quote */
                    } else {
                        after_quote = 1;
                        continue;
                    }
                } else if (c == '\n') {
                    r->next_line++;
                }
            } else {
                if (c == ',' || c == '\n' || c == '\r') break;
                if (after_quote || c == '"')
                    return csv_error(r, "stray '\"' in field %d (quote the whole "
                                        "field and double inner quotes)", r->nfields);
                r->pos++;
            }
            if (out + 1 >= CSV_MAX_RECORD)
                return csv_error(r, "record longer than %d bytes", CSV_MAX_RECORD);
            r->scratch[out++] = c;
        }
        r->scratch[out++] = '\0';
        if (r->pos >= r->len) break;
        if (r->buf[r->pos] == ',') {
            r->pos++;
            continue;
        }
        /* end of record: \n, \r\n or a lone \r */
        if (r->buf[r->pos] == '\r') r->pos++;
        if (r->pos < r->len && r->buf[r->pos] == '\n') r->pos++;
        r->next_line++;
        break;
    }
    return 1;
}

int csv_read_header(struct csv_reader *r) {
    int rc = csv_next(r);
    if (rc == 0) {
        r->line = r->next_line;
        return csv_error(r, "empty file: expected a header line");
    }
    if (rc < 0) return -1;
    for (int i = 0; i < r->nfields; i++) {
        r->header[i] = strdup(r->fields[i]);
        if (r->header[i] == NULL) return csv_error(r, "out of memory");
        r->nheader = i + 1;
        for (int j = 0; j < i; j++)
            if (strcmp(r->header[j], r->header[i]) == 0)
                return csv_error(r, "column '%.60s' appears twice", r->header[i]);
    }
    return 0;
}

int csv_column(const struct csv_reader *r, const char *name) {
    for (int i = 0; i < r->nheader; i++)
        if (strcmp(r->header[i], name) == 0) return i;
    return -1;
}

const char *csv_field(const struct csv_reader *r, int i) {
    return (i >= 0 && i < r->nfields) ? r->fields[i] : "";
}

int csv_columns(struct csv_reader *r, const char *const *names, size_t n, int *col) {
    if (csv_read_header(r) != 0) return -1;
    for (size_t i = 0; i < n; i++)
        if ((col[i] = csv_column(r, names[i])) < 0)
            return csv_error(r, "missing column '%s'", names[i]);
    return 0;
}

int csv_sort_unique(struct csv_reader *r, void *v, size_t n, size_t size, size_t key_off,
                    size_t line_off, int (*cmp)(const void *, const void *), const char *what) {
    char *base = v;
    if (n > 1) qsort(v, n, size, cmp);
    for (size_t i = 1; i < n; i++) {
        const char *a = base + (i - 1) * size, *b = base + i * size;
        int la, lb;
        if (strcmp(a + key_off, b + key_off) != 0) continue;
        memcpy(&la, a + line_off, sizeof(la));
        memcpy(&lb, b + line_off, sizeof(lb));
        r->line = la > lb ? la : lb;
        return csv_error(r, "%s %s appears twice (also line %d)", what, a + key_off,
                         la < lb ? la : lb);
    }
    return 0;
}

int csv_table(void *table, csv_rows_fn *rows, void (*free_fn)(void *table), const char *path,
              size_t maxbytes, const char *buf, size_t len, const char *source, char *err,
              size_t errlen) {
    struct csv_reader r;
    int rc = path ? csv_open_file(&r, path, maxbytes) : csv_open_buffer(&r, buf, len, source);
    if (rc == 0) rc = rows(table, &r);
    if (rc != 0) {
        snprintf(err, errlen, "%s", r.err);
        free_fn(table);
    }
    csv_close(&r);
    return rc;
}

void csv_close(struct csv_reader *r) {
    free(r->owned);
    free(r->scratch);
    for (int i = 0; i < r->nheader; i++) free(r->header[i]);
    memset(r, 0, sizeof(*r));
}
