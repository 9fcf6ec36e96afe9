/* freight.c -- load and look up the freight parameters (see freight.h). */
#include "freight.h"

#include "geodata/csv.h"
#include "geodata/nodes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FREIGHT_MAX_BYTES (4u << 20)
#define FREIGHT_MAX_ROWS 100000

static const char *const fmode_names[RT_FMODE_COUNT] = {"sea", "river", "rail", "air",
                                                        "road"};

static const char *const file_names[RT_FREIGHT_FILE_COUNT] = {
    "handling.csv", "cutoffs.csv", "release.csv",
    "customs.csv",  "tariffs.csv", "emissions.csv"};

/* The columns of each file, exactly: a missing one or any other is an
 * error, so that a typo in a header cannot silently drop a value. */
static const char *const handling_cols[] = {"node",           "from_mode", "to_mode",
                                            "min_handling_h", "source",    NULL};
static const char *const cutoff_cols[] = {"node", "mode", "cutoff_h", "source", NULL};
static const char *const release_cols[] = {"node", "mode", "release_h", "source", NULL};
static const char *const customs_cols[] = {"node",    "applies_at", "mode",
                                           "dwell_h", "source",     NULL};
static const char *const tariff_cols[] = {
    "mode",        "currency",       "per_shipment_usd", "per_kg_usd", "per_kg_km_usd",
    "per_teu_usd", "per_teu_km_usd", "source",           NULL};
static const char *const emission_cols[] = {
    "mode", "variant", "is_default", "kg_co2e_per_tkm", "scope", "source", NULL};

static const char *const *const file_cols[RT_FREIGHT_FILE_COUNT] = {
    handling_cols, cutoff_cols, release_cols, customs_cols, tariff_cols, emission_cols};

#define MAXCOLS 8

const char *rt_fmode_name(enum rt_fmode m) {
    return (m >= 0 && m < RT_FMODE_COUNT) ? fmode_names[m] : "unknown";
}

int rt_fmode_parse(const char *s) {
    for (int i = 0; i < RT_FMODE_COUNT; i++)
        if (strcmp(fmode_names[i], s) == 0) return i;
    return -1;
}

int rt_fmode_from_rt_mode(enum rt_mode m, int sea_going) {
    switch (m) {
    case RT_MODE_RAIL:
        return RT_FMODE_RAIL;
    case RT_MODE_WATER:
        return sea_going ? RT_FMODE_SEA : RT_FMODE_RIVER;
    case RT_MODE_AIR:
        return RT_FMODE_AIR;
    case RT_MODE_ROAD:
        return RT_FMODE_ROAD;
    default:
        return -1;
    }
}

const char *rt_freight_file_name(enum rt_freight_file which) {
    return (which >= 0 && which < RT_FREIGHT_FILE_COUNT) ? file_names[which]
                                                         : "unknown";
}

void rt_freight_init(struct rt_freight *f) {
    memset(f, 0, sizeof(*f));
    for (int m = 0; m < RT_FMODE_COUNT; m++)
        f->default_factor[m] = -1;
}

void rt_freight_free(struct rt_freight *f) {
    free(f->handling.v);
    free(f->cutoffs.v);
    free(f->release.v);
    free(f->customs.v);
    free(f->factors);
    rt_freight_init(f);
}

void rt_freight_override_init(struct rt_freight_override *o) {
    memset(o, 0, sizeof(*o));
    for (int i = 0; i < RT_FMODE_COUNT; i++) {
        for (int j = 0; j < RT_FMODE_COUNT; j++)
            o->handling_s[i][j] = -1;
        o->cutoff_s[i] = o->release_s[i] = o->customs_s[i] = -1;
        o->kg_co2e_per_tkm[i] = -1;
    }
}

/* ---- parsing ------------------------------------------------------------ */

/* Column indexes of the current file, in the order of its column list. */
struct cols {
    int ix[MAXCOLS];
};

