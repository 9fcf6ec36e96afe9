/* test_waybills_sim.c -- waybills end to end with the carrier feed
 * simulator, as `make run` wires them: bin/dongting-feedsim hands out
 * ready POST /v1/waybills bodies (GET /sim/waybills), a forwarder books
 * them, then the server pulls the five feeds and the carriers' events reach
 * the waybills by their numbers, containers and runs.  Checks that every
 * body is accepted, that the waybills get timelines naming their own
 * numbers and a status, and that a delay the simulator reports moves the
 * ETA of a waybill on the delayed run, and that a connecting waybill
 * (two legs) whose first run's delay is known is at risk with proposals.
 *
 * The simulated clock stands still (--speed 0): the feeds serve the same
 * bodies on every pull, so once each feed has been pulled the server knows
 * everything the carriers will ever say in this test, and /sim/truth is the
 * exact answer to compare with. */
#include "harness.h"

#include "geodata/timefmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void start_shipped(void) {
    h_setup();
    h_use_shipped_data();
}

TestSuite(waybills_sim, .init = start_shipped, .fini = h_teardown, .timeout = 90);

static const char *const feeds[][3] = {
    {"chenglingji", "dcsa-tnt", "/dcsa/v2/events?limit=1000"},
    {"sanhe", "iata-cargo-imp", "/iata/cargo-imp"},
    {"sanhe-1r", "one-record", "/one-record/events"},
    {"rail", "rail-events", "/rail/events"},
    {"rail-rt", "gtfs-rt", "/gtfs-rt/trip-updates"},
};
#define NFEEDS (sizeof(feeds) / sizeof(feeds[0]))
#define NSEED 10

static json_t *sim_json(int sim, const char *path, struct h_resp *keep) {
    struct h_resp r;
    json_t *j;
    cr_assert_eq(h_http_port(sim, "GET", path, NULL, NULL, NULL, 10000, &r), 0);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    if (keep) *keep = r;
    else h_resp_free(&r);
    return j;
}

static json_t *get_json(const char *path, const char *bearer) {
    struct h_resp r;
    json_t *j;
    h_http("GET", path, bearer, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    j = h_resp_json(&r);
    h_resp_free(&r);
    cr_assert_not_null(j, "GET %s: not JSON", path);
    return j;
}

static int64_t iso(const char *s) {
    int64_t t = 0;
    char why[100];
    cr_assert_eq(time_parse_iso8601(s, &t, why, sizeof(why)), 0, "'%s': %s", s, why);
    return t;
}

/* How many feeds have pulled at least once with no failure, from
 * /v1/feeds. */
static int feeds_pulled(void) {
    json_t *all = get_json("/v1/feeds", h_admin_key()), *f;
    size_t i;
    int n = 0;
    json_array_foreach(json_object_get(all, "feeds"), i, f)
        if (json_integer_value(json_object_get(f, "accepted")) > 0) n++;
    json_decref(all);
    return n;
}

/* The truth's consignment whose document number is NUMBER, or NULL. */
/* Restart the server pulling the simulator's five feeds (on port SIM)
 * every second, and wait until each has delivered once. */
static void restart_pulling(int sim) {
    char conf[4096], path[600];
    const char *args[3];
    size_t off = 0;
    cr_assert_eq(h_server_stop(SIGTERM, H_STOP_DEADLINE_MS), 0, "%s", h_error());
    for (size_t i = 0; i < NFEEDS; i++)
        off += (size_t)snprintf(conf + off, sizeof(conf) - off,
                                "feed.%s.format = %s\nfeed.%s.url = http://127.0.0.1:%d%s\n"
                                "feed.%s.interval = 1\n",
                                feeds[i][0], feeds[i][1], feeds[i][0], sim, feeds[i][2],
                                feeds[i][0]);
    cr_assert_eq(h_write_file("dongting.conf", conf, path, sizeof(path)), 0);
    args[0] = "--config";
    args[1] = path;
    args[2] = NULL;
    cr_assert_eq(h_server_start(args), 0, "%s", h_error());
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    for (int i = 0; i < 150 && feeds_pulled() < (int)NFEEDS; i++) h_sleep_ms(100);
    cr_assert_eq(feeds_pulled(), (int)NFEEDS, "not every feed delivered");
}

static json_t *truth_of(json_t *truth, const char *number) {
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(truth, "consignments"), i, c) {
        const char *doc = json_string_value(json_object_get(c, "bl"));
        if (!doc) doc = json_string_value(json_object_get(c, "awb"));
        if (!doc) doc = json_string_value(json_object_get(c, "consignment_note"));
        if (doc && strcmp(doc, number) == 0) return c;
    }
    return NULL;
}

