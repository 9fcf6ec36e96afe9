/* curl_loop.h -- one libcurl multi handle driven by the libevent loop,
 * shared by every module that makes outgoing HTTP requests (feed pulls in
 * feed_pull.c, webhook deliveries in webhooks.c).
 *
 * A module configures an easy handle as it likes (but must leave
 * CURLOPT_PRIVATE to this module), adds it with curl_loop_add, and gets
 * DONE once the transfer ended, on the loop and outside every curl
 * callback: the handle has already been taken out of the multi, so DONE may
 * re-add it, reuse it or free it.  Single-threaded: call everything from
 * the loop's thread. */
#ifndef DT_CURL_LOOP_H
#define DT_CURL_LOOP_H

#include <curl/curl.h>

struct event_base;

typedef void curl_loop_done_fn(CURL *easy, CURLcode rc, void *arg);

/* Take a reference on the shared multi handle, making it on BASE the first
 * time (curl_global_init included, which is not thread-safe: call before
 * any thread starts).  Every successful call is matched by curl_loop_stop.
 * 0, or -1 (curl failed, or BASE differs from the running loop's; logged). */
int curl_loop_start(struct event_base *base);

/* Drop a reference; the last one frees the multi handle (and calls
 * curl_global_cleanup).  Callers remove their own easy handles first.
 * Called while DONE callbacks run, the free waits until they are over. */
void curl_loop_stop(void);

/* Start EASY's transfer; DONE(EASY, result, ARG) is called once when it
 * ends, unless curl_loop_remove takes it back first.  0, or -1 (not
 * started, out of memory, or curl refused; DONE is then never called). */
int curl_loop_add(CURL *easy, curl_loop_done_fn *done, void *arg);

/* Abort EASY's transfer if it was added and has not ended: DONE is not
 * called.  Harmless for a handle not in the loop. */
void curl_loop_remove(CURL *easy);

/* Transfers running now (added, not yet done or removed). */
int curl_loop_running(void);

#endif
