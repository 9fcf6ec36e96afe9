/* gtfs_gen -- a deterministic synthetic GTFS feed for the routing benchmark
 * (issue 4, "Performance").
 *
 *   gtfs_gen --out DIR --conns N [--days D] [--stops S] [--seed X]
 *
 * Writes agency.txt, stops.txt, routes.txt, trips.txt, stop_times.txt and
 * calendar.txt into DIR (which must exist).  Loaded over its whole calendar
 * the feed has exactly N connections (N must be a multiple of D).
 *
 * Shape (same seed, same bytes):
 *   - S stops (at least 100; by default 300 * (N / 10^5)^0.6) in clusters
 *     ("cities") of 50-99 stops, each with a hub (its first stop); cluster
 *     centres scattered over a 10 x 10 degree box, stops within about 0.3
 *     degrees of their centre.
 *   - S/2 routes with a fixed stop pattern of 5-20 hops and fixed hop
 *     times: 60% local (road, route_type 3: distinct stops of one cluster,
 *     its hub among them), 40% trunk (rail, route_type 2: local stops of
 *     cluster A, hub A, one or two other hubs, local stops of the last
 *     cluster).  Hop time from the distance (local 40 km/h, trunk 80 km/h,
 *     at least 2 minutes), a dwell of 0-2 minutes at some stops.
 *   - Trips of a random route with a first departure uniform in 04:00-22:00,
 *     all on one service running every day of the D-day calendar, until
 *     N/D hops a day (the last trip is cut to fit).
 *   - No transfers.txt (no footpaths, no minimum transfer times), no
 *     frequencies.txt, no calendar_dates.txt, all pickups and drop-offs
 *     allowed, one agency in Asia/Shanghai.
 *
 * Exit status: 0, 1 on an I/O error, 2 on bad arguments. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLUSTER_SIZE 50
#define MIN_HOPS 5
#define MAX_HOPS 20
#define IOBUF (1u << 20)

/* splitmix64: small, fast, and the same sequence everywhere. */
static uint64_t rng_state;

