/* harness.h -- what the integration tests use to run the real thing: a
 * private redis-server and bin/dongting on spare loopback ports in a fresh
 * temporary directory, an HTTP client (libcurl), raw sockets for misbehaving
 * clients, and a Redis client (hiredis) for fault injection.
 *
 * Criterion runs every Test in its own forked process, so the harness keeps
 * one test's world in file-local state: use h_setup as the Test's .init and
 * h_teardown as its .fini; teardown kills whatever is still running even
 * when an assertion failed.  Children also get SIGKILL if the test process
 * dies (PR_SET_PDEATHSIG), so a timed-out test leaks no servers.
 *
 * Functions return 0 / -1 (or a pointer / NULL); on failure h_error() says
 * what went wrong, including the tail of the relevant log, so a test can
 * write cr_assert(h_server_start(args) == 0, "%s", h_error()).
 *
 * Environment: DONGTING_BIN (required) is the server binary; REDIS_SERVER
 * overrides the redis-server to run; DONGTING_TEST_KEEP=1 keeps each test's
 * temporary directory (logs) instead of removing it. */
#ifndef DT_TEST_HARNESS_H
#define DT_TEST_HARNESS_H

#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Generous: the suite also runs against an AddressSanitizer build. */
#define H_START_DEADLINE_MS 10000
#define H_STOP_DEADLINE_MS 10000

/* ---- fixtures ------------------------------------------------------------ */

/* Make the temporary directory and initialise libcurl.  Aborts the test
 * (cr_assert) if that fails, since nothing else can work then. */
void h_setup(void);

/* Stop the server and Redis (SIGTERM, then SIGKILL past a deadline), reap
 * them and remove the temporary directory unless DONGTING_TEST_KEEP is set. */
void h_teardown(void);

/* Start Redis, then the server with EXTRA_ARGS (may be NULL), and wait
 * until /readyz answers 200; a failure fails the test with the reason
 * (cr_assert).  A test about a server without Redis uses h_server_start. */
void h_start(const char *const *extra_args);

/* Start servers without pointing them at test/fixtures/geodata: they load
 * the network shipped in the repository, as a user's would (call before
 * h_start). */
void h_use_shipped_data(void);

/* The last failure's description (never NULL; "" if none). */
const char *h_error(void);

/* The test's temporary directory (absolute path). */
const char *h_dir(void);

/* ---- redis-server -------------------------------------------------------- */

/* Start redis-server on a spare port (first call) or on the port and
 * directory it had before (after h_redis_kill / h_redis_stop), and wait until
 * PING answers.  0 or -1. */
int h_redis_start(void);

/* SIGKILL Redis and reap it: a crash, as far as Dongting can tell. */
int h_redis_kill(void);

/* SIGTERM Redis, reap it (SIGKILL past the deadline).  0 or -1. */
int h_redis_stop(void);

int h_redis_port(void);

struct redisReply;

/* Run one command (redisCommand's FORMAT and arguments) on a new
 * connection to the test's Redis and return the reply (the caller frees it
 * with freeReplyObject); a failure to connect or to get a reply fails the
 * test. */
struct redisReply *h_redis_command(const char *fmt, ...);

/* Send COMMAND (split on spaces, no quoting) to Redis on a new connection
 * without waiting for the reply, so a test can make Redis busy, e.g. with
 * "DEBUG SLEEP 2".  Only one may be pending.  Watches 50 ms for an error
 * reply, so a refused command is not mistaken for a busy Redis.  0 or -1. */
int h_redis_send_nowait(const char *command);

/* Wait (up to TIMEOUT_MS) for the reply to h_redis_send_nowait's command and
 * close that connection.  0 if it answered without an error, else -1. */
int h_redis_wait_reply(int timeout_ms);

/* ---- bin/dongting -------------------------------------------------------- */

/* Start DONGTING_BIN with --listen, --redis (the harness's Redis port, which
 * need not be running), --admin-key and then EXTRA_ARGS (NULL-terminated,
 * may be NULL); its stdout and stderr go to h_server_log_path().  Waits until
 * GET /healthz answers 200.  If it exits during start-up (say a port was
 * taken meanwhile) it is retried on another port.  0 or -1. */
int h_server_start(const char *const *extra_args);

/* Send SIG to the server and wait up to TIMEOUT_MS for it to exit.
 * Returns its exit code (0..255), 128 + signal if a signal killed it, or -1
 * if it was still running at the deadline (it is then SIGKILLed) or was not
 * running at all. */
