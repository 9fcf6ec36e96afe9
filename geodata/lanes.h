/* lanes.h -- lane graphs (sea, river, rail) and shortest paths over them.
 *
 * A graph is loaded from two CSV files: MODE_points.csv (id,lat,lon,name,
 * source) and MODE_edges.csv (a,b,factor,note), where an edge end is a point
 * id (lowercase) or a node code from nodes.csv.  Each edge is drawn along
 * the WGS84 geodesic between its ends; its length is that geodesic times
 * the edge's factor (1 when empty): the bends of a river or a track between
 * two sampled points, fitted to a published stretch length named in note. */
#ifndef DT_LANES_H
#define DT_LANES_H

#include "nodes.h"

enum geo_mode { MODE_SEA, MODE_RIVER, MODE_RAIL, MODE_AIR, MODE_ROAD, MODE_COUNT };

const char *geo_mode_name(enum geo_mode m);
int geo_mode_parse(const char *s);      /* -1 if unknown */

struct geo_vertex {
    double lat, lon;
    int node;                 /* index into the node table, or -1 */
    char id[48];              /* point id or node code */
};

struct geo_graph {
    enum geo_mode mode;
    struct geo_vertex *v;
    int nv;
    int *start, *to;          /* adjacency (CSR): neighbours of i are */
    double *w;                /* to[start[i] .. start[i+1]-1], metres */
    int (*edge)[2];           /* undirected edges as loaded */
    double *factor;           /* per edge: length / geodesic length */
    int nedges;
    int *node_vertex;         /* node index -> vertex, or -1 */
    size_t nnodes;
};

/* Load a graph.  0, or -1 with err = "FILE:LINE: reason". */
int geo_graph_load(struct geo_graph *g, enum geo_mode mode,
                   const struct geo_nodes *nodes, const char *points_path,
                   const char *edges_path, char *err, size_t errlen);

/* Same over in-memory CSV text (tests, fuzzing). */
int geo_graph_parse(struct geo_graph *g, enum geo_mode mode,
                    const struct geo_nodes *nodes, const char *points,
                    size_t points_len, const char *edges, size_t edges_len,
                    char *err, size_t errlen);

void geo_graph_free(struct geo_graph *g);

/* Vertex of node NODE_INDEX in this graph, or -1 when it is not on it. */
int geo_graph_vertex_of(const struct geo_graph *g, size_t node_index);

/* Shortest path from vertex A to B.  On success returns 0, *path (malloc'd,
 * caller frees) holds *npath vertex indices from A to B and *metres the
 * length.  -1 when B cannot be reached (or out of memory). */
int geo_graph_path(const struct geo_graph *g, int a, int b, int **path,
                   int *npath, double *metres);

#endif