static uint64_t rng_next(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static uint32_t rng_below(uint32_t n) {
    return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

static double rng_unit(void) {
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

struct stop {
    double lat, lon;
    uint32_t cluster;
};

struct route {
    uint32_t first, nstops; /* pattern[first .. first+nstops) */
    int type;               /* GTFS route_type */
};

struct pat {
    uint32_t stop;
    uint32_t arr, dep; /* seconds after the trip's first departure */
};

static struct stop *stops;
static uint32_t nstops, nclusters;
static struct pat *pattern;
static uint32_t npattern;

static double dist_km(uint32_t a, uint32_t b) {
    const double r = 6371.0, d2r = M_PI / 180.0;
    double la1 = stops[a].lat * d2r, la2 = stops[b].lat * d2r;
    double dla = la2 - la1, dlo = (stops[b].lon - stops[a].lon) * d2r;
    double h =
        sin(dla / 2) * sin(dla / 2) + cos(la1) * cos(la2) * sin(dlo / 2) * sin(dlo / 2);
    return 2 * r * asin(sqrt(h));
}

static uint32_t cluster_first(uint32_t c) {
    return c * CLUSTER_SIZE;
}

static uint32_t cluster_size(uint32_t c) {
    uint32_t end = (c + 1) * CLUSTER_SIZE;
    if (c + 1 == nclusters || end > nstops) end = nstops;
    return end - cluster_first(c);
}

/* Append K distinct non-hub stops of cluster C to OUT (at most the cluster
 * has); returns how many were added. */
static uint32_t pick_local(uint32_t c, uint32_t k, uint32_t *out) {
    uint32_t n = cluster_size(c), base = cluster_first(c), got = 0;
    if (n < 2) return 0;
    uint32_t idx[CLUSTER_SIZE * 2];
    for (uint32_t i = 1; i < n; i++)
        idx[i - 1] = base + i;
    n--;
    for (uint32_t i = 0; i < k && i < n; i++) {
        uint32_t j = i + rng_below(n - i);
        uint32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        out[got++] = idx[i];
    }
    return got;
}

/* Build one route's stop pattern with times into pattern[]. */
static void make_route(struct route *r) {
    uint32_t seq[MAX_HOPS + 1], n = 0;
    uint32_t hops = MIN_HOPS + rng_below(MAX_HOPS - MIN_HOPS + 1);
    uint32_t want = hops + 1;
    uint32_t a = rng_below(nclusters);
    int trunk = nclusters > 1 && rng_below(10) < 4;
    if (!trunk) {
        uint32_t loc[MAX_HOPS + 1];
        uint32_t got = pick_local(a, want - 1, loc);
        uint32_t hub_at = rng_below(got + 1);
        for (uint32_t i = 0, j = 0; i <= got; i++)
            seq[n++] = i == hub_at ? cluster_first(a) : loc[j++];
    } else {
        uint32_t nh = 2 + rng_below(2), hubs[3];
        hubs[0] = a;
        for (uint32_t i = 1; i < nh; i++) {
            uint32_t c;
            int dup;
            do {
                c = rng_below(nclusters);
                dup = 0;
                for (uint32_t j = 0; j < i; j++)
                    dup |= hubs[j] == c;
            } while (dup && nclusters > nh);
            hubs[i] = c;
            if (dup) nh = i; /* too few clusters for distinct hubs */
        }
        uint32_t rest = want > nh ? want - nh : 0;
        uint32_t before = rest ? rng_below(rest + 1) : 0, loc[MAX_HOPS + 1];
        uint32_t got = pick_local(a, before, loc);
        for (uint32_t i = 0; i < got; i++)
            seq[n++] = loc[i];
        for (uint32_t i = 0; i < nh; i++)
            seq[n++] = cluster_first(hubs[i]);
        got = pick_local(hubs[nh - 1], want - n, loc);
        for (uint32_t i = 0; i < got; i++)
            seq[n++] = loc[i];
    }
    r->type = trunk ? 2 : 3;
    r->first = npattern;
    r->nstops = n;
    uint32_t t = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct pat *p = &pattern[npattern++];
        p->stop = seq[i];
        if (i > 0) {
            double kmh = trunk ? 80.0 : 40.0;
            uint32_t secs = (uint32_t)(dist_km(seq[i - 1], seq[i]) / kmh * 3600.0);
            secs = (secs / 60 + 1) * 60; /* whole minutes, at least one */
            if (secs < 120) secs = 120;
            t += secs;
        }
        p->arr = t;
        if (i > 0 && i + 1 < n && rng_below(3) == 0) t += 60 * (1 + rng_below(2));
        p->dep = t;
    }
}

static FILE *open_out(const char *dir, const char *name, char *buf) {
    char path[4096];
    int w = snprintf(path, sizeof(path), "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= sizeof(path)) {
        fprintf(stderr, "gtfs_gen: path too long: %s/%s\n", dir, name);
        return NULL;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "gtfs_gen: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    setvbuf(f, buf, _IOFBF, IOBUF);
    return f;
}

static int close_out(FILE *f, const char *name) {
    if (ferror(f) | fclose(f)) {
        fprintf(stderr, "gtfs_gen: writing %s failed: %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes "HH:MM:SS" (hours may pass 24) of T seconds to F. */
static void put_time(FILE *f, uint32_t t) {
    fprintf(f, "%02" PRIu32 ":%02" PRIu32 ":%02" PRIu32, t / 3600, t / 60 % 60, t % 60);
}

static int parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || *s == '-') return -1;
    *out = v;
    return 0;
}

static void usage(void) {
    fputs("usage: gtfs_gen --out DIR --conns N [--days D] [--stops S] [--seed X]\n",
          stderr);
}

int main(int argc, char **argv) {
    const char *dir = NULL;
    uint64_t conns = 0, days = 1, nst = 0, seed = 1;
    for (int i = 1; i < argc; i++) {
        uint64_t *dst = NULL;
        if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
            dir = argv[++i];
            continue;
        }
        if (strcmp(argv[i], "--conns") == 0)
            dst = &conns;
        else if (strcmp(argv[i], "--days") == 0)
            dst = &days;
        else if (strcmp(argv[i], "--stops") == 0)
            dst = &nst;
        else if (strcmp(argv[i], "--seed") == 0)
            dst = &seed;
        if (!dst || i + 1 >= argc || parse_u64(argv[++i], dst) != 0) {
            usage();
            return 2;
        }
    }
    if (!dir || conns == 0 || days == 0 || days > 366 || conns % days != 0 ||
        conns > 100000000ull || nst > 1000000) {
        usage();
        fputs("  N in 1..10^8 and a multiple of D, D in 1..366, S up to 10^6\n",
              stderr);
        return 2;
    }
    if (nst == 0) /* a few hundred stops at 10^5, a few thousand at 5*10^6 */
        nst = (uint64_t)(300.0 * pow((double)conns / 1e5, 0.6));
    if (nst < 2 * CLUSTER_SIZE) nst = 2 * CLUSTER_SIZE;
    rng_state = seed;
    nstops = (uint32_t)nst;
    nclusters = nstops / CLUSTER_SIZE; /* the last one takes the rest: < 100 */

    uint32_t nroutes = nstops / 2;
    stops = calloc(nstops, sizeof(*stops));
    pattern = calloc((size_t)nroutes * (MAX_HOPS + 1), sizeof(*pattern));
    struct route *routes = calloc(nroutes, sizeof(*routes));
    char *buf = malloc(IOBUF);
    if (!stops || !pattern || !routes || !buf) {
        fputs("gtfs_gen: out of memory\n", stderr);
        return 1;
    }
    for (uint32_t c = 0; c < nclusters; c++) {
        double clat = 24.0 + 10.0 * rng_unit(), clon = 105.0 + 10.0 * rng_unit();
        for (uint32_t i = 0; i < cluster_size(c); i++) {
            struct stop *s = &stops[cluster_first(c) + i];
            s->cluster = c;
            s->lat = clat + (i ? 0.6 * (rng_unit() - 0.5) : 0.0);
            s->lon = clon + (i ? 0.6 * (rng_unit() - 0.5) : 0.0);
        }
    }
    for (uint32_t r = 0; r < nroutes; r++)
        make_route(&routes[r]);

    FILE *f;
    if (!(f = open_out(dir, "agency.txt", buf))) return 1;
    fputs("agency_id,agency_name,agency_url,agency_timezone\n"
          "SYN,Synthetic Lines,https://example.invalid,Asia/Shanghai\n",
          f);
    if (close_out(f, "agency.txt")) return 1;

    /* 2026-03-02 is a Monday; the service runs every day of the range. */
    int32_t y = 2026, m = 3, d = 2 + (int32_t)days - 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    while (d > mdays[m - 1] + (m == 2 && y % 4 == 0)) {
        d -= mdays[m - 1] + (m == 2 && y % 4 == 0);
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    if (!(f = open_out(dir, "calendar.txt", buf))) return 1;
    fprintf(f,
            "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
            "start_date,end_date\nDAILY,1,1,1,1,1,1,1,20260302,%04d%02d%02d\n",
            (int)y, (int)m, (int)d);
    if (close_out(f, "calendar.txt")) return 1;

    if (!(f = open_out(dir, "stops.txt", buf))) return 1;
    fputs("stop_id,stop_name,stop_lat,stop_lon\n", f);
    for (uint32_t s = 0; s < nstops; s++)
        fprintf(f, "S%" PRIu32 ",%s %" PRIu32 " stop %" PRIu32 ",%.5f,%.5f\n", s,
                s % CLUSTER_SIZE ? "City" : "Hub of city", stops[s].cluster, s,
                stops[s].lat, stops[s].lon);
    if (close_out(f, "stops.txt")) return 1;

    if (!(f = open_out(dir, "routes.txt", buf))) return 1;
    fputs("route_id,agency_id,route_short_name,route_long_name,route_type\n", f);
    for (uint32_t r = 0; r < nroutes; r++)
        fprintf(f, "R%" PRIu32 ",SYN,%" PRIu32 ",%s %" PRIu32 ",%d\n", r, r,
                routes[r].type == 2 ? "Trunk" : "Local", r, routes[r].type);
    if (close_out(f, "routes.txt")) return 1;

    /* trips.txt and stop_times.txt together: one pass, two buffered files. */
    char *buf2 = malloc(IOBUF);
    FILE *ft = buf2 ? open_out(dir, "trips.txt", buf2) : NULL;
    if (!ft || !(f = open_out(dir, "stop_times.txt", buf))) return 1;
    fputs("route_id,service_id,trip_id\n", ft);
    fputs("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n", f);
    uint64_t left = conns / days, ntrips = 0;
    while (left > 0) {
        const struct route *r = &routes[rng_below(nroutes)];
        uint64_t hops = r->nstops - 1;
        if (hops > left)
            hops = left;
        else if (left - hops > 0 && left - hops < MIN_HOPS &&
                 hops > MIN_HOPS - (left - hops))
            hops -= MIN_HOPS - (left - hops); /* leave a last trip of MIN_HOPS */
        uint32_t start = 4 * 3600 + 60 * rng_below(18 * 60);
        uint32_t id = (uint32_t)ntrips++;
        fprintf(ft, "R%" PRIu32 ",DAILY,T%" PRIu32 "\n", (uint32_t)(r - routes), id);
        for (uint32_t i = 0; i <= hops; i++) {
            const struct pat *p = &pattern[r->first + i];
            fprintf(f, "T%" PRIu32 ",", id);
            put_time(f, start + p->arr);
            fputc(',', f);
            put_time(f, start + (i == hops ? p->arr : p->dep));
            fprintf(f, ",S%" PRIu32 ",%" PRIu32 "\n", p->stop, i + 1);
        }
        left -= hops;
    }
    if (close_out(ft, "trips.txt") || close_out(f, "stop_times.txt")) return 1;
    fprintf(stderr,
            "gtfs_gen: %s: %" PRIu64 " connections (%" PRIu64 " a day x %" PRIu64
            " days), %" PRIu32 " stops in %" PRIu32 " clusters, %" PRIu32
            " routes, %" PRIu64 " trips\n",
            dir, conns, conns / days, days, nstops, nclusters, nroutes, ntrips);
    free(buf2);
    free(buf);
    free(routes);
    free(pattern);
    free(stops);
    return 0;
}
