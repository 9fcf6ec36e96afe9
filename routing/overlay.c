/* overlay.c -- real-time overlay over an immutable timetable; see overlay.h
 * and docs/routing-timetables.md ("Real-time overlay").
 *
 * Per changed run: its reports per stop index and the propagated times at
 * every stop, recomputed from the reports whenever one of them changes
 * (O(stops of the trip)).  A per-run slot array finds a changed run in O(1)
 * and a per-run byte tells the router to skip the run in tt->conns; the
 * changed runs' connections live in a side array sorted like tt->conns,
 * rebuilt lazily (rt_overlay_prepare) when the version moved. */
#include "overlay.h"

#include <stdlib.h>
#include <string.h>

enum { EV_NONE, EV_DELAY, EV_TIME };
enum { REL_SCHEDULED, REL_NO_DATA, REL_SKIPPED };

/* Reports far outside any timetable are refused rather than clamped, so
 * that int64 arithmetic below cannot overflow. */
#define MAX_SHIFT ((int64_t)1 << 34)

struct report {
    int64_t arr, dep;           /* delay in seconds or Unix time, per kind */
    uint8_t arr_kind, dep_kind; /* EV_* */
    uint8_t rel;                /* REL_* */
    uint8_t src;                /* enum rt_time_source of arr and dep */
};

struct orun {
    uint32_t run, nstops;
    int cancelled;
    struct report *rep;  /* nstops */
    uint32_t *arr, *dep; /* propagated, timetable seconds */
    uint8_t *arr_src, *dep_src;
};

struct rt_overlay {
    const struct rt_timetable *tt;
    uint64_t version;
    uint8_t *touched; /* per run */
    uint32_t *slot;   /* per run: index into runs, or RT_NONE */
    struct orun *runs;
    uint32_t nruns, cap;
    struct rt_ov_conn *side;
    uint32_t nside;
    int side_ok; /* side matches side_version */
    uint64_t side_version;
};

struct rt_overlay *rt_overlay_new(const struct rt_timetable *tt) {
    struct rt_overlay *ov = calloc(1, sizeof(*ov));
    size_t nr = tt->nruns ? tt->nruns : 1;
    if (!ov) return NULL;
    ov->tt = tt;
    ov->touched = calloc(nr, 1);
    ov->slot = malloc(nr * sizeof(uint32_t));
    if (!ov->touched || !ov->slot) {
        rt_overlay_free(ov);
        return NULL;
    }
    for (uint32_t r = 0; r < tt->nruns; r++)
        ov->slot[r] = RT_NONE;
    return ov;
}

static void orun_free(struct orun *o) {
    free(o->rep);
    free(o->arr);
    free(o->dep);
    free(o->arr_src);
    free(o->dep_src);
}

void rt_overlay_free(struct rt_overlay *ov) {
    if (!ov) return;
    for (uint32_t i = 0; i < ov->nruns; i++)
        orun_free(&ov->runs[i]);
    free(ov->runs);
    free(ov->touched);
    free(ov->slot);
    free(ov->side);
    free(ov);
}

const struct rt_timetable *rt_overlay_timetable(const struct rt_overlay *ov) {
    return ov->tt;
}

uint64_t rt_overlay_version(const struct rt_overlay *ov) {
    return ov->version;
}

const uint8_t *rt_overlay_touched(const struct rt_overlay *ov) {
    return ov->touched;
}

uint32_t rt_overlay_find_run(const struct rt_timetable *tt, const char *trip_id,
                             int yyyymmdd, int32_t start) {
    uint32_t trip = rt_trip_find(tt, trip_id);
    int day = rt_day_of_date(tt, yyyymmdd);
    if (trip == RT_NONE || day < 0) return RT_NONE;
    return rt_run_find(tt, trip, (uint32_t)day, start);
}

/* Stops in RUN's trip. */
static uint32_t run_nstops(const struct rt_timetable *tt, uint32_t run) {
    return tt->trips[tt->runs[run].trip].nstops;
}

/* Scheduled time of GTFS time SECS of RUN's pattern (already including
 * the frequency shift), timetable seconds; may be out of uint32 range. */
