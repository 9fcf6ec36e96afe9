/* receiver.h -- a webhook receiver for the integration tests: an evhttp
 * server on 127.0.0.1 (a port the kernel picks) running its own event loop
 * in a thread of the test process.  It records every request (headers that
 * webhooks carry, body, arrival time) and answers 200, or STATUS for the
 * first N requests (rcv_fail_first), or always (N < 0). */
#ifndef DT_TEST_RECEIVER_H
#define DT_TEST_RECEIVER_H

#include <stddef.h>

struct rcv_req {
    char method[8];
    char path[256];
    char content_type[128];
    char signature[128];      /* Notification-Signature */
    char subscription[64];    /* Subscription-ID */
    char delivery[64];        /* Delivery-ID */
    char user_agent[64];
    char *body;               /* malloc'd, NUL-terminated copy */
    size_t len;
    long long at_ms;          /* monotonic, as h_now_ms */
    int answered;             /* the status it was given; 0: none (hung) */
};

/* Start the receiver; returns its port, or -1. */
int rcv_start(void);

/* Stop the thread and free everything.  Safe if never started. */
void rcv_stop(void);

/* Answer STATUS to the next N requests (N < 0: to all), then 200. */
void rcv_fail_first(int n, int status);

/* Never answer the next N requests (answered is then 0); the
 * connections are dropped at rcv_stop. */
void rcv_hang_first(int n);

/* Requests received so far. */
int rcv_count(void);

/* Wait until at least N requests arrived or TIMEOUT_MS passed; returns
 * the count. */
int rcv_wait(int n, int timeout_ms);

/* Copy request I into OUT (OUT->body malloc'd: free it).  0 or -1. */
int rcv_get(int i, struct rcv_req *out);

#endif
