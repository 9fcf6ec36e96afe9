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

/* Call ONE on each comma-separated entry of VALUE (in a private copy it
 * may cut up) until one fails.  0, ONE's -1, or -2 when out of memory. */
static int each_entry(const char *value,
                      int (*one)(char *entry, void *ctx, char *err, size_t errlen),
                      void *ctx, char *err, size_t errlen) {
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
        rc = one(p, ctx, err, errlen);
        if (!comma) break;
    }
    free(v);
    return rc;
}

static int mode_one(char *p, void *ctx, char *err, size_t errlen) {
    unsigned *mask = ctx;
    int m = rt_fmode_parse(p);
    if (m < 0) {
        snprintf(err, errlen,
                 "modes: '%.16s' is not one of sea, river, rail, air, road", p);
        return -1;
    }
    *mask |= 1u << m;
    return 0;
}

int route_params_modes(const char *value, unsigned *mask, char *err, size_t errlen) {
    *mask = 0;
    return each_entry(value, mode_one, mask, err, errlen);
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

struct override_ctx {
    const char *name;
    struct rt_freight_override *o;
};

static int override_one(char *p, void *ctx, char *err, size_t errlen) {
    const struct override_ctx *c = ctx;
    int handling = strcmp(c->name, "handling_h") == 0;
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
        snprintf(err, errlen, "%s: '%s' must be %s:HOURS with hours 0..%d", c->name,
                 entry, handling ? "FROM-TO" : "MODE", RT_FREIGHT_MAX_HOURS);
        return -1;
    }
    if (handling)
        c->o->handling_s[from][to] = secs;
    else if (strcmp(c->name, "cutoff_h") == 0)
        c->o->cutoff_s[from] = secs;
    else if (strcmp(c->name, "release_h") == 0)
        c->o->release_s[from] = secs;
    else
        c->o->customs_s[from] = secs;
    return 0;
}

int route_params_override(const char *name, const char *value,
                          struct rt_freight_override *o, char *err, size_t errlen) {
    struct override_ctx c = {name, o};
    return each_entry(value, override_one, &c, err, errlen);
}
