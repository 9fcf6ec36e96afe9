/* routing/gtfs.c on the hand-written feeds in test/fixtures/gtfs: times past
 * 24:00 and a 60-day voyage, an overnight train, calendar exceptions, a
 * service only in calendar_dates, frequencies, transfers, parent stations,
 * route types, and two agencies' time zones across the European change to
 * summer time (Sunday 29 March 2026).  Every expected UTC time below is
 * worked out by hand in the comment above it. */
#include "routing/gtfs.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct rt_timetable tt;
static struct rt_load_report rep;

static const char *fixture(const char *name) {
    static char rel[256];
    snprintf(rel, sizeof(rel), "test/fixtures/gtfs/%s", name);
    return ut_path(rel);
}

static void load_basic(void) {
    int rc = rt_gtfs_load(&tt, fixture("basic"), NULL, &rep);
    cr_assert_eq(rc, 0, "%s", rep.err);
}

static void unload(void) {
    rt_timetable_free(&tt);
}

/* Connections of the run of trip ID on service day DAY (the first run that
 * day), in stop order. */
static const struct rt_connection *leg(const char *id, uint32_t day, uint32_t k) {
    uint32_t t = rt_trip_find(&tt, id), r;
    cr_assert_neq(t, RT_NONE, "no trip %s", id);
    r = rt_run_find(&tt, t, day, -1);
    cr_assert_neq(r, RT_NONE, "trip %s does not run on day %u", id, day);
    cr_assert_lt(k + 1, tt.trips[t].nstops);
    return &tt.conns[rt_run_conn(&tt, r, k)];
}

static int64_t unix_dep(const struct rt_connection *c) {
    return tt.epoch + c->dep;
}
static int64_t unix_arr(const struct rt_connection *c) {
    return tt.epoch + c->arr;
}

static uint32_t stop(const char *id) {
    uint32_t s = rt_stop_find(&tt, id);
    cr_assert_neq(s, RT_NONE, "no stop %s", id);
    return s;
}

TestSuite(gtfs_basic, .init = load_basic, .fini = unload);

Test(gtfs_basic, counts_and_service_days) {
    /* calendar.txt runs 2026-03-01 .. 2026-03-31: 31 days.  The epoch is
     * 00:00 UTC of the day before: 2026-02-28.  Days from 1970-01-01 to
     * 2026-01-01: 56 * 365 + 14 leap days (1972..2024) = 20454; + 31 (Jan)
     * + 27 = 20512 days to Feb 28; * 86400 = 1772236800. */
    cr_assert_eq(rep.first_date, 20260301);
    cr_assert_eq(rep.ndays, 31);
    cr_assert_eq(tt.ndays, 31);
    cr_assert_eq(tt.epoch, 1772236800);
    cr_assert_eq(rt_day_of_date(&tt, 20260301), 0);
    cr_assert_eq(rt_day_of_date(&tt, 20260331), 30);
    cr_assert_eq(rt_day_of_date(&tt, 20260401), -1);
    cr_assert_eq(tt.nagencies, 2);
    cr_assert_eq(tt.nzones, 2);
    cr_assert_eq(tt.nstops, 10);
    cr_assert_eq(tt.nroutes, 8);
    cr_assert_eq(tt.ntrips, 8);
    /* Runs: V1 on 5 Mondays, N1 on 22 weekdays (below), D1, K1, K2, TR1
     * daily (4 * 31), F1 on 2 dates, R1 5 a day (3 + 2) * 31 = 155.
     * 5 + 22 + 124 + 2 + 155 = 308; V1 has 2 hops, the rest 1: 313. */
    cr_assert_eq(tt.nruns, 308);
    cr_assert_eq(tt.nconns, 313);
    for (int f = 0; f < RT_F_COUNT; f++) {
        cr_expect_eq(rep.files[f].skipped, 0, "%s: %s", rt_gtfs_file_name(f),
                     rep.files[f].nmsg ? rep.files[f].msg[0] : "");
        cr_expect_eq(rep.files[f].warned, 0, "%s", rt_gtfs_file_name(f));
        cr_expect(rep.files[f].present, "%s", rt_gtfs_file_name(f));
    }
    cr_assert_eq(rep.files[RT_F_STOP_TIMES].loaded, 17);
    cr_assert_eq(rep.files[RT_F_FREQUENCIES].loaded, 2);
    cr_assert_eq(rep.files[RT_F_TRANSFERS].loaded, 5);
}

