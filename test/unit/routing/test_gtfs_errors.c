/* routing/gtfs.c: what happens to bad input.  Malformed rows are skipped
 * with "FILE:LINE: reason" and counted while the rest loads; missing files
 * and columns, CSV syntax errors and oversized inputs stop the load.  Also
 * the .zip form of a feed, built here with libzip from the basic fixture. */
#include "routing/gtfs.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

static struct rt_timetable tt;
static struct rt_load_report rep;

static const char *fixture(const char *name) {
    static char rel[256];
    snprintf(rel, sizeof(rel), "test/fixtures/gtfs/%s", name);
    return ut_path(rel);
}

static void unload(void) {
    rt_timetable_free(&tt);
}

static const struct rt_file_report *file(enum rt_gtfs_file f) {
    return &rep.files[f];
}

/* Messages of file F must be exactly WANT[0..n). */
static void expect_messages(enum rt_gtfs_file f, const char *const *want, unsigned n) {
    cr_assert_eq(file(f)->nmsg, n, "%s: %u messages, first: %s", rt_gtfs_file_name(f),
                 file(f)->nmsg, file(f)->nmsg ? file(f)->msg[0] : "-");
    for (unsigned i = 0; i < n; i++)
        cr_expect_str_eq(file(f)->msg[i], want[i]);
}

TestSuite(gtfs_errors, .fini = unload);

Test(gtfs_errors, bad_rows_are_skipped_with_file_line_reason) {
    static const char *const agency[] = {
        "agency.txt:3: agency_timezone 'Mars/Olympus' is not a time zone in "
        "/usr/share/zoneinfo"};
    static const char *const stops[] = {
        "stops.txt:4: stop_lat '91.0' is not a latitude in -90..90"};
    static const char *const routes[] = {
        "routes.txt:3: route_type 'boat' is not a GTFS route type (an integer in "
        "0..1799)",
        "routes.txt:4: agency_id 'MARS' was skipped (agency.txt:3)"};
    static const char *const trips[] = {
        "trips.txt:3: route_id 'R2' was skipped (routes.txt:3)",
        "trips.txt:4: service_id 'NOPE' is not in calendar.txt or calendar_dates.txt"};
    static const char *const st[] = {
        "stop_times.txt:4: arrival_time '25:6x:00' is not HH:MM:SS",
        "stop_times.txt:5: stop_id 'Z' is not in stops.txt",
        "stop_times.txt:6: stop_id 'C' was skipped (stops.txt:4)",
        "stop_times.txt:8: trip_id 'T2' was skipped (trips.txt:3)",
        "stop_times.txt:9: trip_id 'T9' is not in trips.txt",
        "stop_times.txt:11: no arrival_time or departure_time (times between "
        "timepoints "
        "are not interpolated)",
        "stop_times.txt:13: departure_time is empty but arrival_time is set (a "
        "timepoint "
        "needs both)",
        "stop_times.txt:12: arrival_time 07:00:00 is before the departure 08:00:00 "
        "from "
        "the previous stop (line 10)"};

    unsetenv("TZDIR");
    cr_assert_eq(rt_gtfs_load(&tt, fixture("errors"), NULL, &rep), 0, "%s", rep.err);
    expect_messages(RT_F_AGENCY, agency, 1);
    expect_messages(RT_F_STOPS, stops, 1);
    expect_messages(RT_F_ROUTES, routes, 2);
    expect_messages(RT_F_TRIPS, trips, 2);
    expect_messages(RT_F_STOP_TIMES, st, 8);

    /* ... and everything else loaded. */
    cr_assert_eq(file(RT_F_AGENCY)->loaded, 1);
    cr_assert_eq(file(RT_F_AGENCY)->skipped, 1);
    cr_assert_eq(file(RT_F_STOPS)->loaded, 3);
    cr_assert_eq(file(RT_F_STOPS)->skipped, 1);
    cr_assert_eq(file(RT_F_ROUTES)->loaded, 2);
    cr_assert_eq(file(RT_F_ROUTES)->skipped, 2);
    cr_assert_eq(file(RT_F_TRIPS)->loaded, 2);
    cr_assert_eq(file(RT_F_TRIPS)->skipped, 2);
    cr_assert_eq(file(RT_F_STOP_TIMES)->loaded, 5);
    cr_assert_eq(file(RT_F_STOP_TIMES)->skipped, 8);
    cr_assert_eq(file(RT_F_CALENDAR)->loaded, 1);
    /* T1: A 08:00 → B 09:00/09:05 → D 12:00; T4: A 08:00 → B 10:00; two days */
    cr_assert_eq(tt.ntrips, 2);
    cr_assert_eq(tt.trips[rt_trip_find(&tt, "T1")].nstops, 3);
    cr_assert_eq(tt.trips[rt_trip_find(&tt, "T4")].nstops, 2);
    cr_assert_eq(tt.nconns, 6);
    cr_assert_eq(rt_route_find(&tt, "R3"), RT_NONE);

    /* The printed report says the same. */
    {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        rt_load_report_print(&rep, f);
        fclose(f);
        cr_assert(strstr(buf, "stop_times.txt: 5 loaded, 8 skipped, 0 with a field "
                              "ignored\n") != NULL,
                  "%s", buf);
        cr_assert(strstr(buf, "  stop_times.txt:9: trip_id 'T9' is not in trips.txt\n"),
                  "%s", buf);
        free(buf);
    }
}

