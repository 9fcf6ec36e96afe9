/* customs_offices.c -- load and look up customs offices (see
 * customs_offices.h). */
#include "customs_offices.h"
#include "nodes.h"
#include "csv.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* China has about 1,000 office codes; a row is a few hundred bytes.  1 MiB
 * holds them all with long sources and stops a wrong path filling memory. */
#define OFFICES_MAX_BYTES (1u << 20)

static int valid_office_code(const char *s) {
    for (int i = 0; i < 4; i++)
        if (!isdigit((unsigned char)s[i])) return 0;
    return s[4] == '\0';
}

static int copy_text(struct csv_reader *r, char *dst, size_t dstlen, const char *value,
                     const char *code, const char *column) {
    size_t n = strlen(value);
    if (n == 0) return csv_error(r, "%s: %s is empty", code, column);
    if (n >= dstlen)
        return csv_error(r, "%s: %s is longer than %zu bytes", code, column, dstlen - 1);
    memcpy(dst, value, n + 1);
    return 0;
}

/* Split the ';'-separated NODES field into o->nodes. */
static int parse_nodes(struct csv_reader *r, struct cx_office *o, const char *s) {
    const char *p = s;
    if (*s == '\0') return csv_error(r, "%s: nodes is empty", o->code);
    for (;;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char node[CX_NODE_LEN];
        if (len == 0 || len >= sizeof(node) ||
            (memcpy(node, p, len), node[len] = '\0', !geo_node_code_valid(node)))
            return csv_error(r, "%s: node '%.*s' is not a node code (CNCLJ, CSX, "
                                "CNSHA-YSH)", o->code, (int)(len > 40 ? 40 : len), p);
        for (size_t i = 0; i < o->nnodes; i++)
            if (strcmp(o->nodes[i], node) == 0)
                return csv_error(r, "%s: node %s is listed twice", o->code, node);
        if (o->nnodes == CX_OFFICE_MAX_NODES)
            return csv_error(r, "%s: more than %d nodes", o->code, CX_OFFICE_MAX_NODES);
        memcpy(o->nodes[o->nnodes++], node, len + 1);
        if (end == NULL) return 0;
        p = end + 1;
    }
}

static int by_code(const void *a, const void *b) {
    return strcmp(((const struct cx_office *)a)->code, ((const struct cx_office *)b)->code);
}

static const char *const columns[] = {"code", "name_en", "name_zh", "nodes", "source"};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static int parse_rows(struct cx_offices *t, struct csv_reader *r) {
    int col[NCOLS], rc;
    size_t cap = 0;

    if (csv_columns(r, columns, NCOLS, col) != 0) return -1;

    while ((rc = csv_next(r)) == 1) {
        struct cx_office o;
        const char *code = csv_field(r, col[0]);
        memset(&o, 0, sizeof(o));
        if (r->nfields != r->nheader)
            return csv_error(r, "%d fields, the header has %d", r->nfields, r->nheader);
        if (!valid_office_code(code))
            return csv_error(r, "code '%.20s' is not a 4-digit customs office code", code);
        memcpy(o.code, code, 5);
        if (copy_text(r, o.name_en, sizeof(o.name_en), csv_field(r, col[1]), o.code,
                      "name_en") ||
            copy_text(r, o.name_zh, sizeof(o.name_zh), csv_field(r, col[2]), o.code,
                      "name_zh") ||
            parse_nodes(r, &o, csv_field(r, col[3])))
            return -1;
        if (csv_field(r, col[4])[0] == '\0') return csv_error(r, "%s: source is empty", o.code);
        o.line = r->line;
        if (t->n == cap) {
            struct cx_office *v;
            cap = cap ? cap * 2 : 32;
            v = realloc(t->v, cap * sizeof(*v));
            if (v == NULL) return csv_error(r, "out of memory");
            t->v = v;
        }
        t->v[t->n++] = o;
    }
    if (rc < 0) return -1;
    if (t->n == 0) return csv_error(r, "no offices");
    return csv_sort_unique(r, t->v, t->n, sizeof(*t->v), offsetof(struct cx_office, code),
                           offsetof(struct cx_office, line), by_code, "code");
}

static int rows(void *t, struct csv_reader *r) { return parse_rows(t, r); }
static void drop(void *t) { cx_offices_free(t); }

int cx_offices_load(struct cx_offices *t, const char *path, char *err, size_t errlen) {
    memset(t, 0, sizeof(*t));
    return csv_table(t, rows, drop, path, OFFICES_MAX_BYTES, NULL, 0, NULL, err, errlen);
}

int cx_offices_parse(struct cx_offices *t, const char *buf, size_t len, const char *source,
                     char *err, size_t errlen) {
    memset(t, 0, sizeof(*t));
    return csv_table(t, rows, drop, NULL, 0, buf, len, source, err, errlen);
}

void cx_offices_free(struct cx_offices *t) {
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

const struct cx_office *cx_office_find(const struct cx_offices *t, const char *code) {
    struct cx_office key;
    if (t == NULL || t->n == 0 || code == NULL || !valid_office_code(code)) return NULL;
    memcpy(key.code, code, 5);
    return bsearch(&key, t->v, t->n, sizeof(*t->v), by_code);
}

const struct cx_office *cx_office_resolve(const struct cx_offices *t, const char *code) {
    const struct cx_office *o = cx_office_find(t, code);
    char district[5];
    if (o != NULL || code == NULL || !valid_office_code(code)) return o;
    district[0] = code[0];
    district[1] = code[1];
    district[2] = district[3] = '0';
    district[4] = '\0';
    return cx_office_find(t, district);
}

/* 1 when SHORT is LONG's part before a '-' ("CNCLJ" of "CNCLJ-SYH"). */
static int is_prefix_of(const char *shortc, const char *longc) {
    const char *dash = strchr(longc, '-');
    size_t n = strlen(shortc);
    return dash != NULL && (size_t)(dash - longc) == n && n > 0 &&
           strncmp(shortc, longc, n) == 0;
}

int cx_node_match(const char *a, const char *b) {
    if (a == NULL || b == NULL || a[0] == '\0' || b[0] == '\0') return 0;
    return strcmp(a, b) == 0 || is_prefix_of(a, b) || is_prefix_of(b, a);
}

int cx_office_has_node(const struct cx_office *o, const char *node_code) {
    if (o == NULL) return 0;
    for (size_t i = 0; i < o->nnodes; i++)
        if (cx_node_match(o->nodes[i], node_code)) return 1;
    return 0;
}
