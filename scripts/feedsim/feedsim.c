/* dongting-feedsim -- a carrier feed simulator for the three channels
 * (docs/feed-simulator.md).
 *
 *   bin/dongting-feedsim [--gtfs DIR] [--nodes FILE] [--freight DIR] [--port N]
 *                        [--start ISO] [--start-ago DURATION] [--speed X] [--future yes|no]
 *                        [--seed N] [--malformed P] [--delay-prob P]
 *
 * Loads the project's GTFS feed with the routing library, runs a simulated
 * clock (START + SPEED x real seconds elapsed, held at the real time unless
 * --future yes: carriers do not report from the future, and Dongting
 * refuses events created after they were received) and serves, on 127.0.0.1
 * only, what the port, rail and airport carriers would publish about the
 * runs of the timetable: DCSA TnT 2.2 events, Cargo-IMP FSU text, ONE
 * Record LogisticsEvents, the project's rail events and GTFS-Realtime
 * TripUpdates, plus the simulated clock and the truth (every consignment,
 * its plan and its current ETA) for tests.  Everything derives from the
 * seed (sim_world.h).
 *
 * Prints "feedsim listening on 127.0.0.1:PORT speed=X start=ISO" on stdout
 * once it accepts connections.  SIGINT / SIGTERM stop it; exit 0.  Exit 1
 * when the feed cannot be loaded or the port bound, 2 on bad arguments. */
#include "sim_render.h"
#include "sim_world.h"
#include "geodata/nodes.h"
#include "geodata/timefmt.h"
#include "routing/gtfs.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <sys/queue.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

struct feedsim {
    struct event_base *base;
    struct evhttp *http;
    struct rt_timetable tt;
    struct geo_nodes nodes;
    int have_nodes;
    struct rt_freight freight; /* handling times for connecting waybills */
    int have_freight;
    struct sim_world world;
    int64_t start;
    double speed;
    int future;         /* 1: the clock may pass the real time */
    struct timespec t0; /* CLOCK_MONOTONIC at start */
};

/* ---- the clock ---------------------------------------------------------------- */

static int64_t sim_now(const struct feedsim *f) {
    struct timespec ts;
    double real;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    real = (double)(ts.tv_sec - f->t0.tv_sec) + (double)(ts.tv_nsec - f->t0.tv_nsec) / 1e9;
    {
        int64_t now = f->start + (int64_t)floor(real * f->speed), wall = (int64_t)time(NULL);
        return !f->future && now > wall && f->start <= wall ? wall : now;
    }
}

/* ---- endpoints ------------------------------------------------------------------ */

typedef int (*handler_fn)(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                          struct sim_body *b);

static int h_dcsa(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                  struct sim_body *b) {
    return sim_render_dcsa(&f->world, now, evhttp_find_header(q, "limit"),
                           evhttp_find_header(q, "cursor"), b);
}

static int h_fsu(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                 struct sim_body *b) {
    (void)q;
    return sim_render_fsu(&f->world, now, b);
}

static int h_one_record(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                        struct sim_body *b) {
    (void)q;
    return sim_render_one_record(&f->world, now, b);
}

static int h_rail(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                  struct sim_body *b) {
    (void)q;
    return sim_render_rail(&f->world, now, b);
}

static int h_gtfs_rt(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                     struct sim_body *b) {
    (void)q;
    return sim_render_gtfs_rt(&f->world, now, b);
}

static int h_clock(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                   struct sim_body *b) {
    (void)q;
    return sim_render_clock(now, f->speed, b);
}

static int h_truth(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                   struct sim_body *b) {
    (void)q;
    return sim_render_truth(&f->world, now, b);
}

static int h_waybills(struct feedsim *f, int64_t now, const struct evkeyvalq *q,
                      struct sim_body *b) {
    return sim_render_waybills(&f->world, now, evhttp_find_header(q, "limit"),
                               evhttp_find_header(q, "connecting"), b);
}

