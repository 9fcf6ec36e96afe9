/* curl_loop.c -- libcurl's multi interface on the libevent loop, shared by
 * feed pulls and webhook deliveries (curl_loop.h).
 *
 * curl tells us which sockets to watch (socket_cb: one struct event per
 * socket) and when to wake it (timer_cb: one evtimer); we answer with
 * curl_multi_socket_action and then read finished transfers with
 * curl_multi_info_read.  Nothing here blocks: no curl_easy_perform, and
 * Debian's libcurl resolves names in its own thread (AsynchDNS).
 *
 * Never inside a curl callback: freeing or re-adding an easy handle, calling
 * socket_action, or calling an owner's DONE.  All of that happens in the
 * info_read pass (after_action), once curl has returned.  Socket events curl
 * is done with are parked on a list and freed there too. */
#include "curl_loop.h"
#include "log.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdlib.h>
#include <string.h>

struct cl_sock {
    struct event ev;
    short kind;              /* EV_READ/EV_WRITE the event is set for */
    struct cl_sock *next_dead;
};

/* One added transfer; CURLOPT_PRIVATE of its handle points here. */
struct cl_job {
    CURL *easy;
    curl_loop_done_fn *done;
    void *arg;
    struct cl_job *prev, *next;
};

static struct {
    struct event_base *base;
    CURLM *multi;
    struct event *timeout_ev;
    int refs;
    struct cl_job *jobs;
    int njobs;
    struct cl_sock *dead;
    int dispatching, free_pending;
} cl;

static void after_action(void);

static void sock_event_cb(evutil_socket_t fd, short what, void *arg) {
    int running, action = ((what & EV_READ) ? CURL_CSELECT_IN : 0) |
                          ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    (void)arg;
    curl_multi_socket_action(cl.multi, fd, action, &running);
    after_action();
}

static void timeout_event_cb(evutil_socket_t fd, short what, void *arg) {
    int running;
    (void)fd;
    (void)what;
    (void)arg;
    curl_multi_socket_action(cl.multi, CURL_SOCKET_TIMEOUT, 0, &running);
    after_action();
}

/* CURLMOPT_SOCKETFUNCTION: watch S for WHAT.  SOCKP is our cl_sock once
 * assigned.  A removed socket's event is deleted now and freed after curl
 * returns (this may run inside that very event's callback). */
static int socket_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp) {
    struct cl_sock *sk = sockp;
    short kind;
    (void)e;
    (void)userp;
    if (what == CURL_POLL_REMOVE) {
        if (sk != NULL) {
            event_del(&sk->ev);
            sk->next_dead = cl.dead;
            cl.dead = sk;
            curl_multi_assign(cl.multi, s, NULL);
        }
        return 0;
    }
    kind = (short)(((what & CURL_POLL_IN) ? EV_READ : 0) |
                   ((what & CURL_POLL_OUT) ? EV_WRITE : 0));
    if (sk == NULL) {
        sk = calloc(1, sizeof(*sk));
        if (sk == NULL) return -1;
        curl_multi_assign(cl.multi, s, sk);
    } else if (sk->kind == kind) {
        return 0;
    } else {
        event_del(&sk->ev);
    }
    sk->kind = kind;
    event_assign(&sk->ev, cl.base, s, (short)(kind | EV_PERSIST), sock_event_cb, NULL);
    event_add(&sk->ev, NULL);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: wake curl in TIMEOUT_MS (-1: never).  curl must
 * not be called back from here, so even 0 goes through the loop. */
static int timer_cb(CURLM *m, long timeout_ms, void *userp) {
    (void)m;
    (void)userp;
    if (timeout_ms < 0) {
        evtimer_del(cl.timeout_ev);
    } else {
        struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
        evtimer_add(cl.timeout_ev, &tv);
    }
    return 0;
}

static void reap_dead(void) {
    while (cl.dead != NULL) {
        struct cl_sock *sk = cl.dead;
        cl.dead = sk->next_dead;
        free(sk);
    }
}

static void job_unlink(struct cl_job *j) {
    if (j->prev != NULL) j->prev->next = j->next;
    else cl.jobs = j->next;
    if (j->next != NULL) j->next->prev = j->prev;
    cl.njobs--;
}

/* Take EASY out of the multi and forget its job, which is returned (the
 * caller frees it) or NULL if EASY was not ours. */
static struct cl_job *detach(CURL *easy) {
    char *priv = NULL;
    struct cl_job *j;
    if (cl.multi == NULL || easy == NULL) return NULL;
    if (curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv) != CURLE_OK || priv == NULL)
        return NULL;
    j = (struct cl_job *)(void *)priv;
    if (j->easy != easy) return NULL;
    curl_multi_remove_handle(cl.multi, easy);
    curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
    job_unlink(j);
    return j;
}

