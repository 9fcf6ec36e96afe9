/* freight.h -- freight parameters of the router: minimum handling time
 * between modes at a terminal, cargo cut-off before departure, release
 * after arrival, customs clearance dwell, tariffs and emission factors.
 *
 * All of it is data (the CSV files of geodata/freight/, see
 * docs/freight-parameters.md), loaded once and read-only afterwards; a query may
 * override any value through struct rt_freight_override.  Pure C: no I/O beyond reading
 * the files, no libevent or hiredis. */
#ifndef DT_FREIGHT_H
#define DT_FREIGHT_H

#include "routing/timetable.h"

#include <stddef.h>
#include <stdint.h>

/* The five freight modes.  enum rt_mode (GTFS route_type) has one WATER
 * mode for sea and river alike; rt_fmode_from_rt_mode says which. */
enum rt_fmode {
    RT_FMODE_SEA,
    RT_FMODE_RIVER,
    RT_FMODE_RAIL,
    RT_FMODE_AIR,
    RT_FMODE_ROAD,
    RT_FMODE_COUNT
};

/* The data files of a freight directory, in load order. */
enum rt_freight_file {
    RT_FREIGHT_HANDLING,  /* handling.csv */
    RT_FREIGHT_CUTOFFS,   /* cutoffs.csv */
    RT_FREIGHT_RELEASE,   /* release.csv */
    RT_FREIGHT_CUSTOMS,   /* customs.csv */
    RT_FREIGHT_TARIFFS,   /* tariffs.csv */
    RT_FREIGHT_EMISSIONS, /* emissions.csv */
    RT_FREIGHT_FILE_COUNT
};

#define RT_FREIGHT_CODE_LEN 16    /* node codes, as in geodata/nodes.h */
#define RT_FREIGHT_VARIANT_LEN 40 /* emission factor variant names */
#define RT_FREIGHT_MAX_HOURS 2160 /* 90 days: longest time value accepted */

/* One time row.  NODE is "" for the default.  A and B depend on the file:
 * handling: from and to mode; cutoffs, release: mode, B = -1; customs:
 * mode and the customs flag the default applies to (CUSTOMS_BORDER or
 * CUSTOMS_PORT_OF_ENTRY; 0 for a node row). */
struct rt_freight_time {
    char node[RT_FREIGHT_CODE_LEN];
    int8_t a;
    int32_t b;
    int32_t secs;
    int line; /* line in its file, for messages */
};

struct rt_freight_times {
    struct rt_freight_time *v;
    size_t n, cap;
};

/* A leg of mode M costs
 *   per_shipment_usd + TEU * (per_teu_usd + per_teu_km_usd * km)   when
 *   the query gives TEU > 0 and the mode has TEU rates, otherwise
 *   per_shipment_usd + kg * (per_kg_usd + per_kg_km_usd * km). */
struct rt_freight_tariff {
    int set; /* row present (data), or override in force */
    int has_teu;
    double per_shipment_usd, per_kg_usd, per_kg_km_usd, per_teu_usd, per_teu_km_usd;
};

struct rt_freight_factor {
    int8_t mode;
    int is_default;
    char variant[RT_FREIGHT_VARIANT_LEN];
    double kg_per_tkm; /* kg CO2e per tonne-km, well-to-wheel */
    int line;
};

struct rt_freight {
    struct rt_freight_times handling, cutoffs, release, customs;
    struct rt_freight_tariff tariff[RT_FMODE_COUNT];
    int tariff_line[RT_FMODE_COUNT];
    struct rt_freight_factor *factors;
    size_t nfactors, capfactors;
    int default_factor[RT_FMODE_COUNT]; /* index into factors, or -1 */
};

/* Per-query overrides.  A negative time or factor means "from the data";
 * tariff[m].set = 0 likewise.  rt_freight_override_init sets all unset. */
struct rt_freight_override {
    int32_t handling_s[RT_FMODE_COUNT][RT_FMODE_COUNT]; /* [from][to] */
    int32_t cutoff_s[RT_FMODE_COUNT];
    int32_t release_s[RT_FMODE_COUNT];
    int32_t customs_s[RT_FMODE_COUNT];
    double kg_co2e_per_tkm[RT_FMODE_COUNT];
    struct rt_freight_tariff tariff[RT_FMODE_COUNT];
};