static int64_t sched(const struct rt_timetable *tt, uint32_t run, int64_t secs) {
    const struct rt_run *r = &tt->runs[run];
    const struct rt_trip *t = &tt->trips[r->trip];
    const struct rt_stop_time *st = tt->stop_times + t->first_stop_time;
    uint32_t zone = tt->agencies[tt->routes[t->route].agency].zone;
    return tt->day_start[(size_t)zone * tt->ndays + r->day] - tt->epoch +
           ((int64_t)r->start - st[0].dep) + secs;
}

static uint32_t clamp32(int64_t t) {
    if (t < 0) return 0;
    if (t > (int64_t)UINT32_MAX - 1) return UINT32_MAX - 1;
    return (uint32_t)t;
}

/* Recompute O's times from its reports (the rules are in overlay.h). */
static void propagate(const struct rt_overlay *ov, struct orun *o) {
    const struct rt_timetable *tt = ov->tt;
    const struct rt_trip *t = &tt->trips[tt->runs[o->run].trip];
    const struct rt_stop_time *st = tt->stop_times + t->first_stop_time;
    int64_t carry = 0, prev = 0;
    uint8_t carry_src = RT_TIME_SCHEDULED;
    for (uint32_t i = 0; i < o->nstops; i++) {
        const struct report *r = &o->rep[i];
        int64_t sa = sched(tt, o->run, st[i].arr), sd = sched(tt, o->run, st[i].dep);
        int64_t a, d;
        uint8_t as, ds;
        if (r->rel == REL_NO_DATA) {
            carry = 0;
            carry_src = RT_TIME_SCHEDULED;
        }
        if (r->arr_kind != EV_NONE) {
            a = r->arr_kind == EV_DELAY ? sa + r->arr : r->arr - tt->epoch;
            as = r->src;
        } else {
            a = sa + carry;
            as = carry_src;
        }
        a = clamp32(a);
        if (i > 0 && a < prev) {
            a = prev;
            as = RT_TIME_ESTIMATED;
        }
        if (r->arr_kind != EV_NONE) {
            carry = a - sa;
            carry_src = RT_TIME_ESTIMATED;
        }
        if (r->dep_kind != EV_NONE) {
            d = r->dep_kind == EV_DELAY ? sd + r->dep : r->dep - tt->epoch;
            ds = r->src;
        } else {
            d = sd + carry;
            ds = carry_src;
        }
        /* Freight does not leave early on a prediction: only a departure
         * reported as observed may be earlier than scheduled. */
        if (d < sd && !(r->dep_kind != EV_NONE && r->src == RT_TIME_OBSERVED)) {
            d = sd;
            ds = RT_TIME_ESTIMATED;
        }
        d = clamp32(d);
        if (d < a) {
            d = a;
            ds = RT_TIME_ESTIMATED;
        }
        carry = d - sd;
        if (ds != RT_TIME_SCHEDULED || carry != 0) carry_src = RT_TIME_ESTIMATED;
        o->arr[i] = (uint32_t)a;
        o->dep[i] = (uint32_t)d;
        o->arr_src[i] = as;
        o->dep_src[i] = ds;
        prev = d;
    }
}

/* The entry for RUN, made (with no reports) when missing; NULL when out of
 * memory.  Does not touch the version. */
static struct orun *get_run(struct rt_overlay *ov, uint32_t run) {
    if (ov->slot[run] != RT_NONE) return &ov->runs[ov->slot[run]];
    if (ov->nruns == ov->cap) {
        uint32_t cap = ov->cap ? ov->cap * 2 : 16;
        struct orun *p = realloc(ov->runs, (size_t)cap * sizeof(*p));
        if (!p) return NULL;
        ov->runs = p;
        ov->cap = cap;
    }
    struct orun *o = &ov->runs[ov->nruns];
    memset(o, 0, sizeof(*o));
    o->run = run;
    o->nstops = run_nstops(ov->tt, run);
    size_t n = o->nstops ? o->nstops : 1;
    o->rep = calloc(n, sizeof(*o->rep));
    o->arr = malloc(n * sizeof(uint32_t));
    o->dep = malloc(n * sizeof(uint32_t));
    o->arr_src = malloc(n);
    o->dep_src = malloc(n);
    if (!o->rep || !o->arr || !o->dep || !o->arr_src || !o->dep_src) {
        orun_free(o);
        return NULL;
    }
    ov->slot[run] = ov->nruns++;
    ov->touched[run] = 1;
    return o;
}

static void changed(struct rt_overlay *ov) {
    ov->version++;
}

