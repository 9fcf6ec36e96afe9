/* lanes.c -- lane graphs and Dijkstra (see lanes.h). */
#include "lanes.h"
#include "csv.h"
#include "geodesy.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANES_MAX_BYTES (16u << 20)

static const char *const mode_names[MODE_COUNT] = {"sea", "river", "rail", "air", "road"};

const char *geo_mode_name(enum geo_mode m) {
    return (m >= 0 && m < MODE_COUNT) ? mode_names[m] : "unknown";
}

int geo_mode_parse(const char *s) {
    for (int i = 0; i < MODE_COUNT; i++)
        if (strcmp(mode_names[i], s) == 0) return i;
    return -1;
}

static int valid_point_id(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= 48) return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* Sorted view of the point vertices by id, for edge resolution. */
struct idx { const char *id; int v; };

static int by_id(const void *a, const void *b) {
    return strcmp(((const struct idx *)a)->id, ((const struct idx *)b)->id);
}

static int add_vertex(struct geo_graph *g, int *cap, const struct geo_vertex *v) {
    if (g->nv == *cap) {
        int ncap = *cap ? *cap * 2 : 256;
        struct geo_vertex *nv = realloc(g->v, (size_t)ncap * sizeof(*nv));
        if (nv == NULL) return -1;
        g->v = nv;
        *cap = ncap;
    }
    g->v[g->nv++] = *v;
    return g->nv - 1;
}

static int load_points(struct geo_graph *g, struct csv_reader *r, int *cap) {
    int cid, clat, clon, rc;
    if (csv_read_header(r) != 0) return -1;
    if ((cid = csv_column(r, "id")) < 0 || (clat = csv_column(r, "lat")) < 0 ||
        (clon = csv_column(r, "lon")) < 0)
        return csv_error(r, "the header must have id, lat and lon columns");
    if (csv_column(r, "source") < 0)
        return csv_error(r, "the header must have a source column");
    while ((rc = csv_next(r)) == 1) {
        struct geo_vertex v;
        const char *id = csv_field(r, cid);
        memset(&v, 0, sizeof(v));
        if (r->nfields != r->nheader)
            return csv_error(r, "%d fields, the header has %d", r->nfields, r->nheader);
        if (!valid_point_id(id))
            return csv_error(r, "point id '%.48s' must be 1-47 of a-z, 0-9, '_'", id);
        if (csv_double(csv_field(r, clat), -90, 90, &v.lat) != 0)
            return csv_error(r, "%s: lat '%.40s' is not a latitude", id, csv_field(r, clat));
        if (csv_double(csv_field(r, clon), -180, 180, &v.lon) != 0)
            return csv_error(r, "%s: lon '%.40s' is not a longitude", id, csv_field(r, clon));
        v.node = -1;
        snprintf(v.id, sizeof(v.id), "%s", id);
        if (add_vertex(g, cap, &v) < 0) return csv_error(r, "out of memory");
    }
    return rc < 0 ? -1 : 0;
}

/* Vertex for edge end NAME: a point id, or a node code (added on first use). */
static int resolve(struct geo_graph *g, int *cap, const struct idx *ids, int nids,
                   const struct geo_nodes *nodes, const char *name) {
    struct idx key = {name, 0};
    const struct idx *hit = bsearch(&key, ids, (size_t)nids, sizeof(*ids), by_id);
    const struct geo_node *nd;
    if (hit != NULL) return hit->v;
    nd = geo_node_find(nodes, name);
    if (nd == NULL) return -1;
    {
        size_t ni = (size_t)(nd - nodes->v);
        if (g->node_vertex[ni] < 0) {
            struct geo_vertex v;
            memset(&v, 0, sizeof(v));
            v.lat = nd->lat;
            v.lon = nd->lon;
            v.node = (int)ni;
            snprintf(v.id, sizeof(v.id), "%s", nd->code);
            g->node_vertex[ni] = add_vertex(g, cap, &v);
        }
        return g->node_vertex[ni];
    }
}