Test(gtfs_basic, connections_sorted_and_indexed) {
    for (uint32_t i = 0; i < tt.nconns; i++) {
        const struct rt_connection *c = &tt.conns[i];
        cr_assert_leq(c->dep, c->arr);
        if (i) {
            const struct rt_connection *p = &tt.conns[i - 1];
            cr_assert(p->dep < c->dep || (p->dep == c->dep && p->arr <= c->arr),
                      "connection %u is out of order", i);
        }
        cr_assert_eq(rt_run_conn(&tt, c->run, c->seq), i);
    }
    for (uint32_t r = 0; r < tt.nruns; r++) {
        const struct rt_trip *t = &tt.trips[tt.runs[r].trip];
        cr_assert(r >= t->first_run && r < t->first_run + t->nruns);
    }
    cr_assert_eq(sizeof(struct rt_connection), 24);
    cr_assert_eq(sizeof(struct rt_run), 12);
    cr_assert_eq(rt_run_conn(&tt, 0, 5), RT_NONE);
    cr_assert_eq(rt_run_conn(&tt, tt.nruns, 0), RT_NONE);
}

/* V1, Asia/Shanghai (UTC+8, no DST), service date Monday 2026-03-02.
 * Noon - 12 h there is 2026-03-02 00:00 +08 = 2026-03-01 16:00 UTC
 *   = 1772236800 + 86400 (Mar 1) + 57600 = 1772380800.
 * 18:00:00       → 1772380800 + 64800           = 1772445600 (Mar 2 10:00 UTC)
 * 170:00:00      → 1772380800 + 612000          = 1772992800
 * 180:00:00      → 1772380800 + 648000          = 1773028800
 * 1450:00:00     → 1772380800 + 5220000         = 1777600800
 *   (60 days 10 h later: 2026-05-01 02:00 UTC, 10:00 in Shanghai). */
Test(gtfs_basic, sixty_day_voyage_past_24_hours) {
    const struct rt_connection *a = leg("V1", 1, 0), *b = leg("V1", 1, 1);
    uint32_t t = rt_trip_find(&tt, "V1");
    cr_assert_eq(unix_dep(a), 1772445600);
    cr_assert_eq(unix_arr(a), 1772992800);
    cr_assert_eq(unix_dep(b), 1773028800);
    cr_assert_eq(unix_arr(b), 1777600800);
    cr_assert_eq(a->from, stop("CNSHA-YSH"));
    cr_assert_eq(a->to, stop("SGSIN"));
    cr_assert_eq(b->to, stop("NLRTM"));
    cr_assert_eq(a->seq, 0);
    cr_assert_eq(b->seq, 1);
    /* SGSIN has pickup_type 1 and drop_off_type 1: no loading or unloading. */
    cr_assert_eq(a->flags, RT_CONN_PICKUP);
    cr_assert_eq(b->flags, RT_CONN_DROPOFF);
    /* Mondays in March 2026: 2, 9, 16, 23, 30. */
    cr_assert_eq(tt.trips[t].nruns, 5);
    cr_assert_eq(tt.runs[tt.trips[t].first_run + 4].day, 29);
    cr_assert_eq(rt_run_find(&tt, t, 2, -1), RT_NONE);
    cr_assert_str_eq(rt_str(&tt, tt.trips[t].headsign), "Rotterdam");
    /* The pattern every run shares, ordered by stop_sequence (10, 20, 30;
     * the file lists them backwards). */
    const struct rt_stop_time *p = tt.stop_times + tt.trips[t].first_stop_time;
    cr_assert_eq(tt.trips[t].nstops, 3);
    cr_assert_eq(p[0].stop, stop("CNSHA-YSH"));
    cr_assert_eq(p[0].dep, 18 * 3600);
    cr_assert_eq(p[1].arr, 170 * 3600);
    cr_assert_eq(p[1].dep, 180 * 3600);
    cr_assert_eq(p[1].flags, 0);
    cr_assert_eq(p[2].stop, stop("NLRTM"));
    cr_assert_eq(p[2].arr, 1450 * 3600);
}

