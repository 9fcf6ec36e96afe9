/* libFuzzer target: the freight parameter files (routing/freight.c) on raw
 * bytes.  The first byte picks the file (handling, cutoffs, release,
 * customs, tariffs, emissions: byte % 6), the rest is its text.  On error
 * the message must name the file; on success every row must be found again
 * by its own key and every answer must be in range. */
#include "geodata/nodes.h"
#include "routing/freight.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_times(const struct rt_freight *f, enum rt_freight_file which) {
    const struct rt_freight_times *t = which == RT_FREIGHT_HANDLING  ? &f->handling
                                       : which == RT_FREIGHT_CUTOFFS ? &f->cutoffs
                                       : which == RT_FREIGHT_RELEASE ? &f->release
                                                                     : &f->customs;
    for (size_t i = 0; i < t->n; i++) {
        const struct rt_freight_time *r = &t->v[i];
        int32_t got;
        if (r->secs < 0 || r->secs > RT_FREIGHT_MAX_HOURS * 3600) abort();
        switch (which) {
        case RT_FREIGHT_HANDLING:
            got = rt_freight_handling(f, r->node, (enum rt_fmode)r->a,
                                      (enum rt_fmode)r->b, NULL);
            break;
        case RT_FREIGHT_CUTOFFS:
            got = rt_freight_cutoff(f, r->node, (enum rt_fmode)r->a, NULL);
            break;
        case RT_FREIGHT_RELEASE:
            got = rt_freight_release(f, r->node, (enum rt_fmode)r->a, NULL);
            break;
        default:
            /* A node row wins whatever the flags; a default row is found
             * through its own flag alone. */
            got = rt_freight_customs_dwell(f, r->node, r->node[0] ? 0 : (unsigned)r->b,
                                           (enum rt_fmode)r->a, NULL);
            break;
        }
        if (got != r->secs) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    struct rt_freight f;
    char err[640];
    enum rt_freight_file which;
    const char *name;

    if (size == 0) return 0;
    which = (enum rt_freight_file)(data[0] % RT_FREIGHT_FILE_COUNT);
    name = rt_freight_file_name(which);
    rt_freight_init(&f);
    if (rt_freight_parse(&f, which, (const char *)data + 1, size - 1, name, err,
                         sizeof(err)) != 0) {
        if (strncmp(err, name, strlen(name)) != 0) abort();
        rt_freight_free(&f);
        return 0;
    }
    if (which <= RT_FREIGHT_CUSTOMS) check_times(&f, which);
    for (int m = 0; m < RT_FMODE_COUNT; m++) {
        double c = rt_freight_cost(&f, (enum rt_fmode)m, 1000, 500, 1, NULL);
        double k = rt_freight_factor(&f, (enum rt_fmode)m, NULL);
        if (f.tariff[m].set ? !(c >= 0 && isfinite(c)) : c != -1) abort();
        if (f.default_factor[m] >= 0 ? !(k >= 0) : k != -1) abort();
    }
    (void)rt_freight_check(&f, "tariffs.csv", 1, "emissions.csv", 1, err, sizeof(err));
    rt_freight_free(&f);
    return 0;
}
