/* geodata/geodesy.c against published values: GeographicLib's GeodTest
 * vectors (as carried in PROJ's src/tests/geodtest.c), and EPSG transforms. */
#include "geodata/geodesy.h"

#include <criterion/criterion.h>
#include <math.h>

/* lat1, lon1, azi1, lat2, lon2, azi2, s12 (m): GeodTest.dat rows. */
static const double vectors[][7] = {
    {35.60777, -139.44815, 111.098748429560326, -11.17491, -69.95921,
     129.289270889708762, 8935244.5604818305},
    {55.52454, 106.05087, 22.020059880982801, 77.03196, 197.18234,
     109.112041110671519, 4105086.1713924406},
    {-21.97856, 142.59065, -32.44456876433189, 41.84138, 98.56635,
     -41.84359951440466, 8394328.894657671},
};

Test(geodesy, geodtest_vectors_to_a_micrometre) {
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const double *v = vectors[i];
        double azi1, azi2;
        double s = geo_inverse(v[0], v[1], v[3], v[4], &azi1, &azi2);
        cr_expect(fabs(s - v[6]) < 1e-6, "case %zu: %.7f m, published %.7f", i, s, v[6]);
        cr_expect(fabs(azi1 - v[2]) < 1e-9, "case %zu azi1 %.12f vs %.12f", i, azi1, v[2]);
        cr_expect(fabs(azi2 - v[5]) < 1e-9, "case %zu azi2 %.12f vs %.12f", i, azi2, v[5]);
    }
}

Test(geodesy, densified_line_keeps_step_and_ends) {
    struct geo_line l = {0};
    double total = geo_inverse(40.64, -73.78, 1.36, 103.99, NULL, NULL);
    cr_assert_eq(geo_line_geodesic(&l, 40.64, -73.78, 1.36, 103.99, 500e3), 0);
    cr_assert_eq(l.n, (size_t)ceil(total / 500e3) + 1);
    cr_assert_float_eq(l.xy[0], -73.78, 1e-12);
    cr_assert_float_eq(l.xy[1], 40.64, 1e-12);
    cr_assert_float_eq(l.xy[2 * (l.n - 1)], 103.99, 1e-12);
    for (size_t i = 0; i + 1 < l.n; i++) {
        double s = geo_inverse(l.xy[2 * i + 1], l.xy[2 * i], l.xy[2 * i + 3], l.xy[2 * i + 2],
                               NULL, NULL);
        cr_expect(s <= 500e3 + 1e-3, "segment %zu is %.1f m", i, s);
    }
    /* a second segment shares the joint instead of repeating it */
    cr_assert_eq(geo_line_geodesic(&l, 1.36, 103.99, 1.36, 104.0, 500e3), 0);
    cr_assert_float_eq(l.xy[2 * (l.n - 1)], 104.0, 1e-12);
    geo_line_free(&l);
}

Test(geodesy, crs_parse_and_transforms) {
    enum geo_crs c;
    char err[256];
    double lat = 29.433, lon = 113.133, x, y;
    cr_assert_eq(geo_crs_parse("EPSG:4490", &c), 0);
    cr_assert_eq(c, GEO_CGCS2000);
    cr_assert_eq(geo_crs_parse("3857", &c), 0);
    cr_assert_eq(geo_crs_parse("EPSG:2000", &c), -1);
    cr_assert_eq(geo_crs_parse("EPSG:43x", &c), -1);
    cr_assert_eq(geo_crs_init(err, sizeof(err)), 0, "%s", err);
    /* CGCS2000 and WGS84 agree to well under a metre. */
    cr_assert_eq(geo_to_wgs84(GEO_CGCS2000, &lat, &lon), 0);
    cr_assert(fabs(lat - 29.433) < 1e-5 && fabs(lon - 113.133) < 1e-5, "%f %f", lat, lon);
    /* Web Mercator: x = R * lon in radians, R = 6378137 (EPSG:3857 definition). */
    cr_assert_eq(geo_to_mercator(0, 180, &x, &y), 0);
    cr_assert(fabs(x - 20037508.342789244) < 1e-3, "%f", x);
    cr_assert(fabs(y) < 1e-6, "%f", y);
    cr_assert_eq(geo_to_mercator(89.9, 0, &x, &y), -1, "beyond the Mercator limit");
    geo_crs_free();
}
