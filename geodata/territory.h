/* territory.h -- customs territories (geodata/data/customs_territories.csv).
 *
 * The router clears cargo once per customs territory (routing/mc.h), and a
 * customs union with no customs formalities between its members counts as
 * one territory: the EU (with Monaco), the EAEU.  The file lists only the
 * countries that belong to such a shared territory; any other country is a
 * territory of its own, named by its ISO 3166-1 alpha-2 code (CN mainland,
 * HK and MO are three territories).  docs/geodata-sources.md says which
 * unions are in the file and which are left out, and why. */
#ifndef DT_TERRITORY_H
#define DT_TERRITORY_H

#include <stddef.h>
#include <stdint.h>

#define GEO_TERRITORY_LEN 16  /* a territory name: 1..15 bytes + NUL */

struct geo_territory_row {
    char country[3];                   /* ISO 3166-1 alpha-2 */
    char territory[GEO_TERRITORY_LEN]; /* A-Z a-z 0-9 '-' '_' */
    int line;                          /* line in the file, for messages */
};

struct geo_territories {
    struct geo_territory_row *v;       /* sorted by country */
    size_t n;
    char (*names)[GEO_TERRITORY_LEN];  /* the distinct territory names of
                                        * the rows, sorted (strcmp) */
    size_t nnames;
};

/* Load the file at PATH.  0, or -1 with err = "FILE:LINE: reason" and T
 * empty (geo_territories_free is safe either way). */
int geo_territories_load(struct geo_territories *t, const char *path, char *err,
                         size_t errlen);

/* Same, over LEN bytes at BUF (tests, fuzzing); SOURCE names them in
 * messages.  BUF need not outlive the call. */
int geo_territories_parse(struct geo_territories *t, const char *buf, size_t len,
                          const char *source, char *err, size_t errlen);

void geo_territories_free(struct geo_territories *t);

/* The customs territory of COUNTRY: the name from the table when COUNTRY
 * is listed (owned by T), else COUNTRY itself (the caller's pointer).  T
 * may be NULL or empty: every country is then its own territory. */
const char *geo_territory_of(const struct geo_territories *t, const char country[3]);

/* A small number for COUNTRY's territory, as struct rt_mc_stop_in wants:
 * two countries get the same id exactly when geo_territory_of gives them
 * the same name.  Ids depend only on the table's contents (not on row
 * order) and stay the same while T stays loaded; they are NOT stable
 * across different tables, so never store them.  Listed territories get
 * 0..nnames-1 (their index in t->names); any other country
 * nnames + 26 * (c0 - 'A') + (c1 - 'A'), unless its code is itself a
 * listed territory's name, which it then shares.  All ids are below
 * t->nnames + 676.  UINT16_MAX when COUNTRY is not two upper-case letters. */
uint16_t geo_territory_id(const struct geo_territories *t, const char *country);

#endif
