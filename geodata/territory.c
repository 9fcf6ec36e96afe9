/* territory.c -- load and look up customs territories (see territory.h). */
#include "territory.h"
#include "csv.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most one row per ISO code: 676 rows of ~100 bytes.  1 MiB leaves room
 * for long sources without letting a wrong path fill memory. */
#define TERRITORY_MAX_BYTES (1u << 20)

static int valid_country(const char *s) {
    return s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] == '\0';
}

/* Names go into JSON answers and log lines unquoted: keep them to a plain
 * identifier alphabet so neither needs escaping. */
static int valid_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= GEO_TERRITORY_LEN) return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(isalnum(c) || c == '-' || c == '_') || c >= 0x80) return 0;
    }
    return 1;
}

static int by_country(const void *a, const void *b) {
    return strcmp(((const struct geo_territory_row *)a)->country,
                  ((const struct geo_territory_row *)b)->country);
}

static int by_name(const void *a, const void *b) {
    return strcmp((const char *)a, (const char *)b);
}

static const char *const columns[] = {"country", "territory", "source"};
#define NCOLS (sizeof(columns) / sizeof(columns[0]))

/* The sorted distinct names of T's rows, for geo_territory_id. */
static int collect_names(struct geo_territories *t, struct csv_reader *r) {
    size_t k = 0;
    t->names = malloc(t->n * sizeof(*t->names));
    if (t->names == NULL) return csv_error(r, "out of memory");
    for (size_t i = 0; i < t->n; i++)
        memcpy(t->names[i], t->v[i].territory, GEO_TERRITORY_LEN);
    qsort(t->names, t->n, sizeof(*t->names), by_name);
    for (size_t i = 0; i < t->n; i++)
        if (k == 0 || strcmp(t->names[k - 1], t->names[i]) != 0) {
            if (k != i) memcpy(t->names[k], t->names[i], GEO_TERRITORY_LEN);
            k++;
        }
    t->nnames = k;
    return 0;
}

static int parse_rows(struct geo_territories *t, struct csv_reader *r) {
    int col[NCOLS], rc;
    size_t cap = 0;

    if (csv_columns(r, columns, NCOLS, col) != 0) return -1;

    while ((rc = csv_next(r)) == 1) {
        struct geo_territory_row row;
        const char *c = csv_field(r, col[0]), *name = csv_field(r, col[1]);
        memset(&row, 0, sizeof(row));
        if (r->nfields != r->nheader)
            return csv_error(r, "%d fields, the header has %d", r->nfields, r->nheader);
        if (!valid_country(c))
            return csv_error(r, "country '%.10s' is not ISO 3166-1 alpha-2 (two "
                                "upper-case letters)", c);
        if (!valid_name(name))
            return csv_error(r, "%s: territory '%.40s' is not 1..%d of A-Z, a-z, "
                                "0-9, '-', '_'", c, name, GEO_TERRITORY_LEN - 1);
        if (csv_field(r, col[2])[0] == '\0')
            return csv_error(r, "%s: source is empty", c);
        memcpy(row.country, c, 3);
        memcpy(row.territory, name, strlen(name) + 1);
        row.line = r->line;
        if (t->n == cap) {
            struct geo_territory_row *v;
            cap = cap ? cap * 2 : 64;
            v = realloc(t->v, cap * sizeof(*v));
            if (v == NULL) return csv_error(r, "out of memory");
            t->v = v;
        }
        t->v[t->n++] = row;
    }
    if (rc < 0) return -1;
    /* An empty table is valid: every country is then its own territory. */
    if (t->n == 0) return 0;
    if (csv_sort_unique(r, t->v, t->n, sizeof(*t->v), offsetof(struct geo_territory_row, country),
                        offsetof(struct geo_territory_row, line), by_country, "country") != 0)
        return -1;
    return collect_names(t, r);
}

static int rows(void *t, struct csv_reader *r) { return parse_rows(t, r); }
static void drop(void *t) { geo_territories_free(t); }

int geo_territories_load(struct geo_territories *t, const char *path, char *err,
                         size_t errlen) {
    memset(t, 0, sizeof(*t));
    return csv_table(t, rows, drop, path, TERRITORY_MAX_BYTES, NULL, 0, NULL, err, errlen);
}

int geo_territories_parse(struct geo_territories *t, const char *buf, size_t len,
                          const char *source, char *err, size_t errlen) {
    memset(t, 0, sizeof(*t));
    return csv_table(t, rows, drop, NULL, 0, buf, len, source, err, errlen);
}

void geo_territories_free(struct geo_territories *t) {
    free(t->v);
    free(t->names);
    memset(t, 0, sizeof(*t));
}

static const struct geo_territory_row *find_row(const struct geo_territories *t,
                                                const char *country) {
    struct geo_territory_row key;
    if (t == NULL || t->n == 0 || !valid_country(country)) return NULL;
    memcpy(key.country, country, 3);
    return bsearch(&key, t->v, t->n, sizeof(*t->v), by_country);
}

const char *geo_territory_of(const struct geo_territories *t, const char country[3]) {
    const struct geo_territory_row *row = find_row(t, country);
    return row ? row->territory : country;
}

uint16_t geo_territory_id(const struct geo_territories *t, const char *country) {
    const char *name;
    const char (*hit)[GEO_TERRITORY_LEN];
    size_t nnames = t ? t->nnames : 0;

    if (country == NULL || !valid_country(country)) return UINT16_MAX;
    name = geo_territory_of(t, country);
    /* A listed country's name is always in names; an unlisted country's
     * code is there only when a territory carries that name. */
    hit = nnames ? bsearch(name, t->names, nnames, sizeof(*t->names), by_name) : NULL;
    if (hit) return (uint16_t)(hit - t->names);
    return (uint16_t)(nnames + 26u * (unsigned)(country[0] - 'A') +
                      (unsigned)(country[1] - 'A'));
}