/* N1, Europe/Berlin (UTC+1 in early March), Monday 2026-03-02.
 * Noon - 12 h = 2026-03-02 00:00 +01 = 2026-03-01 23:00 UTC = 1772406000.
 * 22:30:00 → + 81000  = 1772487000 (Mar 2 21:30 UTC, 22:30 local)
 * 30:15:00 → + 108900 = 1772514900 (Mar 3 05:15 UTC, 06:15 local). */
Test(gtfs_basic, overnight_train) {
    const struct rt_connection *c = leg("N1", 1, 0);
    cr_assert_eq(unix_dep(c), 1772487000);
    cr_assert_eq(unix_arr(c), 1772514900);
    cr_assert_eq(c->flags, RT_CONN_PICKUP | RT_CONN_DROPOFF);
}

/* WEEKDAY: Monday-Friday of March 2026 (2-6, 9-13, 16-20, 23-27, 30-31:
 * 22 days), less Friday 6 (exception 2), plus Saturday 7 (exception 1). */
Test(gtfs_basic, calendar_exceptions) {
    uint32_t t = rt_trip_find(&tt, "N1");
    cr_assert_eq(tt.trips[t].nruns, 22);
    cr_assert_neq(rt_run_find(&tt, t, (uint32_t)rt_day_of_date(&tt, 20260305), -1),
                  RT_NONE);
    cr_assert_eq(rt_run_find(&tt, t, (uint32_t)rt_day_of_date(&tt, 20260306), -1),
                 RT_NONE);
    cr_assert_neq(rt_run_find(&tt, t, (uint32_t)rt_day_of_date(&tt, 20260307), -1),
                  RT_NONE);
    cr_assert_eq(rt_run_find(&tt, t, (uint32_t)rt_day_of_date(&tt, 20260308), -1),
                 RT_NONE);
}

/* F1's service EXTRA exists only in calendar_dates.txt (15 and 16 March).
 * Shanghai, 2026-03-15: noon - 12 h = Mar 14 16:00 UTC
 *   = 1772236800 + 14 * 86400 + 57600 = 1773504000; 01:00:00 → 1773507600. */
Test(gtfs_basic, service_only_in_calendar_dates) {
    uint32_t t = rt_trip_find(&tt, "F1");
    cr_assert_eq(tt.trips[t].nruns, 2);
    cr_assert_eq(tt.runs[tt.trips[t].first_run].day, 14);
    cr_assert_eq(tt.runs[tt.trips[t].first_run + 1].day, 15);
    cr_assert_eq(unix_dep(leg("F1", 14, 0)), 1773507600);
    cr_assert_str_eq(rt_str(&tt, tt.services[tt.trips[t].service].id), "EXTRA");
}

/* R1: stop_times say 06:00 → 16:00; frequencies.txt has 06:00-09:00 every
 * 3600 s exact (06, 07, 08: end_time is exclusive) and 18:00-19:00 every
 * 1800 s not exact (18:00, 18:30), listed in the other order in the file. */
Test(gtfs_basic, frequencies_expanded) {
    static const int32_t starts[5] = {6 * 3600, 7 * 3600, 8 * 3600, 18 * 3600,
                                      18 * 3600 + 1800};
    uint32_t t = rt_trip_find(&tt, "R1"), day = 9;
    uint32_t first = rt_run_find(&tt, t, day, -1);
    cr_assert_eq(tt.trips[t].nruns, 155);
    for (int i = 0; i < 5; i++) {
        const struct rt_run *r = &tt.runs[first + i];
        const struct rt_connection *c =
            &tt.conns[rt_run_conn(&tt, first + (uint32_t)i, 0)];
        cr_assert_eq(r->day, day);
        cr_assert_eq(r->start, starts[i]);
        cr_assert_eq(r->flags, RT_RUN_FREQUENCY | (i < 3 ? 0 : RT_RUN_INEXACT));
        /* 10 hours from start to arrival, as in stop_times.txt */
        cr_assert_eq(c->arr - c->dep, 36000);
        cr_assert_eq((int64_t)c->dep, rt_local_time(&tt, 0, day, starts[i]));
        cr_assert_eq(rt_run_find(&tt, t, day, starts[i]), first + (uint32_t)i);
    }
    cr_assert_eq(tt.runs[first + 5].day, day + 1);
    cr_assert_eq(rt_run_find(&tt, t, day, 6 * 3600 + 60), RT_NONE);
}