const char *rt_fmode_name(enum rt_fmode m); /* "sea", ..., "unknown" */
int rt_fmode_parse(const char *s);          /* enum rt_fmode, or -1 */

/* The freight mode of a timetable mode.  WATER is SEA when SEA_GOING is
 * non-zero (the caller decides, e.g. a leg touching a seaport), RIVER
 * otherwise.  -1 for RT_MODE_OTHER and anything out of range. */
int rt_fmode_from_rt_mode(enum rt_mode m, int sea_going);

const char *rt_freight_file_name(enum rt_freight_file which); /* "handling.csv" */

/* Load the six files of directory DIR into F.  0, or -1 with err =
 * "FILE:LINE: reason" (FILE is the path as opened) and F left empty.
 * Free F with rt_freight_free either way. */
int rt_freight_load(struct rt_freight *f, const char *dir, char *err, size_t errlen);

/* The same, one file at a time over bytes in memory (tests, fuzzing):
 * rt_freight_init, then rt_freight_parse for each file (SOURCE names the
 * bytes in messages), then rt_freight_check for completeness.  Each
 * returns 0, or -1 with err set; F stays valid for rt_freight_free. */
void rt_freight_init(struct rt_freight *f);
int rt_freight_parse(struct rt_freight *f, enum rt_freight_file which, const char *buf,
                     size_t len, const char *source, char *err, size_t errlen);
/* Every mode has a tariff and a default emission factor.  The message
 * names the file and the line where it ends ("emissions.csv:9: ..."): the
 * caller passes both, as the file is gone by now. */
int rt_freight_check(const struct rt_freight *f, const char *tariffs_src,
                     int tariffs_end, const char *emissions_src, int emissions_end,
                     char *err, size_t errlen);

void rt_freight_free(struct rt_freight *f);

void rt_freight_override_init(struct rt_freight_override *o);

/* Lookups.  NODE is a node code ("" or NULL for the default only); O may
 * be NULL.  An override in O wins over any row; a node row wins over the
 * default row; no row at all means 0 (no constraint).  Times in seconds.
 * A mode out of range gives 0 (times) or -1 (money, CO2e). */

/* Minimum time from arriving by FROM to departing by TO at NODE. */
int32_t rt_freight_handling(const struct rt_freight *f, const char *node,
                            enum rt_fmode from, enum rt_fmode to,
                            const struct rt_freight_override *o);

/* Cargo must be at NODE this long before a departure of MODE. */
int32_t rt_freight_cutoff(const struct rt_freight *f, const char *node,
                          enum rt_fmode mode, const struct rt_freight_override *o);

/* Cargo is available this long after an arrival by MODE at NODE. */
int32_t rt_freight_release(const struct rt_freight *f, const char *node,
                           enum rt_fmode mode, const struct rt_freight_override *o);

/* Customs clearance dwell when cargo arriving by MODE clears at NODE, whose
 * geodata customs flags are CUSTOMS_FLAGS (enum geo_customs).  A node row
 * wins; otherwise the larger of the border and port_of_entry defaults the
 * flags select; 0 when the node has neither flag.  Whether cargo clears
 * here (first port of entry of a customs territory) is the router's call. */
int32_t rt_freight_customs_dwell(const struct rt_freight *f, const char *node,
                                 unsigned customs_flags, enum rt_fmode mode,
                                 const struct rt_freight_override *o);

/* Tariff of a leg in USD (formula at struct rt_freight_tariff); -1 when
 * an argument is negative or not finite, or the mode has no tariff. */
double rt_freight_cost(const struct rt_freight *f, enum rt_fmode mode,
                       double distance_km, double weight_kg, double teu,
                       const struct rt_freight_override *o);

/* kg CO2e per tonne-km of MODE (the default variant, or the override);
 * -1 when there is none. */
double rt_freight_factor(const struct rt_freight *f, enum rt_fmode mode,
                         const struct rt_freight_override *o);

/* kg CO2e per tonne-km of variant VARIANT of MODE (e.g. "electric"); -1. */
double rt_freight_factor_variant(const struct rt_freight *f, enum rt_fmode mode,
                                 const char *variant);

/* factor x distance_km x weight_kg / 1000; -1 as rt_freight_cost. */
double rt_freight_co2e_kg(const struct rt_freight *f, enum rt_fmode mode,
                          double distance_km, double weight_kg,
                          const struct rt_freight_override *o);

#endif