/* ---- small feeds in memory ------------------------------------------------ */

static const char *base[][2] = {
    {"agency.txt", "agency_id,agency_name,agency_timezone\nA,Alpha,Asia/Shanghai\n"},
    {"stops.txt",
     "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station\n"
     "S,Station,30,120,1,\nP1,Platform 1,30,120,0,S\nP2,Platform 2,30,120,0,S\n"
     "X,Other,31,121,0,\n"},
    {"routes.txt", "route_id,agency_id,route_type\nR,A,3\n"},
    {"trips.txt", "route_id,service_id,trip_id\nR,W,T\n"},
    {"calendar.txt",
     "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,"
     "start_date,end_date\nW,1,1,1,1,1,1,1,20260105,20260106\n"},
    {"stop_times.txt", "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                       "T,08:00:00,08:00:00,P1,1\nT,09:00:00,09:00:00,X,2\n"},
};
#define NBASE (sizeof(base) / sizeof(base[0]))

/* Load the base feed with file NAME replaced by DATA (NULL: removed) and,
 * if NAME2 is set, NAME2 replaced or added likewise. */
static int load_with(const char *name, const char *data, const char *name2,
                     const char *data2, const struct rt_load_options *opt) {
    struct rt_gtfs_memfile f[NBASE + 2];
    size_t n = 0;
    int have1 = 0, have2 = 0;
    for (size_t i = 0; i < NBASE; i++) {
        const char *d = base[i][1];
        if (name && strcmp(base[i][0], name) == 0) d = data, have1 = 1;
        if (name2 && strcmp(base[i][0], name2) == 0) d = data2, have2 = 1;
        if (d) f[n++] = (struct rt_gtfs_memfile){base[i][0], d, strlen(d)};
    }
    if (name && !have1 && data)
        f[n++] = (struct rt_gtfs_memfile){name, data, strlen(data)};
    if (name2 && !have2 && data2)
        f[n++] = (struct rt_gtfs_memfile){name2, data2, strlen(data2)};
    return rt_gtfs_load_memory(&tt, f, n, opt, &rep);
}

Test(gtfs_errors, base_feed_loads) {
    cr_assert_eq(load_with(NULL, NULL, NULL, NULL, NULL), 0, "%s", rep.err);
    cr_assert_eq(tt.nconns, 2);
    cr_assert_eq(tt.ndays, 2);
}

Test(gtfs_errors, missing_column_is_a_hard_error_naming_the_file) {
    cr_assert_eq(
        load_with("stop_times.txt",
                  "trip_id,arrival_time,stop_id,stop_sequence\nT,08:00:00,P1,1\n", NULL,
                  NULL, NULL),
        -1);
    cr_assert_str_eq(rep.err,
                     "stop_times.txt:1: missing required column 'departure_time'");
    cr_assert_eq(tt.nstops, 0, "the timetable is left empty");
    cr_assert_eq(
        load_with("agency.txt", "agency_name,agency_url\nA,u\n", NULL, NULL, NULL), -1);
    cr_assert_str_eq(rep.err,
                     "agency.txt:1: missing required column 'agency_timezone'");
}

Test(gtfs_errors, missing_files) {
    cr_assert_eq(load_with("stops.txt", NULL, NULL, NULL, NULL), -1);
    cr_assert_str_eq(rep.err, "stops.txt: required file is missing");
    cr_assert_eq(load_with("calendar.txt", NULL, NULL, NULL, NULL), -1);
    cr_assert_str_eq(
        rep.err,
        "calendar.txt and calendar_dates.txt are both missing; one is required");
    cr_assert_eq(load_with("stop_times.txt", "", NULL, NULL, NULL), -1);
    cr_assert_str_eq(rep.err, "stop_times.txt:1: empty file: expected a header line");
    cr_assert_eq(load_with("transfers.txt", "", NULL, NULL, NULL), 0, "%s", rep.err);
    cr_assert(rep.files[RT_F_TRANSFERS].present);
}

Test(gtfs_errors, csv_syntax_error_stops_the_load) {
    cr_assert_eq(load_with("routes.txt",
                           "route_id,agency_id,route_type\nR,A,3\n\"Q,A,3\n", NULL,
                           NULL, NULL),
                 -1);
    cr_assert_str_eq(rep.err, "routes.txt:3: quoted field is not closed");
}

Test(gtfs_errors, size_caps) {
    struct rt_load_options opt = {.max_file_bytes = 64};
    cr_assert_eq(load_with(NULL, NULL, NULL, NULL, &opt), -1);
    cr_assert_str_eq(rep.err, "calendar.txt: 122 bytes is over the 64 byte limit");
}

Test(gtfs_errors, stop_times_rows) {
    static const char *const want[] = {
        "stop_times.txt:2: stop_id 'S' has location_type 1; a trip can only stop at a "
        "location_type 0 stop",
        "stop_times.txt:3: stop_sequence '-1' is not a non-negative integer",
        "stop_times.txt:4: pickup_type '7' is not 0..3",
        "stop_times.txt:5: departure_time 07:00:00 is before arrival_time 08:00:00",
        "stop_times.txt:6: 6 fields, the header has 7",
        "stop_times.txt:7: arrival_time '8:00' is not HH:MM:SS",
        "stop_times.txt:8: departure_time '10000:00:00' is not HH:MM:SS",
        "stop_times.txt:11: stop_sequence 2 appears twice for trip 'T' (line 10)",
    };
    cr_assert_eq(
        load_with("stop_times.txt",
                  "trip_id,arrival_time,departure_time,stop_id,stop_sequence,"
                  "pickup_type,drop_off_type\n"
                  "T,08:00:00,08:00:00,S,1,,\n"       /* 2: a station */
                  "T,08:00:00,08:00:00,P1,-1,,\n"     /* 3 */
                  "T,08:00:00,08:00:00,P1,1,7,\n"     /* 4 */
                  "T,08:00:00,07:00:00,P1,1,,\n"      /* 5 */
                  "T,08:00:00,08:00:00,P1,1,\n"       /* 6 */
                  "T,8:00,8:00,P1,1,,\n"              /* 7 */
                  "T,9999:59:59,10000:00:00,P1,1,,\n" /* 8 */
                  "T,7:00:00,07:00:00,P1,1,,1\n"      /* 9: one digit hour is fine */
                  "T,09:00:00,09:00:00,X,2,1,\n"      /* 10 */
                  "T,10:00:00,10:00:00,P2,2,,\n",     /* 11: duplicate sequence */
                  NULL, NULL, NULL),
        0, "%s", rep.err);
    expect_messages(RT_F_STOP_TIMES, want, 8);
    cr_assert_eq(rep.files[RT_F_STOP_TIMES].loaded, 2);
    cr_assert_eq(tt.nconns, 2);
    /* line 9 forbids drop-off at P1 (the start, so no effect); line 10
     * forbids pickup at X, the last stop: the hop keeps both flags. */
    cr_assert_eq(tt.conns[0].flags, RT_CONN_PICKUP | RT_CONN_DROPOFF);
}

Test(gtfs_errors, duplicates_and_warnings) {
    static const char *const stops[] = {
        "stops.txt:3: stop_id 'S' appears twice (line 2)",
        "stops.txt:4: location_type '9' is not 0..4",
        "stops.txt:6: stop_timezone 'Nowhere/City' is not a time zone in "
        "/usr/share/zoneinfo; ignored",
        "stops.txt:5: parent_station 'NOPE' is not a stop in stops.txt; ignored",
        "stops.txt:6: parent_station 'P1' has location_type 0, not 1; ignored",
    };
    unsetenv("TZDIR");
    cr_assert_eq(
        load_with("stops.txt",
                  "stop_id,stop_name,stop_lat,stop_lon,location_type,parent_station,"
                  "stop_timezone\n"
                  "S,Station,30,120,1,,\n"
                  "S,Again,30,120,1,,\n"
                  "Q,Bad type,30,120,9,,\n"
                  "P1,Platform 1,30,120,0,NOPE,\n"
                  "X,Other,31,121,0,P1,Nowhere/City\n"
                  "N,Node,,,3,,Europe/Berlin\n",
                  "routes.txt", "route_id,agency_id,route_type\nR,A,3\nR,A,2\n", NULL),
        0, "%s", rep.err);
    expect_messages(RT_F_STOPS, stops, 5);
    cr_assert_eq(rep.files[RT_F_STOPS].loaded, 4);
    cr_assert_eq(rep.files[RT_F_STOPS].skipped, 2);
    cr_assert_eq(rep.files[RT_F_STOPS].warned, 3);
    cr_assert_eq(tt.stops[rt_stop_find(&tt, "X")].parent, RT_NONE);
    cr_assert(isnan(tt.stops[rt_stop_find(&tt, "N")].lat));
    cr_assert_str_eq(rt_str(&tt, tt.zones[tt.stops[rt_stop_find(&tt, "N")].zone].name),
                     "Europe/Berlin");
    cr_assert_str_eq(rep.files[RT_F_ROUTES].msg[0],
                     "routes.txt:3: route_id 'R' appears twice (line 2)");
    cr_assert_eq(tt.nconns, 2);
}

Test(gtfs_errors, calendar_rows) {
    static const char *const cal[] = {
        "calendar.txt:3: tuesday 'yes' is not 0 or 1",
        "calendar.txt:4: end_date 20260101 is before start_date 20260105",
        "calendar.txt:5: start_date '20260230' is not a date YYYYMMDD",
        "calendar.txt:6: service_id 'W' appears twice (line 2)",
    };
    static const char *const dates[] = {
        "calendar_dates.txt:2: exception_type '3' is not 1 (added) or 2 (removed)",
        "calendar_dates.txt:3: date '2026-01-07' is not a date YYYYMMDD",
    };
    cr_assert_eq(
        load_with("calendar.txt",
                  "service_id,monday,tuesday,wednesday,thursday,friday,saturday,"
                  "sunday,start_date,end_date\n"
                  "W,1,1,1,1,1,1,1,20260105,20260106\n"
                  "B,1,yes,1,1,1,1,1,20260105,20260106\n"
                  "C,1,1,1,1,1,1,1,20260105,20260101\n"
                  "D,1,1,1,1,1,1,1,20260230,20260301\n"
                  "W,0,0,0,0,0,0,0,20260105,20260106\n",
                  "calendar_dates.txt",
                  "service_id,date,exception_type\nW,20260107,3\nW,2026-01-07,1\n"
                  "W,20260106,2\n",
                  NULL),
        0, "%s", rep.err);
    expect_messages(RT_F_CALENDAR, cal, 4);
    expect_messages(RT_F_CALENDAR_DATES, dates, 2);
    cr_assert_eq(rep.files[RT_F_CALENDAR_DATES].loaded, 1);
    cr_assert_eq(tt.nconns, 1, "6 January removed");
}

Test(gtfs_errors, bad_route_types) {
    cr_assert_eq(load_with("routes.txt",
                           "route_id,agency_id,route_type\nR,A,3\nR2,A,1800\nR3,A,-1\n"
                           "R4,A, 3\nR5,A,1101\nR6,A,1200\nR7,A,99\n",
                           NULL, NULL, NULL),
                 0, "%s", rep.err);
    cr_assert_eq(rep.files[RT_F_ROUTES].skipped, 3);
    cr_assert_str_eq(rep.files[RT_F_ROUTES].msg[0],
                     "routes.txt:3: route_type '1800' is "
                     "not a GTFS route type (an integer in "
                     "0..1799)");
    cr_assert_str_eq(rep.files[RT_F_ROUTES].msg[2],
                     "routes.txt:5: route_type ' 3' is not "
                     "a GTFS route type (an integer in "
                     "0..1799)");
    cr_assert_eq(tt.routes[rt_route_find(&tt, "R5")].mode, RT_MODE_AIR);
    cr_assert_eq(tt.routes[rt_route_find(&tt, "R6")].mode, RT_MODE_WATER);
    cr_assert_eq(tt.routes[rt_route_find(&tt, "R7")].mode, RT_MODE_OTHER);
}

Test(gtfs_errors, agency_rows) {
    cr_assert_eq(load_with("agency.txt",
                           "agency_id,agency_name,agency_timezone\n"
                           "A,Alpha,Asia/Shanghai\nA,Again,Asia/Shanghai\n"
                           "B,Beta,../../etc/passwd\nC,Gamma,Europe\n",
                           "routes.txt", "route_id,route_type\nR,3\n", NULL),
                 0, "%s", rep.err);
    cr_assert_eq(rep.files[RT_F_AGENCY].loaded, 1);
    cr_assert_str_eq(rep.files[RT_F_AGENCY].msg[0],
                     "agency.txt:3: agency_id 'A' appears twice (line 2)");
    cr_assert_str_eq(
        rep.files[RT_F_AGENCY].msg[1],
        "agency.txt:4: agency_timezone '../../etc/passwd' is not an IANA time "
        "zone name");
    cr_assert(strstr(rep.files[RT_F_AGENCY].msg[2],
                     "agency.txt:5: agency_timezone 'Europe' "
                     "is not a time zone file") != NULL,
              "%s", rep.files[RT_F_AGENCY].msg[2]);
    cr_assert_str_eq(rep.files[RT_F_ROUTES].msg[0],
                     "routes.txt:2: agency_id is empty but agency.txt has 4 agencies");
    cr_assert_eq(tt.nconns, 0);
}

Test(gtfs_errors, frequencies_rows) {
    static const char *const want[] = {
        "frequencies.txt:2: trip_id 'NOPE' is not in trips.txt",
        "frequencies.txt:3: end_time 08:00:00 is not after start_time 09:00:00",
        "frequencies.txt:4: headway_secs '0' is not 1..86400",
        "frequencies.txt:5: exact_times '2' is not 0 or 1",
        "frequencies.txt:6: start_time 'x' is not HH:MM:SS",
        "frequencies.txt:8: overlaps the frequencies row on line 7 for trip 'T'",
    };
    cr_assert_eq(load_with("frequencies.txt",
                           "trip_id,start_time,end_time,headway_secs,exact_times\n"
                           "NOPE,08:00:00,09:00:00,600,\n"
                           "T,09:00:00,08:00:00,600,\n"
                           "T,08:00:00,09:00:00,0,\n"
                           "T,08:00:00,09:00:00,600,2\n"
                           "T,x,09:00:00,600,\n"
                           "T,10:00:00,11:00:00,1200,1\n"
                           "T,10:30:00,12:00:00,600,1\n",
                           NULL, NULL, NULL),
                 0, "%s", rep.err);
    expect_messages(RT_F_FREQUENCIES, want, 6);
    cr_assert_eq(rep.files[RT_F_FREQUENCIES].loaded, 1);
    cr_assert_eq(tt.nruns, 6, "10:00, 10:20, 10:40 on two days");
}

Test(gtfs_errors, transfers_rows) {
    static const char *const want[] = {
        "transfers.txt:2: transfer_type 4 (in-seat, between trips) is not supported",
        "transfers.txt:3: route- and trip-specific transfers are not supported",
        "transfers.txt:4: to_stop_id 'NOPE' is not in stops.txt",
        "transfers.txt:5: transfer_type 2 needs a min_transfer_time",
        "transfers.txt:6: min_transfer_time '-5' is not a number of seconds in "
        "0..604800",
        "transfers.txt:7: transfer_type '9' is not 0..5",
    };
    cr_assert_eq(
        load_with("transfers.txt",
                  "from_stop_id,to_stop_id,transfer_type,min_transfer_time,"
                  "from_trip_id\n"
                  "P1,X,4,,\nP1,X,2,60,T\nP1,NOPE,2,60,\nP1,X,2,,\nP1,X,2,-5,\n"
                  "P1,X,9,,\nS,X,2,300,\nP1,X,3,,\nS,S,3,,\n",
                  NULL, NULL, NULL),
        0, "%s", rep.err);
    expect_messages(RT_F_TRANSFERS, want, 6);
    cr_assert_eq(rep.files[RT_F_TRANSFERS].loaded, 3);
    /* S → X expands to P1 → X and P2 → X at 300 s; the stop-level P1 → X
     * forbids that one.  S → S forbids P1-P1, P1-P2, P2-P1, P2-P2. */
    uint32_t p1 = rt_stop_find(&tt, "P1"), p2 = rt_stop_find(&tt, "P2"),
             x = rt_stop_find(&tt, "X"), n;
    const struct rt_footpath *fp = rt_footpaths(&tt, p2, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(fp[0].to, x);
    cr_assert_eq(fp[0].seconds, 300);
    rt_footpaths(&tt, p1, &n);
    cr_assert_eq(n, 0);
    cr_assert(rt_transfer_forbidden(&tt, p1, x));
    cr_assert(rt_transfer_forbidden(&tt, p1, p2));
    cr_assert(rt_transfer_forbidden(&tt, p2, p2));
    cr_assert_not(rt_transfer_forbidden(&tt, p2, x));
    cr_assert_eq(tt.nforbidden, 5);
}

/* ---- .zip ------------------------------------------------------------------ */

static char zpath[64];

static void zip_cleanup(void) {
    rt_timetable_free(&tt);
    if (zpath[0]) unlink(zpath);
    zpath[0] = '\0';
}

TestSuite(gtfs_zip, .fini = zip_cleanup);

/* Zip every .txt of fixture DIR into a new temporary file, each entry
 * named PREFIX + file name. */
static void make_zip(const char *dir, const char *prefix) {
    static const char *const names[] = {
        "agency.txt",         "stops.txt",       "routes.txt",
        "trips.txt",          "stop_times.txt",  "calendar.txt",
        "calendar_dates.txt", "frequencies.txt", "transfers.txt"};
    int fd, err = 0;
    zip_t *z;
    snprintf(zpath, sizeof(zpath), "/tmp/dongting-gtfs-XXXXXX");
    fd = mkstemp(zpath);
    cr_assert_geq(fd, 0);
    close(fd);
    z = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &err);
    cr_assert_not_null(z, "zip_open %d", err);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[1200], entry[128];
        zip_source_t *s;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (access(path, R_OK) != 0) continue;
        snprintf(entry, sizeof(entry), "%s%s", prefix, names[i]);
        s = zip_source_file(z, path, 0, 0);
        cr_assert_not_null(s);
        cr_assert_geq(zip_file_add(z, entry, s, ZIP_FL_OVERWRITE), 0, "%s",
                      zip_strerror(z));
    }
    cr_assert_eq(zip_close(z), 0);
}

