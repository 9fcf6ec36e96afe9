/* scripts/feedsim/sim_model.c: the feed simulator's identifier generators
 * make numbers the carriers' own checks accept (and the corrupted ones they
 * refuse), the delay model never lets times run backwards, draws are
 * deterministic, and the Cargo-IMP date. */
#include "scripts/feedsim/sim_model.h"
#include "carriers/event.h"
#include "server/waybill.h"

#include <criterion/criterion.h>
#include <string.h>

Test(feedsim_ids, iso6346_known_and_generated) {
    char out[16], bad[16];
    static const char *owners[] = {"DTGU", "DTHU", "YYAU", "ABCJ", "XYZZ"};
    cr_assert_eq(sim_iso6346_make("CSQU", 305438, out, sizeof(out)), 0);
    cr_assert_str_eq(out, "CSQU3054383");
    cr_assert_eq(sim_iso6346_make("TCNU", 720079, out, sizeof(out)), 0);
    cr_assert_str_eq(out, "TCNU7200794");
    for (size_t o = 0; o < sizeof(owners) / sizeof(owners[0]); o++)
        for (uint32_t s = 0; s < 1000000; s += 997) {
            cr_assert_eq(sim_iso6346_make(owners[o], s, out, sizeof(out)), 0);
            cr_assert(carrier_iso6346_valid(out), "%s", out);
            cr_assert_eq(sim_iso6346_corrupt(out, bad, sizeof(bad)), 0);
            cr_assert_not(carrier_iso6346_valid(bad), "%s corrupted to %s", out, bad);
            cr_assert_eq(memcmp(out, bad, 10), 0, "only the check digit changes");
        }
    cr_assert_eq(sim_iso6346_make("DTGX", 1, out, sizeof(out)), -1, "category X");
    cr_assert_eq(sim_iso6346_make("DTGU", 1000000, out, sizeof(out)), -1, "7 digits");
    cr_assert_eq(sim_iso6346_make("DTGU", 1, out, 11), -1, "no room for the NUL");
    cr_assert_eq(sim_iso6346_check("dtgu000001"), -1);
}

Test(feedsim_ids, awb_known_and_generated) {
    char out[16], bad[16];
    cr_assert_eq(sim_awb_make(20, 1234567, out, sizeof(out)), 0);
    cr_assert_str_eq(out, "020-12345675");
    for (uint32_t s = 0; s < 10000000; s += 9973) {
        cr_assert_eq(sim_awb_make(784, s, out, sizeof(out)), 0);
        cr_assert(carrier_awb_valid(out, NULL, 0), "%s", out);
        cr_assert_eq(sim_awb_corrupt(out, bad, sizeof(bad)), 0);
        cr_assert_not(carrier_awb_valid(bad, NULL, 0), "%s corrupted to %s", out, bad);
    }
    cr_assert_eq(sim_awb_make(1000, 1, out, sizeof(out)), -1);
    cr_assert_eq(sim_awb_make(20, 10000000, out, sizeof(out)), -1);
}

Test(feedsim_ids, imo_check_digit) {
    char out[16];
    /* 9074729: 9*7 + 0*6 + 7*5 + 4*4 + 7*3 + 2*2 = 139, check 9. */
    cr_assert_eq(sim_imo_make(907472, out, sizeof(out)), 0);
    cr_assert_str_eq(out, "9074729");
    cr_assert(sim_imo_valid("9074729"));
    cr_assert_not(sim_imo_valid("9074728"));
    cr_assert_not(sim_imo_valid("907472"));
    for (uint32_t s = 900000; s < 1000000; s += 37) {
        cr_assert_eq(sim_imo_make(s, out, sizeof(out)), 0);
        cr_assert(sim_imo_valid(out), "%s", out);
    }
    cr_assert_eq(sim_imo_make(99999, out, sizeof(out)), -1);
}

