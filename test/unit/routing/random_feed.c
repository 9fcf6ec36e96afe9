/* Random small GTFS feeds for the routing property tests (random_feed.h). */
#include "random_feed.h"
#include "routing/gtfs.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static uint64_t state;

void rf_seed(uint64_t seed) { state = seed; }

static uint64_t next64(void) { /* splitmix64 */
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int rf_pick(int n) { return (int)(next64() % (uint64_t)n); }

void rf_make(struct rf_feed *f) {
    memset(f, 0, sizeof(*f));
    f->nstops = 3 + rf_pick(RF_NS - 2);
    f->station = rf_pick(3) == 0;
    f->ntrips = 1 + rf_pick(RF_NT);
    for (int j = 0; j < f->ntrips; j++) {
        int n = 2 + rf_pick(RF_NP - 1);
        long t = rf_pick(30) * RF_U;
        f->trip[j].n = n;
        for (int p = 0; p < n; p++) {
            int s;
            do
                s = rf_pick(f->nstops);
            while (p > 0 && s == f->trip[j].stop[p - 1]);
            f->trip[j].stop[p] = s;
            f->trip[j].arr[p] = t;
            if (rf_pick(3) == 0) t += rf_pick(3) * RF_U; /* dwell */
            f->trip[j].dep[p] = t;
            t += rf_pick(4) * RF_U; /* hop; 0 s hops too */
            f->trip[j].pick[p] = rf_pick(6) != 0;
            f->trip[j].drop[p] = rf_pick(6) != 0;
        }
    }
    for (int a = 0; a < f->nstops; a++) {
        int r = rf_pick(10);
        if (r < 3)
            f->mt[a] = rf_pick(4) * RF_U;
        else if (r == 3)
            f->nochange[a] = 1;
        for (int b = 0; b < f->nstops; b++) {
            f->foot[a][b] = -1;
            if (a == b || rf_pick(5)) continue;
            if (rf_pick(5) == 0)
                f->forb[a][b] = 1;
            else
                f->foot[a][b] = rf_pick(4) * RF_U;
        }
    }
}

struct text {
    char s[16384];
    size_t len;
};

static void add(struct text *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *b, const char *fmt, ...) {
    va_list va;
    va_start(va, fmt);
    int n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, va);
    va_end(va);
    cr_assert(n >= 0 && (size_t)n < sizeof(b->s) - b->len, "text buffer too small");
    b->len += (size_t)n;
}

static void add_time(struct text *b, long t) {
    add(b, "%02ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

static struct text t_stops, t_trips, t_times, t_xfers;

void rf_load(const struct rf_feed *f, struct rt_timetable *tt) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\nA,A,Etc/UTC\n";
    static const char dates[] = "service_id,date,exception_type\nD,20260310,1\n";
    static const char routes[] = "route_id,agency_id,route_type\nR,A,3\n";
    static struct rt_load_report rep;
    t_stops.len = t_trips.len = t_times.len = t_xfers.len = 0;
    add(&t_stops, "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n");
    if (f->station) add(&t_stops, "P,P,1,1,1,\n");
    for (int s = 0; s < f->nstops; s++)
        add(&t_stops, "s%d,s%d,1,1,0,%s\n", s, s, f->station && s < 2 ? "P" : "");
    add(&t_trips, "route_id,service_id,trip_id\n");
    add(&t_times, "trip_id,arrival_time,departure_time,stop_id,stop_sequence,"
                  "pickup_type,drop_off_type\n");
    for (int j = 0; j < f->ntrips; j++) {
        add(&t_trips, "R,D,t%d\n", j);
        for (int p = 0; p < f->trip[j].n; p++) {
            add(&t_times, "t%d,", j);
            add_time(&t_times, f->trip[j].arr[p]);
            add(&t_times, ",");
            add_time(&t_times, f->trip[j].dep[p]);
            add(&t_times, ",s%d,%d,%d,%d\n", f->trip[j].stop[p], p,
                f->trip[j].pick[p] ? 0 : 1, f->trip[j].drop[p] ? 0 : 1);
        }
    }
    add(&t_xfers, "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n");
    for (int a = 0; a < f->nstops; a++) {
        /* An explicit 0 s same-stop row now and then must mean what no row
         * means. */
        if (f->nochange[a])
            add(&t_xfers, "s%d,s%d,3,\n", a, a);
        else if (f->mt[a] || rf_pick(2))
            add(&t_xfers, "s%d,s%d,2,%ld\n", a, a, f->mt[a]);
        for (int b = 0; b < f->nstops; b++)
            if (f->forb[a][b])
                add(&t_xfers, "s%d,s%d,3,\n", a, b);
            else if (f->foot[a][b] >= 0)
                add(&t_xfers, "s%d,s%d,2,%ld\n", a, b, f->foot[a][b]);
    }
    struct rt_gtfs_memfile files[] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"calendar_dates.txt", dates, sizeof(dates) - 1},
        {"routes.txt", routes, sizeof(routes) - 1},
        {"stops.txt", t_stops.s, t_stops.len},
        {"trips.txt", t_trips.s, t_trips.len},
        {"stop_times.txt", t_times.s, t_times.len},
        {"transfers.txt", t_xfers.s, t_xfers.len},
    };
    int rc = rt_gtfs_load_memory(tt, files, sizeof(files) / sizeof(files[0]), NULL, &rep);
    cr_assert_eq(rc, 0, "%s", rep.err);
    for (int i = 0; i < RT_F_COUNT; i++)
        cr_assert_eq(rep.files[i].skipped, 0, "%s: %s", rt_gtfs_file_name((enum rt_gtfs_file)i),
                     rep.files[i].nmsg ? rep.files[i].msg[0] : "");
}

const char *rf_stop_times_text(void) { return t_times.s; }
const char *rf_transfers_text(void) { return t_xfers.s; }
