/* timetable.c -- string pool, id maps, look-ups and statistics over the
 * flat timetable arrays (see timetable.h). */
#include "timetable.h"

#include <stdlib.h>
#include <string.h>

static const char *const mode_names[RT_MODE_COUNT] = {"rail", "water", "air", "road",
                                                      "other"};

const char *rt_mode_name(enum rt_mode m) {
    return ((int)m >= 0 && m < RT_MODE_COUNT) ? mode_names[m] : "unknown";
}

/* The table (2 and 100-117 rail, 4 and 1000-1200 water, 1100 air, 3
 * and 700-717 road), with the whole 1100-1199 block as air: the extended
 * route types 1101-1114 are air services too (international, domestic,
 * charter, helicopter...), so reading them as water would be wrong. */
int rt_mode_from_route_type(long t) {
    if (t < 0 || t > 1799) return -1;
    if (t == 2 || (t >= 100 && t <= 117)) return RT_MODE_RAIL;
    if (t >= 1100 && t <= 1199) return RT_MODE_AIR;
    if (t == 4 || (t >= 1000 && t <= 1200)) return RT_MODE_WATER;
    if (t == 3 || (t >= 700 && t <= 717)) return RT_MODE_ROAD;
    return RT_MODE_OTHER;
}

/* ---- dates ---------------------------------------------------------------- */