/* A run of N stops with non-decreasing planned times drawn from KEY. */
static void planned_run(uint64_t key, uint32_t n, int64_t *parr, int64_t *pdep) {
    int64_t t = 1795800000;
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0) t += (int64_t)(sim_hash(7, key, i, 0) % (3 * 86400));
        parr[i] = t;
        /* Dwell at intermediate stops only; none at either end. */
        if (i > 0 && i + 1 < n) t += (int64_t)(sim_hash(7, key, i, 1) % 86400);
        pdep[i] = t;
    }
}

Test(feedsim_delay, times_never_run_backwards) {
    int64_t parr[20], pdep[20], earr[20], edep[20];
    int delayed = 0;
    for (uint64_t key = 0; key < 5000; key++) {
        uint32_t n = 2 + (uint32_t)(key % 19);
        struct sim_delay d;
        planned_run(key, n, parr, pdep);
        sim_delay_pick(42, key, 0.3, n, &d);
        sim_delay_apply(parr, pdep, n, &d, earr, edep);
        if (d.seconds) {
            delayed++;
            cr_assert(d.seconds >= SIM_DELAY_MIN_S && d.seconds <= SIM_DELAY_MAX_S);
            cr_assert(d.stop >= 0 && (uint32_t)d.stop < n);
        } else {
            cr_assert_eq(d.stop, -1);
        }
        for (uint32_t i = 0; i < n; i++) {
            cr_assert(earr[i] >= parr[i] && edep[i] >= pdep[i], "key %llu stop %u",
                      (unsigned long long)key, i);
            cr_assert(edep[i] >= earr[i], "departs before arriving: key %llu stop %u",
                      (unsigned long long)key, i);
            if (i) cr_assert(earr[i] >= edep[i - 1], "runs backwards: key %llu stop %u",
                             (unsigned long long)key, i);
            /* The delay carries forward unchanged from its stop. */
            int64_t want_dep = d.seconds && (int32_t)i >= d.stop ? d.seconds : 0;
            int64_t want_arr = d.seconds && i > 0 && (int32_t)i >= d.stop ? d.seconds : 0;
            cr_assert_eq(edep[i] - pdep[i], want_dep, "key %llu stop %u",
                         (unsigned long long)key, i);
            cr_assert_eq(earr[i] - parr[i], want_arr, "key %llu stop %u",
                         (unsigned long long)key, i);
        }
    }
    /* 30 % of 5000 runs, within a wide margin. */
    cr_assert(delayed > 1300 && delayed < 1700, "%d delayed", delayed);
}

Test(feedsim_delay, clamps_an_unsorted_plan) {
    /* A plan whose second stop is timed before the first departure (bad
     * data): the estimate still never runs backwards. */
    int64_t parr[3] = {1000, 900, 5000}, pdep[3] = {1000, 950, 5000};
    int64_t earr[3], edep[3];
    struct sim_delay d = {0, 3600};
    sim_delay_apply(parr, pdep, 3, &d, earr, edep);
    cr_assert_eq(edep[0], 4600);
    cr_assert_eq(earr[1], 4600);
    cr_assert_eq(edep[1], 4600);
    cr_assert_eq(earr[2], 8600);
}

Test(feedsim_delay, deterministic_and_probability_bounds) {
    struct sim_delay a, b;
    sim_delay_pick(1, 99, 0.5, 6, &a);
    sim_delay_pick(1, 99, 0.5, 6, &b);
    cr_assert(a.stop == b.stop && a.seconds == b.seconds);
    for (uint64_t k = 0; k < 500; k++) {
        sim_delay_pick(3, k, 0.0, 6, &a);
        cr_assert_eq(a.seconds, 0);
        sim_delay_pick(3, k, 1.0, 6, &a);
        cr_assert_neq(a.seconds, 0);
        sim_delay_pick(3, k, 1.0, 1, &a);
        cr_assert_eq(a.seconds, 0, "a one-stop run has nowhere to be late");
    }
}

