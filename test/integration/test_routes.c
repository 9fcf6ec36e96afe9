/* GET /v1/routes over the shipped timetable and network, over HTTP. */
#include "harness.h"

#include "geodata/timefmt.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void start_shipped(void) {
    h_setup();
    h_use_shipped_data();
}

TestSuite(routes, .init = start_shipped, .fini = h_teardown, .timeout = 60);

Test(routes, earliest_arrival_changsha_duisburg) {
    struct h_resp r;
    json_t *j, *it, *legs;
    h_start(NULL);
    h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&depart=2026-12-01T00:00:00%2B08:00",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    it = json_array_get(json_object_get(j, "itineraries"), 0);
    cr_assert_not_null(it, "no itinerary: %.300s", r.body);
    legs = json_object_get(it, "legs");
    cr_assert_geq(json_array_size(legs), 1);
    cr_assert_str_eq(h_jstr(json_array_get(legs, 0), "mode"), "rail");
    /* DOMAIN.md: Changsha - Duisburg about 18 days; times carry local offsets */
    cr_assert(json_integer_value(json_object_get(it, "duration_s")) > 14 * 86400 &&
                  json_integer_value(json_object_get(it, "duration_s")) < 22 * 86400,
              "%.300s", r.body);
    cr_assert(strstr(h_jstr(it, "departure"), "+08:00") != NULL, "%s", h_jstr(it, "departure"));
    cr_assert(strstr(h_jstr(it, "arrival"), "+01:00") != NULL, "%s", h_jstr(it, "arrival"));
    cr_assert_str_eq(h_jstr(json_array_get(legs, 0), "time_source"), "scheduled");
    json_decref(j);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

/* Truck drayage from geodata joins nearby terminals that no scheduled
 * service joins: Chenglingji port to the 9610 inspection centre. */
Test(routes, drayage_leg_between_nearby_terminals) {
    struct h_resp r;
    json_t *j, *leg;
    h_start(NULL);
    h_http("GET", "/v1/routes?from=CNCLJ&to=CNCLJ-9610&depart=2026-12-01T00:00:00Z",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    leg = json_array_get(json_object_get(json_array_get(json_object_get(j, "itineraries"), 0),
                                         "legs"), 0);
    cr_assert_not_null(leg, "%s", r.body);
    cr_assert_str_eq(h_jstr(leg, "mode"), "road");
    cr_assert(json_is_null(json_object_get(leg, "trip_id")), "%s", r.body);
    json_decref(j);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

/* arrive_by: the latest ready time from which the cargo is available by
 * then; window: the Pareto set over ready time and the four criteria. */
Test(routes, latest_departure_and_window) {
    struct h_resp r;
    json_t *j, *its;
    h_start(NULL);
    h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&arrive_by=2027-01-15T00:00:00%2B01:00",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    its = json_object_get(j, "itineraries");
    cr_assert_geq(json_array_size(its), 1, "%.300s", r.body);
    for (size_t i = 0; i < json_array_size(its); i++) {
        json_t *it = json_array_get(its, i);
        /* same offset, so the strings compare as times */
        cr_assert(strcmp(h_jstr(it, "available"), "2027-01-15T00:00:00+01:00") <= 0, "%s",
                  h_jstr(it, "available"));
        cr_assert(strcmp(h_jstr(it, "ready_by"), h_jstr(json_array_get(its, 0), "ready_by")) == 0,
                  "all from one latest ready time: %.400s", r.body);
    }
    json_decref(j);
    h_resp_free(&r);

    /* One minute after that latest ready time nothing makes it. */
    h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&arrive_by=2027-01-15T00:00:00%2B01:00",
           h_admin_key(), NULL, NULL, &r);
    j = h_resp_json(&r);
    {
        char path[256];
        const char *ready = h_jstr(json_array_get(json_object_get(j, "itineraries"), 0), "ready_by");
        int64_t t;
        char why[64], iso[40];
        cr_assert_eq(time_parse_iso8601(ready, &t, why, sizeof(why)), 0, "%s", ready);
        time_format_iso8601(t + 60, 0, iso, sizeof(iso));
        snprintf(path, sizeof(path), "/v1/routes?from=CNCSX-XN&to=DEDUI&depart=%s&max_transfers=7",
                 iso);
        h_resp_free(&r);
        h_http("GET", path, h_admin_key(), NULL, NULL, &r);
        H_ASSERT_STATUS(&r, 200);
        json_t *k = h_resp_json(&r);
        const char *avail = h_jstr(json_array_get(json_object_get(k, "itineraries"), 0), "available");
        cr_assert(avail == NULL || strcmp(avail, "2027-01-15T00:00:00+01:00") > 0,
                  "ready a minute later still makes it: %s", avail);
        json_decref(k);
    }
    json_decref(j);
    h_resp_free(&r);

    h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&depart=2026-12-01T00:00:00%2B08:00&window=P14D",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    its = json_object_get(j, "itineraries");
    cr_assert_geq(json_array_size(its), 2, "%.300s", r.body);
    for (size_t a = 0; a < json_array_size(its); a++) {
        json_t *x = json_array_get(its, a);
        if (a > 0)
            cr_expect(strcmp(h_jstr(json_array_get(its, a - 1), "departure"),
                             h_jstr(x, "departure")) <= 0, "not sorted by departure");
        cr_expect(strcmp(h_jstr(x, "departure"), "2026-12-15T00:00:00+08:00") <= 0,
                  "departs after the window: %s", h_jstr(x, "departure"));
        for (size_t b = 0; b < json_array_size(its); b++) {
            json_t *y = json_array_get(its, b);
            if (a == b) continue;
            /* Y dominates X: ready as late or later, available no later,
             * no more transfers, no dearer, no more CO2e. */
            int dom = strcmp(h_jstr(y, "ready_by"), h_jstr(x, "ready_by")) >= 0 &&
                      strcmp(h_jstr(y, "available"), h_jstr(x, "available")) <= 0 &&
                      json_integer_value(json_object_get(y, "transfers")) <=
                          json_integer_value(json_object_get(x, "transfers")) &&
                      json_real_value(json_object_get(y, "cost")) <=
                          json_real_value(json_object_get(x, "cost")) &&
                      json_real_value(json_object_get(y, "co2e_kg")) <=
                          json_real_value(json_object_get(x, "co2e_kg"));
            cr_expect(!dom, "itinerary %zu dominates %zu", b, a);
        }
    }
    json_decref(j);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

/* Field VALUE of every itinerary, in order, must not decrease. */
static void assert_sorted_by(const char *path, const char *field) {
    struct h_resp r;
    json_t *j, *its;
    h_http("GET", path, h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    its = json_object_get(j, "itineraries");
    cr_assert_geq(json_array_size(its), 2, "%s: %.300s", path, r.body);
    for (size_t i = 1; i < json_array_size(its); i++) {
        json_t *a = json_object_get(json_array_get(its, i - 1), field),
               *b = json_object_get(json_array_get(its, i), field);
        if (json_is_string(a))
            cr_expect(strcmp(json_string_value(a), json_string_value(b)) <= 0, "%s: %s", path,
                      field);
        else
            cr_expect(json_number_value(a) <= json_number_value(b), "%s: %s %g > %g", path, field,
                      json_number_value(a), json_number_value(b));
        cr_expect(json_number_value(json_object_get(json_array_get(its, i), "cost")) > 0);
        cr_expect(json_number_value(json_object_get(json_array_get(its, i), "co2e_kg")) > 0);
    }
    json_decref(j);
    h_resp_free(&r);
}

/* Yueyang to Los Angeles: air is fast and dear, sea slow and cheap; both
 * are in the Pareto set, and optimize= orders it. */
Test(routes, pareto_set_and_optimize) {
    h_start(NULL);
    assert_sorted_by("/v1/routes?from=CNCLJ&to=USLAX&depart=2026-12-01T08:00:00%2B08:00",
                     "available");
    assert_sorted_by("/v1/routes?from=CNCLJ&to=USLAX&depart=2026-12-01T08:00:00%2B08:00"
                     "&optimize=cost", "cost");
    assert_sorted_by("/v1/routes?from=CNCLJ&to=USLAX&depart=2026-12-01T08:00:00%2B08:00"
                     "&optimize=co2", "co2e_kg");
    H_ASSERT_CLEAN_EXIT();
}

/* Every leg of every itinerary of PATH has a mode in MODES ("rail,road"). */
static size_t count_legs_outside(const char *path, const char *modes, size_t *nits) {
    struct h_resp r;
    json_t *j, *its;
    size_t bad = 0;
    h_http("GET", path, h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    its = json_object_get(j, "itineraries");
    *nits = json_array_size(its);
    for (size_t i = 0; i < json_array_size(its); i++) {
        json_t *legs = json_object_get(json_array_get(its, i), "legs");
        for (size_t k = 0; k < json_array_size(legs); k++)
            if (!strstr(modes, h_jstr(json_array_get(legs, k), "mode"))) bad++;
    }
    json_decref(j);
    h_resp_free(&r);
    return bad;
}

Test(routes, filters) {
    size_t n;
    h_start(NULL);
    cr_assert_eq(count_legs_outside("/v1/routes?from=CNCLJ&to=DEDUI&depart=2026-12-01T08:00:00"
                                    "%2B08:00&modes=rail,road", "rail,road", &n), 0);
    cr_assert_geq(n, 1);
    /* containers do not fly */
    cr_assert_eq(count_legs_outside("/v1/routes?from=CNCLJ&to=USLAX&depart=2026-12-01T08:00:00"
                                    "%2B08:00&teu=2", "sea,river,rail,road", &n), 0);
    cr_assert_geq(n, 1);
    {
        struct h_resp r;
        h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&depart=2026-12-01T00:00:00%2B08:00"
               "&max_transfers=0", h_admin_key(), NULL, NULL, &r);
        H_ASSERT_STATUS(&r, 200);
        json_t *j = h_resp_json(&r), *its = json_object_get(j, "itineraries");
        cr_assert_geq(json_array_size(its), 1, "%.300s", r.body);
        for (size_t i = 0; i < json_array_size(its); i++)
            cr_expect_eq(json_integer_value(json_object_get(json_array_get(its, i), "transfers")), 0);
        cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "basis"),
                                                        "max_transfers")), 0);
        json_decref(j);
        h_resp_free(&r);
    }
    H_ASSERT_CLEAN_EXIT();
}

