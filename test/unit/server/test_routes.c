/* Tests for server/routes.c: route_find (exact paths, {id} captures, 404,
 * 405 with Allow, HEAD) and the role names. */
#include "server/api.h"
#include "server/routes.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#define MAXP 4

struct found {
    enum route_match m;
    const struct srv_route *route;
    char params[MAXP][128];
    int nparams;
    char allow[64];
};

static enum route_match find(const char *method, const char *path, struct found *f) {
    memset(f, 0, sizeof(*f));
    f->nparams = -1;
    snprintf(f->allow, sizeof(f->allow), "untouched");
    f->m = route_find(method, path, &f->route, f->params, MAXP, &f->nparams, f->allow,
                      sizeof(f->allow));
    return f->m;
}

Test(routes, exact_match) {
    struct found f;
    cr_assert_eq(find("GET", "/healthz", &f), ROUTE_FOUND);
    cr_assert_not_null(f.route);
    cr_assert_str_eq(f.route->pattern, "/healthz");
    cr_assert_str_eq(f.route->method, "GET");
    cr_assert_eq(f.route->handler, api_healthz);
    cr_assert_eq(f.route->roles, ROLE_PUBLIC);
    cr_assert_eq(f.nparams, 0);

    cr_assert_eq(find("POST", "/v1/keys", &f), ROUTE_FOUND);
    cr_assert_eq(f.route->handler, api_keys_create);
    cr_assert_eq(f.route->roles, ROLE_ADMIN);
    cr_assert(f.route->flags & ROUTE_NEEDS_REDIS);

    cr_assert_eq(find("GET", "/metrics", &f), ROUTE_FOUND);
    cr_assert_eq(f.route->handler, api_metrics);
    cr_assert_eq(f.route->roles, ROLE_ADMIN);
}

Test(routes, id_capture) {
    struct found f;
    cr_assert_eq(find("GET", "/v1/keys/0123456789abcdef", &f), ROUTE_FOUND);
    cr_assert_str_eq(f.route->pattern, "/v1/keys/{id}");
    cr_assert_str_eq(f.route->method, "GET");
    cr_assert_eq(f.route->handler, api_keys_get);
    cr_assert_eq(f.nparams, 1);
    cr_assert_str_eq(f.params[0], "0123456789abcdef");

    cr_assert_eq(find("DELETE", "/v1/keys/x", &f), ROUTE_FOUND);
    cr_assert_str_eq(f.route->method, "DELETE");
    cr_assert_eq(f.route->handler, api_keys_delete);
    cr_assert_eq(f.nparams, 1);
    cr_assert_str_eq(f.params[0], "x");
}

Test(routes, long_segment) {
    char path[300];
    struct found f;
    size_t n = (size_t)snprintf(path, sizeof(path), "/v1/keys/");
    memset(path + n, 'a', 127);
    path[n + 127] = '\0';
    cr_assert_eq(find("GET", path, &f), ROUTE_FOUND);
    cr_assert_eq(strlen(f.params[0]), 127);
    cr_assert_eq(f.params[0][126], 'a');
    /* 128 bytes do not fit a param: no such path. */
    path[n + 127] = 'a';
    path[n + 128] = '\0';
    cr_assert_eq(find("GET", path, &f), ROUTE_NO_PATH);
}

Test(routes, no_path) {
    /* "/" is the tracking page (web.c); these are not pages either */
    static const char *const paths[] = {
        "/track",
        "/track/a/b",
        "/static/",
        "",
        "/nope",
        "/healthz/",
        "/healthzz",
        "/health",
        "/HEALTHZ",
        "/v1/keys/",
        "/v1/keys//",
        "/v1/keys/abc/",
        "/v1/keys/abc/def",
        "/v1/whoami/",
        "//healthz",
        "/v1/keys/{id}/x",
        "healthz",
    };
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct found f;
        cr_assert_eq(find("GET", paths[i], &f), ROUTE_NO_PATH, "'%s' matched",
                     paths[i]);
        cr_assert_str_eq(f.allow, "", "'%s': allow not cleared", paths[i]);
    }
}

Test(routes, method_not_allowed_lists_allow) {
    struct found f;
    /* HEAD is allowed wherever GET is, so Allow names it too. */
    cr_assert_eq(find("PUT", "/v1/keys/abc", &f), ROUTE_NO_METHOD);
    cr_assert_str_eq(f.allow, "GET, HEAD, DELETE");
    cr_assert_eq(find("POST", "/v1/keys/abc", &f), ROUTE_NO_METHOD);
    cr_assert_str_eq(f.allow, "GET, HEAD, DELETE");
    cr_assert_eq(find("GET", "/v1/keys", &f), ROUTE_NO_METHOD);
    cr_assert_str_eq(f.allow, "POST");
    cr_assert_eq(find("DELETE", "/healthz", &f), ROUTE_NO_METHOD);
    cr_assert_str_eq(f.allow, "GET, HEAD");
    /* Methods are case-sensitive (RFC 9110 9.1). */
    cr_assert_eq(find("get", "/healthz", &f), ROUTE_NO_METHOD);
    cr_assert_str_eq(f.allow, "GET, HEAD");
}