static int load_edges(struct geo_graph *g, struct csv_reader *r, int *cap,
                      const struct geo_nodes *nodes) {
    int ca, cb, cf, rc, nids = g->nv, ecap = 0;
    struct idx *ids = malloc(sizeof(*ids) * (size_t)(nids ? nids : 1));

    if (ids == NULL) return csv_error(r, "out of memory");
    for (int i = 0; i < nids; i++) ids[i] = (struct idx){g->v[i].id, i};
    qsort(ids, (size_t)nids, sizeof(*ids), by_id);
    for (int i = 1; i < nids; i++) {
        if (strcmp(ids[i - 1].id, ids[i].id) == 0) {
            rc = csv_error(r, "point id %s appears twice in the points file", ids[i].id);
            free(ids);
            return rc;
        }
    }
    if (csv_read_header(r) != 0 || (ca = csv_column(r, "a")) < 0 ||
        (cb = csv_column(r, "b")) < 0) {
        if (r->err[0] == '\0') csv_error(r, "the header must have a and b columns");
        free(ids);
        return -1;
    }
    cf = csv_column(r, "factor");    /* optional */
    while ((rc = csv_next(r)) == 1) {
        const char *a = csv_field(r, ca), *b = csv_field(r, cb);
        int va, vb;
        if (r->nfields != r->nheader) {
            rc = csv_error(r, "%d fields, the header has %d", r->nfields, r->nheader);
            break;
        }
        va = resolve(g, cap, ids, nids, nodes, a);
        vb = resolve(g, cap, ids, nids, nodes, b);
        if (va < 0 || vb < 0) {
            rc = csv_error(r, "'%.40s' is neither a point of this file's graph nor a "
                              "node code in nodes.csv", va < 0 ? a : b);
            break;
        }
        if (va == vb) {
            rc = csv_error(r, "edge from %.40s to itself", a);
            break;
        }
        if (g->nedges == ecap) {
            int (*ne)[2];
            double *nf;
            ecap = ecap ? ecap * 2 : 256;
            ne = realloc(g->edge, (size_t)ecap * sizeof(*ne));
            if (ne != NULL) g->edge = ne;
            nf = realloc(g->factor, (size_t)ecap * sizeof(*nf));
            if (nf != NULL) g->factor = nf;
            if (ne == NULL || nf == NULL) { rc = csv_error(r, "out of memory"); break; }
        }
        g->factor[g->nedges] = 1.0;
        if (cf >= 0 && csv_field(r, cf)[0] != '\0' &&
            csv_double(csv_field(r, cf), 1.0, 3.0, &g->factor[g->nedges]) != 0) {
            rc = csv_error(r, "%s-%s: factor '%.20s' is not a number in 1..3", a, b,
                           csv_field(r, cf));
            break;
        }
        g->edge[g->nedges][0] = va;
        g->edge[g->nedges][1] = vb;
        g->nedges++;
    }
    free(ids);
    return rc < 0 ? -1 : 0;
}

/* Build the CSR adjacency from the edge list. */
static int build_adjacency(struct geo_graph *g) {
    int *fill;
    g->start = calloc((size_t)g->nv + 1, sizeof(int));
    g->to = malloc(sizeof(int) * (size_t)(2 * g->nedges + 1));
    g->w = malloc(sizeof(double) * (size_t)(2 * g->nedges + 1));
    fill = calloc((size_t)g->nv + 1, sizeof(int));
    if (!g->start || !g->to || !g->w || !fill) {
        free(fill);
        return -1;
    }
    for (int e = 0; e < g->nedges; e++) {
        g->start[g->edge[e][0] + 1]++;
        g->start[g->edge[e][1] + 1]++;
    }
    for (int i = 0; i < g->nv; i++) g->start[i + 1] += g->start[i];
    for (int e = 0; e < g->nedges; e++) {
        int a = g->edge[e][0], b = g->edge[e][1];
        double m = geo_inverse(g->v[a].lat, g->v[a].lon, g->v[b].lat, g->v[b].lon,
                               NULL, NULL) * g->factor[e];
        int ia = g->start[a] + fill[a]++, ib = g->start[b] + fill[b]++;
        g->to[ia] = b;
        g->w[ia] = m;
        g->to[ib] = a;
        g->w[ib] = m;
    }
    free(fill);
    return 0;
}