/* Freight times apply and can be overridden per query: a rail cut-off of
 * 2000 h leaves no rail journey; customs dwell shows where cargo clears. */
Test(routes, freight_times_and_overrides) {
    struct h_resp r;
    json_t *j, *its, *legs;
    size_t n;
    h_start(NULL);
    h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&depart=2026-12-01T00:00:00%2B08:00"
           "&modes=rail", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    its = json_object_get(j, "itineraries");
    cr_assert_geq(json_array_size(its), 1, "%.300s", r.body);
    legs = json_object_get(json_array_get(its, 0), "legs");
    /* Duisburg is the EU port of entry of this train: the cargo clears there. */
    cr_assert_gt(json_integer_value(json_object_get(json_array_get(legs, json_array_size(legs) - 1),
                                                    "customs_dwell_s")), 0, "%.400s", r.body);
    /* available = arrival + customs + release, later than the arrival */
    cr_assert(strcmp(h_jstr(json_array_get(its, 0), "available"),
                     h_jstr(json_array_get(its, 0), "arrival")) > 0);
    json_decref(j);
    h_resp_free(&r);
    cr_assert_eq(count_legs_outside("/v1/routes?from=CNCSX-XN&to=DEDUI&depart=2026-12-01T00:00:00"
                                    "%2B08:00&cutoff_h=rail:2000", "sea,river,air,road", &n), 0);
    h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&depart=2026-12-01T00:00:00%2B08:00"
           "&cutoff_h=rail", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    cr_assert(strstr(r.body, "cutoff_h"), "%s", r.body);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(routes, roles_and_bad_input) {
    struct h_resp r;
    char id[64], key[128];
    h_start(NULL);
    cr_assert_eq(h_create_key("{\"role\":\"customs\"}", id, sizeof(id), key, sizeof(key)), 0,
                 "%s", h_error());
    h_http("GET", "/v1/routes?from=CNCLJ&to=HKHKG&depart=2026-12-01T00:00:00Z", key, NULL,
           NULL, &r);
    H_ASSERT_ERROR(&r, 403, "forbidden");
    h_resp_free(&r);
    h_http("GET", "/v1/routes?from=CNCLJ&to=HKHKG&depart=2026-12-01T00:00:00Z", NULL, NULL,
           NULL, &r);
    H_ASSERT_ERROR(&r, 401, "unauthorized");
    h_resp_free(&r);
    h_http("GET", "/v1/routes?from=CNCLJ&to=HKHKG&depart=2026-12-01", h_admin_key(), NULL,
           NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
    h_http("GET", "/v1/routes?from=CNCLJ&to=XXNOPE&depart=2026-12-01T00:00:00Z", h_admin_key(),
           NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    h_resp_free(&r);
    static const char *const bad[] = {"modes=rocket", "optimize=fun", "max_transfers=-1",
                                      "max_transfers=1.5", "weight_kg=0", "teu=x",
                                      "handling_h=rail:5", "release_h=sea:-1", "window=P30D"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char path[160];
        snprintf(path, sizeof(path), "/v1/routes?from=CNCLJ&to=HKHKG&depart=2026-12-01T00:00:00Z&%s",
                 bad[i]);
        h_http("GET", path, h_admin_key(), NULL, NULL, &r);
        H_ASSERT_ERROR(&r, 400, "bad_request");
        /* the message names the parameter */
        char name[24];
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(bad[i], "="), bad[i]);
        cr_expect(strstr(r.body, name) != NULL, "%s: %s", bad[i], r.body);
        h_resp_free(&r);
    }
    h_http("GET", "/v1/routes?from=CNCLJ&to=HKHKG&depart=2026-12-01T00:00:00Z"
           "&arrive_by=2027-01-01T00:00:00Z", h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
    h_http("GET", "/v1/routes?from=CNCLJ&to=HKHKG&depart=2026-12-01T00:00:00Z&window=soon",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
    /* nothing connects (outside the loaded days): 200, empty list, reason */
    h_http("GET", "/v1/routes?from=CNCLJ&to=HKHKG&depart=2031-01-01T00:00:00Z",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    cr_assert(strstr(r.body, "\"itineraries\":[]") && strstr(r.body, "reason"), "%s", r.body);
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

/* A malformed freight file stops start-up with the file, the line and the
 * reason, before anything listens. */
Test(routes, malformed_freight_stops_start_up) {
    char dir[512], cmd[1400], path[600];
    const char *args[] = {"--listen", "127.0.0.1:1", "--freight", dir, NULL};
    struct h_run_result run;
    FILE *f;
    snprintf(dir, sizeof(dir), "%s/freight", h_dir());
    snprintf(cmd, sizeof(cmd), "cp -r %s/geodata/freight %s", getenv("DONGTING_SRC"), dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/cutoffs.csv", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("node,mode,cutoff_h,source\n"
          ",sea,48,ref\n"
          ",boat,24,ref\n", f);
    fclose(f);
    cr_assert_eq(h_run_server_binary(args, NULL, 20000, &run), 0, "%s", h_error());
    cr_assert_eq(run.status, 2, "exit %d, stderr %s", run.status, run.err);
    cr_assert(strstr(run.err, "cutoffs.csv:3:") != NULL, "stderr: %s", run.err);
    cr_assert(strstr(run.err, "boat") != NULL, "stderr: %s", run.err);
    h_run_free(&run);
}

/* Answers are cached in Redis (X-Cache: hit, the same body); a delay to a
 * trip inside a cached answer drops it, and the next answer shows the
 * delayed times beside the schedule. */
Test(routes, cache_hit_and_delay_invalidation) {
    static const char path[] =
        "/v1/routes?from=CNCSX-XN&to=DEDUI&depart=2026-12-01T00:00:00%2B08:00&modes=rail";
    struct h_resp a, b, c;
    char hdr[32], upd[256], trip[96], date[11], sched[40];
    json_t *j, *leg;
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());

    h_http("GET", path, h_admin_key(), NULL, NULL, &a);
    H_ASSERT_STATUS(&a, 200);
    cr_assert_eq(h_resp_header(&a, "X-Cache", hdr, sizeof(hdr)), 0);
    cr_assert_str_eq(hdr, "miss");
    h_http("GET", path, h_admin_key(), NULL, NULL, &b);
    H_ASSERT_STATUS(&b, 200);
    cr_assert_eq(h_resp_header(&b, "X-Cache", hdr, sizeof(hdr)), 0);
    cr_assert_str_eq(hdr, "hit");
    cr_assert_str_eq(b.body, a.body, "a cached answer differs from the computed one");

    j = h_resp_json(&a);
    leg = json_array_get(json_object_get(json_array_get(json_object_get(j, "itineraries"), 0),
                                         "legs"), 0);
    cr_assert_not_null(leg, "%.300s", a.body);
    snprintf(trip, sizeof(trip), "%s", h_jstr(leg, "trip_id"));
    snprintf(date, sizeof(date), "%s", h_jstr(leg, "scheduled_departure"));
    snprintf(sched, sizeof(sched), "%s", h_jstr(leg, "scheduled_departure"));
    json_decref(j);

    /* 10 h late from its first stop: the run of that service date. */
    snprintf(upd, sizeof(upd), "/v1/trips/%s/updates", trip);
    {
        char body[160];
        snprintf(body, sizeof(body),
                 "{\"date\":\"%s\",\"stops\":[{\"stop_sequence_index\":0,"
                 "\"departure_delay_s\":36000}]}", date);
        h_http("POST", upd, h_admin_key(), body, NULL, &c);
        H_ASSERT_STATUS(&c, 200);
        h_resp_free(&c);
    }

    h_http("GET", path, h_admin_key(), NULL, NULL, &c);
    H_ASSERT_STATUS(&c, 200);
    cr_assert_eq(h_resp_header(&c, "X-Cache", hdr, sizeof(hdr)), 0);
    cr_assert_str_eq(hdr, "miss", "the delay did not drop the cached answer");
    cr_assert_str_neq(c.body, a.body);
    j = h_resp_json(&c);
    {
        json_t *its = json_object_get(j, "itineraries");
        int seen = 0;
        for (size_t i = 0; i < json_array_size(its); i++) {
            json_t *l0 = json_array_get(json_object_get(json_array_get(its, i), "legs"), 0);
            if (strcmp(h_jstr(l0, "trip_id"), trip) != 0) continue;
            seen = 1;
            cr_assert_str_eq(h_jstr(l0, "scheduled_departure"), sched);
            cr_assert_str_neq(h_jstr(l0, "departure"), sched, "%.400s", c.body);
            cr_assert_str_eq(h_jstr(l0, "departure_source"), "estimated");
            cr_assert_str_eq(h_jstr(l0, "time_source"), "estimated");
        }
        /* 10 h late on an 18-day run it still beats the next day's train. */
        cr_assert(seen, "the delayed train is gone: %.300s", c.body);
    }
    json_decref(j);
    h_resp_free(&a);
    h_resp_free(&b);
    h_resp_free(&c);
    H_ASSERT_CLEAN_EXIT();
}
