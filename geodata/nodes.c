/* nodes.c -- load and look up the node table (see nodes.h). */
#include "nodes.h"
#include "csv.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NODES_MAX_BYTES (16u << 20)

static const char *const kind_names[KIND_COUNT] = {
    "river_port", "seaport", "rail_terminal", "border_crossing",
    "airport", "warehouse", "bonded_zone", "inspection_centre"};

static const char *const customs_names[CUSTOMS_FLAG_COUNT] = {
    "meat_port", "bonded_zone", "insp_9610", "insp_1210", "port_of_entry", "border"};

const char *geo_kind_name(enum geo_kind k) {
    return (k >= 0 && k < KIND_COUNT) ? kind_names[k] : "unknown";
}

int geo_kind_parse(const char *s) {
    for (int i = 0; i < KIND_COUNT; i++)
        if (strcmp(kind_names[i], s) == 0) return i;
    return -1;
}

const char *geo_customs_name(int i) {
    return (i >= 0 && i < CUSTOMS_FLAG_COUNT) ? customs_names[i] : "unknown";
}

int geo_node_code_valid(const char *s) {
    size_t n = strlen(s), i;
    if (n == 3) {
        for (i = 0; i < 3; i++) if (!isupper((unsigned char)s[i])) return 0;
        return 1;
    }
    if (n < 5) return 0;
    for (i = 0; i < 2; i++) if (!isupper((unsigned char)s[i])) return 0;
    for (i = 2; i < 5; i++)
        if (!isupper((unsigned char)s[i]) && !(s[i] >= '2' && s[i] <= '9')) return 0;
    if (n == 5) return 1;
    if (s[5] != '-' || n < 8 || n > 10) return 0;
    for (i = 6; i < n; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i])) return 0;
    return 1;
}

static int valid_tz(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= 48 || strchr(s, '/') == NULL || s[0] == '/') return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '/' || c == '_' || c == '-' || c == '+')) return 0;
    }
    return strstr(s, "..") == NULL;
}

static int copy_field(struct csv_reader *r, char *dst, size_t dstlen,
                      const char *value, const char *column, int required) {
    size_t n = strlen(value);
    if (required && n == 0) return csv_error(r, "%s is empty", column);
    if (n >= dstlen)
        return csv_error(r, "%s is longer than %zu bytes", column, dstlen - 1);
    memcpy(dst, value, n + 1);
    return 0;
}

static int parse_customs(struct csv_reader *r, const char *s, unsigned *out) {
    char buf[256];
    char *save = NULL;
    *out = 0;
    if (strlen(s) >= sizeof(buf)) return csv_error(r, "customs is too long");
    snprintf(buf, sizeof(buf), "%s", s);
    for (char *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        int i;
        for (i = 0; i < CUSTOMS_FLAG_COUNT; i++)
            if (strcmp(customs_names[i], t) == 0) break;
        if (i == CUSTOMS_FLAG_COUNT)
            return csv_error(r, "customs flag '%.40s' is not one of meat_port, "
                                "bonded_zone, insp_9610, insp_1210, port_of_entry, "
                                "border", t);
        *out |= 1u << i;
    }
    return 0;
}

static int by_code(const void *a, const void *b) {
    return strcmp(((const struct geo_node *)a)->code, ((const struct geo_node *)b)->code);
}

static const char *const columns[] = {"code", "kind", "name_en", "name_zh", "lat",
                                      "lon", "tz", "country", "customs", "source"};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

