/* tz.c -- service-day starts per time zone (see tz.h). */
#include "tz.h"
#include "timetable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *zone_dir(void) {
    const char *d = getenv("TZDIR");
    return (d && *d) ? d : "/usr/share/zoneinfo";
}

int rt_tz_check(const char *name, char *why, size_t whylen) {
    size_t n = strlen(name);
    char path[512], magic[4];
    FILE *f;
    if (n == 0 || n > 64 || name[0] == '/' || strstr(name, "..") != NULL) {
        snprintf(why, whylen, "'%.80s' is not an IANA time zone name", name);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '-' || c == '+')) {
            snprintf(why, whylen, "'%.80s' is not an IANA time zone name", name);
            return -1;
        }
    }
    snprintf(path, sizeof(path), "%s/%s", zone_dir(), name);
    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, whylen, "'%s' is not a time zone in %s", name, zone_dir());
        return -1;
    }
    /* A directory opens but does not read; other files lack the magic. */
    if (fread(magic, 1, 4, f) != 4 || memcmp(magic, "TZif", 4) != 0) {
        fclose(f);
        snprintf(why, whylen, "'%s' is not a time zone file in %s", name, zone_dir());
        return -1;
    }
    fclose(f);
    return 0;
}

/* Switch the process to zone NAME; *saved gets the old TZ (or NULL) for
 * tz_leave().  0, or -1 with WHY set. */
static int tz_enter(const char *name, char **saved, char *why, size_t whylen) {
    const char *old = getenv("TZ");
    char tz[80];
    *saved = NULL;
    if (rt_tz_check(name, why, whylen) != 0) return -1;
    if (old != NULL && (*saved = strdup(old)) == NULL) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    /* The leading ':' makes glibc read the file, never a POSIX rule string. */
    snprintf(tz, sizeof(tz), ":%s", name);
    if (setenv("TZ", tz, 1) != 0) {
        snprintf(why, whylen, "setenv TZ: %s", strerror(errno));
        free(*saved);
        *saved = NULL;
        return -1;
    }
    tzset();
    return 0;
}

static void tz_leave(char *saved) {
    if (saved != NULL) {
        setenv("TZ", saved, 1);
        free(saved);
    } else {
        unsetenv("TZ");
    }
    tzset();
}

int rt_tz_day_starts(const char *name, int32_t first_day, uint32_t n, int64_t *out,
                     char *why, size_t whylen) {
    char *saved;
    int rc = 0;

    if (tz_enter(name, &saved, why, whylen) != 0) return -1;
    for (uint32_t i = 0; i < n; i++) {
        int ymd = rt_date_from_days(first_day + (int32_t)i);
        struct tm tm;
        time_t t;
        memset(&tm, 0, sizeof(tm));
        tm.tm_year = ymd / 10000 - 1900;
        tm.tm_mon = ymd / 100 % 100 - 1;
        tm.tm_mday = ymd % 100;
        tm.tm_hour = 12; /* noon exists on every date, DST or not */
        tm.tm_isdst = -1;
        t = mktime(&tm);
        if (t == (time_t)-1) {
            snprintf(why, whylen, "time zone '%s': mktime failed for %d", name, ymd);
            rc = -1;
            break;
        }
        out[i] = (int64_t)t - 43200;
    }
    tz_leave(saved);
    return rc;
}

int rt_tz_offset(const char *name, int64_t utc, int *offset_s, char *why, size_t whylen) {
    char *saved;
    time_t t = (time_t)utc;
    struct tm tm;
    int rc = 0;

    if (tz_enter(name, &saved, why, whylen) != 0) return -1;
    if (localtime_r(&t, &tm) == NULL) {
        snprintf(why, whylen, "time zone '%s': no local time for %lld", name, (long long)utc);
        rc = -1;
    } else {
        *offset_s = (int)tm.tm_gmtoff;
    }
    tz_leave(saved);
    return rc;
}
