/* query_line.c -- bin/dongting-route's query lines (see query_line.h). */
#include "query_line.h"
#include "gtfs.h"
#include "timetable.h"

#include <stdio.h>
#include <string.h>

/* YYYY-MM-DD -> days since 1970-01-01, or INT32_MIN. */
static int32_t parse_date(const char *s) {
    int v = 0;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return INT32_MIN;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) continue;
        if (s[i] < '0' || s[i] > '9') return INT32_MIN;
        v = v * 10 + (s[i] - '0');
    }
    return rt_days_from_date(v);
}

/* Non-negative decimal seconds, at most the largest GTFS time; -1 if not. */
static int64_t parse_secs(const char *s) {
    int64_t v = 0;
    if (!*s) return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return -1;
        v = v * 10 + (*s - '0');
        if (v > (int64_t)RT_MAX_GTFS_HOURS * 3600 + 3599) return -1;
    }
    return v;
}

int rt_query_line_parse(char *line, struct rt_query_line *q, char *why, size_t whylen) {
    char *f[4], *p = line;
    int nf = 0;
    for (;;) {
        char *tab = strchr(p, '\t');
        if (nf < 4) f[nf] = p;
        nf++;
        if (!tab) break;
        *tab = '\0';
        p = tab + 1;
    }
    if (nf != 4) {
        snprintf(why, whylen, "%d tab-separated fields, expected 4 "
                              "(FROM_STOP_ID TO_STOP_ID YYYY-MM-DD DEPART_SECONDS)", nf);
        return -1;
    }
    q->from = f[0];
    q->to = f[1];
    q->date = f[2];
    if ((q->days = parse_date(f[2])) == INT32_MIN) {
        snprintf(why, whylen, "date '%.40s' is not YYYY-MM-DD", f[2]);
        return -1;
    }
    if ((q->secs = parse_secs(f[3])) < 0) {
        snprintf(why, whylen, "DEPART_SECONDS '%.40s' is not a whole number of seconds "
                              "in 0..%d", f[3], RT_MAX_GTFS_HOURS * 3600 + 3599);
        return -1;
    }
    return 0;
}