/* Berlin changes from UTC+1 to UTC+2 at 01:00 UTC on Sunday 2026-03-29.
 * D1, 23:00:00 → 27:30:00 daily.
 *  Sat 2026-03-28: noon 12:00 +01 = 11:00 UTC; - 12 h = Mar 27 23:00 UTC
 *    = 1774656000 (Mar 28 00:00 UTC = 1772236800 + 28 * 86400) - 3600
 *    = 1774652400.  dep + 82800 = 1774735200 (Mar 28 22:00 UTC, 23:00 CET);
 *    arr + 99000 = 1774751400 (Mar 29 02:30 UTC, 04:30 CEST: the clock
 *    jumped, the 4.5 scheduled hours are elapsed time).
 *  Sun 2026-03-29: noon 12:00 +02 = 10:00 UTC; - 12 h = Mar 28 22:00 UTC
 *    = 1774735200 (not local midnight, which is Mar 28 23:00 UTC).
 *    dep + 82800 = 1774818000 (Mar 29 21:00 UTC = 23:00 CEST);
 *    arr + 99000 = 1774834200 (Mar 30 01:30 UTC = 03:30 CEST).
 * So the two departures are 23 hours apart.
 * K1 in Shanghai (UTC+8 all year), 08:00:00 daily:
 *  Mar 28: Mar 27 16:00 UTC + 8 h = Mar 28 00:00 UTC = 1774656000;
 *  Mar 29: 1774742400, 24 hours later. */
Test(gtfs_basic, two_time_zones_across_the_dst_change) {
    uint32_t sat = (uint32_t)rt_day_of_date(&tt, 20260328);
    uint32_t sun = (uint32_t)rt_day_of_date(&tt, 20260329);
    uint32_t berlin = tt.agencies[rt_agency_find(&tt, "DBC")].zone;
    uint32_t shanghai = tt.agencies[rt_agency_find(&tt, "CSL")].zone;
    cr_assert_eq(sat, 27);
    cr_assert_eq(sun, 28);
    cr_assert_str_eq(rt_str(&tt, tt.zones[berlin].name), "Europe/Berlin");
    cr_assert_str_eq(rt_str(&tt, tt.zones[shanghai].name), "Asia/Shanghai");
    cr_assert_eq(unix_dep(leg("D1", sat, 0)), 1774735200);
    cr_assert_eq(unix_arr(leg("D1", sat, 0)), 1774751400);
    cr_assert_eq(unix_dep(leg("D1", sun, 0)), 1774818000);
    cr_assert_eq(unix_arr(leg("D1", sun, 0)), 1774834200);
    cr_assert_eq(leg("D1", sun, 0)->dep - leg("D1", sat, 0)->dep, 23 * 3600);
    cr_assert_eq(unix_dep(leg("K1", sat, 0)), 1774656000);
    cr_assert_eq(unix_dep(leg("K1", sun, 0)), 1774742400);
    /* the cached day starts */
    cr_assert_eq(tt.day_start[berlin * tt.ndays + sat], 1774652400);
    cr_assert_eq(tt.day_start[berlin * tt.ndays + sun], 1774735200);
    cr_assert_eq(tt.day_start[shanghai * tt.ndays + sun], 1774713600);
}