static int is_leap(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int32_t leaps_before(int y) { /* leap years in 1 .. y-1 */
    return (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400;
}

static int32_t days_from_ymd(int y, int m, int d) {
    static const int before[12] = {0,   31,  59,  90,  120, 151,
                                   181, 212, 243, 273, 304, 334};
    return (int32_t)(y - 1970) * 365 + leaps_before(y) - leaps_before(1970) +
           before[m - 1] + (m > 2 && is_leap(y)) + d - 1;
}

int32_t rt_days_from_date(int ymd) {
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    if (ymd < 0 || y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1) return INT32_MIN;
    if (d > mdays[m - 1] + (m == 2 && is_leap(y))) return INT32_MIN;
    return days_from_ymd(y, m, d);
}

int rt_date_from_days(int32_t days) {
    int y = 1970 + (int)(days / 366), m = 1;
    if (days < 0) y = 1970 + (int)(days / 365) - 1;
    while (days_from_ymd(y + 1, 1, 1) <= days)
        y++;
    while (days_from_ymd(y, 1, 1) > days)
        y--;
    while (m < 12 && days_from_ymd(y, m + 1, 1) <= days)
        m++;
    return y * 10000 + m * 100 + (int)(days - days_from_ymd(y, m, 1)) + 1;
}

int rt_day_of_date(const struct rt_timetable *tt, int ymd) {
    int32_t d = rt_days_from_date(ymd);
    if (d == INT32_MIN || d < tt->first_day || (int64_t)d - tt->first_day >= tt->ndays)
        return -1;
    return (int)(d - tt->first_day);
}

int64_t rt_local_time(const struct rt_timetable *tt, uint32_t zone, uint32_t day,
                      int64_t secs) {
    return tt->day_start[(size_t)zone * tt->ndays + day] - tt->epoch + secs;
}

/* ---- string pool and id maps ------------------------------------------------ */

#define POOL_MAX ((size_t)UINT32_MAX - 1)

int rt_strings_add(struct rt_timetable *tt, const char *s, size_t len, uint32_t *off) {
    if (len == 0 && tt->strings != NULL) { /* every empty string is offset 0 */
        *off = 0;
        return 0;
    }
    if (tt->strings == NULL) {
        tt->strings = malloc(4096);
        if (tt->strings == NULL) return -1;
        tt->strings[0] = '\0';
        tt->strings_len = 1;
        tt->strings_cap = 4096;
        if (len == 0) {
            *off = 0;
            return 0;
        }
    }
    if (len + 1 > POOL_MAX - tt->strings_len) return -1;
    if (tt->strings_len + len + 1 > tt->strings_cap) {
        size_t cap = tt->strings_cap;
        char *p;
        while (cap < tt->strings_len + len + 1)
            cap *= 2;
        if (cap > POOL_MAX) cap = POOL_MAX;
        p = realloc(tt->strings, cap);
        if (p == NULL) return -1;
        tt->strings = p;
        tt->strings_cap = cap;
    }
    memcpy(tt->strings + tt->strings_len, s, len);
    tt->strings[tt->strings_len + len] = '\0';
    *off = (uint32_t)tt->strings_len;
    tt->strings_len += len + 1;
    return 0;
}

/* FNV-1a: ids come from files the operator chose, not from clients, so a
 * keyed hash buys nothing here. */
static uint32_t hash_str(const char *s) {
    uint32_t h = 2166136261u;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 16777619u;
    }
    return h;
}

static int idmap_grow(struct rt_idmap *m) {
    uint32_t cap = m->cap ? m->cap * 2 : 64;
    struct rt_idslot *s;
    if (m->cap >= (1u << 31)) return -1;
    s = calloc(cap, sizeof(*s));
    if (s == NULL) return -1;
    for (uint32_t i = 0; i < m->cap; i++) {
        uint32_t j;
        if (m->slots[i].key == 0) continue;
        for (j = m->slots[i].hash & (cap - 1); s[j].key; j = (j + 1) & (cap - 1))
            ;
        s[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    return 0;
}

int rt_idmap_put(struct rt_idmap *m, const struct rt_timetable *tt, uint32_t off,
                 uint32_t val, uint32_t *old) {
    const char *key = rt_str(tt, off);
    uint32_t h = hash_str(key), j;
    if ((m->n + 1) * 4 > m->cap * 3 && idmap_grow(m) != 0) return -1;
    for (j = h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1)) {
        if (m->slots[j].hash == h &&
            strcmp(rt_str(tt, m->slots[j].key - 1), key) == 0) {
            if (old) *old = m->slots[j].val;
            return 1;
        }
    }
    m->slots[j].key = off + 1;
    m->slots[j].hash = h;
    m->slots[j].val = val;
    m->n++;
    return 0;
}

uint32_t rt_idmap_get(const struct rt_idmap *m, const struct rt_timetable *tt,
                      const char *s) {
    uint32_t h, j;
    if (m->cap == 0) return RT_NONE;
    h = hash_str(s);
    for (j = h & (m->cap - 1); m->slots[j].key; j = (j + 1) & (m->cap - 1))
        if (m->slots[j].hash == h && strcmp(rt_str(tt, m->slots[j].key - 1), s) == 0)
            return m->slots[j].val;
    return RT_NONE;
}

void rt_idmap_free(struct rt_idmap *m) {
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

/* ---- look-ups ---------------------------------------------------------------- */

uint32_t rt_stop_find(const struct rt_timetable *tt, const char *id) {
    return rt_idmap_get(&tt->stop_ids, tt, id);
}

uint32_t rt_route_find(const struct rt_timetable *tt, const char *id) {
    return rt_idmap_get(&tt->route_ids, tt, id);
}

uint32_t rt_trip_find(const struct rt_timetable *tt, const char *id) {
    return rt_idmap_get(&tt->trip_ids, tt, id);
}

/* A short-name index entry while sorting: the name itself, so that the
 * comparison needs no timetable (qsort has no context argument). */
struct short_key {
    const char *name;
    uint32_t trip;
};

static int short_cmp(const void *a, const void *b) {
    const struct short_key *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0) return c;
    return x->trip < y->trip ? -1 : x->trip > y->trip;
}

int rt_timetable_index_short(struct rt_timetable *tt) {
    uint32_t n = 0, *idx;
    struct short_key *keys;
    free(tt->short_index);
    tt->short_index = NULL;
    tt->nshort = 0;
    for (uint32_t t = 0; t < tt->ntrips; t++)
        if (tt->strings[tt->trips[t].short_name] != '\0') n++;
    if (n == 0) return 0;
    keys = malloc((size_t)n * sizeof(*keys));
    idx = malloc((size_t)n * sizeof(*idx));
    if (keys == NULL || idx == NULL) {
        free(keys);
        free(idx);
        return -1;
    }
    n = 0;
    for (uint32_t t = 0; t < tt->ntrips; t++)
        if (tt->strings[tt->trips[t].short_name] != '\0') {
            keys[n].name = rt_str(tt, tt->trips[t].short_name);
            keys[n++].trip = t;
        }
    qsort(keys, n, sizeof(*keys), short_cmp);
    for (uint32_t i = 0; i < n; i++) idx[i] = keys[i].trip;
    free(keys);
    tt->short_index = idx;
    tt->nshort = n;
    return 0;
}

uint32_t rt_trip_find_short(const struct rt_timetable *tt, const char *short_name,
                            uint32_t after) {
    /* First index entry not before (SHORT_NAME, AFTER + 1). */
    uint32_t lo = 0, hi = tt->nshort, from = after == RT_NONE ? 0 : after + 1;
    if (short_name[0] == '\0') return RT_NONE;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2, t = tt->short_index[mid];
        int c = strcmp(rt_str(tt, tt->trips[t].short_name), short_name);
        if (c < 0 || (c == 0 && t < from))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < tt->nshort &&
        strcmp(rt_str(tt, tt->trips[tt->short_index[lo]].short_name), short_name) == 0)
        return tt->short_index[lo];
    return RT_NONE;
}

static void hot_free(struct rt_timetable *tt) {
    free(tt->hot_rs);
    free(tt->hot_from);
    free(tt->hot_to);
    free(tt->hot_dur);
    free(tt->hot_sec);
    tt->hot_rs = NULL;
    tt->hot_from = tt->hot_to = tt->hot_dur = NULL;
    tt->hot_sec = NULL;
    tt->nhot_sec = tt->hot_run_bits = 0;
}

/* The scan reads 10 bytes a connection here instead of the 24 of
 * struct rt_connection (plus 8 per distinct departure second): the query is
 * bound by the bytes it streams (README, "Routing").  A timetable whose runs
 * and seqs do not share a word, or with too many stops for 16 bits, keeps
 * the arrays NULL and the scan reads conns. */
int rt_timetable_index_hot(struct rt_timetable *tt) {
    uint32_t bits = 0, maxseq = 0, nsec = 0, n = tt->nconns;
    hot_free(tt);
    if (n == 0 || tt->nstops > RT_HOT_MAX_STOPS) return 0;
    while (bits < 32 && ((uint64_t)1 << bits) < tt->nruns)
        bits++;
    for (uint32_t k = 0; k < n; k++) {
        if (tt->conns[k].seq > maxseq) maxseq = tt->conns[k].seq;
        if (k == 0 || tt->conns[k].dep != tt->conns[k - 1].dep) nsec++;
    }
    if (bits >= 32 || ((uint64_t)maxseq << bits) > UINT32_MAX) return 0;
    tt->hot_rs = malloc((size_t)n * sizeof(*tt->hot_rs));
    tt->hot_from = malloc((size_t)n * sizeof(*tt->hot_from));
    tt->hot_to = malloc((size_t)n * sizeof(*tt->hot_to));
    tt->hot_dur = malloc((size_t)n * sizeof(*tt->hot_dur));
    tt->hot_sec = malloc(((size_t)nsec + 1) * sizeof(*tt->hot_sec));
    /* Per run while building: the connection of its last hop seen, and its
     * number in the hot arrays. */
    uint32_t *last = malloc((size_t)tt->nruns * sizeof(*last));
    uint32_t *num = malloc((size_t)tt->nruns * sizeof(*num)), nnum = 0;
    if (!tt->hot_rs || !tt->hot_from || !tt->hot_to || !tt->hot_dur || !tt->hot_sec ||
        !last || !num) {
        free(last);
        free(num);
        hot_free(tt);
        return -1;
    }
    memset(last, 0xff, (size_t)tt->nruns * sizeof(*last));
    nsec = 0;
    for (uint32_t k = 0; k < n; k++) {
        const struct rt_connection *c = &tt->conns[k];
        uint32_t from = c->flags & RT_CONN_PICKUP ? c->from : tt->nstops;
        uint32_t to = c->flags & RT_CONN_DROPOFF ? c->to : tt->nstops + 1;
        uint32_t p = last[c->run];
        /* Closed (see RT_HOT_OPEN): the first hop allowing boarding, or one
         * right after the run's previous hop, which allows alighting and
         * arrives by this departure. */
        int closed = (c->flags & RT_CONN_PICKUP) &&
                     (c->seq == 0 ? p == RT_NONE
                                  : p != RT_NONE && tt->conns[p].seq + 1 == c->seq &&
                                        (tt->conns[p].flags & RT_CONN_DROPOFF) &&
                                        tt->conns[p].to == c->from &&
                                        tt->conns[p].arr <= c->dep);
        last[c->run] = k;
        if (p == RT_NONE) num[c->run] = nnum++;
        tt->hot_rs[k] = num[c->run] | (uint32_t)c->seq << bits;
        tt->hot_from[k] = (uint16_t)(from | (closed ? 0 : RT_HOT_OPEN));
        tt->hot_to[k] = (uint16_t)to;
        tt->hot_dur[k] =
            (uint16_t)(c->arr - c->dep >= RT_HOT_LONG ? RT_HOT_LONG : c->arr - c->dep);
        if (k == 0 || c->dep != c[-1].dep) {
            tt->hot_sec[nsec].dep = c->dep;
            tt->hot_sec[nsec++].first = k;
        }
    }
    tt->hot_sec[nsec].dep = UINT32_MAX;
    tt->hot_sec[nsec].first = n;
    tt->nhot_sec = nsec;
    tt->hot_run_bits = bits;
    free(last);
    free(num);
    return 0;
}

uint32_t rt_agency_find(const struct rt_timetable *tt, const char *id) {
    return rt_idmap_get(&tt->agency_ids, tt, id);
}

uint32_t rt_run_find(const struct rt_timetable *tt, uint32_t trip, uint32_t day,
                     int32_t start) {
    const struct rt_trip *t;
    if (trip >= tt->ntrips) return RT_NONE;
    t = &tt->trips[trip];
    /* Runs of a trip are ordered by (day, start): binary search on both. */
    uint32_t lo = t->first_run, hi = t->first_run + t->nruns;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct rt_run *r = &tt->runs[mid];
        if (r->day < day || (r->day == day && start >= 0 && r->start < start))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->first_run + t->nruns && tt->runs[lo].day == day &&
        (start < 0 || tt->runs[lo].start == start))
        return lo;
    return RT_NONE;
}