/* Every endpoint, GET (and HEAD) only. */
static const struct {
    const char *path;
    handler_fn fn;
} routes[] = {
    {"/dcsa/v2/events", h_dcsa},       {"/iata/cargo-imp", h_fsu},
    {"/one-record/events", h_one_record}, {"/rail/events", h_rail},
    {"/gtfs-rt/trip-updates", h_gtfs_rt}, {"/sim/clock", h_clock},
    {"/sim/truth", h_truth},           {"/sim/waybills", h_waybills},
};

/* ---- HTTP --------------------------------------------------------------------- */

static void reply_text(struct evhttp_request *req, int status, const char *reason,
                       const char *json) {
    struct evbuffer *out = evhttp_request_get_output_buffer(req);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "application/json");
    evbuffer_add(out, json, strlen(json));
    evhttp_send_reply(req, status, reason, NULL);
}

/* 1 when the If-None-Match header lists TAG (or is "*"). */
static int etag_matches(const char *inm, const char *tag) {
    size_t n = strlen(tag);
    if (!inm) return 0;
    if (strcmp(inm, "*") == 0) return 1;
    for (const char *p = inm; (p = strstr(p, tag)) != NULL; p += n) {
        char after = p[n];
        if (after == '\0' || after == ',' || after == ' ') return 1;
    }
    return 0;
}

static void on_request(struct evhttp_request *req, void *arg) {
    struct feedsim *f = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    struct evkeyvalq q;
    struct evkeyvalq *hdrs = evhttp_request_get_output_headers(req);
    struct sim_body b;
    handler_fn fn = NULL;
    int64_t now;
    char etag[24];

    TAILQ_INIT(&q);
    memset(&b, 0, sizeof(b));
    for (size_t i = 0; path && i < sizeof(routes) / sizeof(routes[0]); i++)
        if (strcmp(path, routes[i].path) == 0) fn = routes[i].fn;
    if (!fn) {
        reply_text(req, 404, "Not Found", "{\"message\":\"no such endpoint\"}");
        return;
    }
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
        evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
        evhttp_add_header(hdrs, "Allow", "GET, HEAD");
        reply_text(req, 405, "Method Not Allowed", "{\"message\":\"GET only\"}");
        return;
    }
    if (query && evhttp_parse_query_str(query, &q) != 0) {
        reply_text(req, 400, "Bad Request", "{\"message\":\"query string: malformed\"}");
        return;
    }
    now = sim_now(f);
    if (sim_world_advance(&f->world, now) < 0 || fn(f, now, &q, &b) != 0) {
        reply_text(req, 503, "Service Unavailable", "{\"message\":\"out of memory\"}");
        goto done;
    }
    if (b.status != 200) {
        reply_text(req, b.status, "Bad Request", b.data);
        goto done;
    }
    {
        uint64_t h = b.etag_basis;
        if (!h) {
            h = 0xcbf29ce484222325ULL;
            for (size_t i = 0; i < b.len; i++) h = (h ^ (unsigned char)b.data[i]) * 0x100000001b3ULL;
        }
        snprintf(etag, sizeof(etag), "\"%016" PRIx64 "\"", h);
    }
    evhttp_add_header(hdrs, "Content-Type", b.ctype);
    evhttp_add_header(hdrs, "ETag", etag);
    evhttp_add_header(hdrs, "Cache-Control", "no-cache");
    {
        char t[32];
        sim_iso(now, 0, t, sizeof(t));
        evhttp_add_header(hdrs, "X-Sim-Now", t);
    }
    if (b.next_cursor[0]) evhttp_add_header(hdrs, "Next-Page-Cursor", b.next_cursor);
    if (etag_matches(evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match"),
                     etag)) {
        evhttp_send_reply(req, 304, "Not Modified", NULL);
        goto done;
    }
    evbuffer_add(evhttp_request_get_output_buffer(req), b.data, b.len);
    evhttp_send_reply(req, 200, "OK", NULL);
