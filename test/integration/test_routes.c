/* GET /v1/routes over the shipped timetable and network, over HTTP. */
#include "harness.h"

#include <criterion/criterion.h>
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

/* arrive_by: the latest departure that still arrives in time; window:
 * every Pareto-optimal departure, each later one arriving later. */
Test(routes, latest_departure_and_window) {
    struct h_resp r;
    json_t *j, *its;
    const char *prev_dep = "", *prev_arr = "";
    h_start(NULL);
    h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&arrive_by=2027-01-15T00:00:00%2B01:00",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    its = json_object_get(j, "itineraries");
    cr_assert_eq(json_array_size(its), 1, "%.300s", r.body);
    /* same offset, so the strings compare as times */
    cr_assert(strcmp(h_jstr(json_array_get(its, 0), "arrival"), "2027-01-15T00:00:00+01:00") <= 0,
              "%s", h_jstr(json_array_get(its, 0), "arrival"));
    json_decref(j);
    h_resp_free(&r);

    h_http("GET", "/v1/routes?from=CNCSX-XN&to=DEDUI&depart=2026-12-01T00:00:00%2B08:00&window=P14D",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    its = json_object_get(j, "itineraries");
    cr_assert_geq(json_array_size(its), 2, "%.300s", r.body);
    for (size_t i = 0; i < json_array_size(its); i++) {
        const char *d = h_jstr(json_array_get(its, i), "departure");
        const char *a = h_jstr(json_array_get(its, i), "arrival");
        cr_expect(strcmp(d, prev_dep) > 0 && strcmp(a, prev_arr) > 0,
                  "itinerary %zu (%s -> %s) is not after (%s -> %s)", i, d, a, prev_dep, prev_arr);
        prev_dep = d;
        prev_arr = a;
    }
    json_decref(j);
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
    h_http("GET", "/v1/routes?from=CNCLJ&to=HKHKG&depart=2026-12-01T00:00:00Z&modes=rail",
           h_admin_key(), NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 501, "not_implemented");
    h_resp_free(&r);
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
