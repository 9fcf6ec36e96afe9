/* Random small GTFS feeds for the routing property tests (random_feed.h). */
#include "random_feed.h"
#include "geodata/nodes.h"
#include "routing/freight.h"
#include "routing/gtfs.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static uint64_t state;

void rf_seed(uint64_t seed) {
    state = seed;
}

static uint64_t next64(void) { /* splitmix64 */
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int rf_pick(int n) {
    return (int)(next64() % (uint64_t)n);
}

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

/* Great-circle km between two positions in degrees (haversine, mean
 * earth radius). */
static double gc_km(double lat1, double lon1, double lat2, double lon2) {
    const double r = 6371.0, d = M_PI / 180;
    double a = sin((lat2 - lat1) * d / 2), b = sin((lon2 - lon1) * d / 2);
    double h = a * a + cos(lat1 * d) * cos(lat2 * d) * b * b;
    return 2 * r * asin(sqrt(h < 1 ? h : 1));
}

/* At least X, in whole eighths of a km. */
static double eighths_up(double x) {
    return ceil(x * 8) / 8;
}

/* Half the freight feeds place their stops apart (the others keep every
 * stop at (1, 1)), with km no less than the great circle and every hop and
 * footpath taking time: the facts a router's lower bounds (km per
 * great-circle km, great-circle km per second) are made of. */
static void place(struct rf_feed *f, long k) {
    f->placed = rf_pick(2);
    for (int q = 0; q <= RF_NS; q++) {
        f->lat[q] = f->placed ? 20 + rf_pick(400) / 10.0 : 1;
        f->lon[q] = f->placed ? 60 + rf_pick(600) / 10.0 : 1;
    }
    if (!f->placed) return;
    if (f->station) {
        f->lat[RF_NS] = f->lat[0];
        f->lon[RF_NS] = f->lon[0];
    }
    for (int j = 0; j < f->ntrips; j++) {
        long shift = 0;
        for (int p = 0; p < f->trip[j].n; p++) {
            f->trip[j].arr[p] += shift;
            if (p > 0 && f->trip[j].arr[p] <= f->trip[j].dep[p - 1]) {
                shift += f->trip[j].dep[p - 1] + k * 60 - f->trip[j].arr[p];
                f->trip[j].arr[p] = f->trip[j].dep[p - 1] + k * 60;
            }
            f->trip[j].dep[p] += shift;
            if (p + 1 < f->trip[j].n) {
                int a = f->trip[j].stop[p], b = f->trip[j].stop[p + 1];
                double gc = gc_km(f->lat[a], f->lon[a], f->lat[b], f->lon[b]);
                f->trip[j].km[p] = eighths_up(gc * (1 + rf_pick(8) / 8.0)) +
                                   (rf_pick(4) == 0 ? rf_pick(100) : 0);
            }
        }
    }
    for (int a = 0; a < f->nstops; a++)
        for (int b = 0; b < f->nstops; b++) {
            if (f->foot[a][b] < 0) continue;
            if (f->foot[a][b] == 0) f->foot[a][b] = k * 60;
            double gc = gc_km(f->lat[a], f->lon[a], f->lat[b], f->lon[b]);
            f->foot_km[a][b] = eighths_up(gc * (1 + rf_pick(4) / 4.0));
        }
}

void rf_make_freight(struct rf_feed *f) {
    static const long scales[] = {1, 10, 60};
    rf_make(f);
    f->freight = 1;
    long k = scales[rf_pick(3)];
    for (int j = 0; j < f->ntrips; j++) {
        for (int p = 0; p < f->trip[j].n; p++) {
            f->trip[j].arr[p] *= k;
            f->trip[j].dep[p] *= k;
            /* Eighths of a km (0 km hops too): sums and differences of
             * them are exact in a double, so the km of a ride does not
             * depend on the order it is added up in, nor its rounded cost
             * on that. */
            f->trip[j].km[p] = rf_pick(8) == 0 ? 0 : rf_pick(3000) + rf_pick(8) / 8.0;
        }
        f->trip[j].fmode = rf_pick(12) == 0 ? RF_UNUSABLE : rf_pick(RT_FMODE_COUNT);
        do
            f->trip[j].days = (unsigned)rf_pick(1 << RF_ND);
        while (f->trip[j].days == 0);
    }
    for (int a = 0; a < f->nstops; a++) {
        f->mt[a] *= k;
        for (int b = 0; b < f->nstops; b++) {
            if (f->foot[a][b] > 0) f->foot[a][b] *= k;
            f->foot_km[a][b] = f->foot[a][b] >= 0 ? rf_pick(300) + rf_pick(4) / 4.0 : 0;
        }
    }
    for (int q = 0; q <= RF_NS; q++) {
        static const unsigned flags[] = {0, CUSTOMS_BORDER, CUSTOMS_PORT_OF_ENTRY,
                                         CUSTOMS_BORDER | CUSTOMS_PORT_OF_ENTRY,
                                         CUSTOMS_BONDED_ZONE};
        f->territory[q] = rf_pick(3);
        f->customs[q] = flags[rf_pick(5)];
    }
    if (f->station) f->territory[0] = f->territory[1] = f->territory[RF_NS];
    place(f, k);
}

void rf_stop_id(const struct rf_feed *f, int q, char *buf, size_t n) {
    if (q == RF_NS)
        snprintf(buf, n, "%s", f->freight ? "SSP" : "P");
    else
        snprintf(buf, n, "%s%d", f->freight ? "SS" : "s", q);
}

void rf_add(struct rf_text *b, const char *fmt, ...) {
    va_list va;
    va_start(va, fmt);
    int n = vsnprintf(b->s + b->len, sizeof(b->s) - b->len, fmt, va);
    va_end(va);
    cr_assert(n >= 0 && (size_t)n < sizeof(b->s) - b->len, "text buffer too small");
    b->len += (size_t)n;
}

static void add_time(struct rf_text *b, long t) {
    rf_add(b, "%02ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

static void add_pos(struct rf_text *b, const struct rf_feed *f, int q) {
    if (f->freight)
        rf_add(b, "%.1f,%.1f", f->lat[q], f->lon[q]);
    else
        rf_add(b, "1,1");
}

static struct rf_text t_stops, t_trips, t_times, t_xfers;

static void add_dates(struct rf_text *b, unsigned days) {
    for (int d = 0; d < RF_ND; d++)
        if (days & (1u << d)) rf_add(b, "D%u,202603%02d,1\n", days, 10 + d);
}

void rf_load(const struct rf_feed *f, struct rt_timetable *tt) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\nA,A,Etc/UTC\n";
    static const char routes_road[] = "route_id,agency_id,route_type\nR,A,3\n";
    static const char routes_freight[] =
        "route_id,agency_id,route_type\n"
        "Rsea,A,4\nRriver,A,4\nRrail,A,2\nRair,A,1100\n"
        "Rroad,A,3\nRnone,A,0\n";
    static const char *const route_of[] = {"Rsea", "Rriver", "Rrail", "Rair", "Rroad"};
    static struct rt_load_report rep;
    static struct rf_text t_dates;
    char a_id[16], b_id[16];
    t_stops.len = t_trips.len = t_times.len = t_xfers.len = t_dates.len = 0;
    rf_add(&t_dates, "service_id,date,exception_type\n");
    if (f->freight)
        for (unsigned m = 1; m < (1u << RF_ND); m++)
            add_dates(&t_dates, m);
    else
        rf_add(&t_dates, "D,20260310,1\n");
    rf_add(&t_stops, "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n");
    rf_stop_id(f, RF_NS, b_id, sizeof(b_id));
    /* Positions "1,1" for the road feeds, as they always were. */
    if (f->station) {
        rf_add(&t_stops, "%s,%s,", b_id, b_id);
        add_pos(&t_stops, f, RF_NS);
        rf_add(&t_stops, ",1,\n");
    }
    for (int s = 0; s < f->nstops; s++) {
        rf_stop_id(f, s, a_id, sizeof(a_id));
        rf_add(&t_stops, "%s,%s,", a_id, a_id);
        add_pos(&t_stops, f, s);
        rf_add(&t_stops, ",0,%s\n", f->station && s < 2 ? b_id : "");
    }
    rf_add(&t_trips, "route_id,service_id,trip_id\n");
    rf_add(&t_times, "trip_id,arrival_time,departure_time,stop_id,stop_sequence,"
                  "pickup_type,drop_off_type\n");
    for (int j = 0; j < f->ntrips; j++) {
        if (!f->freight)
            rf_add(&t_trips, "R,D,t%d\n", j);
        else
            rf_add(&t_trips, "%s,D%u,t%d\n",
                f->trip[j].fmode == RF_UNUSABLE ? "Rnone" : route_of[f->trip[j].fmode],
                f->trip[j].days, j);
        for (int p = 0; p < f->trip[j].n; p++) {
            rf_add(&t_times, "t%d,", j);
            add_time(&t_times, f->trip[j].arr[p]);
            rf_add(&t_times, ",");
            add_time(&t_times, f->trip[j].dep[p]);
            rf_stop_id(f, f->trip[j].stop[p], a_id, sizeof(a_id));
            rf_add(&t_times, ",%s,%d,%d,%d\n", a_id, p, f->trip[j].pick[p] ? 0 : 1,
                f->trip[j].drop[p] ? 0 : 1);
        }
    }
    rf_add(&t_xfers, "from_stop_id,to_stop_id,transfer_type,min_transfer_time\n");
    for (int a = 0; a < f->nstops; a++) {
        rf_stop_id(f, a, a_id, sizeof(a_id));
        /* An explicit 0 s same-stop row now and then must mean what no row
         * means. */
        if (f->nochange[a])
            rf_add(&t_xfers, "%s,%s,3,\n", a_id, a_id);
        else if (f->mt[a] || rf_pick(2))
            rf_add(&t_xfers, "%s,%s,2,%ld\n", a_id, a_id, f->mt[a]);
        for (int b = 0; b < f->nstops; b++) {
            rf_stop_id(f, b, b_id, sizeof(b_id));
            if (f->forb[a][b])
                rf_add(&t_xfers, "%s,%s,3,\n", a_id, b_id);
            else if (f->foot[a][b] >= 0)
                rf_add(&t_xfers, "%s,%s,2,%ld\n", a_id, b_id, f->foot[a][b]);
        }
    }
    struct rt_gtfs_memfile files[] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"calendar_dates.txt", t_dates.s, t_dates.len},
        {"routes.txt", f->freight ? routes_freight : routes_road,
         f->freight ? sizeof(routes_freight) - 1 : sizeof(routes_road) - 1},
        {"stops.txt", t_stops.s, t_stops.len},
        {"trips.txt", t_trips.s, t_trips.len},
        {"stop_times.txt", t_times.s, t_times.len},
        {"transfers.txt", t_xfers.s, t_xfers.len},
    };
    int rc =
        rt_gtfs_load_memory(tt, files, sizeof(files) / sizeof(files[0]), NULL, &rep);
    cr_assert_eq(rc, 0, "%s", rep.err);
    for (int i = 0; i < RT_F_COUNT; i++)
        cr_assert_eq(rep.files[i].skipped, 0, "%s: %s",
                     rt_gtfs_file_name((enum rt_gtfs_file)i),
                     rep.files[i].nmsg ? rep.files[i].msg[0] : "");
}

const char *rf_stop_times_text(void) {
    return t_times.s;
}
const char *rf_transfers_text(void) {
    return t_xfers.s;
}
const char *rf_trips_text(void) {
    return t_trips.s;
}

void rf_map_stops(const struct rf_feed *f, const struct rt_timetable *tt,
                  uint32_t idx[RF_NS + 1], int model_of[64]) {
    char id[16];
    cr_assert_lt(tt->nstops, 64);
    for (uint32_t s = 0; s < tt->nstops; s++)
        model_of[s] = -1;
    for (int q = 0; q <= RF_NS; q++) {
        idx[q] = RT_NONE;
        if (q < RF_NS ? q >= f->nstops : !f->station) continue;
        rf_stop_id(f, q, id, sizeof(id));
        idx[q] = rt_stop_find(tt, id);
        cr_assert_neq(idx[q], RT_NONE, "stop %s is not in the timetable", id);
        if (q < RF_NS) model_of[idx[q]] = q;
    }
}