done:
    free(b.data);
    evhttp_clear_headers(&q);
}

static void on_signal(evutil_socket_t sig, short what, void *arg) {
    struct feedsim *f = arg;
    (void)what;
    fprintf(stderr, "feedsim: signal %d, stopping\n", (int)sig);
    event_base_loopexit(f->base, NULL);
}

/* ---- options -------------------------------------------------------------------- */

static void usage(void) {
    fputs("usage: dongting-feedsim [--gtfs DIR] [--nodes FILE] [--freight DIR] [--port N]\n"
          "                        [--start ISO8601]\n"
          "                        [--start-ago DURATION] [--speed X] [--future yes|no]\n"
          "                        [--seed N] [--malformed P] [--delay-prob P]\n",
          stderr);
}

static int parse_double(const char *s, double lo, double hi, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi)) return -1;
    *out = v;
    return 0;
}

static int parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    static struct feedsim f;
    const char *gtfs = "geodata/gtfs/feed", *nodes = "geodata/data/nodes.csv";
    const char *freight = "geodata/freight";
    int freight_given = 0;
    int nodes_given = 0;
    long port = 8090, seed = 1;
    double malformed = 0.02, delay_prob = 0.3;
    struct rt_load_report *rep = NULL;
    struct evhttp_bound_socket *sock;
    struct event *sigint = NULL, *sigterm = NULL;
    struct sockaddr_storage ss;
    socklen_t sslen = sizeof(ss);
    char err[512], startbuf[32];
    int rc = 1;

    f.speed = 60;
    f.start = (int64_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char why[128];
        int bad = 0;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
            usage();
            return 0;
        }
        if (!v) {
            fprintf(stderr, "dongting-feedsim: %s needs a value\n", o);
            usage();
            return 2;
        }
        if (strcmp(o, "--gtfs") == 0) gtfs = v;
        else if (strcmp(o, "--freight") == 0) {
            freight = v;
            freight_given = 1;
        }
        else if (strcmp(o, "--nodes") == 0) {
            nodes = v;
            nodes_given = 1;
        }
        else if (strcmp(o, "--port") == 0) bad = parse_long(v, 0, 65535, &port);
        else if (strcmp(o, "--seed") == 0) bad = parse_long(v, 0, LONG_MAX, &seed);
        else if (strcmp(o, "--speed") == 0) bad = parse_double(v, 0, 1e7, &f.speed);
        else if (strcmp(o, "--malformed") == 0) bad = parse_double(v, 0, 1, &malformed);
        else if (strcmp(o, "--delay-prob") == 0) bad = parse_double(v, 0, 1, &delay_prob);
        else if (strcmp(o, "--future") == 0) {
            if (strcmp(v, "yes") == 0) f.future = 1;
            else if (strcmp(v, "no") == 0) f.future = 0;
            else bad = 1;
        } else if (strcmp(o, "--start-ago") == 0) {
            int64_t ago;
            if (time_parse_duration(v, &ago, why, sizeof(why)) != 0) {
                fprintf(stderr, "dongting-feedsim: --start-ago '%s': %s\n", v, why);
                return 2;
            }
            f.start = (int64_t)time(NULL) - ago;
        } else if (strcmp(o, "--start") == 0) {
            if (time_parse_iso8601(v, &f.start, why, sizeof(why)) != 0) {
                fprintf(stderr, "dongting-feedsim: --start '%s': %s\n", v, why);
                return 2;
            }
        } else {
            fprintf(stderr, "dongting-feedsim: unknown option '%s'\n", o);
            usage();
            return 2;
        }
        if (bad) {
            fprintf(stderr, "dongting-feedsim: %s: bad value '%s'\n", o, v);
            return 2;
        }
        i++;
    }

    if (!(rep = calloc(1, sizeof(*rep)))) return 1;
    if (rt_gtfs_load(&f.tt, gtfs, NULL, rep) != 0) {
        fprintf(stderr, "dongting-feedsim: %s: %s\n", gtfs, rep->err);
        goto out;
    }
    if (geo_nodes_load(&f.nodes, nodes, err, sizeof(err)) == 0) {
        f.have_nodes = 1;
    } else if (nodes_given) {
        fprintf(stderr, "dongting-feedsim: %s\n", err);
        goto out;
    } else {
        fprintf(stderr, "dongting-feedsim: %s (border stations by dwell instead)\n", err);
    }
    if (sim_world_init(&f.world, &f.tt, f.have_nodes ? &f.nodes : NULL, (uint64_t)seed,
                       delay_prob, malformed, f.start, err, sizeof(err)) != 0) {
        fprintf(stderr, "dongting-feedsim: %s\n", err);
        goto out;
    }
    /* The server's handling times, for connecting waybills that break
     * exactly where the server's at-risk rule says they do. */
    if (rt_freight_load(&f.freight, freight, err, sizeof(err)) == 0) {
        f.have_freight = 1;
        f.world.freight = &f.freight;
    } else {
        rt_freight_free(&f.freight);
        fprintf(stderr, "dongting-feedsim: %s%s\n", err,
                freight_given ? "" : " (no connecting waybills)");
        if (freight_given) goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &f.t0);
    if (sim_world_advance(&f.world, f.start) < 0) {
        fprintf(stderr, "dongting-feedsim: out of memory making the runs\n");
        goto out;
    }
    fprintf(stderr, "dongting-feedsim: %" PRIu32 " trips, %" PRIu32 " runs in the window so far, "
            "%zu events\n", f.tt.ntrips, f.world.nruns, f.world.nev);

    signal(SIGPIPE, SIG_IGN);
    if (!(f.base = event_base_new()) || !(f.http = evhttp_new(f.base))) {
        fprintf(stderr, "dongting-feedsim: libevent set-up failed\n");
        goto out;
    }
    evhttp_set_max_headers_size(f.http, 16384);
    evhttp_set_max_body_size(f.http, 4096);
    evhttp_set_timeout(f.http, 30);
    evhttp_set_default_content_type(f.http, "application/json");
    evhttp_set_gencb(f.http, on_request, &f);
    if (!(sock = evhttp_bind_socket_with_handle(f.http, "127.0.0.1", (ev_uint16_t)port))) {
        fprintf(stderr, "dongting-feedsim: cannot listen on 127.0.0.1:%ld\n", port);
        goto out;
    }
    if (getsockname(evhttp_bound_socket_get_fd(sock), (struct sockaddr *)&ss, &sslen) == 0 &&
        ss.ss_family == AF_INET)
        port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    sigint = evsignal_new(f.base, SIGINT, on_signal, &f);
    sigterm = evsignal_new(f.base, SIGTERM, on_signal, &f);
    if (!sigint || !sigterm || event_add(sigint, NULL) != 0 || event_add(sigterm, NULL) != 0) {
        fprintf(stderr, "dongting-feedsim: cannot catch signals\n");
        goto out;
    }
    sim_iso(f.start, 0, startbuf, sizeof(startbuf));
    printf("feedsim listening on 127.0.0.1:%ld speed=%g start=%s\n", port, f.speed, startbuf);
    fflush(stdout);
    event_base_dispatch(f.base);
    rc = 0;
out:
    if (sigint) event_free(sigint);
    if (sigterm) event_free(sigterm);
    if (f.http) evhttp_free(f.http);
    if (f.base) event_base_free(f.base);
    sim_world_free(&f.world);
    if (f.have_nodes) geo_nodes_free(&f.nodes);
    if (f.have_freight) rt_freight_free(&f.freight);
    rt_timetable_free(&f.tt);
    free(rep);
    return rc;
}