static int check_header(struct csv_reader *r, const char *const *want, struct cols *c) {
    if (csv_read_header(r) != 0) return -1;
    for (int i = 0; i < r->nheader; i++) {
        int k;
        for (k = 0; want[k]; k++)
            if (strcmp(want[k], r->header[i]) == 0) break;
        if (want[k] == NULL)
            return csv_error(r, "unknown column '%.40s'", r->header[i]);
    }
    for (int k = 0; want[k]; k++)
        if ((c->ix[k] = csv_column(r, want[k])) < 0)
            return csv_error(r, "missing column '%s'", want[k]);
    return 0;
}

/* "" or a node code as in geodata/nodes.csv: 3..15 of A-Z, 0-9, '-'. */
static int parse_node(struct csv_reader *r, const char *s, char *out) {
    size_t n = strlen(s);
    if (n == 0) {
        out[0] = '\0';
        return 0;
    }
    if (n < 3 || n >= RT_FREIGHT_CODE_LEN)
        return csv_error(r, "node '%.40s' is not a node code", s);
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-'))
            return csv_error(r, "node '%.40s' is not a node code", s);
    }
    memcpy(out, s, n + 1);
    return 0;
}

static int parse_mode(struct csv_reader *r, const char *s, const char *column,
                      int8_t *out) {
    int m = rt_fmode_parse(s);
    if (m < 0)
        return csv_error(r, "%s '%.40s' is not one of sea, river, rail, air, road",
                         column, s);
    *out = (int8_t)m;
    return 0;
}

/* Hours (decimal) to whole seconds, 0..RT_FREIGHT_MAX_HOURS. */
static int parse_hours(struct csv_reader *r, const char *s, const char *column,
                       int32_t *out) {
    double h;
    if (csv_double(s, -1e300, 1e300, &h) != 0)
        return csv_error(r, "%s '%.40s' is not a number of hours", column, s);
    if (h < 0) return csv_error(r, "%s '%.40s' is negative", column, s);
    if (h > RT_FREIGHT_MAX_HOURS)
        return csv_error(r, "%s '%.40s' is over %d hours", column, s,
                         RT_FREIGHT_MAX_HOURS);
    *out = (int32_t)lround(h * 3600.0);
    return 0;
}

static int parse_amount(struct csv_reader *r, const char *s, const char *column,
                        double *out) {
    if (csv_double(s, -1e300, 1e300, out) != 0)
        return csv_error(r, "%s '%.40s' is not a number", column, s);
    if (*out < 0) return csv_error(r, "%s '%.40s' is negative", column, s);
    if (*out > 1e9) return csv_error(r, "%s '%.40s' is over 1e9", column, s);
    return 0;
}

static int need_source(struct csv_reader *r, const char *s) {
    return s[0]
               ? 0
               : csv_error(r, "source is empty: name a source or say \"assumed: why\"");
}

static int push_time(struct csv_reader *r, struct rt_freight_times *t,
                     const struct rt_freight_time *row) {
    if (t->n == t->cap) {
        struct rt_freight_time *v;
        size_t cap = t->cap ? t->cap * 2 : 32;
        if (t->n >= FREIGHT_MAX_ROWS)
            return csv_error(r, "more than %d rows", FREIGHT_MAX_ROWS);
        v = realloc(t->v, cap * sizeof(*v));
        if (v == NULL) return csv_error(r, "out of memory");
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = *row;
    return 0;
}

static const struct rt_freight_time *find_time(const struct rt_freight_times *t,
                                               const char *node, int a, int b) {
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].a == a && t->v[i].b == b && strcmp(t->v[i].node, node) == 0)
            return &t->v[i];
    return NULL;
}

static const char *node_or_default(const char *node) {
    return node[0] ? node : "default";
}

