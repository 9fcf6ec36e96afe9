/* web.c -- the web pages, served from memory (web.h; docs/web.md).
 *
 * Everything a page may load is named here or lies in static/: a request
 * can only ever name one of the files read at start-up, never a path, so
 * nothing outside the web directory is reachable.  Each file carries an
 * ETag (16 hex digits of its SHA-256) and answers 304 to a matching
 * If-None-Match; pages and their scripts are revalidated on every load
 * (no-cache), the vendor libraries are cached for a day. */
#include "web.h"

#include "api.h"
#include "crypto.h"
#include "http.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define WEB_MAX_FILE (8u << 20) /* bytes: the 50m world atlas is under 1 MB */
#define WEB_MAX_FILES 128

struct web_file {
    char name[64];            /* as requested: "index.html", "track.js", "d3-geo.min.js" */
    int kind;                 /* WEB_PAGE, WEB_STATIC, WEB_VENDOR */
    const char *type;         /* Content-Type */
    char *body;
    size_t len;
    char etag[20];            /* "\"16 hex\"" */
};

enum { WEB_PAGE, WEB_STATIC, WEB_VENDOR };

/* The browser libraries: the URL name and the file under node_modules/. */
static const struct {
    const char *name, *path;
} vendor[] = {
    {"d3-array.min.js", "node_modules/d3-array/dist/d3-array.min.js"},
    {"d3-geo.min.js", "node_modules/d3-geo/dist/d3-geo.min.js"},
    {"topojson-client.min.js", "node_modules/topojson-client/dist/topojson-client.min.js"},
    {"land-110m.json", "node_modules/world-atlas/land-110m.json"},
    {"land-50m.json", "node_modules/world-atlas/land-50m.json"},
    {"countries-110m.json", "node_modules/world-atlas/countries-110m.json"},
};
#define NVENDOR (sizeof(vendor) / sizeof(vendor[0]))

static const char *const pages[] = {"index.html", "plan.html", "customs.html", "ops.html"};

static struct {
    struct web_file f[WEB_MAX_FILES];
    size_t n;
    size_t vendor_missing;
} web;

/* Only this server: scripts, styles, fetches (the API, SSE) and images. */
static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static const char *type_of(const char *name) {
    static const struct {
        const char *ext, *type;
    } t[] = {{".html", "text/html; charset=utf-8"},
             {".js", "text/javascript; charset=utf-8"},
             {".css", "text/css; charset=utf-8"},
             {".json", "application/json"},
             {".svg", "image/svg+xml"},
             {".png", "image/png"},
             {".ico", "image/x-icon"}};
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(dot, t[i].ext) == 0) return t[i].type;
    return NULL;
}

/* A name a request may give: letters, digits, '.', '-', '_', no leading
 * dot, at most 63 bytes. */
static int name_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(web.f[0].name) || s[0] == '.') return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}

/* Read PATH into a new buffer.  0, or -1 with errno set. */
static int slurp(const char *path, char **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (f == NULL) return -1;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (size_t)st.st_size > WEB_MAX_FILE) {
        fclose(f);
        errno = EFBIG;
        return -1;
    }
    *len = (size_t)st.st_size;
    *out = malloc(*len ? *len : 1);
    if (*out == NULL || fread(*out, 1, *len, f) != *len) {
        free(*out);
        *out = NULL;
        fclose(f);
        errno = EIO;
        return -1;
    }
    fclose(f);
    return 0;
}

static int add(int kind, const char *name, const char *path) {
    struct web_file *w;
    char hex[65];
    if (web.n == WEB_MAX_FILES) {
        log_event("warn", "web_file_skipped", "more than %d web files: %s left out",
                  WEB_MAX_FILES, path);
        return -1;
    }
    w = &web.f[web.n];
    memset(w, 0, sizeof(*w));
    if (slurp(path, &w->body, &w->len) != 0) {
        log_event("warn", "web_file_missing", "%s: %s", path, strerror(errno));
        return -1;
    }
    snprintf(w->name, sizeof(w->name), "%s", name);
    w->kind = kind;
    w->type = type_of(name);
    crypto_sha256_hex(w->body, w->len, hex);
    snprintf(w->etag, sizeof(w->etag), "\"%.16s\"", hex);
    web.n++;
    return 0;
}

