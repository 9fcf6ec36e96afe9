/* route_params.c -- GET /v1/routes' query-parameter parsers
 * (route_params.h).  Each value is cut up in a private copy. */
#include "route_params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int route_params_number(const char *name, const char *value, double lo, double hi,
                        double *out, char *err, size_t errlen) {
    char *end;
    errno = 0;
    double d = strtod(value, &end);
    if (*value == '\0' || *end != '\0' || errno != 0 || !isfinite(d) || d < lo ||
        d > hi) {
        snprintf(err, errlen, "%s: '%.32s' is not a number in %g..%g", name, value, lo,
                 hi);
        return -1;
    }
    *out = d;
    return 0;
}

int route_params_modes(const char *value, unsigned *mask, char *err, size_t errlen) {
    char *v;
    int rc = 0;
    *mask = 0;
    if (value == NULL) return 0;
    if ((v = strdup(value)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -2;
    }
    for (char *p = v, *comma; rc == 0; p = comma + 1) {
        comma = strchr(p, ',');
        if (comma) *comma = '\0';
        int m = rt_fmode_parse(p);
        if (m < 0) {
            snprintf(err, errlen,
                     "modes: '%.16s' is not one of sea, river, rail, air, road", p);
            rc = -1;
        } else {
            *mask |= 1u << m;
        }
        if (!comma) break;
    }
    free(v);
    return rc;
}

/* Hours in 0..RT_FREIGHT_MAX_HOURS as seconds; -1 on anything else. */
static int32_t hours_value(const char *s) {
    char *end;
    errno = 0;
    double h = strtod(s, &end);
    if (*s == '\0' || *end != '\0' || errno != 0 || !isfinite(h) || h < 0 ||
        h > RT_FREIGHT_MAX_HOURS)
        return -1;
    return (int32_t)llround(h * 3600.0);
}

int route_params_override(const char *name, const char *value,
                          struct rt_freight_override *o, char *err, size_t errlen) {
    int handling = strcmp(name, "handling_h") == 0;
    char *v;
    int rc = 0;
    if (value == NULL) return 0;
    if ((v = strdup(value)) == NULL) {
        snprintf(err, errlen, "out of memory");
        return -2;
    }
    for (char *p = v, *comma; rc == 0; p = comma + 1) {
        comma = strchr(p, ',');
        if (comma) *comma = '\0';
        char entry[48]; /* the entry as given, for the message */
        snprintf(entry, sizeof(entry), "%.40s", p);
        char *colon = strchr(p, ':'), *dash = strchr(p, '-');
        int from = -1, to = -1;
        int32_t secs = -1;
        if (colon) {
            *colon = '\0';
            secs = hours_value(colon + 1);
            if (handling) {
                if (dash && dash < colon) {
                    *dash = '\0';
                    from = rt_fmode_parse(p);
                    to = rt_fmode_parse(dash + 1);
                }
            } else {
                from = to = rt_fmode_parse(p);
            }
        }
        if (from < 0 || to < 0 || secs < 0) {
            snprintf(err, errlen, "%s: '%s' must be %s:HOURS with hours 0..%d", name, entry,
                     handling ? "FROM-TO" : "MODE", RT_FREIGHT_MAX_HOURS);
            rc = -1;
        } else if (handling) {
            o->handling_s[from][to] = secs;
        } else if (strcmp(name, "cutoff_h") == 0) {
            o->cutoff_s[from] = secs;
        } else if (strcmp(name, "release_h") == 0) {
            o->release_s[from] = secs;
        } else {
            o->customs_s[from] = secs;
        }
        if (!comma) break;
    }
    free(v);
    return rc;
}
