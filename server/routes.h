/* routes.h -- the one table that names every endpoint, its methods, the roles
 * allowed to call it and whether it needs Redis (as Redis' command table). */
#ifndef DT_ROUTES_H
#define DT_ROUTES_H

#include <stddef.h>

struct srv_req;

enum srv_role {
    ROLE_NONE = 0,
    ROLE_ADMIN = 1 << 0,
    ROLE_FORWARDER = 1 << 1,
    ROLE_CARRIER = 1 << 2,
    ROLE_CUSTOMS = 1 << 3,
    ROLE_CONSIGNEE = 1 << 4,
};
#define ROLE_PUBLIC 0        /* no key needed */
#define ROLE_ANY (ROLE_ADMIN | ROLE_FORWARDER | ROLE_CARRIER | ROLE_CUSTOMS | ROLE_CONSIGNEE)

#define ROUTE_NEEDS_REDIS 1  /* answer 503 at once while Redis is down */
#define ROUTE_UNLIMITED 2    /* exempt from the rate limit (health probes) */
#define ROUTE_AUTH_OPTIONAL 4 /* without a key (or with "Bearer wbt_..."),
                               * served anonymously (who.role 0) under the
                               * per-address limit; a key is checked against
                               * roles as usual */

typedef void srv_handler(struct srv_req *r);

struct srv_route {
    const char *method;      /* "GET", "POST", ... */
    const char *pattern;     /* "/v1/keys/{id}" */
    int roles;               /* allowed roles (bit set); ROLE_PUBLIC = anyone */
    int flags;
    srv_handler *handler;
    const char *summary;
};

/* The table and its length. */
const struct srv_route *route_table(size_t *n);

enum route_match { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD };

/* Find the route for METHOD and PATH.  On ROUTE_FOUND fills *out and copies
 * up to maxparams {param} segments into params (each paramlen bytes).  On
 * ROUTE_NO_METHOD writes the allowed methods, comma separated, to allow. */
enum route_match route_find(const char *method, const char *path,
                            const struct srv_route **out,
                            char params[][128], int maxparams, int *nparams,
                            char *allow, size_t allowlen);

/* Role name <-> bit. */
const char *role_name(int role);
int role_from_name(const char *name);   /* ROLE_NONE if unknown */

#endif
