/* libFuzzer target: a lane graph (points and edges CSV) over a fixed node
 * table.  The input is split at the first form feed into the points file
 * and the edges file; a loaded graph must give a path (or none) between
 * any two vertices without crashing, and paths must be joined by edges. */
#include "geodata/lanes.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char nodes_csv[] =
    "code,kind,name_en,name_zh,lat,lon,tz,country,customs,source\n"
    "CNSHA,seaport,Shanghai,上海,31.2,121.5,Asia/Shanghai,CN,,s\n"
    "NLRTM,seaport,Rotterdam,鹿特丹,51.9,4.1,Europe/Amsterdam,NL,,s\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static struct geo_nodes nodes;
    static int loaded;
    struct geo_graph g;
    const char *in = (const char *)data, *ff = memchr(in, '\f', size);
    char err[640];

    if (!loaded) {
        if (geo_nodes_parse(&nodes, nodes_csv, strlen(nodes_csv), "n", err, sizeof(err)))
            abort();
        loaded = 1;
    }
    if (ff == NULL) return 0;
    if (geo_graph_parse(&g, MODE_SEA, &nodes, in, (size_t)(ff - in), ff + 1,
                        size - (size_t)(ff - in) - 1, err, sizeof(err)) != 0)
        return 0;
    for (int a = 0; a < g.nv && a < 8; a++) {
        for (int b = 0; b < g.nv && b < 8; b++) {
            int *path, n;
            double m;
            if (geo_graph_path(&g, a, b, &path, &n, &m) != 0) continue;
            if (n < 1 || path[0] != a || path[n - 1] != b || !(m >= 0)) abort();
            free(path);
        }
    }
    geo_graph_free(&g);
    return 0;
}
