/* libFuzzer target: the GTFS importer (routing/gtfs.c) from memory.
 *
 * The input is split on the byte 0x1E into up to four files:
 *   stop_times.txt, frequencies.txt, transfers.txt, calendar_dates.txt
 * (a missing part is a missing file); agency, stops, routes, trips and
 * calendar are fixed below.  On success the timetable's invariants are
 * checked; on failure the error must be set and the timetable empty. */
#include "routing/gtfs.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char agency[] = "agency_id,agency_name,agency_timezone\n"
                             "CSL,China Sea Lines,Asia/Shanghai\n"
                             "DBC,Duisburg Bahn Cargo,Europe/Berlin\n";
static const char stops[] =
    "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
    "ST,Station,31,121,1,\n"
    "A,Platform A,31,121,0,ST\n"
    "B,Platform B,31,121,0,ST\n"
    "C,Hamburg,53.5,9.9,0,\n"
    "D,Duisburg,51.4,6.7,0,\n"
    "N,Node,,,3,\n";
static const char routes[] = "route_id,agency_id,route_type\n"
                             "SEA,CSL,1000\nAIR,CSL,1100\nRAIL,DBC,2\nROAD,DBC,715\n";
static const char trips[] = "route_id,service_id,trip_id\n"
                            "SEA,DAILY,T1\nAIR,ODD,T2\nRAIL,DAILY,T3\nROAD,X,T4\n";
static const char calendar[] =
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,"
    "end_date\n"
    "DAILY,1,1,1,1,1,1,1,20260327,20260331\n"
    "ODD,1,0,1,0,1,0,1,20260327,20260331\n";

static void check(const struct rt_timetable *tt, const struct rt_load_report *rep) {
    for (int f = 0; f < RT_F_COUNT; f++) {
        const char *name = rt_gtfs_file_name(f);
        size_t n = strlen(name);
        for (unsigned i = 0; i < rep->files[f].nmsg; i++)
            if (strncmp(rep->files[f].msg[i], name, n) != 0 ||
                rep->files[f].msg[i][n] != ':')
                abort();
    }
    for (uint32_t i = 0; i < tt->nconns; i++) {
        const struct rt_connection *c = &tt->conns[i];
        if (c->dep > c->arr || c->from >= tt->nstops || c->to >= tt->nstops ||
            c->run >= tt->nruns)
            abort();
        if (i && (tt->conns[i - 1].dep > c->dep ||
                  (tt->conns[i - 1].dep == c->dep && tt->conns[i - 1].arr > c->arr)))
            abort();
        if (c->seq + 1u >= tt->trips[tt->runs[c->run].trip].nstops) abort();
        if (rt_run_conn(tt, c->run, c->seq) != i) abort();
    }
    for (uint32_t t = 0; t < tt->ntrips; t++) {
        const struct rt_trip *tr = &tt->trips[t];
        for (uint32_t r = tr->first_run; r < tr->first_run + tr->nruns; r++) {
            const struct rt_run *run = &tt->runs[r];
            if (run->trip != t || run->day >= tt->ndays) abort();
            if (r > tr->first_run && (tt->runs[r - 1].day > run->day ||
                                      (tt->runs[r - 1].day == run->day &&
                                       tt->runs[r - 1].start >= run->start)))
                abort();
            if (rt_run_find(tt, t, run->day, run->start) != r) abort();
        }
        if (rt_trip_find(tt, rt_str(tt, tr->id)) != t) abort();
    }
    for (uint32_t s = 0; s < tt->nstops; s++) {
        uint32_t n;
        const struct rt_footpath *fp = rt_footpaths(tt, s, &n);
        if (tt->stops[s].zone >= tt->nzones) abort();
        for (uint32_t k = 0; k < n; k++)
            if (fp[k].from != s || fp[k].to == s || fp[k].to >= tt->nstops) abort();
    }
    for (uint32_t i = 0; i < tt->nforbidden; i++)
        if (!rt_transfer_forbidden(tt, tt->forbidden[i].from, tt->forbidden[i].to))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[4] = {"stop_times.txt", "frequencies.txt",
                                         "transfers.txt", "calendar_dates.txt"};
    struct rt_gtfs_memfile f[9] = {
        {"agency.txt", agency, sizeof(agency) - 1},
        {"stops.txt", stops, sizeof(stops) - 1},
        {"routes.txt", routes, sizeof(routes) - 1},
        {"trips.txt", trips, sizeof(trips) - 1},
        {"calendar.txt", calendar, sizeof(calendar) - 1},
    };
    struct rt_load_options opt = {.default_max_days = 8, .max_connections = 200000};
    static struct rt_load_report rep;
    struct rt_timetable tt;
    size_t n = 5, start = 0;
    const char *p = (const char *)data;

    for (int part = 0; part < 4 && start <= size; part++) {
        const char *sep = memchr(p + start, 0x1e, size - start);
        size_t end = sep ? (size_t)(sep - p) : size;
        f[n++] = (struct rt_gtfs_memfile){names[part], p + start, end - start};
        start = end + 1;
    }
    if (rt_gtfs_load_memory(&tt, f, n, &opt, &rep) != 0) {
        if (rep.err[0] == '\0' || tt.conns != NULL || tt.stops != NULL) abort();
        return 0;
    }
    check(&tt, &rep);
    rt_timetable_free(&tt);
    return 0;
}
