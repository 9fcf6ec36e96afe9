/* geodesy.h -- everything geodetic, on PROJ 9: ellipsoidal geodesics on
 * WGS84 (PROJ's geodesic API, Karney's algorithms) and CRS transforms with
 * proj_create_crs_to_crs.  Coordinates are decimal degrees, lat before lon
 * in arguments; GeoJSON-style arrays are [lon, lat]. */
#ifndef DT_GEODESY_H
#define DT_GEODESY_H

#include <stddef.h>

/* Geodesic distance in metres between two points, and the forward azimuths
 * (degrees from north) at both ends; azi1/azi2 may be NULL. */
double geo_inverse(double lat1, double lon1, double lat2, double lon2,
                   double *azi1, double *azi2);

/* A growing polyline of [lon, lat] pairs. */
struct geo_line {
    double *xy;
    size_t n, cap;   /* points, not doubles */
};

/* Append the geodesic from (lat1,lon1) to (lat2,lon2) to LINE, with points
 * at most MAX_STEP_M apart.  The start point is appended only when LINE is
 * empty (so consecutive segments share their joints).  0 or -1 (OOM). */
int geo_line_geodesic(struct geo_line *line, double lat1, double lon1,
                      double lat2, double lon2, double max_step_m);

void geo_line_free(struct geo_line *line);

/* Coordinate reference systems accepted and produced. */
enum geo_crs { GEO_WGS84 = 4326, GEO_CGCS2000 = 4490, GEO_WEB_MERCATOR = 3857 };

/* Parse "EPSG:4326" / "EPSG:4490" / "EPSG:3857" (or the bare number).
 * 0 with *crs set, or -1. */
int geo_crs_parse(const char *s, enum geo_crs *crs);

/* Set up the PROJ transforms (no network access).  0, or -1 with err. */
int geo_crs_init(char *err, size_t errlen);
void geo_crs_free(void);

/* Transform a geographic point given in FROM (4326 or 4490) to WGS84.
 * 0 or -1. */
int geo_to_wgs84(enum geo_crs from, double *lat, double *lon);

/* WGS84 lat/lon to Web Mercator metres.  0 or -1 (e.g. beyond +-85.06). */
int geo_to_mercator(double lat, double lon, double *x, double *y);

#endif
