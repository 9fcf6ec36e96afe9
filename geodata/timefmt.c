/* timefmt.c -- ISO 8601 instants and durations (see timefmt.h). */
#include "timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* N digits at S as a number, or -1. */
static int digits(const char *s, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int days_in_month(int y, int m) {
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : d[m - 1];
}

int time_parse_iso8601_off(const char *s, int64_t *utc, int *offset_s, char *why,
                           size_t whylen) {
    int y, mo, d, h, mi, sec = 0, off = 0;
    const char *p;
    struct tm tm;

    if (strlen(s) < 17 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
        s[13] != ':') {
        snprintf(why, whylen, "'%.40s' is not YYYY-MM-DDTHH:MM[:SS] with an offset", s);
        return -1;
    }
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    p = s + 16;
    if (*p == ':') {
        sec = digits(p + 1, 2);
        p += 3;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p)) sec = -1;
            while (isdigit((unsigned char)*p)) p++;
        }
    }
    if (y < 1970 || y > 2199 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) {
        snprintf(why, whylen, "'%.40s' is not a valid date and time", s);
        return -1;
    }
    if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
        off = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
        int oh = digits(p + 1, 2), om = digits(p + 4, 2);
        if (oh < 0 || oh > 18 || om < 0 || om > 59) {
            snprintf(why, whylen, "'%.40s': bad UTC offset", s);
            return -1;
        }
        off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
    } else {
        snprintf(why, whylen, "'%.40s' needs a UTC offset (Z or +HH:MM)", s);
        return -1;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec == 60 ? 59 : sec;   /* a leap second reads as :59 */
    *utc = (int64_t)timegm(&tm) - off;
    if (offset_s) *offset_s = off;
    return 0;
}

int time_parse_iso8601(const char *s, int64_t *utc, char *why, size_t whylen) {
    return time_parse_iso8601_off(s, utc, NULL, why, whylen);
}

int time_parse_duration(const char *s, int64_t *secs, char *why, size_t whylen) {
    const char *p = s;
    int64_t total = 0;
    int in_time = 0, any = 0;
    if (*p >= '0' && *p <= '9') {            /* plain seconds */
        for (; *p >= '0' && *p <= '9'; p++) {
            total = total * 10 + (*p - '0');
            if (total > 400LL * 86400) break;
        }
        if (*p != '\0' || total > 400LL * 86400) goto bad;
        *secs = total;
        return 0;
    }
    if (*p++ != 'P') goto bad;
    while (*p) {
        int64_t n = 0;
        int digits_seen = 0;
        if (*p == 'T' && !in_time) {
            in_time = 1;
            p++;
            continue;
        }
        while (*p >= '0' && *p <= '9' && n < 100000) {
            n = n * 10 + (*p++ - '0');
            digits_seen = 1;
        }
        if (!digits_seen) goto bad;
        if (!in_time && *p == 'D') total += n * 86400;
        else if (in_time && *p == 'H') total += n * 3600;
        else if (in_time && *p == 'M') total += n * 60;
        else if (in_time && *p == 'S') total += n;
        else goto bad;
        p++;
        any = 1;
        if (total > 400LL * 86400) goto bad;
    }
    if (!any) goto bad;
    *secs = total;
    return 0;
bad:
    snprintf(why, whylen, "'%.40s' is not seconds or a duration like P2D, PT12H "
                          "(at most 400 days)", s);
    return -1;
}

void time_format_iso8601(int64_t utc, int offset_s, char *buf, size_t len) {
    time_t t = (time_t)(utc + offset_s);
    struct tm tm;
    int a = offset_s < 0 ? -offset_s : offset_s;
    char off[8];
    gmtime_r(&t, &tm);
    if (offset_s == 0)
        snprintf(off, sizeof(off), "Z");
    else
        snprintf(off, sizeof(off), "%c%02d:%02d", offset_s < 0 ? '-' : '+', a / 3600 % 100,
                 a / 60 % 60);
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%s", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, off);
}