static int graph_build(struct geo_graph *g, enum geo_mode mode,
                       const struct geo_nodes *nodes, struct csv_reader *pr,
                       struct csv_reader *er, char *err, size_t errlen) {
    int cap = 0;
    memset(g, 0, sizeof(*g));
    g->mode = mode;
    g->nnodes = nodes->n;
    g->node_vertex = malloc(sizeof(int) * (nodes->n ? nodes->n : 1));
    if (g->node_vertex == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < nodes->n; i++) g->node_vertex[i] = -1;
    if (load_points(g, pr, &cap) != 0) {
        snprintf(err, errlen, "%s", pr->err);
        return -1;
    }
    if (load_edges(g, er, &cap, nodes) != 0) {
        snprintf(err, errlen, "%s", er->err);
        return -1;
    }
    if (g->nedges == 0) {
        snprintf(err, errlen, "%s: no edges", er->source);
        return -1;
    }
    if (build_adjacency(g) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

int geo_graph_load(struct geo_graph *g, enum geo_mode mode,
                   const struct geo_nodes *nodes, const char *points_path,
                   const char *edges_path, char *err, size_t errlen) {
    struct csv_reader pr, er;
    int rc = -1;
    memset(&er, 0, sizeof(er));
    if (csv_open_file(&pr, points_path, LANES_MAX_BYTES) != 0) {
        snprintf(err, errlen, "%s", pr.err);
    } else if (csv_open_file(&er, edges_path, LANES_MAX_BYTES) != 0) {
        snprintf(err, errlen, "%s", er.err);
    } else {
        rc = graph_build(g, mode, nodes, &pr, &er, err, errlen);
    }
    csv_close(&pr);
    csv_close(&er);
    if (rc != 0) geo_graph_free(g);
    return rc;
}

int geo_graph_parse(struct geo_graph *g, enum geo_mode mode,
                    const struct geo_nodes *nodes, const char *points,
                    size_t points_len, const char *edges, size_t edges_len,
                    char *err, size_t errlen) {
    struct csv_reader pr, er;
    int rc = -1;
    memset(&er, 0, sizeof(er));
    if (csv_open_buffer(&pr, points, points_len, "points") != 0 ||
        csv_open_buffer(&er, edges, edges_len, "edges") != 0)
        snprintf(err, errlen, "out of memory");
    else
        rc = graph_build(g, mode, nodes, &pr, &er, err, errlen);
    csv_close(&pr);
    csv_close(&er);
    if (rc != 0) geo_graph_free(g);
    return rc;
}

void geo_graph_free(struct geo_graph *g) {
    free(g->v);
    free(g->start);
    free(g->to);
    free(g->w);
    free(g->edge);
    free(g->factor);
    free(g->node_vertex);
    memset(g, 0, sizeof(*g));
}

int geo_graph_vertex_of(const struct geo_graph *g, size_t node_index) {
    if (g->node_vertex == NULL || node_index >= g->nnodes) return -1;
    return g->node_vertex[node_index];
}

/* ---- Dijkstra with a binary heap ---------------------------------------- */

struct heap_item { double d; int v; };

static void heap_push(struct heap_item *h, int *n, double d, int v) {
    int i = (*n)++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h[p].d <= d) break;
        h[i] = h[p];
        i = p;
    }
    h[i] = (struct heap_item){d, v};
}

static struct heap_item heap_pop(struct heap_item *h, int *n) {
    struct heap_item top = h[0], last = h[--(*n)];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= *n) break;
        if (c + 1 < *n && h[c + 1].d < h[c].d) c++;
        if (h[c].d >= last.d) break;
        h[i] = h[c];
        i = c;
    }
    if (*n > 0) h[i] = last;
    return top;
}

int geo_graph_path(const struct geo_graph *g, int a, int b, int **path,
                   int *npath, double *metres) {
    double *dist;
    int *prev, hn = 0, rc = -1;
    struct heap_item *heap;

    *path = NULL;
    *npath = 0;
    if (a < 0 || b < 0 || a >= g->nv || b >= g->nv) return -1;
    dist = malloc(sizeof(double) * (size_t)g->nv);
    prev = malloc(sizeof(int) * (size_t)g->nv);
    heap = malloc(sizeof(*heap) * (size_t)(2 * g->nedges + g->nv + 1));
    if (!dist || !prev || !heap) goto done;
    for (int i = 0; i < g->nv; i++) {
        dist[i] = INFINITY;
        prev[i] = -1;
    }
    dist[a] = 0;
    heap_push(heap, &hn, 0, a);
    while (hn > 0) {
        struct heap_item it = heap_pop(heap, &hn);
        if (it.d > dist[it.v]) continue;
        if (it.v == b) break;
        for (int k = g->start[it.v]; k < g->start[it.v + 1]; k++) {
            double nd = it.d + g->w[k];
            if (nd < dist[g->to[k]]) {
                dist[g->to[k]] = nd;
                prev[g->to[k]] = it.v;
                heap_push(heap, &hn, nd, g->to[k]);
            }
        }
    }
    if (isinf(dist[b])) goto done;
    {
        int n = 0;
        for (int v = b; v != -1; v = prev[v]) n++;
        *path = malloc(sizeof(int) * (size_t)n);
        if (*path == NULL) goto done;
        *npath = n;
        for (int v = b, i = n - 1; v != -1; v = prev[v], i--) (*path)[i] = v;
        *metres = dist[b];
        rc = 0;
    }
done:
    free(dist);
    free(prev);
    free(heap);
    return rc;
}
