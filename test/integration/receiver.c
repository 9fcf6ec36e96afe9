/* receiver.c -- the test webhook receiver (receiver.h).  libevent is not
 * told about threads: the receiver's event_base is touched only by its own
 * thread, which polls a stop flag every 20 ms; the records are shared
 * under a mutex. */
#include "receiver.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define MAX_REQ 256

static struct {
    struct event_base *base;
    struct evhttp *http;
    struct event *tick;
    pthread_t thread;
    int running;
    atomic_int stop;
    pthread_mutex_t mu;
    struct rcv_req req[MAX_REQ];
    int n;
    int fail_left, fail_status;
    int hang_left;           /* requests left unanswered (evhttp_free drops them) */
} R = {.mu = PTHREAD_MUTEX_INITIALIZER};

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_header(struct evkeyvalq *h, const char *name, char *out, size_t len) {
    const char *v = evhttp_find_header(h, name);
    snprintf(out, len, "%s", v != NULL ? v : "");
}

static void on_request(struct evhttp_request *req, void *arg) {
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    int status = 200;
    (void)arg;

    pthread_mutex_lock(&R.mu);
    if (R.hang_left > 0) {
        R.hang_left--;
        status = 0;
    } else if (R.fail_left != 0) {
        status = R.fail_status;
        if (R.fail_left > 0) R.fail_left--;
    }
    if (R.n < MAX_REQ) {
        struct rcv_req *q = &R.req[R.n++];
        memset(q, 0, sizeof(*q));
        q->at_ms = now_ms();
        snprintf(q->method, sizeof(q->method), "%s",
                 evhttp_request_get_command(req) == EVHTTP_REQ_POST ? "POST" : "OTHER");
        snprintf(q->path, sizeof(q->path), "%s", evhttp_request_get_uri(req));
        copy_header(h, "Content-Type", q->content_type, sizeof(q->content_type));
        copy_header(h, "Notification-Signature", q->signature, sizeof(q->signature));
        copy_header(h, "Subscription-ID", q->subscription, sizeof(q->subscription));
        copy_header(h, "Delivery-ID", q->delivery, sizeof(q->delivery));
        copy_header(h, "User-Agent", q->user_agent, sizeof(q->user_agent));
        q->body = malloc(len + 1);
        if (q->body != NULL) {
            evbuffer_copyout(in, q->body, len);
            q->body[len] = '\0';
            q->len = len;
        }
        q->answered = status;
    }
    pthread_mutex_unlock(&R.mu);
    if (status == 0) return;
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
    {
        struct evbuffer *out = evbuffer_new();
        evbuffer_add_printf(out, "%d\n", status);
        evhttp_send_reply(req, status, status == 200 ? "OK" : "Failing", out);
        evbuffer_free(out);
    }
}

static void tick_cb(evutil_socket_t fd, short what, void *arg) {
    (void)fd;
    (void)what;
    (void)arg;
    if (atomic_load(&R.stop)) event_base_loopbreak(R.base);
}

static void *run(void *arg) {
    (void)arg;
    event_base_dispatch(R.base);
    return NULL;
}

int rcv_start(void) {
    struct evhttp_bound_socket *bs;
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    struct timeval tv = {0, 20000};

    if (R.running) return -1;
    R.base = event_base_new();
    if (R.base == NULL) return -1;
    R.http = evhttp_new(R.base);
    bs = R.http != NULL ? evhttp_bind_socket_with_handle(R.http, "127.0.0.1", 0) : NULL;
    if (bs == NULL ||
        getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sa, &sl) != 0)
        return -1;
    evhttp_set_gencb(R.http, on_request, NULL);
    R.tick = event_new(R.base, -1, EV_PERSIST, tick_cb, NULL);
    event_add(R.tick, &tv);
    atomic_store(&R.stop, 0);
    if (pthread_create(&R.thread, NULL, run, NULL) != 0) return -1;
    R.running = 1;
    return ntohs(sa.sin_port);
}

void rcv_stop(void) {
    if (!R.running) return;
    atomic_store(&R.stop, 1);
    pthread_join(R.thread, NULL);
    event_free(R.tick);
    evhttp_free(R.http);
    event_base_free(R.base);
    for (int i = 0; i < R.n; i++) free(R.req[i].body);
    R.n = 0;
    R.running = 0;
}

void rcv_fail_first(int n, int status) {
    pthread_mutex_lock(&R.mu);
    R.fail_left = n;
    R.fail_status = status;
    pthread_mutex_unlock(&R.mu);
}

void rcv_hang_first(int n) {
    pthread_mutex_lock(&R.mu);
    R.hang_left = n;
    pthread_mutex_unlock(&R.mu);
}

int rcv_count(void) {
    int n;
    pthread_mutex_lock(&R.mu);
    n = R.n;
    pthread_mutex_unlock(&R.mu);
    return n;
}

int rcv_wait(int n, int timeout_ms) {
    long long end = now_ms() + timeout_ms;
    int got;
    while ((got = rcv_count()) < n && now_ms() < end) {
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL);
    }
    return got;
}

int rcv_get(int i, struct rcv_req *out) {
    int rc = -1;
    pthread_mutex_lock(&R.mu);
    if (i >= 0 && i < R.n) {
        *out = R.req[i];
        out->body = strdup(R.req[i].body != NULL ? R.req[i].body : "");
        rc = out->body != NULL ? 0 : -1;
    }
    pthread_mutex_unlock(&R.mu);
    return rc;
}
