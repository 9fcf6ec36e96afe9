/* timetable.h -- the in-memory timetable that the routers scan.
 *
 * Everything is a flat array indexed by uint32_t; RT_NONE marks "no index".
 * Strings (ids, names) live in one pool and are referred to by offset; use
 * rt_str() to read them.  The layout, the time model and the bytes per
 * connection are described in docs/routing-timetables.md.
 *
 * Time: every time in the timetable is a uint32_t count of seconds after
 * tt->epoch (Unix seconds, always 00:00 UTC of the day before the first
 * service day), so all times are UTC and never negative.  Service day D
 * (0 .. ndays-1) is the calendar date first_day + D; the GTFS time t of a
 * trip running on D in zone Z is day_start(Z, D) + t, where day_start is
 * "noon minus 12 hours" of that date in Z (see routing/tz.h).
 *
 * A timetable is immutable once loaded: real-time delays belong in an
 * overlay keyed by run and stop index. */
#ifndef DT_TIMETABLE_H
#define DT_TIMETABLE_H

#include <stddef.h>
#include <stdint.h>

#define RT_NONE UINT32_MAX

/* Transport mode, from GTFS route_type (see rt_mode_from_route_type). */
enum rt_mode {
    RT_MODE_RAIL,  /* 2, 100-117 */
    RT_MODE_WATER, /* 4, 1000-1099, 1200 (sea and river alike) */
    RT_MODE_AIR,   /* 1100-1199 */
    RT_MODE_ROAD,  /* 3, 700-717 */
    RT_MODE_OTHER, /* any other route_type in 0..1799 (tram, metro, ...) */
    RT_MODE_COUNT
};

struct rt_zone {
    uint32_t name; /* IANA name, e.g. "Asia/Shanghai" */
};

struct rt_agency {
    uint32_t id, name; /* id may be "" when agency.txt has no agency_id */
    uint32_t zone;     /* index into zones */
};

struct rt_stop {
    uint32_t id, name;
    uint32_t parent;       /* station stop index, or RT_NONE */
    uint32_t zone;         /* stop_timezone, else the zone of the first agency
                            * serving it, else zone 0 */
    uint32_t min_transfer; /* seconds needed to change vehicles here (0 unless
                            * transfers.txt says so) */
    uint8_t location_type; /* GTFS: 0 stop, 1 station, 2 entrance, 3 node,
                            * 4 boarding area */
    uint8_t pad[3];
    double lat, lon; /* NAN when absent (location_type 3, 4) */
};

struct rt_route {
    uint32_t id, short_name, long_name;
    uint32_t agency;
    int16_t route_type; /* as in routes.txt */
    uint8_t mode;       /* enum rt_mode */
    uint8_t pad;
};

struct rt_service {
    uint32_t id;
};

/* A GTFS trip: one stop pattern with its times.  It runs on zero or more
 * service days, once a day or (frequencies.txt) many times a day; each of
 * those is a run. */
struct rt_trip {
    uint32_t id, headsign; /* headsign is "" when absent */
    uint32_t short_name;   /* trip_short_name (the public flight or train
                            * number, "CZ345", "X8024"); "" when absent */
    uint32_t route, service;
    uint32_t first_stop_time;  /* stop_times[first_stop_time .. + nstops) */
    uint32_t nstops;           /* stops kept with times; hops per run = nstops-1 */
    uint32_t first_run, nruns; /* runs[first_run .. first_run+nruns) */
};

/* A stop of a trip, with the GTFS times (seconds after noon-12h of the
 * service day, shifted by run.start - first departure for a frequency
 * run).  The pattern every run of the trip shares; a real-time overlay
 * copies it. */
struct rt_stop_time {
    uint32_t stop;
    uint32_t arr, dep;
    uint8_t flags; /* RT_CONN_PICKUP: boarding allowed here;
                    * RT_CONN_DROPOFF: alighting allowed here */
    uint8_t pad[3];
};

/* A trip on one service day (and, for frequencies, one start time). */
struct rt_run {
    uint32_t trip;
    int32_t start;  /* GTFS time of its first departure (frequencies:
                     * start_time + k * headway_secs) */
    uint16_t day;   /* service day index */
    uint16_t flags; /* RT_RUN_* */
};

