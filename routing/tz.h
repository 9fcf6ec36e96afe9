/* tz.h -- IANA time zones for service days: "noon minus 12 hours" of a date
 * in a zone, which is where GTFS counts a trip's times from.
 *
 * Uses the C library's own reading of /usr/share/zoneinfo (or $TZDIR): TZ
 * is set to the zone, tzset() and mktime() run, and TZ is put back.  That
 * touches process-wide state, so these functions are NOT thread-safe and
 * must not run while another thread uses localtime() or mktime(): load
 * timetables before starting threads, or under one lock with them. */
#ifndef DT_TZ_H
#define DT_TZ_H

#include <stddef.h>
#include <stdint.h>

/* 0 when NAME looks like an IANA zone name ("Europe/Berlin", "UTC") and
 * names a TZif file in the zone directory; -1 with WHY set otherwise. */
int rt_tz_check(const char *name, char *why, size_t whylen);

/* For each of N days from FIRST_DAY (days since 1970-01-01), OUT[i] = the
 * Unix time of noon minus 43200 s local time in zone NAME on that date.
 * 0, or -1 with WHY set (zone unreadable, mktime failed). */
int rt_tz_day_starts(const char *name, int32_t first_day, uint32_t n, int64_t *out,
                     char *why, size_t whylen);

/* UTC offset in seconds of zone NAME at Unix time UTC (east positive, DST
 * included).  0, or -1 with WHY set. */
int rt_tz_offset(const char *name, int64_t utc, int *offset_s, char *why, size_t whylen);

#endif