int h_server_stop(int sig, int timeout_ms);

/* Wait up to TIMEOUT_MS for the server to exit by itself (after
 * h_server_signal: a second signal could cut its shutdown short).  Returns
 * as h_server_stop does. */
int h_server_wait(int timeout_ms);

/* Send SIG to the running server without waiting.  0 or -1. */
int h_server_signal(int sig);

/* 1 if the server process is still running (not exited), else 0. */
int h_server_alive(void);

pid_t h_server_pid(void);
int h_server_port(void);
const char *h_admin_key(void);
const char *h_server_log_path(void);

/* The server log's whole contents (malloc'd, NUL-terminated; caller frees)
 * or NULL. */
char *h_server_log(void);

/* ---- bin/dongting-feedsim ------------------------------------------------ */

/* Start the carrier feed simulator (DONGTING_FEEDSIM_BIN) in the source
 * tree with --port 0 and EXTRA_ARGS (NULL-terminated, may be NULL); its
 * output goes to the test directory and h_teardown stops it.  Returns the
 * port it listens on, or -1. */
int h_feedsim_start(const char *const *extra_args);

/* ---- running a program to completion ------------------------------------- */

struct h_run_result {
    int status; /* exit code, 128 + signal, or -1 if it had to be killed */
    char *out;  /* stdout, malloc'd, NUL-terminated */
    char *err;  /* stderr, malloc'd, NUL-terminated */
};

/* Run DONGTING_BIN with ARGS (NULL-terminated, not including argv[0]) and
 * extra environment entries ENV ("NAME=VALUE", NULL-terminated, may be NULL)
 * added to the test's own environment minus any DONGTING_* variables.  Waits
 * up to TIMEOUT_MS; a program still running then is killed.  0 or -1 (could
 * not run it at all).  Free the result with h_run_free. */
int h_run_server_binary(const char *const *args, const char *const *env, int timeout_ms,
                        struct h_run_result *out);
void h_run_free(struct h_run_result *r);

/* Start DONGTING_BIN with ARGS and ENV as h_run_server_binary does, but in the
 * background as the harness's server (so h_teardown stops it), then wait
 * until GET /healthz answers 200 on PORT.  For tests that choose the server's
 * options themselves.  0 or -1. */
int h_server_start_custom(const char *const *args, const char *const *env, int port);

/* A loopback TCP port nothing listens on now, outside the kernel's
 * ephemeral range (so outgoing connections cannot take it meanwhile).  It is
 * remembered so one test never gets the same port twice.  -1 on failure. */
int h_free_port(void);

/* ---- HTTP ---------------------------------------------------------------- */

struct h_resp {
    long status; /* 0 if there was no HTTP answer */
    char *body;  /* malloc'd, NUL-terminated (may be "") */
    size_t body_len;
    char *headers; /* raw header block of the final response */
    size_t headers_len;
    double seconds;       /* whole exchange */
    char curl_error[256]; /* why status is 0 */
};

/* Make one request to the harness's server.  PATH starts with '/'.  BEARER
 * (may be NULL) becomes "Authorization: Bearer ...", BODY (may be NULL) is
 * sent as application/json, EXTRA_HEADER (may be NULL) is one "Name: value"
 * line.  Returns 0 if an HTTP response arrived (any status), -1 otherwise
 * (status 0, curl_error set).  Free OUT with h_resp_free in either case. */
int h_http(const char *method, const char *path, const char *bearer, const char *body,
           const char *extra_header, struct h_resp *out);

/* As h_http, against PORT, giving up after TIMEOUT_MS. */
int h_http_port(int port, const char *method, const char *path, const char *bearer,
                const char *body, const char *extra_header, int timeout_ms,
                struct h_resp *out);

/* As h_http with a body of LEN bytes (may hold NULs) sent as CONTENT_TYPE. */
int h_http_raw(const char *method, const char *path, const char *bearer, const char *body,
               size_t len, const char *content_type, const char *extra_header,
               struct h_resp *out);

void h_resp_free(struct h_resp *r);

/* Copy response header NAME's value (first occurrence, case-insensitive
 * name, surrounding blanks removed) into BUF.  0, or -1 if absent. */
int h_resp_header(const struct h_resp *r, const char *name, char *buf, size_t buflen);

/* The body parsed as JSON (new reference, caller decrefs) or NULL. */
json_t *h_resp_json(const struct h_resp *r);

