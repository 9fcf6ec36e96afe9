/* feeds.c -- the configured carrier feeds and the ingestion path every
 * body takes, pushed or pulled (see feeds.h). */
#include "feeds.h"
#include "waybills.h"

#include "carriers/formats.h"
#include "event_trips.h"
#include "feed_pull.h"
#include "geodata/timefmt.h"
#include "log.h"
#include "server.h"
#include "store.h"
#include "trips.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CHUNK 500   /* events per Redis script: keeps each script short */

struct feed {
    const struct cfg_feed *cfg;
    const struct carrier_format *fmt;
    int pull_id;               /* -1: push only */
    struct feed_counters c;
    long long last_error_at;
    char last_error[200];
};

static struct {
    struct feed feeds[CFG_MAX_FEEDS];
    size_t n;
    int pulling;
} fs;

/* ---- one ingestion ------------------------------------------------------- */

struct ingest {
    struct feed *f;
    feed_ingest_cb *cb;
    void *arg;
    int64_t received;
    struct carrier_batch b;
    size_t *keep;              /* indices into b.ev of the events to store */
    struct event_trip *place;  /* per kept event; run RT_NONE when none */
    char **json;
    size_t *jlen;
    unsigned char *fresh;
    size_t nkeep, chunks_left;
    int failed;                /* a store status other than STORE_OK */
    size_t runs_left;          /* trip updates not yet recorded */
    int overlay_failed;
};

static void ingest_free(struct ingest *in) {
    if (in == NULL) return;
    for (size_t i = 0; in->json && i < in->nkeep; i++) free(in->json[i]);
    free(in->json);
    free(in->jlen);
    free(in->keep);
    free(in->place);
    free(in->fresh);
    carrier_batch_free(&in->b);
    free(in);
}

static void note_error(struct feed *f, const char *what) {
    f->last_error_at = (long long)time(NULL);
    snprintf(f->last_error, sizeof(f->last_error), "%s", what);
}