Test(gtfs_basic, route_types_to_modes) {
    static const struct {
        const char *id;
        int type;
        enum rt_mode mode;
    } want[] = {
        {"SEA1", 1000, RT_MODE_WATER}, {"RIV1", 4, RT_MODE_WATER},
        {"AIR1", 1100, RT_MODE_AIR},   {"TRK1", 3, RT_MODE_ROAD},
        {"TRK2", 715, RT_MODE_ROAD},   {"RAIL1", 2, RT_MODE_RAIL},
        {"RAIL2", 101, RT_MODE_RAIL},  {"TRAM", 0, RT_MODE_OTHER},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        uint32_t r = rt_route_find(&tt, want[i].id);
        cr_assert_neq(r, RT_NONE, "%s", want[i].id);
        cr_expect_eq(tt.routes[r].route_type, want[i].type, "%s", want[i].id);
        cr_expect_eq(tt.routes[r].mode, want[i].mode, "%s: %s", want[i].id,
                     rt_mode_name(tt.routes[r].mode));
    }
    cr_assert_str_eq(rt_str(&tt, tt.routes[rt_route_find(&tt, "RAIL1")].long_name),
                     "Ruhr-Hamburg night train");
    cr_assert_eq(tt.routes[rt_route_find(&tt, "RAIL1")].agency,
                 rt_agency_find(&tt, "DBC"));
}

Test(gtfs_basic, stops_parents_and_zones) {
    uint32_t sha = stop("CNSHA"), ysh = stop("CNSHA-YSH"), dui = stop("DEDUI");
    cr_assert_eq(tt.stops[sha].location_type, 1);
    cr_assert_eq(tt.stops[sha].parent, RT_NONE);
    cr_assert_eq(tt.stops[ysh].parent, sha);
    cr_assert_eq(tt.stops[stop("CNSHA-WGQ")].parent, sha);
    cr_assert_str_eq(rt_str(&tt, tt.stops[ysh].name), "Yangshan terminal, deep water");
    cr_assert_float_eq(tt.stops[ysh].lat, 30.6167, 1e-9);
    cr_assert_eq(tt.stops[dui].location_type, 0, "empty location_type is a stop");
    cr_assert_str_eq(rt_str(&tt, tt.zones[tt.stops[dui].zone].name), "Europe/Berlin");
    cr_assert_str_eq(rt_str(&tt, tt.zones[tt.stops[ysh].zone].name), "Asia/Shanghai");
    cr_assert_eq(rt_stop_find(&tt, "cnsha"), RT_NONE, "ids are case-sensitive");
}

/* transfers.txt: CNSHA-YSH in itself 2 h; station CNSHA 4 h, which reaches
 * every pair of its children except YSH-YSH (the stop's own row is more
 * specific); PVG → WGQ 5400 s; DEHAM → DEDUI timed (0 s); CNYYA → CNWUH
 * forbidden, one way. */
