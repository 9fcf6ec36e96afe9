/* test_web.c -- the web pages as files (server/web.c): every page and
 * script answers with its type, an ETag (304 on a match) and a
 * Content-Security-Policy that allows this server only; a name can never
 * reach outside the web directory; the browser libraries come from
 * node_modules when scripts/deps.sh installed them.  The pages' behaviour
 * is tested in Chromium (test/e2e). */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

TestSuite(web, .init = h_setup, .fini = h_teardown, .timeout = 60);

static void get(const char *path, const char *extra, struct h_resp *r) {
    h_http("GET", path, NULL, NULL, extra, r);
}

Test(web, pages_and_scripts_with_type_etag_and_csp) {
    static const struct {
        const char *path, *type, *needle;
    } files[] = {
        {"/", "text/html; charset=utf-8", "dt-header"},
        {"/track/YYBL2026001", "text/html; charset=utf-8", "dt-header"},
        {"/plan", "text/html; charset=utf-8", "dt-header"},
        {"/customs", "text/html; charset=utf-8", "dt-header"},
        {"/ops", "text/html; charset=utf-8", "dt-header"},
        {"/static/common.js", "text/javascript; charset=utf-8", "sessionStorage"},
        {"/static/map.js", "text/javascript; charset=utf-8", "geoEqualEarth"},
        {"/static/app.css", "text/css; charset=utf-8", "--accent"},
    };
    char buf[600], etag[64], inm[96];
    struct h_resp r;
    h_start(NULL);
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        get(files[i].path, NULL, &r);
        cr_assert_eq(r.status, 200, "%s: %ld %s", files[i].path, r.status, r.body);
        cr_assert_eq(h_resp_header(&r, "Content-Type", buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, files[i].type, "%s", files[i].path);
        cr_assert(strstr(r.body, files[i].needle) != NULL, "%s lacks %s", files[i].path,
                  files[i].needle);
        cr_assert_eq(h_resp_header(&r, "Content-Security-Policy", buf, sizeof(buf)), 0);
        cr_assert(strstr(buf, "script-src 'self'") && strstr(buf, "frame-ancestors 'none'"),
                  "%s", buf);
        cr_assert_eq(h_resp_header(&r, "Referrer-Policy", buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "no-referrer");
        cr_assert_eq(h_resp_header(&r, "Cache-Control", buf, sizeof(buf)), 0);
        cr_assert_str_eq(buf, "no-cache");
        cr_assert_eq(h_resp_header(&r, "ETag", etag, sizeof(etag)), 0);
        h_resp_free(&r);
        /* revalidation: the same ETag is a 304 with no body */
        snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
        get(files[i].path, inm, &r);
        cr_assert_eq(r.status, 304, "%s: %ld", files[i].path, r.status);
        cr_assert_eq(r.body_len, 0);
        h_resp_free(&r);
        get(files[i].path, "If-None-Match: \"0000000000000000\"", &r);
        H_ASSERT_STATUS(&r, 200);
        h_resp_free(&r);
    }
    H_ASSERT_CLEAN_EXIT();
}

Test(web, names_never_leave_the_web_directory) {
    static const char *const bad[] = {
        "/static/..%2Fweb.c", "/static/..%2F..%2Fweb.c", "/static/%2Fetc%2Fpasswd",
        "/static/.hidden", "/static/nosuch.js", "/static/index.html", "/vendor/..%2Fpackage.json",
        "/vendor/package.json", "/vendor/d3-geo.js",
    };
    struct h_resp r;
    h_start(NULL);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        get(bad[i], NULL, &r);
        cr_assert(r.status == 404, "%s: %ld %.200s", bad[i], r.status, r.body);
        cr_assert(strstr(r.body, "\"not_found\"") != NULL, "%s: %s", bad[i], r.body);
        h_resp_free(&r);
    }
    H_ASSERT_CLEAN_EXIT();
}

Test(web, browser_libraries_from_node_modules) {
    static const char *const libs[] = {"/vendor/d3-array.min.js", "/vendor/d3-geo.min.js",
                                       "/vendor/topojson-client.min.js",
                                       "/vendor/land-110m.json"};
    const char *src = getenv("DONGTING_SRC");
    char path[1200], buf[200];
    struct stat st;
    struct h_resp r;
    snprintf(path, sizeof(path), "%s/server/web/node_modules/d3-geo/package.json",
             src ? src : ".");
    int installed = stat(path, &st) == 0;
    h_start(NULL);
    for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
        get(libs[i], NULL, &r);
        if (installed) {
            /* scripts/deps.sh ran npm ci: served, cached for a day */
            cr_assert_eq(r.status, 200, "%s: %ld", libs[i], r.status);
            cr_assert_gt(r.body_len, 1000);
            cr_assert_eq(h_resp_header(&r, "Cache-Control", buf, sizeof(buf)), 0);
            cr_assert_str_eq(buf, "public, max-age=86400");
        } else {
            /* not installed: a clear 404, the server runs on */
            H_ASSERT_ERROR(&r, 404, "not_found");
        }
        h_resp_free(&r);
    }
    H_ASSERT_CLEAN_EXIT();
}