static int parse_times(struct rt_freight *f, enum rt_freight_file which,
                       struct csv_reader *r, const struct cols *c) {
    struct rt_freight_times *t = which == RT_FREIGHT_HANDLING  ? &f->handling
                                 : which == RT_FREIGHT_CUTOFFS ? &f->cutoffs
                                 : which == RT_FREIGHT_RELEASE ? &f->release
                                                               : &f->customs;
    const char *const *names = file_cols[which];
    int rc;

    while ((rc = csv_next(r)) == 1) {
        struct rt_freight_time row;
        const struct rt_freight_time *dup;
        int k = 0;
        memset(&row, 0, sizeof(row));
        row.b = -1;
        row.line = r->line;
        if (r->nfields != r->nheader)
            return csv_error(r, "%d fields, the header has %d", r->nfields, r->nheader);
        if (parse_node(r, csv_field(r, c->ix[k]), row.node) != 0) return -1;
        k++;
        if (which == RT_FREIGHT_HANDLING) {
            int8_t to = 0;
            if (parse_mode(r, csv_field(r, c->ix[1]), names[1], &row.a) != 0 ||
                parse_mode(r, csv_field(r, c->ix[2]), names[2], &to) != 0)
                return -1;
            row.b = to;
            k = 3;
        } else if (which == RT_FREIGHT_CUSTOMS) {
            const char *at = csv_field(r, c->ix[1]);
            if (row.node[0]) {
                if (at[0])
                    return csv_error(r, "applies_at must be empty on a node row (%s)",
                                     row.node);
                row.b = 0;
            } else if (strcmp(at, "border") == 0) {
                row.b = CUSTOMS_BORDER;
            } else if (strcmp(at, "port_of_entry") == 0) {
                row.b = CUSTOMS_PORT_OF_ENTRY;
            } else {
                return csv_error(r,
                                 "applies_at '%.40s' is not border or port_of_entry "
                                 "(a default row needs one)",
                                 at);
            }
            if (parse_mode(r, csv_field(r, c->ix[2]), names[2], &row.a) != 0) return -1;
            k = 3;
        } else {
            if (parse_mode(r, csv_field(r, c->ix[1]), names[1], &row.a) != 0) return -1;
            k = 2;
        }
        if (parse_hours(r, csv_field(r, c->ix[k]), names[k], &row.secs) != 0) return -1;
        if (need_source(r, csv_field(r, c->ix[k + 1])) != 0) return -1;
        if ((dup = find_time(t, row.node, row.a, row.b)) != NULL) {
            if (which == RT_FREIGHT_HANDLING)
                return csv_error(r, "duplicate key (%s, %s, %s), also line %d",
                                 node_or_default(row.node), rt_fmode_name(row.a),
                                 rt_fmode_name((enum rt_fmode)row.b), dup->line);
            if (which == RT_FREIGHT_CUSTOMS && !row.node[0])
                return csv_error(r, "duplicate key (default, %s, %s), also line %d",
                                 row.b == CUSTOMS_BORDER ? "border" : "port_of_entry",
                                 rt_fmode_name(row.a), dup->line);
            return csv_error(r, "duplicate key (%s, %s), also line %d",
                             node_or_default(row.node), rt_fmode_name(row.a),
                             dup->line);
        }
        if (push_time(r, t, &row) != 0) return -1;
    }
    return rc < 0 ? -1 : 0;
}

static int parse_tariffs(struct rt_freight *f, struct csv_reader *r,
                         const struct cols *c) {
    int rc;
    while ((rc = csv_next(r)) == 1) {
        struct rt_freight_tariff t;
        int8_t m = 0;
        double *slot[5];
        memset(&t, 0, sizeof(t));
        slot[0] = &t.per_shipment_usd;
        slot[1] = &t.per_kg_usd;
        slot[2] = &t.per_kg_km_usd;
        slot[3] = &t.per_teu_usd;
        slot[4] = &t.per_teu_km_usd;
        if (r->nfields != r->nheader)
            return csv_error(r, "%d fields, the header has %d", r->nfields, r->nheader);
        if (parse_mode(r, csv_field(r, c->ix[0]), "mode", &m) != 0) return -1;
        if (strcmp(csv_field(r, c->ix[1]), "USD") != 0)
            return csv_error(r, "currency '%.40s' is not USD", csv_field(r, c->ix[1]));
        for (int k = 0; k < 5; k++) {
            const char *s = csv_field(r, c->ix[2 + k]);
            if (k >= 3 && s[0] == '\0') continue; /* no TEU rate: priced by kg */
            if (parse_amount(r, s, tariff_cols[2 + k], slot[k]) != 0) return -1;
            if (k >= 3) t.has_teu = 1;
        }
        if (need_source(r, csv_field(r, c->ix[7])) != 0) return -1;
        if (f->tariff[m].set)
            return csv_error(r, "duplicate key (%s), also line %d", rt_fmode_name(m),
                             f->tariff_line[m]);
        t.set = 1;
        f->tariff[m] = t;
        f->tariff_line[m] = r->line;
    }
    return rc < 0 ? -1 : 0;
}

