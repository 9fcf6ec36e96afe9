/* libFuzzer target: GET /v1/routes' query-parameter parsers
 * (server/route_params.c).  The first byte B selects the parser (the
 * digits '1' to '7' name them in the order below), the rest is the
 * parameter's value (cut at a NUL byte, as a query string cannot
 * carry one):
 *   B % 7 == 0..3  route_params_override for cutoff_h, handling_h,
 *                  release_h, customs_h;
 *   B % 7 == 4     route_params_modes;
 *   B % 7 == 5, 6  route_params_number for weight_kg (0.001..1e7) and
 *                  max_transfers (0..5).
 * Accepted values must be in range; refusals must name the parameter. */
#include "server/route_params.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) abort();                                                          \
    } while (0)

static const char *const names[] = {"cutoff_h", "handling_h", "release_h", "customs_h"};

static void check_override(const struct rt_freight_override *o) {
    const int32_t max = RT_FREIGHT_MAX_HOURS * 3600;
    for (int a = 0; a < RT_FMODE_COUNT; a++) {
        CHECK(o->cutoff_s[a] >= -1 && o->cutoff_s[a] <= max);
        CHECK(o->release_s[a] >= -1 && o->release_s[a] <= max);
        CHECK(o->customs_s[a] >= -1 && o->customs_s[a] <= max);
        for (int b = 0; b < RT_FMODE_COUNT; b++)
            CHECK(o->handling_s[a][b] >= -1 && o->handling_s[a][b] <= max);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[200], *v;
    int sel, rc;

    if (size == 0) return 0;
    sel = data[0] % 7;
    if ((v = malloc(size)) == NULL) return 0;
    memcpy(v, data + 1, size - 1);
    v[size - 1] = '\0';
    err[0] = '\0';
    if (sel < 4) {
        struct rt_freight_override o;
        rt_freight_override_init(&o);
        rc = route_params_override(names[sel], v, &o, err, sizeof(err));
        check_override(&o);
        CHECK(rc == 0 || rc == -2 ||
              (rc == -1 && strncmp(err, names[sel], strlen(names[sel])) == 0));
    } else if (sel == 4) {
        unsigned mask = 0;
        rc = route_params_modes(v, &mask, err, sizeof(err));
        CHECK(mask < (1u << RT_FMODE_COUNT));
        CHECK(rc == 0 ? mask != 0 : rc == -2 || strncmp(err, "modes: ", 7) == 0);
    } else {
        const char *name = sel == 5 ? "weight_kg" : "max_transfers";
        double lo = sel == 5 ? 0.001 : 0, hi = sel == 5 ? 1e7 : 5, d = -1;
        rc = route_params_number(name, v, lo, hi, &d, err, sizeof(err));
        CHECK(rc == 0 ? isfinite(d) && d >= lo && d <= hi
                      : d == -1 && strncmp(err, name, strlen(name)) == 0);
    }
    free(v);
    return 0;
}