static int check(const struct rt_overlay *ov, uint32_t run, uint32_t stop) {
    return ov && run < ov->tt->nruns && stop < run_nstops(ov->tt, run) ? 0 : -1;
}

/* Store report R at STOP of RUN, un-cancelling it. */
static int put(struct rt_overlay *ov, uint32_t run, uint32_t stop,
               const struct report *r) {
    struct orun *o = get_run(ov, run);
    if (!o) return -1;
    o->cancelled = 0;
    o->rep[stop] = *r;
    propagate(ov, o);
    changed(ov);
    return 0;
}

static int good_src(enum rt_time_source src) {
    return src == RT_TIME_ESTIMATED || src == RT_TIME_OBSERVED;
}

int rt_overlay_set_delay(struct rt_overlay *ov, uint32_t run, uint32_t stop,
                         int64_t arr_delay, int64_t dep_delay,
                         enum rt_time_source src) {
    struct report r = {0, 0, EV_NONE, EV_NONE, REL_SCHEDULED, (uint8_t)src};
    if (check(ov, run, stop) != 0 || !good_src(src)) return -1;
    if (arr_delay != RT_OV_UNSET) {
        if (arr_delay < -MAX_SHIFT || arr_delay > MAX_SHIFT) return -1;
        r.arr = arr_delay;
        r.arr_kind = EV_DELAY;
    }
    if (dep_delay != RT_OV_UNSET) {
        if (dep_delay < -MAX_SHIFT || dep_delay > MAX_SHIFT) return -1;
        r.dep = dep_delay;
        r.dep_kind = EV_DELAY;
    }
    return put(ov, run, stop, &r);
}

int rt_overlay_set_time(struct rt_overlay *ov, uint32_t run, uint32_t stop,
                        int64_t arr_unix, int64_t dep_unix, enum rt_time_source src) {
    struct report r = {0, 0, EV_NONE, EV_NONE, REL_SCHEDULED, (uint8_t)src};
    if (check(ov, run, stop) != 0 || !good_src(src)) return -1;
    int64_t lo = ov->tt->epoch - MAX_SHIFT, hi = ov->tt->epoch + MAX_SHIFT;
    if (arr_unix != RT_OV_UNSET) {
        if (arr_unix < lo || arr_unix > hi) return -1;
        r.arr = arr_unix;
        r.arr_kind = EV_TIME;
    }
    if (dep_unix != RT_OV_UNSET) {
        if (dep_unix < lo || dep_unix > hi) return -1;
        r.dep = dep_unix;
        r.dep_kind = EV_TIME;
    }
    return put(ov, run, stop, &r);
}

int rt_overlay_set_no_data(struct rt_overlay *ov, uint32_t run, uint32_t stop) {
    struct report r = {0, 0, EV_NONE, EV_NONE, REL_NO_DATA, RT_TIME_SCHEDULED};
    if (check(ov, run, stop) != 0) return -1;
    return put(ov, run, stop, &r);
}

int rt_overlay_skip(struct rt_overlay *ov, uint32_t run, uint32_t stop) {
    struct report r = {0, 0, EV_NONE, EV_NONE, REL_SKIPPED, RT_TIME_SCHEDULED};
    if (check(ov, run, stop) != 0) return -1;
    return put(ov, run, stop, &r);
}

int rt_overlay_cancel(struct rt_overlay *ov, uint32_t run) {
    if (check(ov, run, 0) != 0) return -1;
    struct orun *o = get_run(ov, run);
    if (!o) return -1;
    o->cancelled = 1;
    memset(o->rep, 0, (size_t)o->nstops * sizeof(*o->rep));
    propagate(ov, o);
    changed(ov);
    return 0;
}

int rt_overlay_clear_run(struct rt_overlay *ov, uint32_t run) {
    if (!ov || run >= ov->tt->nruns) return -1;
    uint32_t i = ov->slot[run];
    if (i == RT_NONE) return 0;
    orun_free(&ov->runs[i]);
    if (i != ov->nruns - 1) {
        ov->runs[i] = ov->runs[ov->nruns - 1];
        ov->slot[ov->runs[i].run] = i;
    }
    ov->nruns--;
    ov->slot[run] = RT_NONE;
    ov->touched[run] = 0;
    changed(ov);
    return 0;
}

int rt_overlay_cancelled(const struct rt_overlay *ov, uint32_t run) {
    if (!ov || run >= ov->tt->nruns || ov->slot[run] == RT_NONE) return 0;
    return ov->runs[ov->slot[run]].cancelled;
}