static void free_all(void) {
    /* Owners should have removed their handles; any left are aborted. */
    while (cl.jobs != NULL) {
        struct cl_job *j = cl.jobs;
        curl_multi_remove_handle(cl.multi, j->easy);
        curl_easy_setopt(j->easy, CURLOPT_PRIVATE, NULL);
        job_unlink(j);
        free(j);
    }
    /* May close cached connections: socket_cb parks their events. */
    curl_multi_cleanup(cl.multi);
    cl.multi = NULL;
    reap_dead();
    event_free(cl.timeout_ev);
    memset(&cl, 0, sizeof(cl));
    curl_global_cleanup();
}

/* After curl_multi_socket_action: hand the transfers curl is done with to
 * their owners, free the socket events it dropped, and honour a stop asked
 * for from a DONE.  That stop frees the libevent event whose callback is
 * running; libevent 2.1 does not touch an event after its callback returns,
 * and nothing here touches it after free_all. */
static void after_action(void) {
    CURLMsg *m;
    int left;
    cl.dispatching = 1;
    /* An owner's DONE may remove other handles: curl then drops their
     * queued messages, so every message read here is still live. */
    while ((m = curl_multi_info_read(cl.multi, &left)) != NULL) {
        CURL *e = m->easy_handle;
        CURLcode rc = m->data.result;   /* M is gone once the handle is removed */
        struct cl_job *j;
        if (m->msg != CURLMSG_DONE) continue;
        if ((j = detach(e)) == NULL) continue;
        j->done(e, rc, j->arg);
        free(j);
    }
    cl.dispatching = 0;
    reap_dead();
    if (cl.free_pending) free_all();
}

int curl_loop_start(struct event_base *base) {
    CURLcode rc;
    if (base == NULL) return -1;
    if (cl.multi != NULL) {
        if (cl.base != base || cl.free_pending) {
            log_event("error", "curl_loop_start", "already running on another event loop");
            return -1;
        }
        cl.refs++;
        return 0;
    }
    rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (rc != CURLE_OK) {
        log_event("error", "curl_loop_start", "curl_global_init: %s", curl_easy_strerror(rc));
        return -1;
    }
    memset(&cl, 0, sizeof(cl));
    cl.base = base;
    cl.multi = curl_multi_init();
    cl.timeout_ev = evtimer_new(base, timeout_event_cb, NULL);
    if (cl.multi == NULL || cl.timeout_ev == NULL) {
        log_event("error", "curl_loop_start", "cannot create the curl multi handle");
        if (cl.multi != NULL) curl_multi_cleanup(cl.multi);
        if (cl.timeout_ev != NULL) event_free(cl.timeout_ev);
        memset(&cl, 0, sizeof(cl));
        curl_global_cleanup();
        return -1;
    }
    curl_multi_setopt(cl.multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
    curl_multi_setopt(cl.multi, CURLMOPT_TIMERFUNCTION, timer_cb);
    cl.refs = 1;
    return 0;
}

void curl_loop_stop(void) {
    if (cl.multi == NULL || cl.refs == 0) return;
    if (--cl.refs > 0) return;
    if (cl.dispatching) {
        cl.free_pending = 1;
        return;
    }
    free_all();
}

int curl_loop_add(CURL *easy, curl_loop_done_fn *done, void *arg) {
    struct cl_job *j;
    CURLMcode mc;
    if (cl.multi == NULL || cl.free_pending || easy == NULL || done == NULL) return -1;
    j = calloc(1, sizeof(*j));
    if (j == NULL) return -1;
    j->easy = easy;
    j->done = done;
    j->arg = arg;
    if (curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)(void *)j) != CURLE_OK) {
        free(j);
        return -1;
    }
    mc = curl_multi_add_handle(cl.multi, easy);
    if (mc != CURLM_OK) {
        log_event("error", "curl_loop_add", "curl_multi_add_handle: %s",
                  curl_multi_strerror(mc));
        curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
        free(j);
        return -1;
    }
    j->next = cl.jobs;
    if (cl.jobs != NULL) cl.jobs->prev = j;
    cl.jobs = j;
    cl.njobs++;
    return 0;
}

void curl_loop_remove(CURL *easy) {
    free(detach(easy));
}

int curl_loop_running(void) { return cl.njobs; }