uint32_t rt_run_conn(const struct rt_timetable *tt, uint32_t run, uint32_t k) {
    const struct rt_run *r;
    const struct rt_trip *t;
    const struct rt_stop_time *st;
    int64_t dep;
    uint32_t lo, zone;
    if (run >= tt->nruns) return RT_NONE;
    r = &tt->runs[run];
    t = &tt->trips[r->trip];
    if ((uint64_t)k + 1 >= t->nstops) return RT_NONE;
    st = tt->stop_times + t->first_stop_time;
    zone = tt->agencies[tt->routes[t->route].agency].zone;
    dep = rt_local_time(tt, zone, r->day, (int64_t)st[k].dep + r->start - st[0].dep);
    if (dep < 0 || dep > (int64_t)UINT32_MAX) return RT_NONE;
    for (lo = rt_first_conn(tt, (uint32_t)dep); lo < tt->nconns && tt->conns[lo].dep == (uint32_t)dep; lo++)
        if (tt->conns[lo].run == run && tt->conns[lo].seq == k) return lo;
    return RT_NONE;
}

const struct rt_footpath *rt_footpaths(const struct rt_timetable *tt, uint32_t stop,
                                       uint32_t *n) {
    if (stop >= tt->nstops || tt->foot_index == NULL) {
        *n = 0;
        return tt->foot;
    }
    *n = tt->foot_index[stop + 1] - tt->foot_index[stop];
    return tt->foot + tt->foot_index[stop];
}

