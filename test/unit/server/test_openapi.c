/* The route table and docs/openapi.yaml must agree: every route documented
 * with the same roles (x-roles), and nothing documented that the server
 * lacks.  The YAML is read line by line: paths at two spaces, methods at
 * four, x-roles at six (docs/openapi.yaml keeps to that layout). */
#include "server/routes.h"

#include "../support.h"

#include <criterion/criterion.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOC 256

struct doc_op {
    char path[128];
    char method[16];
    int roles;
    int has_roles;
};

static struct doc_op ops[MAX_DOC];
static int n_ops;

static int roles_from_list(const char *s) {
    int roles = 0;
    char buf[1024];
    snprintf(buf, sizeof(buf), "%.1000s", s);
    for (char *p = buf; *p; p++)
        if (*p == '[' || *p == ']' || *p == ',') *p = ' ';
    for (char *save = NULL, *t = strtok_r(buf, " \t\r\n", &save); t;
         t = strtok_r(NULL, " \t\r\n", &save)) {
        int r = role_from_name(t);
        cr_assert_neq(r, ROLE_NONE, "openapi.yaml: unknown role '%s' in x-roles", t);
        roles |= r;
    }
    return roles;
}

static void load_doc(void) {
    const char *path = ut_path("docs/openapi.yaml");
    char line[1024], cur[128] = "";
    int in_paths = 0;
    FILE *f;

    f = fopen(path, "r");
    cr_assert_not_null(f, "cannot open %s", path);
    n_ops = 0;
    while (fgets(line, sizeof(line), f)) {
        size_t indent = strspn(line, " ");
        char *t = line + indent;
        t[strcspn(t, "\r\n")] = '\0';
        if (*t == '\0' || *t == '#') continue;
        if (indent == 0) {
            in_paths = strcmp(t, "paths:") == 0;
            continue;
        }
        if (!in_paths) continue;
        if (indent == 2 && t[0] == '/') {
            snprintf(cur, sizeof(cur), "%.*s", (int)(strlen(t) - 1), t);
        } else if (indent == 4 && cur[0]) {
            static const char *const m[] = {"get:", "post:", "put:", "patch:",
                                            "delete:", "head:", "options:"};
            for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
                if (strcmp(t, m[i]) == 0) {
                    cr_assert_lt(n_ops, MAX_DOC);
                    snprintf(ops[n_ops].path, sizeof(ops[n_ops].path), "%s", cur);
                    for (size_t j = 0; m[i][j] && m[i][j] != ':'; j++)
                        ops[n_ops].method[j] = (char)toupper((unsigned char)m[i][j]);
                    n_ops++;
                }
            }
        } else if (indent == 6 && n_ops > 0 && strncmp(t, "x-roles:", 8) == 0) {
            ops[n_ops - 1].roles = roles_from_list(t + 8);
            ops[n_ops - 1].has_roles = 1;
        }
    }
    fclose(f);
}

static const struct doc_op *doc_find(const char *method, const char *pattern) {
    for (int i = 0; i < n_ops; i++)
        if (strcmp(ops[i].method, method) == 0 && strcmp(ops[i].path, pattern) == 0)
            return &ops[i];
    return NULL;
}

Test(openapi, every_route_is_documented_with_its_roles) {
    size_t n;
    const struct srv_route *t = route_table(&n);
    load_doc();
    cr_assert_gt(n_ops, 0, "no operations found under paths: in openapi.yaml");
    for (size_t i = 0; i < n; i++) {
        const struct doc_op *d = doc_find(t[i].method, t[i].pattern);
        cr_expect_not_null(d, "docs/openapi.yaml lacks %s %s", t[i].method,
                           t[i].pattern);
        if (d == NULL) continue;
        cr_expect(d->has_roles, "docs/openapi.yaml: %s %s has no x-roles",
                  t[i].method, t[i].pattern);
        cr_expect_eq(d->roles, t[i].roles,
                     "docs/openapi.yaml: x-roles of %s %s differ from the route "
                     "table (doc %#x, table %#x)", t[i].method, t[i].pattern,
                     (unsigned)d->roles, (unsigned)t[i].roles);
    }
}

Test(openapi, nothing_documented_that_the_server_lacks) {
    size_t n;
    const struct srv_route *t = route_table(&n);
    load_doc();
    for (int i = 0; i < n_ops; i++) {
        int found = 0;
        for (size_t j = 0; j < n && !found; j++)
            found = strcmp(ops[i].method, t[j].method) == 0 &&
                    strcmp(ops[i].path, t[j].pattern) == 0;
        cr_expect(found, "docs/openapi.yaml documents %s %s, which the route "
                         "table does not have", ops[i].method, ops[i].path);
    }
}