#define RT_RUN_FREQUENCY 1u /* generated from frequencies.txt */
#define RT_RUN_INEXACT 2u   /* ... with exact_times 0: headway-based service */

/* One hop of one run between two consecutive stops.  24 bytes. */
struct rt_connection {
    uint32_t dep, arr; /* seconds after tt->epoch, UTC; dep <= arr */
    uint32_t from, to; /* stop indices */
    uint32_t run;      /* index into runs */
    uint16_t seq;      /* position of FROM in the trip (0-based); TO is seq+1 */
    uint8_t flags;     /* RT_CONN_* */
    uint8_t pad;
};

#define RT_CONN_PICKUP 1u  /* boarding at FROM allowed (pickup_type != 1) */
#define RT_CONN_DROPOFF 2u /* alighting at TO allowed (drop_off_type != 1) */

/* A walk or drayage between two different stops (transfers.txt). */
struct rt_footpath {
    uint32_t from, to;
    uint32_t seconds;
};

struct rt_stop_pair {
    uint32_t from, to;
};

/* Interned ids: open addressing over (string offset, index). */
struct rt_idmap {
    struct rt_idslot {
        uint32_t key; /* string offset + 1; 0 = empty slot */
        uint32_t hash;
        uint32_t val;
    } * slots;
    uint32_t cap, n;
};

struct rt_timetable {
    int64_t epoch;     /* Unix seconds of time 0 */
    int32_t first_day; /* days since 1970-01-01 of service day 0 */
    uint32_t ndays;

    char *strings; /* pool; offset 0 is "" */
    size_t strings_len, strings_cap;

    struct rt_zone *zones;
    uint32_t nzones;
    int64_t *day_start; /* [zone * ndays + day]: Unix seconds of noon-12h */

    struct rt_agency *agencies;
    uint32_t nagencies;
    struct rt_stop *stops;
    uint32_t nstops;
    struct rt_route *routes;
    uint32_t nroutes;
    struct rt_service *services;
    uint32_t nservices;
    struct rt_trip *trips;
    uint32_t ntrips;

    struct rt_stop_time *stop_times; /* each trip's pattern, see rt_trip */
    uint32_t nstop_times;
    struct rt_run *runs; /* grouped by trip, then by day and start */
    uint32_t nruns;
    struct rt_connection *conns; /* sorted by (dep, arr, run, seq) */
    uint32_t nconns;

    struct rt_footpath *foot; /* sorted by (from, to), from != to */
    uint32_t nfoot;
    uint32_t *foot_index; /* nstops+1: foot[foot_index[s] .. foot_index[s+1]) */
    struct rt_stop_pair *forbidden; /* transfer_type 3, sorted by (from, to) */
    uint32_t nforbidden;

    struct rt_idmap agency_ids, stop_ids, route_ids, service_ids, trip_ids;
    /* The trips with a short name, ordered by (short name, trip index):
     * rt_trip_find_short binary-searches it.  Built by
     * rt_timetable_index_short. */
    uint32_t *short_index;
    uint32_t nshort;

    /* The earliest-arrival scan's hot copy of conns (rt_timetable_index_hot):
     * 10 bytes a connection instead of 24, in four parallel arrays, and the
     * departure seconds listed once.  Connection K departs at
     * hot_sec[j].dep for the j with hot_sec[j].first <= K <
     * hot_sec[j + 1].first.  All NULL (the scan reads conns) when the
     * timetable does not fit: more than RT_HOT_MAX_STOPS stops, or runs and
     * seqs too many for one word. */
    uint32_t *hot_rs;   /* number | seq << hot_run_bits: runs are numbered
                         * here by their first departure (not their index in
                         * runs), so the runs running at one time have their
                         * scan state close together */
    uint16_t *hot_from; /* from stop, nstops when boarding is not allowed;
                         * | RT_HOT_OPEN, see there */
    uint16_t *hot_to;   /* to stop, nstops + 1 when alighting is not */
    uint16_t *hot_dur;  /* arr - dep, RT_HOT_LONG when that is RT_HOT_LONG
                         * or more (read conns[K].arr then) */
    struct rt_hot_sec {
        uint32_t dep;   /* a departure second, ascending */
        uint32_t first; /* first connection departing then */
    } * hot_sec;        /* nhot_sec + 1: the last is {UINT32_MAX, nconns} */
    uint32_t nhot_sec;
    uint32_t hot_run_bits;
};