static int parse_emissions(struct rt_freight *f, struct csv_reader *r,
                           const struct cols *c) {
    int rc;
    while ((rc = csv_next(r)) == 1) {
        struct rt_freight_factor e;
        const char *variant, *def, *scope;
        size_t n;
        memset(&e, 0, sizeof(e));
        e.line = r->line;
        if (r->nfields != r->nheader)
            return csv_error(r, "%d fields, the header has %d", r->nfields, r->nheader);
        if (parse_mode(r, csv_field(r, c->ix[0]), "mode", &e.mode) != 0) return -1;
        variant = csv_field(r, c->ix[1]);
        n = strlen(variant);
        if (n == 0) return csv_error(r, "variant is empty");
        if (n >= RT_FREIGHT_VARIANT_LEN)
            return csv_error(r, "variant is longer than %d bytes",
                             RT_FREIGHT_VARIANT_LEN - 1);
        memcpy(e.variant, variant, n + 1);
        def = csv_field(r, c->ix[2]);
        if (strcmp(def, "1") == 0)
            e.is_default = 1;
        else if (strcmp(def, "0") != 0)
            return csv_error(r, "is_default '%.40s' is not 0 or 1", def);
        if (parse_amount(r, csv_field(r, c->ix[3]), "kg_co2e_per_tkm", &e.kg_per_tkm) !=
            0)
            return -1;
        scope = csv_field(r, c->ix[4]);
        if (strcmp(scope, "WTW") != 0)
            return csv_error(r, "scope '%.40s' is not WTW (well-to-wheel)", scope);
        if (need_source(r, csv_field(r, c->ix[5])) != 0) return -1;
        for (size_t i = 0; i < f->nfactors; i++) {
            const struct rt_freight_factor *o = &f->factors[i];
            if (o->mode == e.mode && strcmp(o->variant, e.variant) == 0)
                return csv_error(r, "duplicate key (%s, %s), also line %d",
                                 rt_fmode_name(e.mode), e.variant, o->line);
        }
        if (e.is_default && f->default_factor[e.mode] >= 0)
            return csv_error(r, "second default for mode %s, also line %d",
                             rt_fmode_name(e.mode),
                             f->factors[f->default_factor[e.mode]].line);
        if (f->nfactors == f->capfactors) {
            struct rt_freight_factor *v;
            size_t cap = f->capfactors ? f->capfactors * 2 : 16;
            if (f->nfactors >= FREIGHT_MAX_ROWS)
                return csv_error(r, "more than %d rows", FREIGHT_MAX_ROWS);
            v = realloc(f->factors, cap * sizeof(*v));
            if (v == NULL) return csv_error(r, "out of memory");
            f->factors = v;
            f->capfactors = cap;
        }
        if (e.is_default) f->default_factor[e.mode] = (int)f->nfactors;
        f->factors[f->nfactors++] = e;
    }
    return rc < 0 ? -1 : 0;
}

static int parse_reader(struct rt_freight *f, enum rt_freight_file which,
                        struct csv_reader *r) {
    struct cols c;
    if (check_header(r, file_cols[which], &c) != 0) return -1;
    switch (which) {
    case RT_FREIGHT_TARIFFS:
        return parse_tariffs(f, r, &c);
    case RT_FREIGHT_EMISSIONS:
        return parse_emissions(f, r, &c);
    default:
        return parse_times(f, which, r, &c);
    }
}