Test(gtfs_zip, zip_loads_like_the_folder) {
    struct rt_timetable dir;
    struct rt_load_report drep;
    cr_assert_eq(rt_gtfs_load(&dir, fixture("basic"), NULL, &drep), 0, "%s", drep.err);
    make_zip(fixture("basic"), "");
    cr_assert_eq(rt_gtfs_load(&tt, zpath, NULL, &rep), 0, "%s", rep.err);
    cr_assert_eq(tt.nconns, dir.nconns);
    cr_assert_eq(tt.nruns, dir.nruns);
    cr_assert_eq(tt.epoch, dir.epoch);
    cr_assert_eq(memcmp(tt.conns, dir.conns, tt.nconns * sizeof(*tt.conns)), 0);
    for (int f = 0; f < RT_F_COUNT; f++)
        cr_assert_eq(rep.files[f].loaded, drep.files[f].loaded, "%s",
                     rt_gtfs_file_name(f));
    rt_timetable_free(&dir);
}

Test(gtfs_zip, files_inside_a_folder_in_the_zip) {
    make_zip(fixture("dates_only"), "feed/");
    cr_assert_eq(rt_gtfs_load(&tt, zpath, NULL, &rep), 0, "%s", rep.err);
    cr_assert_eq(tt.nconns, 2);
}