Test(feedsim_bad, malformed_rate_and_kinds) {
    enum sim_bad kinds[] = {SIM_BAD_AWB, SIM_BAD_TRUNCATED};
    int n = 0;
    for (uint64_t k = 0; k < 100000; k++) {
        enum sim_bad b = sim_bad_pick(5, k, 0.02, kinds, 2);
        if (b != SIM_BAD_NONE) {
            n++;
            cr_assert(b == SIM_BAD_AWB || b == SIM_BAD_TRUNCATED);
        }
        cr_assert_eq(sim_bad_pick(5, k, 0.02, kinds, 2), b, "deterministic");
    }
    cr_assert(n > 1700 && n < 2300, "%d of 100000 at 2%%", n);
    cr_assert_eq(sim_bad_pick(5, 1, 1.0, kinds, 0), SIM_BAD_NONE);
    cr_assert_eq(sim_bad_pick(5, 1, 0.0, kinds, 2), SIM_BAD_NONE);
    cr_assert_neq(sim_bad_pick(5, 1, 1.0, kinds, 2), SIM_BAD_NONE);
}

Test(feedsim_fsu, date) {
    char out[16];
    sim_fsu_date(1795800000, 1, out, sizeof(out)); /* 2026-11-27T17:20Z */
    cr_assert_str_eq(out, "27NOV1720");
    sim_fsu_date(1798949100, 1, out, sizeof(out)); /* 2027-01-03T04:05Z */
    cr_assert_str_eq(out, "03JAN0405");
    sim_fsu_date(1798949100, 0, out, sizeof(out));
    cr_assert_str_eq(out, "03JAN");
}

Test(feedsim_hash, stable_values) {
    /* Pinned so that a change to the draws, which changes every event id
     * the simulator serves, is noticed. */
    cr_assert_eq(sim_hash_str(""), 0xcbf29ce484222325ULL);
    cr_assert_eq(sim_hash_str("a"), 0xaf63dc4c8601ec8cULL);
    cr_assert_eq(sim_hash(1, 2, 3, 4), sim_hash(1, 2, 3, 4));
    cr_assert_neq(sim_hash(1, 2, 3, 4), sim_hash(2, 2, 3, 4));
    cr_assert(sim_unit(UINT64_MAX) < 1.0);
    cr_assert_eq(sim_unit(0), 0.0);
}

/* ---- waybill parties ---- */

/* A POST /v1/waybills body around shipper S and consignee C, parsed by the
 * server's own rules (server/waybill.c): 0 when accepted. */
static int parties_accepted(const struct sim_party *s, const struct sim_party *c,
                            struct wb_error *e) {
    struct waybill w;
    struct wb_booking b;
    json_t *body = json_pack(
        "{s:s, s:s, s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, s:s, s:s, s:{s:i, s:f},"
        " s:s, s:s}",
        "number", "HNPO1234567890", "type", "bl", "shipper", "name", s->name, "phone", s->phone,
        "address", s->address, "consignee", "name", c->name, "phone", c->phone, "address",
        c->address, "account", "demo-consignee", "origin", "CNCLJ", "destination", "DEHAM",
        "cargo", "pieces", 1, "weight_kg", 10.0, "departure", "2026-11-27T08:00:00Z", "book",
        "fastest");
    int rc;
    cr_assert_not_null(body);
    memset(e, 0, sizeof(*e));
    rc = waybill_parse(body, &w, &b, NULL, NULL, e);
    json_decref(body);
    return rc;
}

