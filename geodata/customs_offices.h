/* customs_offices.h -- China customs office codes (关区代码) and the places
 * of the network each one supervises (geodata/data/customs_offices.csv).
 *
 * A customs declaration names offices by their 4-digit code: portCode, the
 * office at the port of entry or exit, and customsCode, the declaring or
 * destination office.  The first two digits are the directly-under customs
 * (直属海关, "4900" Changsha), the last two the subordinate office ("4908"
 * Changsha Huanghua Airport); an "XX00" row stands for the whole district.
 * To compare a declaration with carrier events we need the node codes of
 * nodes.csv that an office covers: this table.  docs/customs-crosscheck.md
 * says which codes were confirmed and from where. */
#ifndef DT_CUSTOMS_OFFICES_H
#define DT_CUSTOMS_OFFICES_H

#include <stddef.h>

#define CX_OFFICE_MAX_NODES 32
#define CX_NODE_LEN 16            /* a node code: 3..10 bytes + NUL */

struct cx_office {
    char code[5];                 /* 4 digits */
    char name_en[96];
    char name_zh[96];
    char nodes[CX_OFFICE_MAX_NODES][CX_NODE_LEN];
    size_t nnodes;                /* 1..CX_OFFICE_MAX_NODES */
    int line;                     /* line in the file, for messages */
};

struct cx_offices {
    struct cx_office *v;          /* sorted by code */
    size_t n;
};

/* Load the file at PATH.  0, or -1 with err = "FILE:LINE: reason" and T
 * empty (cx_offices_free is safe either way).  Node codes are checked for
 * shape only; that each exists in nodes.csv is the unit tests' job. */
int cx_offices_load(struct cx_offices *t, const char *path, char *err, size_t errlen);

/* Same, over LEN bytes at BUF (tests, fuzzing); SOURCE names them in
 * messages.  BUF need not outlive the call. */
int cx_offices_parse(struct cx_offices *t, const char *buf, size_t len,
                     const char *source, char *err, size_t errlen);

void cx_offices_free(struct cx_offices *t);

/* The office with CODE exactly, owned by T, or NULL (T NULL or empty, CODE
 * NULL or not listed). */
const struct cx_office *cx_office_find(const struct cx_offices *t, const char *code);

/* The office with CODE, else the directly-under district "XX00" that CODE
 * belongs to (a subordinate office the table does not list is still
 * within its district's places), else NULL.  CODE must be 4 digits. */
const struct cx_office *cx_office_resolve(const struct cx_offices *t, const char *code);

/* 1 when two place codes name the same place for customs purposes: equal,
 * or one is the other's UN/LOCODE prefix before '-' ("CNCLJ" and
 * "CNCLJ-SYH"); two different sub-nodes of one UN/LOCODE do not match. */
int cx_node_match(const char *a, const char *b);

/* 1 when office O (may be NULL: 0) supervises the place NODE_CODE, by
 * cx_node_match against each of its nodes. */
int cx_office_has_node(const struct cx_office *o, const char *node_code);

#endif