static int cmp_reject(const void *a, const void *b) {
    const struct carrier_reject *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Answer the caller and free IN. */
static void finish(struct ingest *in, int status, const char *error) {
    struct feed_result res;
    memset(&res, 0, sizeof(res));
    res.status = status;
    snprintf(res.error, sizeof(res.error), "%s", error ? error : "");
    res.total = in->b.total;
    if (in->b.nrej > 1) qsort(in->b.rej, in->b.nrej, sizeof(*in->b.rej), cmp_reject);
    res.rej = in->b.rej;
    res.nrej = in->b.nrej;
    if (status == 202) {
        for (size_t i = 0; i < in->nkeep; i++) {
            if (in->fresh[i]) res.accepted++;
            else res.duplicates++;
        }
        in->f->c.accepted += res.accepted;
        in->f->c.duplicates += res.duplicates;
        in->f->c.rejected += res.nrej;
        in->f->c.last_success = (long long)time(NULL);
    }
    in->cb(&res, in->arg);
    ingest_free(in);
}

static int cmp_place(const void *a, const void *b) {
    const struct event_trip *x = *(const struct event_trip *const *)a;
    const struct event_trip *y = *(const struct event_trip *const *)b;
    if (x->run != y->run) return x->run < y->run ? -1 : 1;
    if (x->event_time != y->event_time) return x->event_time < y->event_time ? -1 : 1;
    return 0;
}

/* The waybills the events name have their links and states stored: now
 * the push may be acknowledged. */
static void waybills_linked(int status, void *arg) {
    struct ingest *in = arg;
    if (status != STORE_OK) {
        char msg[200];
        snprintf(msg, sizeof(msg), "the events are stored but linking them to their waybills "
                 "failed: %s; send the body again (the events count as duplicates and are "
                 "linked then)", store_error_text(status));
        note_error(in->f, msg);
        finish(in, 503, msg);
        return;
    }
    finish(in, 202, NULL);
}

/* Every kept event, new or seen before (a resend after a failed link must
 * link again), to the waybill engine. */
static void link_waybills(struct ingest *in) {
    struct wb_event_in *v = calloc(in->nkeep + 1, sizeof(*v));
    if (v == NULL) {
        waybills_linked(STORE_ERROR, in);
        return;
    }
    for (size_t i = 0; i < in->nkeep; i++)
        v[i] = (struct wb_event_in){.ev = &in->b.ev[in->keep[i]], .json = in->json[i],
                                    .jlen = in->jlen[i], .run = in->place[i].run,
                                    .stop = in->place[i].rep.idx, .fresh = in->fresh[i]};
    waybills_on_events(v, in->nkeep, waybills_linked, in);
    free(v);
}

/* One run's trip update is recorded (or not); the last one answers. */
static void overlay_recorded(int status, const struct trip_update *u, void *arg) {
    struct ingest *in = arg;
    if (status != 0) {
        char msg[160];
        snprintf(msg, sizeof(msg), "a delay for run %u was not recorded (status %d)", u->run,
                 status);
        note_error(in->f, msg);
        log_event("warn", "feed_overlay_failed", "feed %s: %s", in->f->cfg->name, msg);
        in->overlay_failed = 1;
    }
    if (--in->runs_left > 0) return;
    if (in->overlay_failed)
        finish(in, 503, "the events are stored but a trip delay they report could not be "
                        "recorded (Redis); the delay takes effect with the carrier's next report");
    else
        link_waybills(in);
}

/* Agencies a feed with a tenant may move: its own only. */
static int may_move(const struct feed *f, uint32_t run) {
    const struct rt_timetable *tt = srv_timetable();
    const char *agency;
    if (f->cfg->tenant[0] == '\0') return 1;
    agency = rt_str(tt, tt->agencies[tt->routes[tt->trips[tt->runs[run].trip].route].agency].id);
    return strcasecmp(agency, f->cfg->tenant) == 0;
}

/* The newly stored events that move a run: one trip update per run, its
 * stop reports in event-time order (a later report at the same stop
 * replaces an earlier one).  Answers the caller once every update is
 * recorded, so a 202 means the events and their delays are in Redis. */
static void apply_overlay(struct ingest *in) {
    const struct rt_timetable *tt = srv_timetable();
    struct event_trip **v;
    struct trip_update *ups;
    size_t n = 0, nup = 0;
    if (tt == NULL || srv_overlay() == NULL ||
        (v = calloc(in->nkeep + 1, sizeof(*v))) == NULL) {
        finish(in, 202, NULL);
        return;
    }
    for (size_t i = 0; i < in->nkeep; i++)
        if (in->fresh[i] && in->place[i].run != RT_NONE && may_move(in->f, in->place[i].run))
            v[n++] = &in->place[i];
    qsort(v, n, sizeof(*v), cmp_place);
    if ((ups = calloc(n + 1, sizeof(*ups))) == NULL) {
        free(v);
        finish(in, 503, "out of memory recording trip delays");
        return;
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        struct trip_update *u = &ups[nup];
        int cancel = 0;
        while (j < n && v[j]->run == v[i]->run) {
            cancel |= v[j]->cancel;
            j++;
        }
        u->run = v[i]->run;
        event_trip_date(tt, u->run, u->date, sizeof(u->date));
        if (cancel) {
            u->what = TRIP_UP_CANCEL;
        } else {
            u->what = TRIP_UP_STOPS;
            if ((u->stops = calloc(j - i, sizeof(*u->stops))) == NULL) {
                in->overlay_failed = 1;
                i = j;
                continue;
            }
            for (size_t k = i; k < j; k++) {
                size_t s = 0;
                while (s < u->nstops && u->stops[s].idx != v[k]->rep.idx) s++;
                if (s == u->nstops) {
                    u->stops[u->nstops++] = v[k]->rep;
                } else {   /* same stop: merge the newer arrival / departure in */
                    if (v[k]->rep.kind != u->stops[s].kind) u->stops[s] = v[k]->rep;
                    if (v[k]->rep.arr != RT_OV_UNSET) u->stops[s].arr = v[k]->rep.arr;
                    if (v[k]->rep.dep != RT_OV_UNSET) u->stops[s].dep = v[k]->rep.dep;
                    u->stops[s].observed |= v[k]->rep.observed;
                }
            }
        }
        nup++;
        i = j;
    }
    free(v);
    in->f->c.overlay_updates += nup;
    /* Counted before any is sent: a callback may come at once. */
    in->runs_left = nup + 1;
    for (size_t i = 0; i < nup; i++) trips_record(&ups[i], overlay_recorded, in);
    free(ups);
    overlay_recorded(0, NULL, in);   /* the +1 */
}

/* Every chunk answered: answer the caller, quarantine the rejects, move
 * the overlay. */
static void all_stored(struct ingest *in) {
    if (in->failed) {
        char msg[200];
        snprintf(msg, sizeof(msg), "events not stored: %s", store_error_text(in->failed));
        in->f->c.store_errors++;
        note_error(in->f, msg);
        finish(in, 503, msg);
        return;
    }
    if (in->b.nrej > 0) {
        size_t *idx = malloc(in->b.nrej * sizeof(*idx));
        const char **why = malloc(in->b.nrej * sizeof(*why));
        if (idx && why) {
            for (size_t i = 0; i < in->b.nrej; i++) {
                idx[i] = in->b.rej[i].index;
                why[i] = in->b.rej[i].reason;
            }
            store_feed_rejects_add(in->f->cfg->name, (long long)in->received, idx, why,
                                   in->b.nrej, NULL, NULL);
        }
        free(idx);
        free(why);
    }
    apply_overlay(in);
}

struct chunk {
    struct ingest *in;
    size_t from;
};

static void chunk_stored(int status, const unsigned char *fresh, size_t n, void *arg) {
    struct chunk *ck = arg;
    struct ingest *in = ck->in;
    if (status == STORE_OK)
        for (size_t i = 0; i < n && ck->from + i < in->nkeep; i++)
            in->fresh[ck->from + i] = fresh[i];
    else if (!in->failed)
        in->failed = status;
    free(ck);
    if (--in->chunks_left == 0) all_stored(in);
}

/* Store kept events FROM .. FROM+N (store.c copies its arguments). */
static void store_chunk(struct ingest *in, size_t from, size_t n) {
    const struct carrier_event **ev = malloc(n * sizeof(*ev));
    struct chunk *ck = malloc(sizeof(*ck));
    if (ev == NULL || ck == NULL) {
        free(ev);
        free(ck);
        if (!in->failed) in->failed = STORE_ERROR;
        if (--in->chunks_left == 0) all_stored(in);
        return;
    }
    for (size_t i = 0; i < n; i++) ev[i] = &in->b.ev[in->keep[from + i]];
    ck->in = in;
    ck->from = from;
    store_events_put(in->f->cfg->name, ev, (const char *const *)in->json + from,
                     in->jlen + from, n, chunk_stored, ck);
    free(ev);
}

void feeds_ingest(struct feed *f, const char *body, size_t len, int64_t received,
                  feed_ingest_cb *cb, void *arg) {
    const struct rt_timetable *tt = srv_timetable();
    struct ingest *in = calloc(1, sizeof(*in));
    char err[300];
    double lag = -1;

    f->c.bodies++;
    if (in == NULL) {
        struct feed_result res = {.status = 503};
        snprintf(res.error, sizeof(res.error), "out of memory");
        cb(&res, arg);
        return;
    }
    in->f = f;
    in->cb = cb;
    in->arg = arg;
    in->received = received;
    carrier_batch_init(&in->b);
    err[0] = '\0';
    if (len > (size_t)f->cfg->max_bytes) {
        snprintf(err, sizeof(err), "the body is %zu bytes; feed %s takes at most %ld", len,
                 f->cfg->name, f->cfg->max_bytes);
        goto bad;
    }
    if (f->fmt->parse(body, len, received, &in->b, err, sizeof(err)) != 0) goto bad;

    in->keep = calloc(in->b.n + 1, sizeof(*in->keep));
    in->place = calloc(in->b.n + 1, sizeof(*in->place));
    in->json = calloc(in->b.n + 1, sizeof(*in->json));
    in->jlen = calloc(in->b.n + 1, sizeof(*in->jlen));
    in->fresh = calloc(in->b.n + 1, 1);
    if (!in->keep || !in->place || !in->json || !in->jlen || !in->fresh) {
        finish(in, 503, "out of memory");
        return;
    }
    for (size_t i = 0; i < in->b.n; i++) {
        struct carrier_event *e = &in->b.ev[i];
        struct event_trip *p = &in->place[in->nkeep];
        char why[200];
        int rc = tt ? event_trip_resolve(tt, e, p, why, sizeof(why)) : 1;
        json_t *j;
        if (rc < 0) {
            carrier_batch_reject(&in->b, e->index, "%s", why);
            continue;
        }
        if (rc > 0) p->run = RT_NONE;
        else if (e->event_time == 0) e->event_time = p->event_time;
        if (e->event_time == 0) {
            carrier_batch_reject(&in->b, e->index, "event_time: missing, and not derivable");
            continue;
        }
        if (e->classifier == CC_ACTUAL && received >= e->event_time &&
            (lag < 0 || received - e->event_time < lag))
            lag = (double)(received - e->event_time);
        if ((j = carrier_event_to_json(e)) == NULL ||
            (in->json[in->nkeep] = json_dumps(j, JSON_COMPACT)) == NULL) {
            json_decref(j);
            finish(in, 503, "out of memory");
            return;
        }
        json_decref(j);
        in->jlen[in->nkeep] = strlen(in->json[in->nkeep]);
        in->keep[in->nkeep++] = i;
    }
    if (lag >= 0) f->c.lag_s = lag;
    if (in->nkeep == 0 || !store_ready()) {
        if (in->nkeep > 0) in->failed = STORE_DOWN;
        all_stored(in);
        return;
    }
    in->chunks_left = (in->nkeep + CHUNK - 1) / CHUNK;
    for (size_t from = 0; from < in->nkeep; from += CHUNK)
        store_chunk(in, from, in->nkeep - from < CHUNK ? in->nkeep - from : CHUNK);
    return;
bad:
    f->c.bad_bodies++;
    note_error(f, err);
    finish(in, 400, err);
}

/* ---- pulls ---------------------------------------------------------------- */

static void pulled_stored(const struct feed_result *res, void *arg) {
    struct feed *f = arg;
    if (res->status == 202) {
        /* A feed that serves a window re-serves its refused events on every
         * pull: log what is new, not each repeat. */
        if (res->accepted)
            log_event("info", "feed_pulled", "feed %s: %zu new, %zu duplicates, %zu rejected",
                      f->cfg->name, res->accepted, res->duplicates, res->nrej);
        return;
    }
    log_event("warn", "feed_pull_not_stored", "feed %s: %d %s", f->cfg->name, res->status,
              res->error);
    /* Not stored: fetch it again in full at the next pull rather than be
     * told "not modified" about events Redis never got. */
    if (res->status == 503 && f->pull_id >= 0) feed_pull_forget(f->pull_id);
}

static void pulled(const char *name, const char *body, size_t len, long long received,
                   const char *content_type, void *arg) {
    struct feed *f = arg;
    (void)name;
    (void)content_type;
    f->c.pulls++;
    feeds_ingest(f, body, len, (int64_t)received, pulled_stored, f);
}

/* ---- registry -------------------------------------------------------------- */

int feeds_start(struct event_base *base, const struct srv_config *cfg) {
    memset(&fs, 0, sizeof(fs));
    for (int i = 0; i < cfg->nfeeds; i++) {
        struct feed *f = &fs.feeds[fs.n++];
        f->cfg = &cfg->feeds[i];
        f->fmt = carrier_format_find(f->cfg->format);
        f->pull_id = -1;
        f->c.name = f->cfg->name;
        f->c.format = f->cfg->format;
        f->c.lag_s = -1;
        if (f->fmt == NULL) {   /* config.c checked the name */
            log_event("error", "feed_format_unknown", "feed %s: format %s", f->cfg->name,
                      f->cfg->format);
            return -1;
        }
    }
    for (size_t i = 0; i < fs.n; i++) {
        struct feed *f = &fs.feeds[i];
        struct feed_pull_spec spec;
        if (f->cfg->url[0] == '\0') continue;
        if (!fs.pulling) {
            if (feed_pull_start(base) != 0) return -1;
            fs.pulling = 1;
        }
        memset(&spec, 0, sizeof(spec));
        spec.name = f->cfg->name;
        spec.url = f->cfg->url;
        spec.auth_header = f->cfg->auth_header[0] ? f->cfg->auth_header : NULL;
        spec.interval_s = (double)f->cfg->interval_s;
        spec.timeout_s = (double)f->cfg->timeout_s;
        spec.max_bytes = (size_t)f->cfg->max_bytes;
        spec.paginate = f->fmt->paginated;
        if ((f->pull_id = feed_pull_add(&spec, pulled, f)) < 0) return -1;
        log_event("info", "feed_pull_started", "feed %s (%s) every %ld s", f->cfg->name,
                  f->cfg->format, f->cfg->interval_s);
    }
    return 0;
}

void feeds_stop(void) {
    if (fs.pulling) feed_pull_stop();
    fs.pulling = 0;
    fs.n = 0;
}

struct feed *feeds_find(const char *name) {
    for (size_t i = 0; i < fs.n; i++)
        if (strcmp(fs.feeds[i].cfg->name, name) == 0) return &fs.feeds[i];
    return NULL;
}

const struct cfg_feed *feeds_cfg(const struct feed *f) {
    return f->cfg;
}

size_t feeds_count(void) {
    return fs.n;
}

int feeds_counters(size_t i, struct feed_counters *out) {
    struct feed_pull_stats ps;
    if (i >= fs.n) return -1;
    *out = fs.feeds[i].c;
    if (fs.feeds[i].pull_id >= 0 && feed_pull_stats(fs.feeds[i].pull_id, &ps) == 0)
        out->pull_errors = ps.errors;
    return 0;
}

static json_t *time_or_null(long long t) {
    char buf[32];
    if (t <= 0) return json_null();
    time_format_iso8601(t, 0, buf, sizeof(buf));
    return json_string(buf);
}

json_t *feeds_json(const struct feed *f) {
    const struct feed_counters *c = &f->c;
    long long last_err = f->last_error_at;
    const char *err = f->last_error;
    json_t *o = json_object(), *pull = json_null();
    struct feed_pull_stats ps;

    if (f->pull_id >= 0 && feed_pull_stats(f->pull_id, &ps) == 0) {
        pull = json_object();
        json_object_set_new(pull, "url", json_string(f->cfg->url));
        json_object_set_new(pull, "interval_s", json_integer(f->cfg->interval_s));
        json_object_set_new(pull, "last_attempt", time_or_null(ps.last_attempt));
        json_object_set_new(pull, "last_success", time_or_null(ps.last_success));
        json_object_set_new(pull, "last_error", ps.last_error[0] ? json_string(ps.last_error)
                                                                : json_null());
        json_object_set_new(pull, "pulls", json_integer((json_int_t)ps.pulls));
        json_object_set_new(pull, "not_modified", json_integer((json_int_t)ps.not_modified));
        json_object_set_new(pull, "errors", json_integer((json_int_t)ps.errors));
        json_object_set_new(pull, "consecutive_errors",
                            json_integer((json_int_t)ps.consecutive_errors));
        json_object_set_new(pull, "next_in_s", json_real(ps.next_in_s));
        if (ps.last_error_at > last_err) {
            last_err = ps.last_error_at;
            err = ps.last_error;
        }
    }
    json_object_set_new(o, "name", json_string(f->cfg->name));
    json_object_set_new(o, "format", json_string(f->cfg->format));
    json_object_set_new(o, "push_content_type", json_string(f->fmt->content_type));
    json_object_set_new(o, "last_success", time_or_null(c->last_success));
    json_object_set_new(o, "last_error", last_err ? json_string(err) : json_null());
    json_object_set_new(o, "last_error_at", time_or_null(last_err));
    json_object_set_new(o, "lag_s", c->lag_s >= 0 ? json_real(c->lag_s) : json_null());
    json_object_set_new(o, "bodies", json_integer((json_int_t)c->bodies));
    json_object_set_new(o, "bad_bodies", json_integer((json_int_t)c->bad_bodies));
    json_object_set_new(o, "accepted", json_integer((json_int_t)c->accepted));
    json_object_set_new(o, "duplicates", json_integer((json_int_t)c->duplicates));
    json_object_set_new(o, "rejected", json_integer((json_int_t)c->rejected));
    json_object_set_new(o, "store_errors", json_integer((json_int_t)c->store_errors));
    json_object_set_new(o, "overlay_updates", json_integer((json_int_t)c->overlay_updates));
    json_object_set_new(o, "pull", pull);
    return o;
}