int rt_overlay_stop_time(const struct rt_overlay *ov, const struct rt_timetable *tt,
                         uint32_t run, uint32_t stop, uint32_t *arr, uint32_t *dep,
                         enum rt_time_source *arr_src, enum rt_time_source *dep_src) {
    if (ov && ov->tt != tt) return -1;
    if (run >= tt->nruns || stop >= run_nstops(tt, run)) return -1;
    if (ov && ov->slot[run] != RT_NONE) {
        const struct orun *o = &ov->runs[ov->slot[run]];
        if (arr) *arr = o->arr[stop];
        if (dep) *dep = o->dep[stop];
        if (arr_src) *arr_src = (enum rt_time_source)o->arr_src[stop];
        if (dep_src) *dep_src = (enum rt_time_source)o->dep_src[stop];
        return 0;
    }
    const struct rt_stop_time *st =
        tt->stop_times + tt->trips[tt->runs[run].trip].first_stop_time + stop;
    int64_t a = sched(tt, run, st->arr), d = sched(tt, run, st->dep);
    if (a < 0 || d > (int64_t)UINT32_MAX) return -1;
    if (arr) *arr = (uint32_t)a;
    if (dep) *dep = (uint32_t)d;
    if (arr_src) *arr_src = RT_TIME_SCHEDULED;
    if (dep_src) *dep_src = RT_TIME_SCHEDULED;
    return 0;
}

static int cmp_conn(const void *pa, const void *pb) {
    const struct rt_connection *a = &((const struct rt_ov_conn *)pa)->c,
                               *b = &((const struct rt_ov_conn *)pb)->c;
    if (a->dep != b->dep) return a->dep < b->dep ? -1 : 1;
    if (a->arr != b->arr) return a->arr < b->arr ? -1 : 1;
    if (a->run != b->run) return a->run < b->run ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int rt_overlay_prepare(struct rt_overlay *ov) {
    if (ov->side_ok && ov->side_version == ov->version) return 0;
    const struct rt_timetable *tt = ov->tt;
    size_t n = 0;
    for (uint32_t i = 0; i < ov->nruns; i++)
        if (!ov->runs[i].cancelled && ov->runs[i].nstops > 1)
            n += ov->runs[i].nstops - 1;
    ov->side_ok = 0;
    if (n > UINT32_MAX - tt->nconns) return -1; /* indices must fit after conns */
    struct rt_ov_conn *side = realloc(ov->side, (n ? n : 1) * sizeof(*side));
    if (!side) return -1;
    ov->side = side;
    n = 0;
    for (uint32_t i = 0; i < ov->nruns; i++) {
        const struct orun *o = &ov->runs[i];
        if (o->cancelled) continue;
        const struct rt_stop_time *st =
            tt->stop_times + tt->trips[tt->runs[o->run].trip].first_stop_time;
        for (uint32_t k = 0; k + 1 < o->nstops; k++) {
            struct rt_ov_conn *c = &side[n++];
            memset(c, 0, sizeof(*c));
            c->c.dep = o->dep[k];
            c->c.arr = o->arr[k + 1];
            c->c.from = st[k].stop;
            c->c.to = st[k + 1].stop;
            c->c.run = o->run;
            c->c.seq = (uint16_t)k;
            if (o->rep[k].rel != REL_SKIPPED)
                c->c.flags |= st[k].flags & RT_CONN_PICKUP;
            if (o->rep[k + 1].rel != REL_SKIPPED)
                c->c.flags |= st[k + 1].flags & RT_CONN_DROPOFF;
            c->dep_src = o->dep_src[k];
            c->arr_src = o->arr_src[k + 1];
        }
    }
    qsort(side, n, sizeof(*side), cmp_conn);
    ov->nside = (uint32_t)n;
    ov->side_ok = 1;
    ov->side_version = ov->version;
    return 0;
}

const struct rt_ov_conn *rt_overlay_side(const struct rt_overlay *ov, uint32_t *n) {
    if (!ov->side_ok || ov->side_version != ov->version) {
        *n = 0;
        return NULL;
    }
    *n = ov->nside;
    return ov->side;
}

uint32_t rt_overlay_first_side(const struct rt_ov_conn *side, uint32_t n, uint32_t t) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (side[mid].c.dep < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}