Test(feedsim_parties, shapes_and_rules) {
    struct sim_party p, q;
    struct wb_error e;
    static const char *const countries[] = {"CN", "HK", "DE", "NL", "PL", "KZ", "US", "EG", "",
                                            NULL};
    int chinese = 0, latin = 0;

    sim_party_make(42, "CN", 0, &p);
    sim_party_make(42, "CN", 0, &q);
    cr_assert_eq(memcmp(&p, &q, sizeof(p)), 0, "deterministic");
    cr_assert_eq(strncmp(p.phone, "+86 1", 5), 0, "a Chinese mobile: %s", p.phone);
    sim_party_make(42, "CN", 1, &p);
    cr_assert_not_null(strstr(p.name, "有限公司"), "a Chinese company: %s", p.name);
    sim_party_make(42, "DE", 1, &p);
    cr_assert_not_null(strstr(p.name, "GmbH"), "a German company: %s", p.name);
    cr_assert_eq(strncmp(p.phone, "+49 ", 4), 0, "%s", p.phone);
    cr_assert_not_null(strstr(p.address, "Duisburg"), "%s", p.address);
    sim_party_make(42, "HK", 0, &p);
    cr_assert_eq(strncmp(p.phone, "+852 ", 5), 0, "%s", p.phone);
    sim_party_make(42, NULL, 0, &p);
    cr_assert_eq(strncmp(p.phone, "+44 ", 4), 0, "the fallback place: %s", p.phone);

    /* Every draw passes the server's party rules, names included. */
    for (uint64_t h = 0; h < 400; h++)
        for (size_t k = 0; k < sizeof(countries) / sizeof(countries[0]); k++) {
            sim_party_make(sim_hash(1, h, k, 0), countries[k], (int)(h & 1), &p);
            sim_party_make(sim_hash(2, h, k, 0), countries[k], (int)(h >> 1 & 1), &q);
            cr_assert_eq(parties_accepted(&p, &q, &e), 0, "%s: %s (%s / %s / %s)", e.field,
                         e.reason, p.name, p.phone, p.address);
            if ((unsigned char)p.name[0] >= 0x80) chinese++;
            else latin++;
        }
    cr_assert_gt(chinese, 0);
    cr_assert_gt(latin, 0);
}

/* The connecting-waybill rule: the server (server/waybills.c compute)
 * flags a connection when arrival + handling > next departure, so a
 * booking holds on the plan when planned + H <= dep2 and breaks with the
 * delay when dep2 < delayed + H.  With a range of H (water: river or sea)
 * it must hold for the largest and break for the smallest. */
Test(feedsim_conn, breaks_exactly_at_the_server_rule) {
    const int64_t arr = 1000000, H = 4 * 3600, delay = 3 * 3600;
    /* Edges: just making it on the plan, just missing it with the delay. */
    cr_assert_eq(sim_conn_breaks(arr, arr + delay, H, H, arr + H), 1);
    cr_assert_eq(sim_conn_breaks(arr, arr + delay, H, H, arr + H - 1), 0,
                 "already missed on the plan");
    cr_assert_eq(sim_conn_breaks(arr, arr + delay, H, H, arr + delay + H - 1), 1);
    cr_assert_eq(sim_conn_breaks(arr, arr + delay, H, H, arr + delay + H), 0,
                 "still made with the delay");
    cr_assert_eq(sim_conn_breaks(arr, arr, H, H, arr + H), 0, "no delay, nothing breaks");
    /* Sea 24 h vs river 12 h: the window shrinks to [arr+24h, arr+delay+12h). */
    cr_assert_eq(sim_conn_breaks(arr, arr + 13 * 3600, 12 * 3600, 24 * 3600, arr + 24 * 3600), 1);
    cr_assert_eq(sim_conn_breaks(arr, arr + 13 * 3600, 12 * 3600, 24 * 3600,
                                 arr + 24 * 3600 - 1), 0, "a sea handling would miss it");
    cr_assert_eq(sim_conn_breaks(arr, arr + 13 * 3600, 12 * 3600, 24 * 3600, arr + 25 * 3600),
                 0, "a river handling would still make it");
    cr_assert_eq(sim_conn_breaks(arr, arr + 12 * 3600, 12 * 3600, 24 * 3600, arr + 24 * 3600),
                 0, "delay no longer than the spread: no safe departure");
    /* Zero handling (no row) and nonsense ranges. */
    cr_assert_eq(sim_conn_breaks(arr, arr + 60, 0, 0, arr + 30), 1);
    cr_assert_eq(sim_conn_breaks(arr, arr + delay, H, H - 1, arr + H), 0, "min > max");
    cr_assert_eq(sim_conn_breaks(arr, arr + delay, -1, H, arr + H), 0, "negative");
}