int rt_transfer_forbidden(const struct rt_timetable *tt, uint32_t from, uint32_t to) {
    uint32_t lo = 0, hi = tt->nforbidden;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct rt_stop_pair *p = &tt->forbidden[mid];
        if (p->from < from || (p->from == from && p->to < to))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < tt->nforbidden && tt->forbidden[lo].from == from &&
           tt->forbidden[lo].to == to;
}

/* ---- statistics and freeing ---------------------------------------------------- */

static size_t map_bytes(const struct rt_idmap *m) {
    return (size_t)m->cap * sizeof(*m->slots);
}

void rt_timetable_stats(const struct rt_timetable *tt, struct rt_stats *st) {
    memset(st, 0, sizeof(*st));
    st->conn_bytes = (size_t)tt->nconns * sizeof(*tt->conns);
    st->run_bytes = (size_t)tt->nruns * sizeof(*tt->runs);
    st->trip_bytes = (size_t)tt->ntrips * sizeof(*tt->trips);
    st->pattern_bytes = (size_t)tt->nstop_times * sizeof(*tt->stop_times);
    st->stop_bytes =
        (size_t)tt->nstops * sizeof(*tt->stops) +
        (size_t)tt->nfoot * sizeof(*tt->foot) +
        (tt->foot_index ? ((size_t)tt->nstops + 1) * sizeof(uint32_t) : 0) +
        (size_t)tt->nforbidden * sizeof(*tt->forbidden);
    st->other_bytes = tt->strings_cap + (size_t)tt->nzones * sizeof(*tt->zones) +
                      (size_t)tt->nzones * tt->ndays * sizeof(*tt->day_start) +
                      (size_t)tt->nagencies * sizeof(*tt->agencies) +
                      (size_t)tt->nroutes * sizeof(*tt->routes) +
                      (size_t)tt->nservices * sizeof(*tt->services) +
                      map_bytes(&tt->agency_ids) + map_bytes(&tt->stop_ids) +
                      map_bytes(&tt->route_ids) + map_bytes(&tt->service_ids) +
                      map_bytes(&tt->trip_ids) +
                      (size_t)tt->nshort * sizeof(*tt->short_index);
    if (tt->hot_rs)
        st->hot_bytes = (size_t)tt->nconns * (sizeof(uint32_t) + 3 * sizeof(uint16_t)) +
                        ((size_t)tt->nhot_sec + 1) * sizeof(*tt->hot_sec);
    st->total_bytes = st->conn_bytes + st->run_bytes + st->trip_bytes +
                      st->pattern_bytes + st->stop_bytes + st->hot_bytes +
                      st->other_bytes;
    if (tt->nconns) {
        st->routing_bytes_per_conn =
            (double)(st->conn_bytes + st->run_bytes + st->trip_bytes + st->stop_bytes +
                     st->hot_bytes) /
            tt->nconns;
        st->total_bytes_per_conn = (double)st->total_bytes / tt->nconns;
    }
}