Test(gtfs_basic, transfers_and_forbidden_pairs) {
    uint32_t ysh = stop("CNSHA-YSH"), wgq = stop("CNSHA-WGQ"), n;
    const struct rt_footpath *fp;
    cr_assert_eq(tt.stops[ysh].min_transfer, 7200);
    cr_assert_eq(tt.stops[wgq].min_transfer, 14400);
    cr_assert_eq(tt.stops[stop("DEDUI")].min_transfer, 0);
    fp = rt_footpaths(&tt, ysh, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(fp[0].to, wgq);
    cr_assert_eq(fp[0].seconds, 14400);
    fp = rt_footpaths(&tt, stop("PVG"), &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(fp[0].to, wgq);
    cr_assert_eq(fp[0].seconds, 5400);
    fp = rt_footpaths(&tt, stop("DEHAM"), &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(fp[0].to, stop("DEDUI"));
    cr_assert_eq(fp[0].seconds, 0);
    rt_footpaths(&tt, stop("DEDUI"), &n);
    cr_assert_eq(n, 0);
    cr_assert_eq(tt.nfoot, 4);
    cr_assert_eq(tt.nforbidden, 1);
    cr_assert(rt_transfer_forbidden(&tt, stop("CNYYA"), stop("CNWUH")));
    cr_assert_not(rt_transfer_forbidden(&tt, stop("CNWUH"), stop("CNYYA")));
    cr_assert_not(rt_transfer_forbidden(&tt, ysh, ysh));
}

Test(gtfs_basic, memory_per_connection) {
    struct rt_stats st;
    rt_timetable_stats(&tt, &st);
    cr_assert_eq(st.conn_bytes, 313 * 24);
    cr_assert_eq(st.run_bytes, 308 * 12);
    cr_assert_eq(st.trip_bytes, 8 * 36); /* 32 before trip_short_name */
    cr_assert_eq(st.pattern_bytes, 17 * 16);
    cr_assert_gt(st.total_bytes, st.conn_bytes);
    cr_assert_gt(st.routing_bytes_per_conn, 24.0);
}

/* ---- a service only in calendar_dates.txt, one agency without agency_id -- */

/* HOLIDAY: added 1 and 3 October 2026, "removed" 2 October (never there).
 * Days 2026-10-01 .. 10-03; epoch 2026-09-30 00:00 UTC.  Shanghai,
 * 2026-10-01: noon - 12 h = Sep 30 16:00 UTC = epoch + 57600.
 * 20:00:00 → 57600 + 72000 = 129600; 44:00:00 → 57600 + 158400 = 216000. */
Test(gtfs_dates, calendar_dates_only_feed) {
    cr_assert_eq(rt_gtfs_load(&tt, fixture("dates_only"), NULL, &rep), 0, "%s",
                 rep.err);
    cr_assert_eq(rep.first_date, 20261001);
    cr_assert_eq(tt.ndays, 3);
    cr_assert_eq(rep.files[RT_F_CALENDAR].present, 0);
    cr_assert_eq(tt.nconns, 2);
    cr_assert_eq(tt.conns[0].dep, 129600);
    cr_assert_eq(tt.conns[0].arr, 216000);
    cr_assert_eq(tt.conns[1].dep, 129600 + 2 * 86400);
    cr_assert_eq(tt.routes[0].agency, 0, "one agency: agency_id may be left out");
    rt_timetable_free(&tt);
}

Test(gtfs_dates, options_choose_the_days) {
    struct rt_load_options opt = {.first_date = 20260309, .ndays = 6};
    cr_assert_eq(rt_gtfs_load(&tt, fixture("basic"), &opt, &rep), 0, "%s", rep.err);
    cr_assert_eq(tt.ndays, 6);
    cr_assert_eq(rt_day_of_date(&tt, 20260309), 0);
    /* 9..14 March: V1 runs on Monday 9 only; F1 (15, 16 March) not at all. */
    cr_assert_eq(tt.trips[rt_trip_find(&tt, "V1")].nruns, 1);
    cr_assert_eq(tt.trips[rt_trip_find(&tt, "F1")].nruns, 0);
    cr_assert_eq(rep.trips_without_runs, 1);
    rt_timetable_free(&tt);

    opt = (struct rt_load_options){.default_max_days = 10};
    cr_assert_eq(rt_gtfs_load(&tt, fixture("basic"), &opt, &rep), 0, "%s", rep.err);
    cr_assert_eq(tt.ndays, 10);
    cr_assert(rep.days_capped);
    rt_timetable_free(&tt);

    opt = (struct rt_load_options){.max_connections = 100};
    cr_assert_eq(rt_gtfs_load(&tt, fixture("basic"), &opt, &rep), -1);
    cr_assert_str_eq(rep.err,
                     "the feed makes more than 100 connections over 31 service "
                     "days; load fewer days");
    cr_assert_eq(tt.conns, NULL);

    opt = (struct rt_load_options){.first_date = 20260230};
    cr_assert_eq(rt_gtfs_load(&tt, fixture("basic"), &opt, &rep), -1);
    cr_assert_str_eq(rep.err, "first_date 20260230 is not a date YYYYMMDD");
}

/* trip_short_name (the public flight or train number) is read into
 * rt_trip.short_name and indexed: rt_trip_find_short enumerates the trips
 * sharing one in trip index order; a trip without one, and a feed without
 * the column, have "". */
Test(gtfs_short_names, loaded_and_enumerated) {
    static const char agency[] = "agency_id,agency_name,agency_timezone\n"
                                 "MU,Eastern Cargo,Asia/Shanghai\n";
    static const char stops[] = "stop_id,stop_name,stop_lat,stop_lon\n"
                                "PVG,Pudong,31.14,121.81\nLUX,Findel,49.63,6.21\n";
    static const char routes[] = "route_id,agency_id,route_short_name,route_type\n"
                                 "R,MU,MU PVG-LUX,1100\n";
    static const char trips[] = "route_id,service_id,trip_id,trip_short_name\n"
                                "R,S,T-WINTER,MU7201\nR,S,T-EXTRA,\n"
                                "R,S,T-SUMMER,MU7201\nR,S,T-BACK,MU7202\n";
    static const char cal[] = "service_id,monday,tuesday,wednesday,thursday,friday,"
                              "saturday,sunday,start_date,end_date\n"
                              "S,1,1,1,1,1,1,1,20260302,20260303\n";
    static const char st[] = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                             "T-WINTER,01:00:00,01:00:00,PVG,1\nT-WINTER,13:00:00,13:00:00,LUX,2\n"
                             "T-EXTRA,02:00:00,02:00:00,PVG,1\nT-EXTRA,14:00:00,14:00:00,LUX,2\n"
                             "T-SUMMER,03:00:00,03:00:00,PVG,1\nT-SUMMER,15:00:00,15:00:00,LUX,2\n"
                             "T-BACK,16:00:00,16:00:00,LUX,1\nT-BACK,28:00:00,28:00:00,PVG,2\n";
    struct rt_gtfs_memfile f[] = {
        {"agency.txt", agency, sizeof(agency) - 1}, {"stops.txt", stops, sizeof(stops) - 1},
        {"routes.txt", routes, sizeof(routes) - 1}, {"trips.txt", trips, sizeof(trips) - 1},
        {"calendar.txt", cal, sizeof(cal) - 1},     {"stop_times.txt", st, sizeof(st) - 1},
    };
    uint32_t w, s, b, x;
    cr_assert_eq(rt_gtfs_load_memory(&tt, f, 6, NULL, &rep), 0, "%s", rep.err);
    w = rt_trip_find(&tt, "T-WINTER");
    x = rt_trip_find(&tt, "T-EXTRA");
    s = rt_trip_find(&tt, "T-SUMMER");
    b = rt_trip_find(&tt, "T-BACK");
    cr_assert_str_eq(rt_str(&tt, tt.trips[w].short_name), "MU7201");
    cr_assert_str_eq(rt_str(&tt, tt.trips[x].short_name), "");
    cr_assert_str_eq(rt_str(&tt, tt.trips[b].short_name), "MU7202");
    cr_assert_eq(tt.nshort, 3);
    cr_assert_lt(w, s);
    cr_assert_eq(rt_trip_find_short(&tt, "MU7201", RT_NONE), w);
    cr_assert_eq(rt_trip_find_short(&tt, "MU7201", w), s);
    cr_assert_eq(rt_trip_find_short(&tt, "MU7201", s), RT_NONE);
    cr_assert_eq(rt_trip_find_short(&tt, "MU7202", RT_NONE), b);
    cr_assert_eq(rt_trip_find_short(&tt, "MU7202", b), RT_NONE);
    cr_assert_eq(rt_trip_find_short(&tt, "MU720", RT_NONE), RT_NONE, "no prefix match");
    cr_assert_eq(rt_trip_find_short(&tt, "MU72011", RT_NONE), RT_NONE);
    cr_assert_eq(rt_trip_find_short(&tt, "", RT_NONE), RT_NONE, "\"\" names no trip");
    rt_timetable_free(&tt);

    /* Without the column (the basic fixture): every trip has "". */
    cr_assert_eq(rt_gtfs_load(&tt, fixture("basic"), NULL, &rep), 0, "%s", rep.err);
    cr_assert_eq(tt.nshort, 0);
    cr_assert_eq(tt.short_index, NULL);
    for (uint32_t t = 0; t < tt.ntrips; t++)
        cr_assert_str_eq(rt_str(&tt, tt.trips[t].short_name), "");
    cr_assert_eq(rt_trip_find_short(&tt, "V1", RT_NONE), RT_NONE);
    rt_timetable_free(&tt);
}