/* The line of the last record (or the header): where a completeness
 * error points. */
static int end_line(const struct csv_reader *r) {
    return r->line;
}

int rt_freight_parse(struct rt_freight *f, enum rt_freight_file which, const char *buf,
                     size_t len, const char *source, char *err, size_t errlen) {
    struct csv_reader r;
    int rc;
    if (which < 0 || which >= RT_FREIGHT_FILE_COUNT) {
        snprintf(err, errlen, "%s: not a freight file", source);
        return -1;
    }
    if (csv_open_buffer(&r, buf, len, source) != 0) {
        snprintf(err, errlen, "%s", r.err);
        csv_close(&r);
        return -1;
    }
    rc = parse_reader(f, which, &r);
    if (rc != 0) snprintf(err, errlen, "%s", r.err);
    csv_close(&r);
    return rc;
}

int rt_freight_check(const struct rt_freight *f, const char *tariffs_src,
                     int tariffs_end, const char *emissions_src, int emissions_end,
                     char *err, size_t errlen) {
    for (int m = 0; m < RT_FMODE_COUNT; m++) {
        if (!f->tariff[m].set) {
            snprintf(err, errlen, "%s:%d: end of file: no row for mode %s", tariffs_src,
                     tariffs_end, fmode_names[m]);
            return -1;
        }
    }
    for (int m = 0; m < RT_FMODE_COUNT; m++) {
        if (f->default_factor[m] < 0) {
            snprintf(err, errlen,
                     "%s:%d: end of file: no default (is_default 1) for mode %s",
                     emissions_src, emissions_end, fmode_names[m]);
            return -1;
        }
    }
    return 0;
}

int rt_freight_load(struct rt_freight *f, const char *dir, char *err, size_t errlen) {
    char path[RT_FREIGHT_FILE_COUNT][1024];
    int end[RT_FREIGHT_FILE_COUNT];
    rt_freight_init(f);
    for (int w = 0; w < RT_FREIGHT_FILE_COUNT; w++) {
        struct csv_reader r;
        int rc, n = snprintf(path[w], sizeof(path[w]), "%s/%s", dir, file_names[w]);
        if (n < 0 || (size_t)n >= sizeof(path[w])) {
            snprintf(err, errlen, "%s: path too long", dir);
            rt_freight_free(f);
            return -1;
        }
        rc = csv_open_file(&r, path[w], FREIGHT_MAX_BYTES);
        if (rc == 0) rc = parse_reader(f, (enum rt_freight_file)w, &r);
        if (rc != 0) {
            snprintf(err, errlen, "%s", r.err);
            csv_close(&r);
            rt_freight_free(f);
            return -1;
        }
        end[w] = end_line(&r);
        csv_close(&r);
    }
    if (rt_freight_check(f, path[RT_FREIGHT_TARIFFS], end[RT_FREIGHT_TARIFFS],
                         path[RT_FREIGHT_EMISSIONS], end[RT_FREIGHT_EMISSIONS], err,
                         errlen) != 0) {
        rt_freight_free(f);
        return -1;
    }
    return 0;
}

/* ---- lookups ------------------------------------------------------------ */

static int valid_mode(int m) {
    return m >= 0 && m < RT_FMODE_COUNT;
}

/* The node row, else the default row, else 0. */
static int32_t lookup(const struct rt_freight_times *t, const char *node, int a,
                      int b) {
    const struct rt_freight_time *row = NULL;
    if (node && node[0]) row = find_time(t, node, a, b);
    if (row == NULL) row = find_time(t, "", a, b);
    return row ? row->secs : 0;
}

int32_t rt_freight_handling(const struct rt_freight *f, const char *node,
                            enum rt_fmode from, enum rt_fmode to,
                            const struct rt_freight_override *o) {
    if (!valid_mode(from) || !valid_mode(to)) return 0;
    if (o && o->handling_s[from][to] >= 0) return o->handling_s[from][to];
    return lookup(&f->handling, node, from, to);
}