#define RT_HOT_MAX_STOPS 32766u /* nstops + 1 must fit 15 bits */
#define RT_HOT_LONG 0xffffu
/* In hot_from: the scan must look at the run even when the from stop has not
 * been reached.  Without it, being aboard implies the from stop was
 * reached: the same run's previous hop is a connection that arrives there
 * no later than this one departs and allows alighting, and this one allows
 * boarding. */
#define RT_HOT_OPEN 0x8000u

/* The run number's bits of hot_rs (the rest is the seq). */
static inline uint32_t rt_hot_run_mask(const struct rt_timetable *tt) {
    return (uint32_t)(((uint64_t)1 << tt->hot_run_bits) - 1);
}

/* The first second of tt->hot_sec departing at or after T (nhot_sec when
 * none). */
static inline uint32_t rt_hot_sec_first(const struct rt_timetable *tt, uint32_t t) {
    uint32_t lo = 0, hi = tt->nhot_sec;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (tt->hot_sec[mid].dep < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* String at pool offset OFF. */
static inline const char *rt_str(const struct rt_timetable *tt, uint32_t off) {
    return tt->strings + off;
}

/* Index of the stop / route / trip / agency with id ID, or RT_NONE. */
uint32_t rt_stop_find(const struct rt_timetable *tt, const char *id);
uint32_t rt_route_find(const struct rt_timetable *tt, const char *id);
uint32_t rt_trip_find(const struct rt_timetable *tt, const char *id);
uint32_t rt_agency_find(const struct rt_timetable *tt, const char *id);

/* The next trip after trip index AFTER (RT_NONE: the first) whose
 * trip_short_name is SHORT_NAME, or RT_NONE.  Several trips may share one
 * (a season's timetable, a variant of the stop pattern); enumerate them with
 *     for (t = rt_trip_find_short(tt, s, RT_NONE); t != RT_NONE;
 *          t = rt_trip_find_short(tt, s, t))
 * in trip index order.  O(log n) per call; "" finds nothing. */
uint32_t rt_trip_find_short(const struct rt_timetable *tt, const char *short_name,
                            uint32_t after);

/* The run of TRIP on service day DAY whose first departure is at GTFS time
 * START (pass -1 for "the first run that day"), or RT_NONE. */
uint32_t rt_run_find(const struct rt_timetable *tt, uint32_t trip, uint32_t day,
                     int32_t start);

/* Index of the first connection departing at or after T (tt->nconns when
 * none), by binary search. */
uint32_t rt_first_conn(const struct rt_timetable *tt, uint32_t t);

/* Index in tt->conns of hop K (0 = from the first stop) of RUN, found by
 * binary search on its departure time; RT_NONE if there is no such hop. */
uint32_t rt_run_conn(const struct rt_timetable *tt, uint32_t run, uint32_t k);

/* Footpaths leaving STOP: *n of them from the returned pointer. */
const struct rt_footpath *rt_footpaths(const struct rt_timetable *tt, uint32_t stop,
                                       uint32_t *n);

/* Merge the N footpaths ADD into tt->foot, keeping it sorted by (from, to)
 * and rebuilding tt->foot_index.  A footpath the timetable already has
 * (transfers.txt wins), one for a pair transfers.txt forbids, one from a
 * stop to itself and a repeat of a pair within ADD are left out.  ADD is
 * copied.  *ADDED (may be NULL) gets the number merged.  0, or -1 (tt
 * unchanged) when a stop index is out of range or out of memory. */
int rt_timetable_add_footpaths(struct rt_timetable *tt, const struct rt_footpath *add,
                               size_t n, uint32_t *added);

/* 1 if transfers.txt forbids changing from a vehicle at FROM to one at TO
 * (FROM == TO: changing vehicles within that stop), else 0. */
int rt_transfer_forbidden(const struct rt_timetable *tt, uint32_t from, uint32_t to);

/* Day index of the calendar date YYYYMMDD in the timetable, or -1 when it
 * is outside the loaded service days or not a date. */
int rt_day_of_date(const struct rt_timetable *tt, int yyyymmdd);

/* Timetable time of GTFS time SECS on service day DAY in ZONE (seconds after
 * tt->epoch; may be negative or beyond uint32 for far-off inputs). */
int64_t rt_local_time(const struct rt_timetable *tt, uint32_t zone, uint32_t day,
                      int64_t secs);

const char *rt_mode_name(enum rt_mode m);

/* Mode of GTFS route_type TYPE, or -1 when TYPE is not in 0..1799. */
int rt_mode_from_route_type(long type);

/* Per-stop facts the routers' workspaces keep (csa.c, profile.c):
 * NO_CHANGE[s] = 1 when transfers.txt forbids changing vehicles within s;
 * the children of each station as CSR: children[child_index[p] ..
 * child_index[p+1]) (child_index has nstops+1 entries, children nstops).
 * The caller allocates the arrays; child_index must be zeroed.  0, or -1
 * when out of memory. */
int rt_stop_facts(const struct rt_timetable *tt, uint8_t *no_change,
                  uint32_t *child_index, uint32_t *children);

/* Memory in bytes.  "Routing" data is what a connection scan touches:
 * connections and their hot copy, runs, trips (for the route and mode of a
 * run), stops, footpaths and forbidden pairs.  The trips' stop-time patterns (for the
 * real-time overlay and for results), strings, id maps, zones and routes
 * count in the total only. */
struct rt_stats {
    size_t conn_bytes;    /* connection array */
    size_t run_bytes;     /* runs */
    size_t trip_bytes;    /* trips */
    size_t pattern_bytes; /* the trips' stop times */
    size_t stop_bytes;    /* stops, footpaths and their index, forbidden pairs */
    size_t hot_bytes;     /* the scan's hot arrays (rt_timetable_index_hot) */
    size_t other_bytes;   /* strings, id maps, zones and day starts, agencies,
                           * routes, services */
    size_t total_bytes;
    double routing_bytes_per_conn; /* (conn + run + trip + stop + hot bytes) /
                                    * nconns */
    double total_bytes_per_conn;
};

void rt_timetable_stats(const struct rt_timetable *tt, struct rt_stats *st);

/* Free everything the timetable owns and zero it; safe on a zeroed one. */
void rt_timetable_free(struct rt_timetable *tt);

/* ---- building blocks shared with the loader (routing/gtfs.c) ---- */

/* Append S (LEN bytes) to the pool; *off gets its offset.  0, or -1 when
 * out of memory or the pool would pass 4 GiB. */
int rt_strings_add(struct rt_timetable *tt, const char *s, size_t len, uint32_t *off);

/* Map the string at pool offset OFF to VAL.  0, 1 when the key was already
 * present (*old gets its value, nothing changes), -1 on out of memory. */
int rt_idmap_put(struct rt_idmap *m, const struct rt_timetable *tt, uint32_t off,
                 uint32_t val, uint32_t *old);

/* Value for key S, or RT_NONE. */
uint32_t rt_idmap_get(const struct rt_idmap *m, const struct rt_timetable *tt,
                      const char *s);

void rt_idmap_free(struct rt_idmap *m);

/* Build tt->short_index from the trips' short names (replacing any
 * earlier one).  0, or -1 when out of memory (tt->short_index is then
 * NULL and rt_trip_find_short finds nothing). */
int rt_timetable_index_short(struct rt_timetable *tt);

/* Build the hot scan arrays (tt->hot_*) from tt->conns, replacing any
 * earlier ones.  0 (the arrays NULL when the timetable does not fit them, see
 * rt_timetable), or -1 when out of memory (also NULL). */
int rt_timetable_index_hot(struct rt_timetable *tt);

/* Days since 1970-01-01 of YYYYMMDD, or INT32_MIN when it is not a date
 * in 1900..2199. */
int32_t rt_days_from_date(int yyyymmdd);

/* YYYYMMDD of DAYS since 1970-01-01. */
int rt_date_from_days(int32_t days);

#endif