int web_start(const char *dir, char *err, size_t errlen) {
    char path[1200];
    DIR *d;
    struct dirent *de;
    web.n = 0;
    web.vendor_missing = 0;
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, pages[i]);
        add(WEB_PAGE, pages[i], path);
    }
    snprintf(path, sizeof(path), "%s/static", dir);
    if ((d = opendir(path)) == NULL) {
        /* the API works without its pages: say so, serve 404s */
        log_event("warn", "web_dir_missing", "%s: %s: no web pages are served", path,
                  strerror(errno));
        (void)err;
        (void)errlen;
        return 0;
    }
    while ((de = readdir(d)) != NULL) {
        if (!name_ok(de->d_name) || type_of(de->d_name) == NULL) continue;
        snprintf(path, sizeof(path), "%s/static/%s", dir, de->d_name);
        add(WEB_STATIC, de->d_name, path);
    }
    closedir(d);
    for (size_t i = 0; i < NVENDOR; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, vendor[i].path);
        if (add(WEB_VENDOR, vendor[i].name, path) != 0) web.vendor_missing++;
    }
    if (web.vendor_missing)
        log_event("warn", "web_vendor_missing",
                  "%zu browser libraries are missing from %s/node_modules: the map draws without "
                  "its basemap (run scripts/deps.sh, or npm ci in %s)",
                  web.vendor_missing, dir, dir);
    return 0;
}

void web_stop(void) {
    for (size_t i = 0; i < web.n; i++) free(web.f[i].body);
    web.n = 0;
}

size_t web_files(size_t *vendor_missing) {
    if (vendor_missing) *vendor_missing = web.vendor_missing;
    return web.n;
}

static const struct web_file *find(int kind, const char *name) {
    for (size_t i = 0; i < web.n; i++)
        if (web.f[i].kind == kind && strcmp(web.f[i].name, name) == 0) return &web.f[i];
    return NULL;
}

/* Answer F (or 404 naming WHAT). */
static void serve(struct srv_req *r, const struct web_file *f, const char *what) {
    const char *inm;
    if (f == NULL) {
        srv_reply_error(r, 404, "not_found", "no %s here", what);
        return;
    }
    srv_add_header(r, "ETag", f->etag);
    srv_add_header(r, "Content-Security-Policy", csp);
    srv_add_header(r, "Referrer-Policy", "no-referrer");
    srv_add_header(r, "X-Frame-Options", "DENY");
    const char *cache = f->kind == WEB_VENDOR ? "public, max-age=86400" : "no-cache";
    inm = srv_header(r, "If-None-Match");
    if (inm != NULL && strcmp(inm, f->etag) == 0) {
        srv_reply_cached(r, 304, NULL, NULL, 0, cache);
        return;
    }
    srv_reply_cached(r, 200, f->type, f->body, f->len, cache);
}

void api_web_track(struct srv_req *r) { serve(r, find(WEB_PAGE, "index.html"), "page"); }
void api_web_plan(struct srv_req *r) { serve(r, find(WEB_PAGE, "plan.html"), "page"); }
void api_web_customs(struct srv_req *r) { serve(r, find(WEB_PAGE, "customs.html"), "page"); }
void api_web_ops(struct srv_req *r) { serve(r, find(WEB_PAGE, "ops.html"), "page"); }

void api_web_static(struct srv_req *r) {
    serve(r, name_ok(r->params[0]) ? find(WEB_STATIC, r->params[0]) : NULL, "such file");
}

void api_web_vendor(struct srv_req *r) {
    serve(r, name_ok(r->params[0]) ? find(WEB_VENDOR, r->params[0]) : NULL, "such library");
}
