/* dongting-route -- batch earliest-arrival queries over a GTFS feed (issue 4).
 *
 *   bin/dongting-route --gtfs PATH [--stats] < queries
 *
 * Loads the whole feed (every service day of its calendar, the loader's
 * default range), prints the load report on stderr, then answers one query
 * per stdin line:
 *
 *   FROM_STOP_ID <TAB> TO_STOP_ID <TAB> YYYY-MM-DD <TAB> DEPART_SECONDS
 *
 * with one stdout line, tab-separated:
 *
 *   FROM <TAB> TO <TAB> DATE <TAB> DEPART <TAB> ARRIVAL
 *
 * DEPART and ARRIVAL count seconds from the GTFS reference of DATE ("noon
 * minus 12 h", local midnight except on days the clocks change) in the time
 * zone of the FROM stop; ARRIVAL is -1 when TO cannot be reached.  A line
 * that cannot be read, or names an unknown stop, is reported on stderr with
 * its line number and skipped.  --stats adds one stderr line:
 * load_ms=... queries=... p50_us=... p99_us=...
 *
 * Exit status: 0 when the input was read to the end (even with skipped
 * lines), 1 when the feed could not be loaded or memory ran out, 2 on bad
 * arguments. */
#include "routing/csa.h"
#include "routing/gtfs.h"
#include "routing/query_line.h"
#include "routing/timetable.h"
#include "routing/tz.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_LINE 4096

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void usage(void) {
    fputs("usage: dongting-route --gtfs PATH [--stats] < queries\n"
          "  query lines: "
          "FROM_STOP_ID<TAB>TO_STOP_ID<TAB>YYYY-MM-DD<TAB>DEPART_SECONDS\n",
          stderr);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Unix seconds of the GTFS reference ("noon minus 12 h") of DAYS in the
 * zone of STOP: cached for loaded days, computed otherwise.  0 or -1. */
static int day_start_of(const struct rt_timetable *tt, uint32_t stop, int32_t days,
                        int64_t *out, char *why, size_t whylen) {
    uint32_t zone = tt->stops[stop].zone;
    int64_t d = (int64_t)days - tt->first_day;
    if (d >= 0 && d < (int64_t)tt->ndays && zone < tt->nzones) {
        *out = tt->day_start[(size_t)zone * tt->ndays + (size_t)d];
        return 0;
    }
    if (zone >= tt->nzones) {
        snprintf(why, whylen, "stop has no time zone");
        return -1;
    }
    return rt_tz_day_starts(rt_str(tt, tt->zones[zone].name), days, 1, out, why,
                            whylen);
}

int main(int argc, char **argv) {
    const char *path = NULL;
    int stats = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--gtfs") == 0 && i + 1 < argc)
            path = argv[++i];
        else if (strcmp(argv[i], "--stats") == 0)
            stats = 1;
        else {
            usage();
            return 2;
        }
    }
    if (!path) {
        usage();
        return 2;
    }

    struct rt_timetable tt;
    struct rt_load_report *rep = malloc(sizeof(*rep));
    if (!rep) {
        fputs("dongting-route: out of memory\n", stderr);
        return 1;
    }
    double t0 = now_us();
    if (rt_gtfs_load(&tt, path, NULL, rep) != 0) {
        fprintf(stderr, "dongting-route: %s: %s\n", path, rep->err);
        free(rep);
        return 1;
    }
    double load_ms = (now_us() - t0) / 1e3;
    rt_load_report_print(rep, stderr);
    fprintf(stderr,
            "dongting-route: %u stops, %u trips, %u runs, %u connections, %u days from "
            "%d\n",
            tt.nstops, tt.ntrips, tt.nruns, tt.nconns, tt.ndays, rep->first_date);
    free(rep);

    struct rt_csa_ws *ws = rt_csa_ws_new(&tt);
    struct rt_csa_result *res = malloc(sizeof(*res));
    if (!ws || !res) {
        fputs("dongting-route: out of memory\n", stderr);
        rt_csa_ws_free(ws);
        free(res);
        rt_timetable_free(&tt);
        return 1;
    }

    double *times = NULL;
    size_t ntimes = 0, cap = 0;
    unsigned long lineno = 0, answered = 0, skipped = 0;
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &linecap, stdin)) != -1) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (len == 0) continue; /* blank lines are not queries */
        if (len > MAX_LINE || memchr(line, '\0', (size_t)len)) {
            fprintf(stderr, "line %lu: %s\n", lineno,
                    len > MAX_LINE ? "longer than 4096 bytes" : "contains a NUL byte");
            skipped++;
            continue;
        }
        struct rt_query_line q;
        char why[256] = "";
        int64_t ds = 0;
        if (rt_query_line_parse(line, &q, why, sizeof(why)) != 0) {
            fprintf(stderr, "line %lu: %s\n", lineno, why);
            skipped++;
            continue;
        }
        uint32_t from = rt_stop_find(&tt, q.from), to = rt_stop_find(&tt, q.to);
        int32_t days = q.days;
        int64_t secs = q.secs;
        const char *f[4] = {q.from, q.to, q.date, ""};
        if (from == RT_NONE || to == RT_NONE) {
            fprintf(stderr, "line %lu: unknown stop id '%.100s'\n", lineno,
                    from == RT_NONE ? f[0] : f[1]);
            skipped++;
            continue;
        }
        if (day_start_of(&tt, from, days, &ds, why, sizeof(why)) != 0) {
            fprintf(stderr, "line %lu: no time reference for %s: %s\n", lineno, f[2],
                    why);
            skipped++;
            continue;
        }
        /* Before the epoch nothing runs yet: leave at time 0 instead. */
        int64_t dep = ds - tt.epoch + secs;
        int64_t arrival = -1;
        double q0 = now_us();
        if (dep < (int64_t)UINT32_MAX) {
            uint32_t d = dep < 0 ? 0 : (uint32_t)dep;
            if (rt_csa_earliest(&tt, ws, from, to, d, res) == 0) {
                arrival = (int64_t)res->arrival + tt.epoch - ds;
                /* Without a ride (the origin is the target, or a walk away)
                 * the arrival is DEPART plus the walk, even when DEPART was
                 * before the timetable's time 0 and the scan started there. */
                int64_t walk = 0;
                uint32_t k;
                for (k = 0; k < res->nlegs && res->legs[k].kind == RT_LEG_WALK; k++)
                    walk += res->legs[k].arr - res->legs[k].dep;
                if (k == res->nlegs) arrival = secs + walk;
            }
        }
        double q1 = now_us();
        if (stats) {
            if (ntimes == cap) {
                size_t ncap = cap ? cap * 2 : 1024;
                double *nt = realloc(times, ncap * sizeof(*times));
                if (nt) {
                    times = nt;
                    cap = ncap;
                }
            }
            if (ntimes < cap) times[ntimes++] = q1 - q0;
        }
        answered++;
        printf("%s\t%s\t%s\t%" PRId64 "\t%" PRId64 "\n", f[0], f[1], f[2], secs,
               arrival);
    }
    if (ferror(stdin)) {
        fprintf(stderr, "dongting-route: reading stdin: %s\n", strerror(errno));
        rc = 1;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "dongting-route: writing stdout: %s\n", strerror(errno));
        rc = 1;
    }
    if (skipped)
        fprintf(stderr, "dongting-route: %lu queries answered, %lu lines skipped\n",
                answered, skipped);
    if (stats) {
        double p50 = 0, p99 = 0;
        if (ntimes) {
            qsort(times, ntimes, sizeof(*times), cmp_double);
            p50 = times[(ntimes - 1) / 2];
            p99 = times[(size_t)((double)(ntimes - 1) * 0.99)];
        }
        fprintf(stderr, "load_ms=%.1f queries=%lu p50_us=%.1f p99_us=%.1f\n", load_ms,
                answered, p50, p99);
    }
    free(times);
    free(line);
    free(res);
    rt_csa_ws_free(ws);
    rt_timetable_free(&tt);
    return rc;
}
