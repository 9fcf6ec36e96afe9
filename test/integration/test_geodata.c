/* The network endpoints over HTTP, with the server started from the
 * repository root and no data option: it must load the shipped network. */
#include "harness.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void start_shipped(void) {
    h_setup();
    h_use_shipped_data();
}

TestSuite(geodata, .init = start_shipped, .fini = h_teardown, .timeout = 60);

static json_t *get_json(const char *path, long want) {
    struct h_resp r;
    json_t *j;
    h_http("GET", path, NULL, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, want);
    j = h_resp_json(&r);
    cr_assert_not_null(j, "not JSON: %.300s", r.body);
    h_resp_free(&r);
    return j;
}

Test(geodata, default_data_dir_loads_the_shipped_network) {
    json_t *j, *checks;
    h_start(NULL);
    j = get_json("/readyz", 200);
    checks = json_object_get(json_object_get(j, "checks"), "network");
    cr_assert(json_integer_value(json_object_get(checks, "nodes")) >= 70,
              "network check: %s", json_dumps(checks, 0));
    json_decref(j);
    /* one node by code, public, with its customs attributes */
    j = get_json("/v1/nodes/CNCLJ", 200);
    cr_assert_str_eq(h_jstr(j, "kind"), "river_port");
    cr_assert(fabs(json_real_value(json_object_get(j, "lat")) - 29.43) < 0.05);
    char *customs = json_dumps(json_object_get(j, "customs"), 0);
    cr_assert(customs != NULL && strstr(customs, "meat_port") != NULL, "%s", customs);
    free(customs);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

Test(geodata, nodes_filters) {
    json_t *j, *nodes;
    h_start(NULL);
    j = get_json("/v1/nodes?kind=airport", 200);
    nodes = json_object_get(j, "nodes");
    cr_assert_geq(json_array_size(nodes), 13);
    for (size_t i = 0; i < json_array_size(nodes); i++)
        cr_expect_str_eq(h_jstr(json_array_get(nodes, i), "kind"), "airport");
    json_decref(j);
    /* nearest first around Yueyang, within 60 km: Chenglingji and Sanhe */
    j = get_json("/v1/nodes?near=29.40,113.15&radius_km=60", 200);
    nodes = json_object_get(j, "nodes");
    cr_assert_geq(json_array_size(nodes), 2);
    for (size_t i = 1; i < json_array_size(nodes); i++)
        cr_expect_leq(json_real_value(json_object_get(json_array_get(nodes, i - 1), "distance_km")),
                      json_real_value(json_object_get(json_array_get(nodes, i), "distance_km")));
    json_decref(j);
    /* the same point given in CGCS2000 finds the same nodes */
    j = get_json("/v1/nodes?near=29.40,113.15&radius_km=60&crs=EPSG:4490", 200);
    cr_assert_geq(json_array_size(json_object_get(j, "nodes")), 2);
    json_decref(j);
    j = get_json("/v1/nodes?q=rotterdam", 200);
    cr_assert_geq(json_integer_value(json_object_get(j, "count")), 1);
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

Test(geodata, distance_answers_and_refuses_clearly) {
    struct h_resp r;
    json_t *j, *coords;
    h_start(NULL);
    j = get_json("/v1/distance?from=CNSHA&to=NLRTM&mode=sea", 200);
    cr_assert_gt(json_real_value(json_object_get(j, "nm")), 9000);
    coords = json_object_get(json_object_get(j, "geometry"), "coordinates");
    cr_assert_str_eq(h_jstr(json_object_get(j, "geometry"), "type"), "LineString");
    cr_assert_gt(json_array_size(coords), 20);
    json_decref(j);
    j = get_json("/v1/distance?from=CNCLJ&to=CNSHA&mode=river&out_crs=EPSG:3857", 200);
    coords = json_object_get(json_object_get(j, "geometry"), "coordinates");
    /* Web Mercator metres, not degrees */
    cr_assert_gt(fabs(json_real_value(json_array_get(json_array_get(coords, 0), 0))), 1e6);
    json_decref(j);

    h_http("GET", "/v1/distance?from=CNSHA&to=XXXXX&mode=sea", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 404, "not_found");
    cr_assert(strstr(r.body, "XXXXX") != NULL, "%s", r.body);
    h_resp_free(&r);
    h_http("GET", "/v1/distance?from=CNCLJ&to=NLRTM&mode=sea", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 422, "not_connected");
    cr_assert(strstr(r.body, "CNCLJ") != NULL, "%s", r.body);
    h_resp_free(&r);
    h_http("GET", "/v1/distance?from=CNSHA&to=NLRTM&mode=teleport", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
    h_http("GET", "/v1/distance?from=CNSHA", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 400, "bad_request");
    h_resp_free(&r);
    H_ASSERT_CLEAN_EXIT();
}

Test(geodata, lanes_are_geojson) {
    json_t *j, *features;
    h_start(NULL);
    j = get_json("/v1/lanes?mode=river", 200);
    cr_assert_str_eq(h_jstr(j, "type"), "FeatureCollection");
    features = json_object_get(j, "features");
    cr_assert_gt(json_array_size(features), 10);
    cr_assert_str_eq(h_jstr(json_object_get(json_array_get(features, 0), "properties"), "mode"),
                     "river");
    json_decref(j);
    H_ASSERT_CLEAN_EXIT();
}

Test(geodata, malformed_data_stops_start_up_with_file_and_line) {
    char dir[512], path[600];
    const char *args[] = {"--listen", "127.0.0.1:1", "--data-dir", dir, NULL};
    struct h_run_result run;
    FILE *f;
    snprintf(dir, sizeof(dir), "%s/data", h_dir());
    snprintf(path, sizeof(path), "mkdir -p %s/lanes", dir);
    cr_assert_eq(system(path), 0);
    snprintf(path, sizeof(path), "%s/nodes.csv", dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("code,kind,name_en,name_zh,lat,lon,tz,country,customs,source\n"
          "CNSHA,seaport,Shanghai,上海,31.2,121.5,Asia/Shanghai,CN,,ref\n"
          "NLRTM,seaport,Rotterdam,鹿特丹,151.9,4.1,Europe/Amsterdam,NL,,ref\n", f);
    fclose(f);
    cr_assert_eq(h_run_server_binary(args, NULL, 8000, &run), 0, "%s", h_error());
    cr_assert_eq(run.status, 2, "exit %d, stderr %s", run.status, run.err);
    cr_assert(strstr(run.err, "nodes.csv:3:") != NULL, "stderr: %s", run.err);
    cr_assert(strstr(run.err, "lat '151.9'") != NULL, "stderr: %s", run.err);
    h_run_free(&run);
}