int32_t rt_freight_cutoff(const struct rt_freight *f, const char *node,
                          enum rt_fmode mode, const struct rt_freight_override *o) {
    if (!valid_mode(mode)) return 0;
    if (o && o->cutoff_s[mode] >= 0) return o->cutoff_s[mode];
    return lookup(&f->cutoffs, node, mode, -1);
}

int32_t rt_freight_release(const struct rt_freight *f, const char *node,
                           enum rt_fmode mode, const struct rt_freight_override *o) {
    if (!valid_mode(mode)) return 0;
    if (o && o->release_s[mode] >= 0) return o->release_s[mode];
    return lookup(&f->release, node, mode, -1);
}

int32_t rt_freight_customs_dwell(const struct rt_freight *f, const char *node,
                                 unsigned customs_flags, enum rt_fmode mode,
                                 const struct rt_freight_override *o) {
    const struct rt_freight_time *row;
    int32_t best = 0;
    if (!valid_mode(mode)) return 0;
    row = (node && node[0]) ? find_time(&f->customs, node, mode, 0) : NULL;
    /* The override changes how long clearance takes, not where it happens. */
    if (row == NULL && !(customs_flags & (CUSTOMS_BORDER | CUSTOMS_PORT_OF_ENTRY)))
        return 0;
    if (o && o->customs_s[mode] >= 0) return o->customs_s[mode];
    if (row) return row->secs;
    if ((customs_flags & CUSTOMS_BORDER) &&
        (row = find_time(&f->customs, "", mode, CUSTOMS_BORDER)) != NULL &&
        row->secs > best)
        best = row->secs;
    if ((customs_flags & CUSTOMS_PORT_OF_ENTRY) &&
        (row = find_time(&f->customs, "", mode, CUSTOMS_PORT_OF_ENTRY)) != NULL &&
        row->secs > best)
        best = row->secs;
    return best;
}

static int bad_quantity(double x) {
    return !isfinite(x) || x < 0;
}

double rt_freight_cost(const struct rt_freight *f, enum rt_fmode mode,
                       double distance_km, double weight_kg, double teu,
                       const struct rt_freight_override *o) {
    const struct rt_freight_tariff *t;
    if (!valid_mode(mode) || bad_quantity(distance_km) || bad_quantity(weight_kg) ||
        bad_quantity(teu))
        return -1;
    t = (o && o->tariff[mode].set) ? &o->tariff[mode] : &f->tariff[mode];
    if (!t->set) return -1;
    if (teu > 0 && t->has_teu)
        return t->per_shipment_usd +
               teu * (t->per_teu_usd + t->per_teu_km_usd * distance_km);
    return t->per_shipment_usd +
           weight_kg * (t->per_kg_usd + t->per_kg_km_usd * distance_km);
}

double rt_freight_factor(const struct rt_freight *f, enum rt_fmode mode,
                         const struct rt_freight_override *o) {
    if (!valid_mode(mode)) return -1;
    if (o && o->kg_co2e_per_tkm[mode] >= 0) return o->kg_co2e_per_tkm[mode];
    if (f->default_factor[mode] < 0) return -1;
    return f->factors[f->default_factor[mode]].kg_per_tkm;
}

double rt_freight_factor_variant(const struct rt_freight *f, enum rt_fmode mode,
                                 const char *variant) {
    for (size_t i = 0; i < f->nfactors; i++)
        if (f->factors[i].mode == (int)mode &&
            strcmp(f->factors[i].variant, variant) == 0)
            return f->factors[i].kg_per_tkm;
    return -1;
}

double rt_freight_co2e_kg(const struct rt_freight *f, enum rt_fmode mode,
                          double distance_km, double weight_kg,
                          const struct rt_freight_override *o) {
    double k;
    if (bad_quantity(distance_km) || bad_quantity(weight_kg)) return -1;
    if ((k = rt_freight_factor(f, mode, o)) < 0) return -1;
    return k * distance_km * weight_kg / 1000.0;
}