/* Does any event of the timeline EVENTS name NUMBER or CONTAINER (may be
 * NULL) among its references? */
static int names_it(json_t *events, const char *number, const char *container) {
    json_t *e;
    size_t i;
    json_array_foreach(events, i, e) {
        const char *k;
        json_t *vals;
        json_object_foreach(json_object_get(e, "refs"), k, vals) {
            json_t *v;
            size_t m;
            json_array_foreach(vals, m, v) {
                const char *s = json_string_value(v);
                if (s && (strcmp(s, number) == 0 || (container && strcmp(s, container) == 0)))
                    return 1;
            }
        }
    }
    return 0;
}

Test(waybills_sim, simulator_waybills_get_events_and_delayed_etas) {
    /* 2026-11-20 noon: runs of the last two days are under way or done,
     * some delays are known, others are not yet. */
    const char *sim_args[] = {"--start", "2026-11-20T12:00:00Z", "--speed", "0",
                              "--seed", "7", "--malformed", "0", NULL};
    char fwd[160], id[64];
    int sim, n = 0, created = 0, with_events = 0, naming = 0, with_status = 0;
    char numbers[NSEED + 1][64];
    char p[200];
    char delayed[64] = "";
    json_t *truth;
    struct h_resp wr;
    char *line, *next;

    sim = h_feedsim_start(sim_args);
    cr_assert(sim > 0, "%s", h_error());

    /* Books first, carriers afterwards: a server without feeds takes the
     * waybills, then one that pulls the simulator every second. */
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"demo\",\"name\":\"f\"}", id,
                              sizeof(id), fwd, sizeof(fwd)), 0, "%s", h_error());

    truth = sim_json(sim, "/sim/truth", NULL);
    cr_assert_not_null(truth);

    /* The first NSEED bodies, and one more: the first (in the list's
     * order) whose run's delay of three hours or more is known by now and
     * which has not arrived, so that the delay shows in its ETA. */
    {
        struct h_resp r;
        char ctype[64];
        cr_assert_eq(h_http_port(sim, "GET", "/sim/waybills?limit=1000&connecting=0", NULL,
                                 NULL, NULL, 10000, &r), 0);
        H_ASSERT_STATUS(&r, 200);
        cr_assert_eq(h_resp_header(&r, "Content-Type", ctype, sizeof(ctype)), 0);
        cr_assert_str_eq(ctype, "application/x-ndjson");
        wr = r;
    }
    for (line = wr.body; line && *line && n <= NSEED; line = next) {
        json_t *body, *tc;
        const char *num;
        int take;
        struct h_resp r;
        if ((next = strchr(line, '\n')) != NULL) *next++ = '\0';
        body = json_loads(line, 0, NULL);
        cr_assert_not_null(body, "not a JSON line: %.200s", line);
        num = h_jstr(body, "number");
        tc = truth_of(truth, num);
        cr_assert_not_null(tc, "%s is not in /sim/truth", num);
        take = n < NSEED;
        if (!take && !delayed[0] && json_is_true(json_object_get(tc, "delay_known")) &&
            !json_is_true(json_object_get(tc, "arrived")) &&
            json_integer_value(json_object_get(tc, "delay_s")) >= 3 * 3600) {
            take = 1;
            snprintf(delayed, sizeof(delayed), "%.60s", num);
        }
        if (take) {
            h_http("POST", "/v1/waybills", fwd, line, NULL, &r);
            H_ASSERT_STATUS(&r, 201);
            h_resp_free(&r);
            snprintf(numbers[n++], sizeof(numbers[0]), "%.60s", num);
            created++;
        }
        json_decref(body);
    }
    h_resp_free(&wr);
    cr_assert_eq(created, NSEED + 1, "%d waybills created", created);
    cr_assert(delayed[0], "no delayed consignment in the simulator's list");

    /* Now the carriers: restart pulling the five feeds every second. */
    restart_pulling(sim);
    /* Two more pull cycles: events of a body are linked to waybills before
     * the next pull, and the clock stands still. */
    h_sleep_ms(2500);

    /* The forwarder's list holds them all. */
    {
        json_t *list = get_json("/v1/waybills?limit=200", fwd);
        cr_assert_eq(json_array_size(json_object_get(list, "waybills")), (size_t)(NSEED + 1));
        json_decref(list);
    }

    /* Timelines: carrier events naming the waybill's own number or
     * container, and a status from them. */
    for (int i = 0; i < n; i++) {
        json_t *w, *tl, *c = truth_of(truth, numbers[i]);
        const char *cont = json_string_value(json_object_get(c, "container"));
        snprintf(p, sizeof(p), "/v1/waybills/%.63s/events?limit=500", numbers[i]);
        tl = get_json(p, fwd);
        if (json_array_size(json_object_get(tl, "events")) > 0) with_events++;
        if (names_it(json_object_get(tl, "events"), numbers[i], cont)) naming++;
        else cr_log_warn("%s: no event names it", numbers[i]);
        json_decref(tl);
        snprintf(p, sizeof(p), "/v1/waybills/%.63s", numbers[i]);
        w = get_json(p, fwd);
        if (json_is_string(json_object_get(json_object_get(w, "tracking"), "status")))
            with_status++;
        json_decref(w);
    }
    /* Every seeded consignment is under way or about to leave (the list
     * puts those first), so each has at least its plan or an actual event
     * in a feed; all must have arrived. */
    cr_assert_eq(with_events, n, "%d of %d waybills have events", with_events, n);
    cr_assert_eq(naming, n, "%d of %d timelines name their waybill", naming, n);
    cr_assert_geq(with_status, n - 2, "%d of %d waybills have a status", with_status, n);
    cr_log_info("%d waybills: %d with events, %d named by them, %d with a status", n,
                with_events, naming, with_status);

    /* The delayed one: its ETA is the simulator's current ETA.  The server
     * takes the carrier's estimate at the destination (an EST arrival, or
     * for DCSA possibly the EST discharge, which the simulator puts up to
     * two hours after the arrival) or the GTFS-RT arrival (exactly the
     * delayed arrival), so the ETA lies in [current_eta, current_eta + 2 h]:
     * with a delay of three hours or more that window excludes the plan. */
    {
        json_t *c = truth_of(truth, delayed), *w, *tr;
        int64_t cur = iso(h_jstr(c, "current_eta")), plan = iso(h_jstr(c, "planned_eta"));
        int64_t eta;
        snprintf(p, sizeof(p), "/v1/waybills/%s", delayed);
        w = get_json(p, fwd);
        tr = json_object_get(w, "tracking");
        eta = iso(h_jstr(tr, "eta"));
        cr_assert_neq(strcmp(h_jstr(tr, "eta_source"), "scheduled"), 0,
                      "%s: the ETA is still the timetable's (%s)", delayed, h_jstr(tr, "eta"));
        cr_assert(eta >= cur && eta <= cur + 7200,
                  "%s: ETA %s (%s) vs the simulator's %s (planned %s, delay %lld s)", delayed,
                  h_jstr(tr, "eta"), h_jstr(tr, "eta_source"), h_jstr(c, "current_eta"),
                  h_jstr(c, "planned_eta"),
                  (long long)json_integer_value(json_object_get(c, "delay_s")));
        cr_assert_geq(eta - plan, 3 * 3600, "the delay shows");
        cr_log_info("%s: ETA %s (%s), simulator %s, planned %s", delayed, h_jstr(tr, "eta"),
                    h_jstr(tr, "eta_source"), h_jstr(c, "current_eta"), h_jstr(c, "planned_eta"));
        json_decref(w);
    }
    json_decref(truth);
    H_ASSERT_CLEAN_EXIT();
}