static int parse_rows(struct geo_nodes *t, struct csv_reader *r) {
    int col[NCOLS], rc;
    size_t cap = 0;

    if (csv_columns(r, columns, NCOLS, col) != 0) return -1;

    while ((rc = csv_next(r)) == 1) {
        struct geo_node nd;
        int kind;
        memset(&nd, 0, sizeof(nd));
        if (r->nfields != r->nheader)
            return csv_error(r, "%d fields, the header has %d", r->nfields, r->nheader);
        if (!geo_node_code_valid(csv_field(r, col[0])))
            return csv_error(r, "code '%.40s' is not a UN/LOCODE (CNSHA), an IATA "
                                "code (PVG) or a local code (CNSHA-YSH)",
                             csv_field(r, col[0]));
        snprintf(nd.code, sizeof(nd.code), "%s", csv_field(r, col[0]));
        if ((kind = geo_kind_parse(csv_field(r, col[1]))) < 0)
            return csv_error(r, "%s: kind '%.40s' is unknown", nd.code,
                             csv_field(r, col[1]));
        nd.kind = (enum geo_kind)kind;
        if (copy_field(r, nd.name_en, sizeof(nd.name_en), csv_field(r, col[2]), "name_en", 1) ||
            copy_field(r, nd.name_zh, sizeof(nd.name_zh), csv_field(r, col[3]), "name_zh", 1))
            return -1;
        if (csv_double(csv_field(r, col[4]), -90, 90, &nd.lat) != 0)
            return csv_error(r, "%s: lat '%.40s' is not a latitude in -90..90",
                             nd.code, csv_field(r, col[4]));
        if (csv_double(csv_field(r, col[5]), -180, 180, &nd.lon) != 0)
            return csv_error(r, "%s: lon '%.40s' is not a longitude in -180..180",
                             nd.code, csv_field(r, col[5]));
        if (!valid_tz(csv_field(r, col[6])))
            return csv_error(r, "%s: tz '%.60s' is not an IANA time zone name",
                             nd.code, csv_field(r, col[6]));
        snprintf(nd.tz, sizeof(nd.tz), "%s", csv_field(r, col[6]));
        {
            const char *c = csv_field(r, col[7]);
            if (strlen(c) != 2 || !isupper((unsigned char)c[0]) || !isupper((unsigned char)c[1]))
                return csv_error(r, "%s: country '%.10s' is not ISO 3166 alpha-2",
                                 nd.code, c);
            memcpy(nd.country, c, 3);
        }
        if (parse_customs(r, csv_field(r, col[8]), &nd.customs) != 0) return -1;
        if (copy_field(r, nd.source, sizeof(nd.source), csv_field(r, col[9]), "source", 1))
            return -1;
        if (t->n == cap) {
            struct geo_node *v;
            cap = cap ? cap * 2 : 128;
            v = realloc(t->v, cap * sizeof(*v));
            if (v == NULL) return csv_error(r, "out of memory");
            t->v = v;
        }
        nd.line = r->line;
        t->v[t->n++] = nd;
    }
    if (rc < 0) return -1;
    if (t->n == 0) return csv_error(r, "no nodes");
    return csv_sort_unique(r, t->v, t->n, sizeof(*t->v), offsetof(struct geo_node, code),
                           offsetof(struct geo_node, line), by_code, "code");
}

static int rows(void *t, struct csv_reader *r) { return parse_rows(t, r); }
static void drop(void *t) { geo_nodes_free(t); }

int geo_nodes_load(struct geo_nodes *t, const char *path, char *err, size_t errlen) {
    memset(t, 0, sizeof(*t));
    return csv_table(t, rows, drop, path, NODES_MAX_BYTES, NULL, 0, NULL, err, errlen);
}

int geo_nodes_parse(struct geo_nodes *t, const char *buf, size_t len,
                    const char *source, char *err, size_t errlen) {
    memset(t, 0, sizeof(*t));
    return csv_table(t, rows, drop, NULL, 0, buf, len, source, err, errlen);
}

void geo_nodes_free(struct geo_nodes *t) {
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

const struct geo_node *geo_node_find(const struct geo_nodes *t, const char *code) {
    struct geo_node key;
    if (strlen(code) >= sizeof(key.code) || t->n == 0) return NULL;
    snprintf(key.code, sizeof(key.code), "%s", code);
    return bsearch(&key, t->v, t->n, sizeof(*t->v), by_code);
}