void rt_timetable_free(struct rt_timetable *tt) {
    free(tt->strings);
    free(tt->zones);
    free(tt->day_start);
    free(tt->agencies);
    free(tt->stops);
    free(tt->routes);
    free(tt->services);
    free(tt->trips);
    free(tt->runs);
    free(tt->stop_times);
    free(tt->conns);
    free(tt->foot);
    free(tt->foot_index);
    free(tt->forbidden);
    rt_idmap_free(&tt->agency_ids);
    rt_idmap_free(&tt->stop_ids);
    rt_idmap_free(&tt->route_ids);
    rt_idmap_free(&tt->service_ids);
    rt_idmap_free(&tt->trip_ids);
    free(tt->short_index);
    free(tt->hot_rs);
    free(tt->hot_from);
    free(tt->hot_to);
    free(tt->hot_dur);
    free(tt->hot_sec);
    memset(tt, 0, sizeof(*tt));
}

/* ---- extra footpaths ----------------------------------------------------------- */

static int foot_cmp(const void *a, const void *b) {
    const struct rt_footpath *x = a, *y = b;
    if (x->from != y->from) return x->from < y->from ? -1 : 1;
    if (x->to != y->to) return x->to < y->to ? -1 : 1;
    return 0;
}

/* 1 if tt->foot (sorted by (from, to)) has a footpath FROM -> TO. */
static int foot_has(const struct rt_timetable *tt, uint32_t from, uint32_t to) {
    uint32_t lo = 0, hi = tt->nfoot;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const struct rt_footpath *f = &tt->foot[mid];
        if (f->from < from || (f->from == from && f->to < to))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < tt->nfoot && tt->foot[lo].from == from && tt->foot[lo].to == to;
}

