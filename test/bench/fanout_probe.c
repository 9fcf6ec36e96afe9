/* fanout_probe.c -- the client's side of the ETA fan-out figure in
 * scripts/bench_waybills.sh: POST one trip update and time how long it
 * takes until every waybill of the run has the new ETA in Redis.
 *
 *   fanout_probe HTTP_PORT REDIS_PORT ADMIN_KEY BODY TENANT COUNT ETA
 *
 * BODY is the JSON of POST /v1/trips/RIV-CSX-SHA.1/updates; COUNT waybills
 * of TENANT are expected at score ETA (Unix s) in wb:{wb}:eta:TENANT.  The
 * clock starts just before the request goes out; after the answer the
 * probe asks ZCOUNT every 0.5 ms (sleeping between, so it takes little of
 * the CPU the server and Redis share with it).  Prints "POST_MS ALL_MS" on
 * stdout; exit 1 when the answer is not 200 or the count is not reached in
 * 30 s. */
#include <curl/curl.h>
#include <hiredis/hiredis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t sink(char *p, size_t size, size_t n, void *arg) {
    (void)p;
    (void)arg;
    return size * n;
}

/* How many members of KEY score exactly ETA; -1 on a Redis error. */
static long long count_at(redisContext *rc, const char *key, const char *eta) {
    redisReply *r = redisCommand(rc, "ZCOUNT %s %s %s", key, eta, eta);
    long long v = (r && r->type == REDIS_REPLY_INTEGER) ? r->integer : -1;
    if (r) freeReplyObject(r);
    return v;
}

int main(int argc, char **argv) {
    char url[128], auth[256], key[160];
    struct curl_slist *h = NULL;
    redisContext *rc;
    CURL *c;
    long status = 0;
    long long want, got = -1;
    double t0, t_post, t_all = -1;
    char *end;
    if (argc != 8) {
        fprintf(stderr, "usage: fanout_probe HTTP_PORT REDIS_PORT ADMIN_KEY BODY "
                        "TENANT COUNT ETA\n");
        return 2;
    }
    want = strtoll(argv[6], &end, 10);
    if (*end != '\0' || want <= 0) {
        fprintf(stderr, "fanout_probe: COUNT '%s' is not a positive number\n", argv[6]);
        return 2;
    }
    rc = redisConnect("127.0.0.1", (int)strtol(argv[2], NULL, 10));
    if (rc == NULL || rc->err) {
        fprintf(stderr, "fanout_probe: redis port %s: %s\n", argv[2],
                rc ? rc->errstr : "no memory");
        return 1;
    }
    snprintf(key, sizeof(key), "wb:{wb}:eta:%s", argv[5]);
    snprintf(url, sizeof(url), "http://127.0.0.1:%s/v1/trips/RIV-CSX-SHA.1/updates",
             argv[1]);
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[3]);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    c = curl_easy_init();
    h = curl_slist_append(h, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, argv[4]);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);

    t0 = now_ms();
    if (curl_easy_perform(c) != CURLE_OK) {
        fprintf(stderr, "fanout_probe: POST %s failed\n", url);
        return 1;
    }
    t_post = now_ms();
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        fprintf(stderr, "fanout_probe: POST %s answered %ld\n", url, status);
        return 1;
    }
    while (now_ms() - t0 < 30000) {
        got = count_at(rc, key, argv[7]);
        if (got == want) {
            t_all = now_ms();
            break;
        }
        nanosleep(&(struct timespec){0, 500000}, NULL);
    }
    if (t_all < 0) {
        fprintf(stderr, "fanout_probe: %lld of %lld waybills at ETA %s after 30 s\n",
                got, want, argv[7]);
        return 1;
    }
    printf("%.1f %.1f\n", t_post - t0, t_all - t0);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    redisFree(rc);
    return 0;
}
