/* gtfs.h -- import a GTFS static feed into a timetable (timetable.h).
 *
 * A feed is a folder, a .zip, or files in memory; all three go through the
 * same parser.  Rows that are malformed or point at something missing are
 * skipped and counted per file, and the first messages of each file are
 * kept as "FILE:LINE: reason"; a missing required file or column, a CSV
 * syntax error, a bad agency_timezone or an oversized input is a hard
 * error.  The subset and the decisions are in docs/routing-timetables.md.
 *
 * The loader sets TZ while it resolves service days (routing/tz.h): it is
 * not thread-safe. */
#ifndef DT_GTFS_H
#define DT_GTFS_H

#include "timetable.h"

#include <stdio.h>

enum rt_gtfs_file {
    RT_F_AGENCY,
    RT_F_STOPS,
    RT_F_ROUTES,
    RT_F_TRIPS,
    RT_F_STOP_TIMES,
    RT_F_CALENDAR,
    RT_F_CALENDAR_DATES,
    RT_F_FREQUENCIES,
    RT_F_TRANSFERS,
    RT_F_COUNT
};

#define RT_REPORT_MESSAGES 20 /* kept per file */
#define RT_MESSAGE_LEN 240
#define RT_MAX_DAYS 3660       /* hard cap on ndays (uint16 day index, uint32 time) */
#define RT_MAX_GTFS_HOURS 9999 /* largest hour in a GTFS time: 416 days */

struct rt_load_options {
    int first_date; /* YYYYMMDD of service day 0; 0 = the feed's first date */
    unsigned ndays; /* service days to expand; 0 = up to the feed's last
                     * date, at most default_max_days */
    unsigned default_max_days; /* 0 = 400 */
    size_t max_file_bytes;     /* per file, uncompressed; 0 = 512 MiB */
    size_t max_total_bytes;    /* all files, uncompressed; 0 = 2 GiB */
    uint64_t max_connections;  /* 0 = 200 million */
};

struct rt_file_report {
    int present;           /* the file was in the feed */
    unsigned long loaded;  /* rows kept */
    unsigned long skipped; /* rows dropped, each with a reason */
    unsigned long warned;  /* rows kept with a field ignored, with a reason */
    unsigned nmsg;         /* messages kept (<= RT_REPORT_MESSAGES) */
    char msg[RT_REPORT_MESSAGES][RT_MESSAGE_LEN];
};

/* About 44 KB (the kept messages): keep it off small thread stacks. */
struct rt_load_report {
    struct rt_file_report files[RT_F_COUNT];
    unsigned long trips_without_runs; /* trips whose service never runs in the range */
    unsigned long trips_too_short;    /* trips with fewer than two timed stops */
    int first_date;                   /* YYYYMMDD of service day 0 */
    unsigned ndays;
    int days_capped; /* the feed's calendar ran past the default cap */
    char err[512];   /* the hard error when rt_gtfs_load returns -1 */
};

/* A file given from memory: NAME is "stops.txt" etc. */
struct rt_gtfs_memfile {
    const char *name;
    const char *data;
    size_t len;
};

/* Load the feed at PATH (a folder, or a file ending in .zip) into TT, which
 * the caller owns and frees with rt_timetable_free() (on failure it is left
 * zeroed).  OPT may be NULL for the defaults; REP is filled in.  0, or -1
 * with rep->err set. */
int rt_gtfs_load(struct rt_timetable *tt, const char *path,
                 const struct rt_load_options *opt, struct rt_load_report *rep);

/* The same over N files in memory (tests, fuzzing); the bytes are not kept. */
int rt_gtfs_load_memory(struct rt_timetable *tt, const struct rt_gtfs_memfile *files,
                        size_t n, const struct rt_load_options *opt,
                        struct rt_load_report *rep);

/* "stops.txt" for RT_F_STOPS, etc. */
const char *rt_gtfs_file_name(enum rt_gtfs_file f);

/* Print one line per file present ("stop_times.txt: 1200 loaded, 3 skipped")
 * followed by the kept messages. */
void rt_load_report_print(const struct rt_load_report *rep, FILE *out);

#endif