int rt_timetable_add_footpaths(struct rt_timetable *tt, const struct rt_footpath *add,
                               size_t n, uint32_t *added) {
    struct rt_footpath *keep = NULL, *merged = NULL;
    uint32_t *index = NULL;
    size_t nkeep = 0, nk = 0, i = 0, j = 0, m = 0;

    if (added) *added = 0;
    for (size_t k = 0; k < n; k++)
        if (add[k].from >= tt->nstops || add[k].to >= tt->nstops) return -1;
    if (n == 0) return 0;
    if (n > (size_t)UINT32_MAX - tt->nfoot) return -1;

    keep = malloc(n * sizeof(*keep));
    if (keep == NULL) return -1;
    for (size_t k = 0; k < n; k++) {
        const struct rt_footpath *f = &add[k];
        if (f->from == f->to || rt_transfer_forbidden(tt, f->from, f->to) ||
            foot_has(tt, f->from, f->to))
            continue;
        keep[nkeep++] = *f;
    }
    if (nkeep > 1) qsort(keep, nkeep, sizeof(*keep), foot_cmp);
    /* A pair given twice in ADD: the first after sorting stays (qsort is not
     * stable, so callers should not rely on which). */
    for (size_t k = 0; k < nkeep; k++) {
        if (nk > 0 && keep[nk - 1].from == keep[k].from &&
            keep[nk - 1].to == keep[k].to)
            continue;
        keep[nk++] = keep[k];
    }
    if (nk == 0) {
        free(keep);
        return 0;
    }

    merged = malloc((tt->nfoot + nk) * sizeof(*merged));
    index = calloc((size_t)tt->nstops + 1, sizeof(uint32_t));
    if (merged == NULL || index == NULL) {
        free(keep);
        free(merged);
        free(index);
        return -1;
    }
    while (i < tt->nfoot || j < nk) {
        if (j == nk || (i < tt->nfoot && foot_cmp(&tt->foot[i], &keep[j]) < 0))
            merged[m] = tt->foot[i++];
        else
            merged[m] = keep[j++];
        index[merged[m].from + 1]++;
        m++;
    }
    for (uint32_t s = 0; s < tt->nstops; s++)
        index[s + 1] += index[s];
    free(keep);
    free(tt->foot);
    free(tt->foot_index);
    tt->foot = merged;
    tt->foot_index = index;
    tt->nfoot = (uint32_t)m;
    if (added) *added = (uint32_t)nk;
    return 0;
}

int rt_stop_facts(const struct rt_timetable *tt, uint8_t *no_change,
                  uint32_t *child_index, uint32_t *children) {
    uint32_t *next = malloc(sizeof(uint32_t) * (tt->nstops ? tt->nstops : 1));
    if (next == NULL) return -1;
    memset(no_change, 0, tt->nstops ? tt->nstops : 1);
    for (uint32_t i = 0; i < tt->nforbidden; i++)
        if (tt->forbidden[i].from == tt->forbidden[i].to && tt->forbidden[i].from < tt->nstops)
            no_change[tt->forbidden[i].from] = 1;
    /* Children of each station, by counting sort on parent. */
    for (uint32_t s = 0; s < tt->nstops; s++) {
        uint32_t p = tt->stops[s].parent;
        if (p != RT_NONE && p < tt->nstops) child_index[p + 1]++;
    }
    for (uint32_t s = 0; s < tt->nstops; s++) child_index[s + 1] += child_index[s];
    memcpy(next, child_index, tt->nstops * sizeof(uint32_t));
    for (uint32_t s = 0; s < tt->nstops; s++) {
        uint32_t p = tt->stops[s].parent;
        if (p != RT_NONE && p < tt->nstops) children[next[p]++] = s;
    }
    free(next);
    return 0;
}

uint32_t rt_first_conn(const struct rt_timetable *tt, uint32_t t) {
    uint32_t lo = 0, hi = tt->nconns;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tt->conns[mid].dep < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