/* Is the delay of run RUN_ID ("TRIP:YYYY-MM-DD") known in TRUTH?  1 or 0;
 * -1 when no consignment of the truth is on that run. */
static int delay_known(json_t *truth, const char *run_id) {
    json_t *c;
    size_t i;
    const char *colon = strrchr(run_id, ':');
    char trip[80], date[9];
    cr_assert(colon && strlen(colon) == 11, "run_id '%s'", run_id);
    snprintf(trip, sizeof(trip), "%.*s", (int)(colon - run_id), run_id);
    snprintf(date, sizeof(date), "%.4s%.2s%.2s", colon + 1, colon + 6, colon + 9);
    json_array_foreach(json_object_get(truth, "consignments"), i, c)
        if (strcmp(h_jstr(c, "trip_id"), trip) == 0 && strcmp(h_jstr(c, "service_date"), date) == 0)
            return json_is_true(json_object_get(c, "delay_known"));
    return -1;
}

#define NCONN 8

/* Connecting waybills: booked on the plan, the connection holds (not at
 * risk before any feed is pulled); once the feeds are in, every one whose
 * first run's delay the simulator has published is at risk at the change,
 * with proposals, and the others are not (the clock stands still).
 * Accepting the first proposal clears the flag. */
Test(waybills_sim, connecting_waybills_turn_at_risk_with_proposals) {
    const char *sim_args[] = {"--start", "2026-11-20T12:00:00Z", "--speed", "0",
                              "--seed", "7", "--malformed", "0", NULL};
    char fwd[160], id[64], p[200];
    char numbers[NCONN][64], change[NCONN][40];
    int known[NCONN];
    int sim, n = 0, nknown = 0, nrisk = 0;
    json_t *truth;
    struct h_resp wr;
    char *line, *next;

    sim = h_feedsim_start(sim_args);
    cr_assert(sim > 0, "%s", h_error());
    h_start(NULL);
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, 8000), 0, "%s", h_error());
    cr_assert_eq(h_create_key("{\"role\":\"forwarder\",\"tenant\":\"demo\",\"name\":\"f\"}", id,
                              sizeof(id), fwd, sizeof(fwd)), 0, "%s", h_error());
    truth = sim_json(sim, "/sim/truth", NULL);
    cr_assert_not_null(truth);

    /* One ordinary body, then the connecting ones. */
    cr_assert_eq(h_http_port(sim, "GET", "/sim/waybills?limit=1&connecting=8", NULL, NULL, NULL,
                             10000, &wr), 0);
    H_ASSERT_STATUS(&wr, 200);
    for (line = wr.body; line && *line; line = next) {
        json_t *body, *legs;
        const char *num;
        struct h_resp r;
        if ((next = strchr(line, '\n')) != NULL) *next++ = '\0';
        body = json_loads(line, 0, NULL);
        cr_assert_not_null(body, "not a JSON line: %.200s", line);
        num = h_jstr(body, "number");
        if (strncmp(num, "DTCONN", 6) != 0) {
            json_decref(body);
            continue;
        }
        cr_assert_lt(n, NCONN, "more than %d connecting bodies", NCONN);
        cr_assert_str_eq(h_jstr(body, "type"), "bl");
        legs = json_object_get(json_object_get(body, "itinerary"), "legs");
        cr_assert_eq(json_array_size(legs), 2, "%s: %zu legs", num, json_array_size(legs));
        cr_assert_str_eq(h_jstr(json_array_get(legs, 0), "from"), h_jstr(body, "origin"));
        cr_assert_str_eq(h_jstr(json_array_get(legs, 1), "to"), h_jstr(body, "destination"));
        snprintf(numbers[n], sizeof(numbers[0]), "%.60s", num);
        snprintf(change[n], sizeof(change[0]), "%.38s", h_jstr(json_array_get(legs, 0), "to"));
        known[n] = delay_known(truth, h_jstr(json_array_get(legs, 0), "run_id"));
        cr_assert_neq(known[n], -1, "%s: leg 1 run %s is not in /sim/truth", num,
                      h_jstr(json_array_get(legs, 0), "run_id"));
        nknown += known[n];
        h_http("POST", "/v1/waybills", fwd, line, NULL, &r);
        H_ASSERT_STATUS(&r, 201);
        h_resp_free(&r);
        /* Booked on the plan, no feed yet: the connection holds. */
        snprintf(p, sizeof(p), "/v1/waybills/%.63s", num);
        {
            json_t *w = get_json(p, fwd);
            cr_assert(json_is_false(json_object_get(json_object_get(w, "tracking"), "at_risk")),
                      "%s at risk before any delay is known", num);
            json_decref(w);
        }
        n++;
        json_decref(body);
    }
    h_resp_free(&wr);
    /* Known and pending ones take turns, known first: 8 asked, both kinds. */
    cr_assert_eq(n, NCONN, "%d connecting bodies", n);
    cr_assert_eq(known[0], 1, "the first connecting body's delay is not known");
    cr_assert(nknown > 0 && nknown < n, "%d of %d with the delay known", nknown, n);

    restart_pulling(sim);
    h_sleep_ms(2500);

    for (int i = 0; i < n; i++) {
        json_t *w, *tr, *props;
        char want[400];
        snprintf(p, sizeof(p), "/v1/waybills/%.63s", numbers[i]);
        w = get_json(p, fwd);
        tr = json_object_get(w, "tracking");
        props = json_object_get(json_object_get(w, "proposals"), "itineraries");
        if (!known[i]) {
            cr_assert(json_is_false(json_object_get(tr, "at_risk")),
                      "%s at risk although its delay is not published yet: %s", numbers[i],
                      json_string_value(json_object_get(tr, "risk_reason")));
            json_decref(w);
            continue;
        }
        cr_assert(json_is_true(json_object_get(tr, "at_risk")), "%s not at risk", numbers[i]);
        snprintf(want, sizeof(want), "the cargo reaches %s at ", change[i]);
        cr_assert_eq(strncmp(h_jstr(tr, "risk_reason"), want, strlen(want)), 0,
                     "%s: risk_reason '%s'", numbers[i], h_jstr(tr, "risk_reason"));
        cr_assert_not_null(strstr(h_jstr(tr, "risk_reason"), "(leg 1); leg 2 departs at "),
                           "%s: risk_reason '%s'", numbers[i], h_jstr(tr, "risk_reason"));
        cr_assert_geq(json_array_size(props), 1, "%s: no proposals", numbers[i]);
        cr_assert_eq(json_integer_value(json_object_get(json_object_get(w, "proposals"),
                                                        "keep_legs")), 1);
        cr_assert_str_eq(h_jstr(json_object_get(w, "proposals"), "from"), change[i]);
        cr_log_info("%s: %s (%zu proposals)", numbers[i], h_jstr(tr, "risk_reason"),
                    json_array_size(props));
        nrisk++;
        json_decref(w);
    }
    cr_assert_eq(nrisk, nknown);

    /* Rebook the first on its first proposal: the flag goes. */
    {
        struct h_resp r;
        json_t *w;
        snprintf(p, sizeof(p), "/v1/waybills/%.63s", numbers[0]);
        h_http("PATCH", p, fwd, "{\"accept_proposal\":0}", NULL, &r);
        H_ASSERT_STATUS(&r, 200);
        h_resp_free(&r);
        w = get_json(p, fwd);
        cr_assert(json_is_false(json_object_get(json_object_get(w, "tracking"), "at_risk")),
                  "%s still at risk after accepting proposal 0", numbers[0]);
        cr_assert(json_is_null(json_object_get(w, "proposals")) ||
                      !json_object_get(w, "proposals"),
                  "%s keeps proposals", numbers[0]);
        json_decref(w);
    }
    json_decref(truth);
    H_ASSERT_CLEAN_EXIT();
}