/* OBJ[KEY] if it is a JSON string, else "(missing or not a string)", so
 * that it can go straight into cr_assert_str_eq. */
const char *h_jstr(const json_t *obj, const char *key);

/* Check R is an error reply: STATUS, Content-Type application/json, body
 * {"error":{"code":CODE,"message":non-empty string}}.  0, or -1 with the
 * reason in WHY. */
int h_check_error(const struct h_resp *r, long status, const char *code, char *why,
                  size_t whylen);

/* Poll GET PATH (with BEARER) until it answers WANT_STATUS or TIMEOUT_MS
 * passes.  0 or -1 (h_error says what it last got). */
int h_wait_status(const char *path, const char *bearer, long want_status,
                  int timeout_ms);

/* Create an API key through POST /v1/keys with the admin key.  BODY is the
 * JSON request.  On 201 copies the key's id and secret into ID and KEY and
 * returns 0; otherwise -1 (h_error has the response). */
int h_create_key(const char *body, char *id, size_t idlen, char *key, size_t keylen);

/* 1 if S is exactly LEN hexadecimal digits, else 0. */
int h_is_hex(const char *s, size_t len);

/* Find the first Prometheus sample of metric NAME (exact name, with or
 * without labels) whose label set contains every string in LABELS
 * (NULL-terminated, may be NULL), e.g. "method=\"GET\"".  Stores its value.
 * 0 or -1 if there is no such sample. */
int h_metric_value(const char *text, const char *name, const char *const *labels,
                   double *value);

/* ---- raw sockets --------------------------------------------------------- */

/* A blocking TCP socket connected to 127.0.0.1:PORT, or -1. */
int h_connect(int port);

/* Send all LEN bytes (no SIGPIPE).  0 or -1. */
int h_send_all(int fd, const void *buf, size_t len);

/* Wait up to TIMEOUT_MS for the peer to close FD, discarding any data.
 * Returns 1 if it closed (EOF or reset), 0 on timeout, and -1 if data
 * arrived first when FAIL_ON_DATA is set. */
int h_wait_closed(int fd, int timeout_ms, int fail_on_data);

/* Read from FD until the peer closes or TIMEOUT_MS passes; returns what
 * arrived (malloc'd, NUL-terminated, maybe "") or NULL on allocation
 * failure.  *CLOSED is set to 1 if the peer closed. */
char *h_read_until_close(int fd, int timeout_ms, int *closed);

/* Read one HTTP/1.1 response with a Content-Length (or none) from FD,
 * waiting up to TIMEOUT_MS.  Returns its status, or -1. */
int h_read_response_status(int fd, int timeout_ms);

/* ---- time and files ------------------------------------------------------ */

long long h_now_ms(void); /* monotonic */
void h_sleep_ms(int ms);

/* Whole file (malloc'd, NUL-terminated) or NULL; *LEN if LEN is not NULL. */
char *h_read_file(const char *path, size_t *len);

/* Write TEXT to DIR/NAME (h_dir() if DIR is NULL); the path goes to PATH.
 * 0 or -1. */
int h_write_file(const char *name, const char *text, char *path, size_t pathlen);

/* ---- assertions ------------------------------------------------------------ */

/* Assert R's status, showing the body when it differs. */
#define H_ASSERT_STATUS(r, want)                                                       \
    cr_assert_eq((r)->status, (long)(want),                                            \
                 "expected HTTP %ld, got %ld (%s); body: %.400s", (long)(want),        \
                 (r)->status, (r)->curl_error, (r)->body ? (r)->body : "")

/* Assert R is the JSON error STATUS / CODE. */
#define H_ASSERT_ERROR(r, status_, code_)                                              \
    do {                                                                               \
        char h_why_[768];                                                              \
        cr_assert(h_check_error((r), (status_), (code_), h_why_, sizeof(h_why_)) == 0, \
                  "%s", h_why_);                                                       \
    } while (0)

/* End a test that left the server running: SIGTERM must make it exit 0
 * (under a sanitizer build, a leak or a runtime error makes this fail). */
/* While Redis is away: /readyz is 503 not_ready naming Redis, /healthz 200. */
void h_assert_down_but_alive(void);

#define H_ASSERT_CLEAN_EXIT()                                                          \
    do {                                                                               \
        int h_st_ = h_server_stop(SIGTERM, H_STOP_DEADLINE_MS);                        \
        cr_assert_eq(h_st_, 0, "server exited with status %d on SIGTERM; %s", h_st_,   \
                     h_error());                                                       \
    } while (0)

#endif
