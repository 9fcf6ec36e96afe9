/* geodesy.c -- PROJ geodesics and transforms (see geodesy.h). */
#include "geodesy.h"

#include <geodesic.h>
#include <math.h>
#include <proj.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* WGS84 ellipsoid: a = 6378137 m, f = 1/298.257223563. */
static struct geod_geodesic wgs84;
static int wgs84_ready;

static const struct geod_geodesic *ellipsoid(void) {
    if (!wgs84_ready) {
        geod_init(&wgs84, 6378137.0, 1.0 / 298.257223563);
        wgs84_ready = 1;
    }
    return &wgs84;
}

double geo_inverse(double lat1, double lon1, double lat2, double lon2,
                   double *azi1, double *azi2) {
    double s12 = 0, a1 = 0, a2 = 0;
    geod_inverse(ellipsoid(), lat1, lon1, lat2, lon2, &s12, &a1, &a2);
    if (azi1) *azi1 = a1;
    if (azi2) *azi2 = a2;
    return s12;
}

static int line_push(struct geo_line *line, double lon, double lat) {
    if (line->n == line->cap) {
        size_t cap = line->cap ? line->cap * 2 : 64;
        double *xy = realloc(line->xy, cap * 2 * sizeof(double));
        if (xy == NULL) return -1;
        line->xy = xy;
        line->cap = cap;
    }
    line->xy[2 * line->n] = lon;
    line->xy[2 * line->n + 1] = lat;
    line->n++;
    return 0;
}

int geo_line_geodesic(struct geo_line *line, double lat1, double lon1,
                      double lat2, double lon2, double max_step_m) {
    struct geod_geodesicline gl;
    double s12;
    int steps;

    if (line->n == 0 && line_push(line, lon1, lat1) != 0) return -1;
    s12 = geo_inverse(lat1, lon1, lat2, lon2, NULL, NULL);
    steps = max_step_m > 0 ? (int)ceil(s12 / max_step_m) : 1;
    if (steps < 1) steps = 1;
    if (steps > 1) {
        geod_inverseline(&gl, ellipsoid(), lat1, lon1, lat2, lon2, 0);
        for (int i = 1; i < steps; i++) {
            double lat, lon;
            geod_position(&gl, s12 * i / steps, &lat, &lon, NULL);
            if (line_push(line, lon, lat) != 0) return -1;
        }
    }
    return line_push(line, lon2, lat2);
}

void geo_line_free(struct geo_line *line) {
    free(line->xy);
    memset(line, 0, sizeof(*line));
}

/* ---- CRS transforms ------------------------------------------------------ */

static PJ_CONTEXT *ctx;
static PJ *cgcs_to_wgs, *wgs_to_merc;

int geo_crs_parse(const char *s, enum geo_crs *crs) {
    char *end;
    long code;
    if (strncasecmp(s, "EPSG:", 5) == 0) s += 5;
    code = strtol(s, &end, 10);
    if (end == s || *end != '\0') return -1;
    if (code != GEO_WGS84 && code != GEO_CGCS2000 && code != GEO_WEB_MERCATOR)
        return -1;
    *crs = (enum geo_crs)code;
    return 0;
}

/* A transform whose input and output are in lon/lat (or x/y) order. */
static PJ *make(const char *from, const char *to, char *err, size_t errlen) {
    PJ *p = proj_create_crs_to_crs(ctx, from, to, NULL), *norm;
    if (p == NULL) {
        snprintf(err, errlen, "PROJ cannot transform %s to %s: %s", from, to,
                 proj_context_errno_string(ctx, proj_context_errno(ctx)));
        return NULL;
    }
    norm = proj_normalize_for_visualization(ctx, p);
    proj_destroy(p);
    if (norm == NULL)
        snprintf(err, errlen, "PROJ cannot normalise %s to %s", from, to);
    return norm;
}

int geo_crs_init(char *err, size_t errlen) {
    if (ctx != NULL) return 0;
    ctx = proj_context_create();
    if (ctx == NULL) {
        snprintf(err, errlen, "PROJ: cannot create a context");
        return -1;
    }
    proj_context_set_enable_network(ctx, 0);
    proj_log_level(ctx, PJ_LOG_NONE);
    cgcs_to_wgs = make("EPSG:4490", "EPSG:4326", err, errlen);
    if (cgcs_to_wgs == NULL) return -1;
    wgs_to_merc = make("EPSG:4326", "EPSG:3857", err, errlen);
    if (wgs_to_merc == NULL) return -1;
    return 0;
}

void geo_crs_free(void) {
    if (cgcs_to_wgs) proj_destroy(cgcs_to_wgs);
    if (wgs_to_merc) proj_destroy(wgs_to_merc);
    if (ctx) proj_context_destroy(ctx);
    cgcs_to_wgs = wgs_to_merc = NULL;
    ctx = NULL;
}

int geo_to_wgs84(enum geo_crs from, double *lat, double *lon) {
    PJ_COORD c;
    if (from == GEO_WGS84) return 0;
    if (from != GEO_CGCS2000 || cgcs_to_wgs == NULL) return -1;
    c = proj_trans(cgcs_to_wgs, PJ_FWD, proj_coord(*lon, *lat, 0, 0));
    if (!isfinite(c.lp.lam) || !isfinite(c.lp.phi) || c.v[0] == HUGE_VAL) return -1;
    *lon = c.v[0];
    *lat = c.v[1];
    return 0;
}

int geo_to_mercator(double lat, double lon, double *x, double *y) {
    PJ_COORD c;
    if (wgs_to_merc == NULL || fabs(lat) > 85.06) return -1;
    c = proj_trans(wgs_to_merc, PJ_FWD, proj_coord(lon, lat, 0, 0));
    if (!isfinite(c.v[0]) || !isfinite(c.v[1]) || c.v[0] == HUGE_VAL) return -1;
    *x = c.v[0];
    *y = c.v[1];
    return 0;
}