/* A member whose uncompressed size passes the cap is refused before it is
 * inflated: 4 MiB of one byte deflates to a few kB. */
Test(gtfs_zip, oversized_member_is_refused) {
    struct rt_load_options opt = {.max_file_bytes = 1 << 20};
    size_t big = 4u << 20;
    char *data = malloc(big);
    int fd, err = 0;
    zip_t *z;
    cr_assert_not_null(data);
    memset(data, 'a', big);
    memcpy(data, "trip_id\n", 8);
    snprintf(zpath, sizeof(zpath), "/tmp/dongting-gtfs-XXXXXX");
    fd = mkstemp(zpath);
    cr_assert_geq(fd, 0);
    close(fd);
    z = zip_open(zpath, ZIP_CREATE | ZIP_TRUNCATE, &err);
    cr_assert_not_null(z);
    for (size_t i = 0; i < 4; i++) {
        const char *const n[] = {"agency.txt", "stops.txt", "calendar.txt",
                                 "routes.txt"};
        const char *d = base[i == 2 ? 4 : i == 3 ? 2 : i][1];
        zip_source_t *s = zip_source_buffer(z, d, strlen(d), 0);
        cr_assert_geq(zip_file_add(z, n[i], s, 0), 0);
    }
    cr_assert_geq(zip_file_add(z, "trips.txt", zip_source_buffer(z, data, big, 0), 0),
                  0);
    cr_assert_eq(zip_close(z), 0);
    free(data);
    cr_assert_eq(rt_gtfs_load(&tt, zpath, &opt, &rep), -1);
    cr_assert_str_eq(
        rep.err,
        "trips.txt: 4194304 bytes uncompressed is over the 1048576 byte limit");
}

Test(gtfs_zip, not_a_zip_or_folder) {
    char path[1200];
    snprintf(path, sizeof(path), "%s/agency.txt", fixture("basic"));
    cr_assert_eq(rt_gtfs_load(&tt, path, NULL, &rep), -1);
    cr_assert(strstr(rep.err, "agency.txt: not a folder or a readable .zip: ") != NULL,
              "%s", rep.err);
    cr_assert_eq(rt_gtfs_load(&tt, "/nonexistent/feed", NULL, &rep), -1);
    cr_assert_str_eq(rep.err, "/nonexistent/feed: No such file or directory");
}