Test(routes, allow_is_truncated_safely) {
    const struct srv_route *r = NULL;
    char allow[6];
    memset(allow, 'x', sizeof(allow));
    cr_assert_eq(
        route_find("PUT", "/v1/keys/abc", &r, NULL, 0, NULL, allow, sizeof(allow)),
        ROUTE_NO_METHOD);
    cr_assert_lt(strnlen(allow, sizeof(allow)), sizeof(allow));
    cr_assert_eq(strncmp(allow, "GET", 3), 0, "allow was '%s'", allow);
    /* No allow buffer at all. */
    cr_assert_eq(route_find("PUT", "/v1/keys/abc", &r, NULL, 0, NULL, NULL, 0),
                 ROUTE_NO_METHOD);
}

Test(routes, head_maps_to_get) {
    struct found f;
    cr_assert_eq(find("HEAD", "/healthz", &f), ROUTE_FOUND);
    cr_assert_str_eq(f.route->method, "GET");
    cr_assert_str_eq(f.route->pattern, "/healthz");
    cr_assert_eq(find("HEAD", "/v1/keys/k1", &f), ROUTE_FOUND);
    cr_assert_str_eq(f.route->method, "GET");
    cr_assert_str_eq(f.params[0], "k1");
    /* HEAD does not map to POST. */
    cr_assert_eq(find("HEAD", "/v1/keys", &f), ROUTE_NO_METHOD);
    cr_assert_str_eq(f.allow, "POST");
}

Test(routes, params_without_room) {
    const struct srv_route *r = NULL;
    int np = -1;
    cr_assert_eq(route_find("GET", "/v1/keys/abc", &r, NULL, 0, &np, NULL, 0),
                 ROUTE_FOUND);
    cr_assert_not_null(r);
    cr_assert_str_eq(r->pattern, "/v1/keys/{id}");
    cr_assert_eq(np, 0);
}

/* Every row of the table is reachable by its own method and a concrete
 * path, and finds itself (no row is shadowed by an earlier one). */
Test(routes, every_row_finds_itself) {
    size_t n;
    const struct srv_route *t = route_table(&n);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        char path[256];
        size_t o = 0;
        int expect_params = 0;
        struct found f;
        cr_assert_eq(t[i].pattern[0], '/', "row %zu pattern '%s'", i, t[i].pattern);
        cr_assert_not_null(t[i].handler, "row %zu has no handler", i);
        for (const char *p = t[i].pattern; *p && o + 8 < sizeof(path);) {
            if (*p == '{') {
                const char *end = strchr(p, '}');
                cr_assert_not_null(end, "row %zu: unclosed {", i);
                o += (size_t)snprintf(path + o, sizeof(path) - o, "p%d", expect_params);
                expect_params++;
                p = end + 1;
            } else {
                path[o++] = *p++;
            }
        }
        path[o] = '\0';
        cr_assert_eq(find(t[i].method, path, &f), ROUTE_FOUND, "%s %s", t[i].method,
                     path);
        cr_assert_eq(f.route, &t[i], "%s %s found row %s %s", t[i].method, path,
                     f.route->method, f.route->pattern);
        cr_assert_eq(f.nparams, expect_params);
        for (int k = 0; k < expect_params; k++) {
            char want[16];
            snprintf(want, sizeof(want), "p%d", k);
            cr_assert_str_eq(f.params[k], want);
        }
    }
}

/* ---- roles --------------------------------------------------------------- */

Test(roles, round_trip) {
    static const struct {
        int role;
        const char *name;
    } roles[] = {
        {ROLE_ADMIN, "admin"},         {ROLE_FORWARDER, "forwarder"},
        {ROLE_CARRIER, "carrier"},     {ROLE_CUSTOMS, "customs"},
        {ROLE_CONSIGNEE, "consignee"},
    };
    int seen = 0;
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
        cr_assert_str_eq(role_name(roles[i].role), roles[i].name);
        cr_assert_eq(role_from_name(roles[i].name), roles[i].role);
        cr_assert_eq(role_from_name(role_name(roles[i].role)), roles[i].role);
        seen |= roles[i].role;
    }
    cr_assert_eq(seen, ROLE_ANY);
}

Test(roles, unknown) {
    static const char *const names[] = {"",     "Admin",     "ADMIN", "admins",
                                        "admi", "anonymous", "root",  " admin"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        cr_assert_eq(role_from_name(names[i]), ROLE_NONE, "'%s' is a role", names[i]);
    cr_assert_str_eq(role_name(ROLE_NONE), "anonymous");
    cr_assert_str_eq(role_name(ROLE_ADMIN | ROLE_CARRIER), "anonymous");
    cr_assert_str_eq(role_name(1 << 10), "anonymous");
}
