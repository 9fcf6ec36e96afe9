/* harness.c -- runs a private redis-server and bin/dongting for one test and
 * talks to them (see harness.h).
 *
 * State is file-local and per process: Criterion forks a process per Test,
 * so two tests never share it.  Nothing here sleeps for a fixed long time;
 * every wait polls against a deadline, because the same suite runs against
 * a sanitizer build that starts and answers several times slower. */
#include "harness.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <hiredis/hiredis.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define ERR_LEN 4096
#define LOG_TAIL_BYTES 1500
#define MAX_USED_PORTS 64
#define HTTP_BODY_CAP (16 * 1024 * 1024) /* no test expects more */
#define HTTP_HEADER_CAP (256 * 1024)
#define RAW_READ_CAP (1024 * 1024)
#define SERVER_START_TRIES 3
#define REDIS_START_TRIES 3
#define MAX_ARGS 64

static struct {
    int ready;    /* h_setup ran */
    char dir[64]; /* "/tmp/dongting-it-XXXXXX" */
    char err[ERR_LEN];

    pid_t redis_pid; /* 0 when not running */
    int redis_port;  /* 0 until first chosen; kept across restarts */
    char redis_log[PATH_MAX];
    redisContext *pending; /* h_redis_send_nowait's connection */
    int pending_answered;  /* its reply came (and was read) already */

    pid_t sim_pid;    /* bin/dongting-feedsim, 0 when not running */
    char sim_out[PATH_MAX], sim_log[PATH_MAX];

    pid_t server_pid; /* 0 when never started or already reaped */
    int server_port;
    char admin_key[33];
    char server_log[PATH_MAX];

    int used_ports[MAX_USED_PORTS];
    int n_used_ports;
    int n_runs;                   /* names h_run_server_binary's output files */
    char data_env[PATH_MAX + 32]; /* "DONGTING_DATA_DIR=..." (build_env) */
    char web_env[PATH_MAX + 32];  /* "DONGTING_WEB_DIR=..." (build_env) */
    int shipped_data;             /* h_use_shipped_data(): no fixture */
} hs;

/* ---- errors -------------------------------------------------------------- */

static void set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void set_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(hs.err, sizeof(hs.err), fmt, ap);
    va_end(ap);
}

/* Append the last bytes of the log at PATH to the error, so a failed start
 * or stop explains itself in the test report. */
static void append_log_tail(const char *path) {
    size_t len = 0, used = strlen(hs.err);
    char *text = h_read_file(path, &len);
    const char *tail;

    if (text == NULL) {
        snprintf(hs.err + used, sizeof(hs.err) - used, " (no log at %s)", path);
        return;
    }
    tail = len > LOG_TAIL_BYTES ? text + len - LOG_TAIL_BYTES : text;
    snprintf(hs.err + used, sizeof(hs.err) - used, "\n--- tail of %s ---\n%s", path,
             tail);
    free(text);
}

const char *h_error(void) {
    return hs.err;
}

const char *h_dir(void) {
    return hs.dir;
}

/* ---- time ---------------------------------------------------------------- */

long long h_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void h_sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- files --------------------------------------------------------------- */

char *h_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL) return NULL;
    for (;;) {
        size_t got;
        if (cap - n < 4096) {
            char *nb;
            cap = cap ? cap * 2 : 8192;
            nb = realloc(buf, cap + 1);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    fclose(f);
    buf[n] = '\0';
    if (len != NULL) *len = n;
    return buf;
}

int h_write_file(const char *name, const char *text, char *path, size_t pathlen) {
    FILE *f;
    size_t n = strlen(text);

    if ((size_t)snprintf(path, pathlen, "%s/%s", hs.dir, name) >= pathlen) {
        set_error("path %s/%s is too long", hs.dir, name);
        return -1;
    }
    f = fopen(path, "wb");
    if (f == NULL) {
        set_error("cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    if (fwrite(text, 1, n, f) != n || fclose(f) != 0) {
        set_error("cannot write %s", path);
        return -1;
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw) {
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* ---- processes ----------------------------------------------------------- */

static int decode_status(int st) {
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return -1;
}

/* Wait up to TIMEOUT_MS for PID to exit; stores the decoded status.
 * 0 if it exited, -1 if still running at the deadline. */
static int wait_exit(pid_t pid, int timeout_ms, int *status) {
    long long deadline = h_now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            *status = decode_status(st);
            return 0;
        }
        if (r < 0 && errno != EINTR) {
            *status = -1;
            return 0; /* not our child any more: nothing left to wait for */
        }
        if (h_now_ms() >= deadline) return -1;
        h_sleep_ms(10);
    }
}

/* SIG, then SIGKILL if PID outlives TIMEOUT_MS.  Returns the exit status,
 * or -1 if it needed SIGKILL. */
static int terminate(pid_t pid, int sig, int timeout_ms) {
    int st;
    kill(pid, sig);
    if (wait_exit(pid, timeout_ms, &st) == 0) return st;
    kill(pid, SIGKILL);
    wait_exit(pid, 5000, &st);
    return -1;
}

/* The test's environment without DONGTING_* (so a developer's shell cannot
 * change what a test means) plus EXTRA.  When the source tree has the small
 * test network (test/fixtures/geodata), DONGTING_DATA_DIR points the server
 * at it: these tests are about HTTP and Redis, and a small network starts
 * fast even under a sanitizer.  The array is malloc'd, the strings live in
 * the environment, EXTRA or hs.data_env.  NULL on allocation failure. */
static char **build_env(const char *const *extra) {
    const char *src = getenv("DONGTING_SRC");
    size_t n = 0, m = 0, k = 0;
    int extra_has_data = 0;
    char **env;
    struct stat st;

    while (environ[n] != NULL)
        n++;
    while (extra != NULL && extra[m] != NULL) {
        if (strncmp(extra[m], "DONGTING_DATA_DIR=", 18) == 0) extra_has_data = 1;
        m++;
    }
    env = calloc(n + m + 3, sizeof(*env));
    if (env == NULL) return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "DONGTING_", 9) != 0) env[k++] = environ[i];
    for (size_t i = 0; i < m; i++)
        env[k++] = (char *)(uintptr_t)extra[i];
    if (!extra_has_data && !hs.shipped_data && src != NULL && *src != '\0' &&
        (size_t)snprintf(hs.data_env, sizeof(hs.data_env),
                         "DONGTING_DATA_DIR=%s/test/fixtures/geodata",
                         src) < sizeof(hs.data_env) &&
        stat(hs.data_env + 18, &st) == 0 && S_ISDIR(st.st_mode))
        env[k++] = hs.data_env;
    /* the web pages of this source tree, wherever the server runs */
    if (src != NULL && *src != '\0' &&
        (size_t)snprintf(hs.web_env, sizeof(hs.web_env), "DONGTING_WEB_DIR=%s/server/web", src) <
            sizeof(hs.web_env))
        env[k++] = hs.web_env;
    env[k] = NULL;
    return env;
}

void h_use_shipped_data(void) { hs.shipped_data = 1; }

/* fork + exec FILE (searched in PATH if it has no '/') with ARGV and ENVP
 * in directory CWD (NULL: this one); stdout goes to OUT_PATH and stderr to
 * ERR_PATH (appending; the same path for both shares one descriptor).  The
 * child dies with the test process.  Returns the pid or -1. */
static pid_t spawn(const char *file, char *const argv[], char *const envp[],
                   const char *out_path, const char *err_path, const char *cwd) {
    pid_t parent = getpid(), pid;
    int out_fd, err_fd, null_fd;

    out_fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out_fd < 0) {
        set_error("cannot open %s: %s", out_path, strerror(errno));
        return -1;
    }
    if (strcmp(out_path, err_path) == 0) {
        err_fd = out_fd;
    } else {
        err_fd = open(err_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (err_fd < 0) {
            set_error("cannot open %s: %s", err_path, strerror(errno));
            close(out_fd);
            return -1;
        }
    }
    null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls here: a test may have threads. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(126);
        if (null_fd >= 0) dup2(null_fd, 0);
        dup2(out_fd, 1);
        dup2(err_fd, 2);
        signal(SIGPIPE, SIG_DFL);
        if (cwd != NULL && chdir(cwd) != 0) _exit(125);
        execvpe(file, argv, envp);
        _exit(127);
    }
    if (pid < 0) set_error("fork: %s", strerror(errno));
    close(out_fd);
    if (err_fd != out_fd) close(err_fd);
    if (null_fd >= 0) close(null_fd);
    return pid;
}

/* ---- ports --------------------------------------------------------------- */

static void ephemeral_range(int *lo, int *hi) {
    char *text = h_read_file("/proc/sys/net/ipv4/ip_local_port_range", NULL);
    *lo = 32768;
    *hi = 60999;
    if (text != NULL) {
        char *end;
        long a = strtol(text, &end, 10), b = strtol(end, NULL, 10);
        if (a > 0 && b >= a && b < 65536) {
            *lo = (int)a;
            *hi = (int)b;
        }
        free(text);
    }
}

static int port_bindable(int port) {
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), ok;

    if (fd < 0) return 0;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && listen(fd, 1) == 0;
    close(fd);
    return ok;
}

int h_free_port(void) {
    int lo, hi, base, span;

    /* Ports a kernel hands to outgoing connections (curl's, another test's)
     * could be taken between this probe and the server's bind, and again
     * while a test has Redis down, so stay outside that range. */
    ephemeral_range(&lo, &hi);
    if (lo > 11024) {
        base = lo - 11000;
        span = 11000;
    } else {
        base = hi + 1;
        span = 65535 - hi;
    }
    for (int tries = 0; tries < 500; tries++) {
        unsigned int r = 0;
        int port, used = 0;
        if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
            r = (unsigned int)(getpid() * 7919 + tries * 104729);
        port = base + (int)(r % (unsigned int)span);
        for (int i = 0; i < hs.n_used_ports; i++)
            if (hs.used_ports[i] == port) used = 1;
        if (used || !port_bindable(port)) continue;
        if (hs.n_used_ports < MAX_USED_PORTS) hs.used_ports[hs.n_used_ports++] = port;
        return port;
    }
    set_error("no free loopback port found");
    return -1;
}

/* ---- fixtures ------------------------------------------------------------ */

void h_setup(void) {
    unsigned char rnd[16];

    memset(&hs, 0, sizeof(hs));
    /* hiredis and raw sockets write to peers that tests kill on purpose. */
    signal(SIGPIPE, SIG_IGN);
    snprintf(hs.dir, sizeof(hs.dir), "/tmp/dongting-it-XXXXXX");
    cr_assert_not_null(mkdtemp(hs.dir), "mkdtemp: %s", strerror(errno));
    snprintf(hs.redis_log, sizeof(hs.redis_log), "%s/redis.log", hs.dir);
    snprintf(hs.server_log, sizeof(hs.server_log), "%s/dongting.log", hs.dir);
    cr_assert_eq(getrandom(rnd, sizeof(rnd), 0), (ssize_t)sizeof(rnd),
                 "getrandom failed");
    for (size_t i = 0; i < sizeof(rnd); i++)
        snprintf(hs.admin_key + 2 * i, 3, "%02x", rnd[i]);
    /* Before any thread exists: curl_global_init is not thread-safe. */
    cr_assert_eq(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK,
                 "curl_global_init failed");
    hs.ready = 1;
}

void h_teardown(void) {
    const char *keep = getenv("DONGTING_TEST_KEEP");

    if (!hs.ready) return;
    if (hs.server_pid > 0) {
        int st = terminate(hs.server_pid, SIGTERM, 5000);
        hs.server_pid = 0;
        /* A fini cannot fail the test in Criterion, but the log tail
         * (a sanitizer report, say) should still be seen. */
        if (st != 0) {
            set_error("teardown: dongting exited with status %d", st);
            append_log_tail(hs.server_log);
            fprintf(stderr, "%s\n", hs.err);
        }
    }
    if (hs.sim_pid > 0) {
        terminate(hs.sim_pid, SIGTERM, 5000);
        hs.sim_pid = 0;
    }
    if (hs.pending != NULL) {
        redisFree(hs.pending);
        hs.pending = NULL;
    }
    if (hs.redis_pid > 0) {
        terminate(hs.redis_pid, SIGKILL, 5000);
        hs.redis_pid = 0;
    }
    if (keep != NULL && *keep != '\0' && strcmp(keep, "0") != 0)
        fprintf(stderr, "kept test directory %s\n", hs.dir);
    else
        nftw(hs.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    /* No curl_global_cleanup: after a failed assertion a test's thread may
     * still be inside curl, and the process ends right after this anyway. */
    hs.ready = 0;
}

void h_start(const char *const *extra_args) {
    cr_assert_eq(h_redis_start(), 0, "redis-server did not start: %s", hs.err);
    cr_assert_eq(h_server_start(extra_args), 0, "dongting did not start: %s", hs.err);
    /* Ready, not only listening: its first Redis round trip (and the
     * engines' loads) may take a moment on a busy machine. */
    cr_assert_eq(h_wait_status("/readyz", NULL, 200, H_START_DEADLINE_MS), 0,
                 "dongting did not become ready: %s", hs.err);
}

/* ---- redis-server -------------------------------------------------------- */

/* 1 if Redis on PORT answers PING with PONG. */
static int redis_pings(int port) {
    struct timeval tv = {0, 300000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    redisReply *reply;
    int ok = 0;

    if (c == NULL) return 0;
    if (c->err == 0) {
        redisSetTimeout(c, tv);
        reply = redisCommand(c, "PING");
        /* While Redis replays its AOF it answers -LOADING: not ready yet. */
        ok = reply != NULL && reply->type == REDIS_REPLY_STATUS &&
             strcmp(reply->str, "PONG") == 0;
        if (reply != NULL) freeReplyObject(reply);
    }
    redisFree(c);
    return ok;
}

/* Start redis-server on hs.redis_port and wait for PING.  0, -1 if it
 * failed to come up, -2 if it exited during start-up (port taken?). */
static int redis_start_once(void) {
    const char *bin = getenv("REDIS_SERVER");
    char port[16], out_path[PATH_MAX];
    char *argv[32];
    int i = 0, st;
    long long deadline;
    pid_t pid;

    if (bin == NULL || *bin == '\0')
        bin = access("/usr/bin/redis-server", X_OK) == 0 ? "/usr/bin/redis-server"
                                                         : "redis-server";
    snprintf(port, sizeof(port), "%d", hs.redis_port);
    snprintf(out_path, sizeof(out_path), "%s/redis.out", hs.dir);
    argv[i++] = (char *)(uintptr_t)bin;
    argv[i++] = (char *)(uintptr_t) "--port";
    argv[i++] = port;
    argv[i++] = (char *)(uintptr_t) "--bind";
    argv[i++] = (char *)(uintptr_t) "127.0.0.1";
    argv[i++] = (char *)(uintptr_t) "--save";
    argv[i++] = (char *)(uintptr_t) "";
    argv[i++] = (char *)(uintptr_t) "--appendonly";
    argv[i++] = (char *)(uintptr_t) "yes";
    /* kill -9 must not lose a key a test wrote just before (everysec could). */
    argv[i++] = (char *)(uintptr_t) "--appendfsync";
    argv[i++] = (char *)(uintptr_t) "always";
    /* Redis 7 refuses DEBUG (the fault injector) unless told otherwise. */
    argv[i++] = (char *)(uintptr_t) "--enable-debug-command";
    argv[i++] = (char *)(uintptr_t) "local";
    argv[i++] = (char *)(uintptr_t) "--dir";
    argv[i++] = hs.dir;
    argv[i++] = (char *)(uintptr_t) "--daemonize";
    argv[i++] = (char *)(uintptr_t) "no";
    argv[i++] = (char *)(uintptr_t) "--logfile";
    argv[i++] = hs.redis_log;
    argv[i] = NULL;

    pid = spawn(bin, argv, environ, out_path, out_path, NULL);
    if (pid < 0) return -1;
    hs.redis_pid = pid;
    deadline = h_now_ms() + H_START_DEADLINE_MS;
    while (h_now_ms() < deadline) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            hs.redis_pid = 0;
            set_error("redis-server on port %d exited with status %d", hs.redis_port,
                      decode_status(st));
            append_log_tail(hs.redis_log);
            return -2;
        }
        if (redis_pings(hs.redis_port)) return 0;
        h_sleep_ms(20);
    }
    set_error("redis-server on port %d did not answer PING within %d ms", hs.redis_port,
              H_START_DEADLINE_MS);
    append_log_tail(hs.redis_log);
    return -1;
}

int h_redis_start(void) {
    int fixed = hs.redis_port != 0;

    if (hs.redis_pid > 0) {
        set_error("redis-server is already running");
        return -1;
    }
    for (int attempt = 0; attempt < REDIS_START_TRIES; attempt++) {
        int rc;
        if (!fixed && (hs.redis_port = h_free_port()) < 0) return -1;
        rc = redis_start_once();
        if (rc == 0) return 0;
        /* A restart must keep its port (the server is configured with it);
         * only a first start may move to another one. */
        if (rc == -1 || fixed) return -1;
        hs.redis_port = 0;
    }
    return -1;
}

int h_redis_kill(void) {
    int st;
    if (hs.redis_pid <= 0) {
        set_error("redis-server is not running");
        return -1;
    }
    kill(hs.redis_pid, SIGKILL);
    wait_exit(hs.redis_pid, 5000, &st);
    hs.redis_pid = 0;
    return 0;
}

int h_redis_stop(void) {
    int st;
    if (hs.redis_pid <= 0) {
        set_error("redis-server is not running");
        return -1;
    }
    st = terminate(hs.redis_pid, SIGTERM, 5000);
    hs.redis_pid = 0;
    if (st != 0) {
        set_error("redis-server exited with status %d", st);
        return -1;
    }
    return 0;
}

struct redisReply *h_redis_command(const char *fmt, ...) {
    redisContext *c = redisConnect("127.0.0.1", hs.redis_port);
    redisReply *rep = NULL;
    va_list ap;
    cr_assert(c != NULL && c->err == 0, "cannot connect to Redis on port %d", hs.redis_port);
    va_start(ap, fmt);
    rep = redisvCommand(c, fmt, ap);
    va_end(ap);
    redisFree(c);
    cr_assert_not_null(rep, "no reply from Redis");
    return rep;
}

int h_redis_port(void) {
    return hs.redis_port;
}

int h_redis_send_nowait(const char *command) {
    struct timeval tv = {2, 0};
    const char *argv[16];
    size_t argvlen[16];
    char copy[256];
    int argc = 0, done = 0;
    char *p;

    if (hs.pending != NULL) {
        set_error("a Redis command is already pending");
        return -1;
    }
    if (strlen(command) >= sizeof(copy)) {
        set_error("Redis command too long");
        return -1;
    }
    snprintf(copy, sizeof(copy), "%s", command);
    for (p = copy; *p != '\0' && argc < 16;) {
        while (*p == ' ')
            *p++ = '\0';
        if (*p == '\0') break;
        argv[argc] = p;
        while (*p != '\0' && *p != ' ')
            p++;
        argvlen[argc] = (size_t)(p - argv[argc]);
        argc++;
    }
    if (argc == 0) {
        set_error("empty Redis command");
        return -1;
    }
    hs.pending = redisConnectWithTimeout("127.0.0.1", hs.redis_port, tv);
    if (hs.pending == NULL || hs.pending->err) {
        set_error("cannot connect to Redis on port %d: %s", hs.redis_port,
                  hs.pending ? hs.pending->errstr : "out of memory");
        if (hs.pending) redisFree(hs.pending);
        hs.pending = NULL;
        return -1;
    }
    redisSetTimeout(hs.pending, tv);
    if (redisAppendCommandArgv(hs.pending, argc, argv, argvlen) != REDIS_OK) {
        set_error("cannot queue Redis command: %s", hs.pending->errstr);
        goto err;
    }
    /* Push the bytes out now; the reply is read later. */
    while (!done) {
        if (redisBufferWrite(hs.pending, &done) != REDIS_OK) {
            set_error("cannot send Redis command: %s", hs.pending->errstr);
            goto err;
        }
    }
    /* A command meant to keep Redis busy that is refused (say DEBUG while
     * it is disabled) answers at once; catch that here, or a test would
     * believe Redis is asleep when it is not. */
    {
        struct pollfd pfd = {hs.pending->fd, POLLIN, 0};
        if (poll(&pfd, 1, 50) > 0) {
            void *reply = NULL;
            if (redisGetReply(hs.pending, &reply) != REDIS_OK || reply == NULL) {
                set_error("Redis connection failed: %s", hs.pending->errstr);
                goto err;
            }
            if (((redisReply *)reply)->type == REDIS_REPLY_ERROR) {
                set_error("Redis refused '%s': %s", command,
                          ((redisReply *)reply)->str);
                freeReplyObject(reply);
                goto err;
            }
            freeReplyObject(reply);
            hs.pending_answered = 1;
        }
    }
    return 0;
err:
    redisFree(hs.pending);
    hs.pending = NULL;
    hs.pending_answered = 0;
    return -1;
}

int h_redis_wait_reply(int timeout_ms) {
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    void *reply = NULL;
    int rc = -1;

    if (hs.pending == NULL) {
        set_error("no Redis command is pending");
        return -1;
    }
    if (hs.pending_answered) {
        hs.pending_answered = 0;
        redisFree(hs.pending);
        hs.pending = NULL;
        return 0;
    }
    redisSetTimeout(hs.pending, tv);
    if (redisGetReply(hs.pending, &reply) == REDIS_OK && reply != NULL) {
        redisReply *r = reply;
        if (r->type == REDIS_REPLY_ERROR)
            set_error("Redis answered an error: %s", r->str);
        else
            rc = 0;
        freeReplyObject(reply);
    } else {
        set_error("no Redis reply: %s", hs.pending->errstr);
    }
    redisFree(hs.pending);
    hs.pending = NULL;
    return rc;
}

static const char *server_cwd(void);

/* ---- bin/dongting-feedsim ------------------------------------------------ */

int h_feedsim_start(const char *const *extra_args) {
    const char *bin = getenv("DONGTING_FEEDSIM_BIN");
    char *argv[32], **env;
    char *out;
    int n = 0, port = -1;
    long long deadline;

    if (bin == NULL || *bin == '\0' || access(bin, X_OK) != 0) {
        set_error("DONGTING_FEEDSIM_BIN (the path of bin/dongting-feedsim) is not set or "
                  "not executable");
        return -1;
    }
    snprintf(hs.sim_out, sizeof(hs.sim_out), "%s/feedsim.out", hs.dir);
    snprintf(hs.sim_log, sizeof(hs.sim_log), "%s/feedsim.log", hs.dir);
    argv[n++] = (char *)(uintptr_t)bin;
    argv[n++] = (char *)(uintptr_t)"--port";
    argv[n++] = (char *)(uintptr_t)"0";
    for (int i = 0; extra_args != NULL && extra_args[i] != NULL && n < 30; i++)
        argv[n++] = (char *)(uintptr_t)extra_args[i];
    argv[n] = NULL;
    if ((env = build_env(NULL)) == NULL) {
        set_error("out of memory");
        return -1;
    }
    hs.sim_pid = spawn(bin, argv, env, hs.sim_out, hs.sim_log, server_cwd());
    free(env);
    if (hs.sim_pid < 0) {
        hs.sim_pid = 0;
        return -1;
    }
    /* It prints "feedsim listening on 127.0.0.1:PORT ..." once it accepts. */
    deadline = h_now_ms() + H_START_DEADLINE_MS;
    while (h_now_ms() < deadline && port < 0) {
        const char *p;
        if ((out = h_read_file(hs.sim_out, NULL)) != NULL &&
            (p = strstr(out, "feedsim listening on 127.0.0.1:")) != NULL)
            port = (int)strtol(p + strlen("feedsim listening on 127.0.0.1:"), NULL, 10);
        free(out);
        if (port < 0) h_sleep_ms(20);
    }
    if (port <= 0) {
        set_error("dongting-feedsim did not start");
        append_log_tail(hs.sim_log);
        return -1;
    }
    return port;
}

/* ---- bin/dongting -------------------------------------------------------- */

static const char *server_bin(void) {
    const char *bin = getenv("DONGTING_BIN");
    if (bin == NULL || *bin == '\0') {
        set_error("DONGTING_BIN is not set (the path of bin/dongting)");
        return NULL;
    }
    if (access(bin, X_OK) != 0) {
        set_error("DONGTING_BIN=%s is not executable: %s", bin, strerror(errno));
        return NULL;
    }
    return bin;
}

/* The server reads its data files relative to the source tree, wherever
 * the test binary was started from.  NULL: stay where we are. */
static const char *server_cwd(void) {
    const char *src = getenv("DONGTING_SRC");
    return src != NULL && *src != '\0' ? src : NULL;
}

/* Wait until the server answers GET /healthz 200 on PORT.  0, -1 if it did
 * not in time, -2 if the process exited meanwhile. */
static int wait_healthy(int port) {
    long long deadline = h_now_ms() + H_START_DEADLINE_MS;
    long last = 0;

    while (h_now_ms() < deadline) {
        struct h_resp r;
        int st;
        if (waitpid(hs.server_pid, &st, WNOHANG) == hs.server_pid) {
            hs.server_pid = 0;
            set_error("dongting exited with status %d during start-up",
                      decode_status(st));
            append_log_tail(hs.server_log);
            return -2;
        }
        h_http_port(port, "GET", "/healthz", NULL, NULL, NULL, 1000, &r);
        last = r.status;
        h_resp_free(&r);
        if (last == 200) return 0;
        h_sleep_ms(30);
    }
    set_error("dongting did not answer GET /healthz with 200 on port %d within "
              "%d ms (last status %ld)",
              port, H_START_DEADLINE_MS, last);
    append_log_tail(hs.server_log);
    return -1;
}

int h_server_start(const char *const *extra_args) {
    const char *bin = server_bin();
    char listen[32], redis[32];
    char *argv[MAX_ARGS];
    char **env;
    int argc, rc = -1;

    if (bin == NULL) return -1;
    if (hs.server_pid > 0) {
        set_error("dongting is already running");
        return -1;
    }
    /* Without a Redis of its own the server is pointed at a dead port. */
    if (hs.redis_port == 0 && (hs.redis_port = h_free_port()) < 0) return -1;
    env = build_env(NULL);
    if (env == NULL) {
        set_error("out of memory");
        return -1;
    }
    for (int attempt = 0; attempt < SERVER_START_TRIES; attempt++) {
        int port = h_free_port();
        if (port < 0) break;
        snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
        snprintf(redis, sizeof(redis), "127.0.0.1:%d", hs.redis_port);
        argc = 0;
        argv[argc++] = (char *)(uintptr_t)bin;
        argv[argc++] = (char *)(uintptr_t) "--listen";
        argv[argc++] = listen;
        argv[argc++] = (char *)(uintptr_t) "--redis";
        argv[argc++] = redis;
        argv[argc++] = (char *)(uintptr_t) "--admin-key";
        argv[argc++] = hs.admin_key;
        for (int i = 0; extra_args != NULL && extra_args[i] != NULL; i++) {
            if (argc >= MAX_ARGS - 1) {
                set_error("too many arguments");
                goto done;
            }
            argv[argc++] = (char *)(uintptr_t)extra_args[i];
        }
        argv[argc] = NULL;
        hs.server_port = port;
        hs.server_pid =
            spawn(bin, argv, env, hs.server_log, hs.server_log, server_cwd());
        if (hs.server_pid < 0) {
            hs.server_pid = 0;
            goto done;
        }
        rc = wait_healthy(port);
        if (rc != -2) break; /* up, or hung: retrying would not help */
    }
done:
    free(env);
    return rc == 0 ? 0 : -1;
}

int h_server_start_custom(const char *const *args, const char *const *env, int port) {
    const char *bin = server_bin();
    char *argv[MAX_ARGS];
    char **envp;
    int argc = 0, rc;

    if (bin == NULL) return -1;
    if (hs.server_pid > 0) {
        set_error("dongting is already running");
        return -1;
    }
    argv[argc++] = (char *)(uintptr_t)bin;
    for (int i = 0; args != NULL && args[i] != NULL; i++) {
        if (argc >= MAX_ARGS - 1) {
            set_error("too many arguments");
            return -1;
        }
        argv[argc++] = (char *)(uintptr_t)args[i];
    }
    argv[argc] = NULL;
    envp = build_env(env);
    if (envp == NULL) {
        set_error("out of memory");
        return -1;
    }
    hs.server_port = port;
    hs.server_pid = spawn(bin, argv, envp, hs.server_log, hs.server_log, server_cwd());
    free(envp);
    if (hs.server_pid < 0) {
        hs.server_pid = 0;
        return -1;
    }
    rc = wait_healthy(port);
    return rc == 0 ? 0 : -1;
}

int h_server_wait(int timeout_ms) {
    int st;

    if (hs.server_pid <= 0) {
        set_error("dongting is not running");
        return -1;
    }
    if (wait_exit(hs.server_pid, timeout_ms, &st) != 0) {
        set_error("dongting still running after %d ms (killed)", timeout_ms);
        append_log_tail(hs.server_log);
        kill(hs.server_pid, SIGKILL);
        wait_exit(hs.server_pid, 5000, &st);
        hs.server_pid = 0;
        return -1;
    }
    hs.server_pid = 0;
    if (st != 0) {
        set_error("dongting exited with status %d", st);
        append_log_tail(hs.server_log);
    }
    return st;
}

int h_server_stop(int sig, int timeout_ms) {
    if (hs.server_pid <= 0) {
        set_error("dongting is not running");
        return -1;
    }
    kill(hs.server_pid, sig);
    return h_server_wait(timeout_ms);
}

int h_server_signal(int sig) {
    if (hs.server_pid <= 0) {
        set_error("dongting is not running");
        return -1;
    }
    return kill(hs.server_pid, sig) == 0 ? 0 : -1;
}

int h_server_alive(void) {
    siginfo_t info;
    if (hs.server_pid <= 0) return 0;
    /* WNOWAIT: leave the status for h_server_stop or teardown to report. */
    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t)hs.server_pid, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
        return 0;
    return info.si_pid == 0;
}

pid_t h_server_pid(void) {
    return hs.server_pid;
}
int h_server_port(void) {
    return hs.server_port;
}
const char *h_admin_key(void) {
    return hs.admin_key;
}
const char *h_server_log_path(void) {
    return hs.server_log;
}
char *h_server_log(void) {
    return h_read_file(hs.server_log, NULL);
}

/* ---- running a program to completion ------------------------------------- */

int h_run_server_binary(const char *const *args, const char *const *env, int timeout_ms,
                        struct h_run_result *out) {
    const char *bin = server_bin();
    char out_path[PATH_MAX], err_path[PATH_MAX];
    char *argv[MAX_ARGS];
    char **envp;
    int argc = 0, st;
    pid_t pid;

    memset(out, 0, sizeof(*out));
    out->status = -1;
    if (bin == NULL) return -1;
    argv[argc++] = (char *)(uintptr_t)bin;
    for (int i = 0; args != NULL && args[i] != NULL; i++) {
        if (argc >= MAX_ARGS - 1) {
            set_error("too many arguments");
            return -1;
        }
        argv[argc++] = (char *)(uintptr_t)args[i];
    }
    argv[argc] = NULL;
    hs.n_runs++;
    snprintf(out_path, sizeof(out_path), "%s/run%d.out", hs.dir, hs.n_runs);
    snprintf(err_path, sizeof(err_path), "%s/run%d.err", hs.dir, hs.n_runs);
    envp = build_env(env);
    if (envp == NULL) {
        set_error("out of memory");
        return -1;
    }
    pid = spawn(bin, argv, envp, out_path, err_path, server_cwd());
    free(envp);
    if (pid < 0) return -1;
    if (wait_exit(pid, timeout_ms, &st) != 0) {
        kill(pid, SIGKILL);
        wait_exit(pid, 5000, &st);
        st = -1;
        set_error("%s was still running after %d ms (killed)", bin, timeout_ms);
    }
    out->status = st;
    out->out = h_read_file(out_path, NULL);
    out->err = h_read_file(err_path, NULL);
    if (out->out == NULL || out->err == NULL) {
        set_error("cannot read the program's output");
        h_run_free(out);
        return -1;
    }
    return 0;
}

void h_run_free(struct h_run_result *r) {
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

/* ---- HTTP ---------------------------------------------------------------- */

struct dynbuf {
    char *data;
    size_t len, cap, max;
};

/* Append LEN bytes, keeping a NUL after them.  0, or -1 past the cap. */
static int dyn_add(struct dynbuf *b, const char *p, size_t len) {
    if (b->len + len > b->max) return -1;
    if (b->len + len + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap : 1024;
        char *nd;
        while (ncap < b->len + len + 1)
            ncap *= 2;
        nd = realloc(b->data, ncap);
        if (nd == NULL) return -1;
        b->data = nd;
        b->cap = ncap;
    }
    memcpy(b->data + b->len, p, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

static size_t on_body(char *p, size_t size, size_t n, void *arg) {
    /* Returning less than given makes curl stop: the cap is enforced here. */
    return dyn_add(arg, p, size * n) == 0 ? size * n : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg) {
    struct dynbuf *b = arg;
    /* Keep only the final response's headers (after any 1xx). */
    if (size * n >= 5 && memcmp(p, "HTTP/", 5) == 0) b->len = 0;
    return dyn_add(b, p, size * n) == 0 ? size * n : 0;
}

/* One request: BODY is LEN bytes of CTYPE (BODY NULL: none). */
static int http_do(int port, const char *method, const char *path, const char *bearer,
                   const char *body, size_t len, const char *ctype, const char *extra_header,
                   int timeout_ms, struct h_resp *out) {
    struct dynbuf bb = {NULL, 0, 0, HTTP_BODY_CAP};
    struct dynbuf hb = {NULL, 0, 0, HTTP_HEADER_CAP};
    struct curl_slist *hdrs = NULL;
    char url[1200], auth[512], errbuf[CURL_ERROR_SIZE] = "";
    CURL *c;
    CURLcode rc = CURLE_FAILED_INIT;

    memset(out, 0, sizeof(*out));
    if (snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path) >=
        (int)sizeof(url)) {
        snprintf(out->curl_error, sizeof(out->curl_error), "URL too long");
        goto done;
    }
    c = curl_easy_init();
    if (c == NULL) {
        snprintf(out->curl_error, sizeof(out->curl_error), "curl_easy_init failed");
        goto done;
    }
    /* An Expect: 100-continue round trip would only slow tests down. */
    hdrs = curl_slist_append(hdrs, "Expect:");
    if (bearer != NULL) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", bearer);
        hdrs = curl_slist_append(hdrs, auth);
    }
    if (body != NULL) {
        char ct[200];
        snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
        hdrs = curl_slist_append(hdrs, ct);
    }
    if (extra_header != NULL) hdrs = curl_slist_append(hdrs, extra_header);

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROXY, ""); /* ignore http_proxy */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(timeout_ms < 5000 ? timeout_ms : 5000));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &bb);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &hb);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)(body ? len : 0));
    } else {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
        if (body != NULL) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
        }
    }
    rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &out->seconds);
    if (rc != CURLE_OK)
        snprintf(out->curl_error, sizeof(out->curl_error), "%s",
                 errbuf[0] ? errbuf : curl_easy_strerror(rc));
    curl_easy_cleanup(c);
    curl_slist_free_all(hdrs);
done:
    out->body = bb.data ? bb.data : strdup("");
    out->body_len = bb.len;
    out->headers = hb.data ? hb.data : strdup("");
    out->headers_len = hb.len;
    if (rc != CURLE_OK) {
        out->status = 0;
        return -1;
    }
    return 0;
}

int h_http_port(int port, const char *method, const char *path, const char *bearer,
                const char *body, const char *extra_header, int timeout_ms,
                struct h_resp *out) {
    return http_do(port, method, path, bearer, body, body ? strlen(body) : 0,
                   "application/json", extra_header, timeout_ms, out);
}

int h_http_raw(const char *method, const char *path, const char *bearer, const char *body,
               size_t len, const char *content_type, const char *extra_header,
               struct h_resp *out) {
    return http_do(h_server_port(), method, path, bearer, body, len, content_type,
                   extra_header, 10000, out);
}

int h_http(const char *method, const char *path, const char *bearer, const char *body,
           const char *extra_header, struct h_resp *out) {
    return h_http_port(hs.server_port, method, path, bearer, body, extra_header, 15000,
                       out);
}

void h_resp_free(struct h_resp *r) {
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}

int h_resp_header(const struct h_resp *r, const char *name, char *buf, size_t buflen) {
    size_t nl = strlen(name);
    const char *line = r->headers;

    while (line != NULL && *line != '\0') {
        const char *eol = strstr(line, "\r\n");
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        if (ll > nl && line[nl] == ':' && strncasecmp(line, name, nl) == 0) {
            const char *v = line + nl + 1, *e = line + ll;
            size_t vl;
            while (v < e && (*v == ' ' || *v == '\t'))
                v++;
            while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            vl = (size_t)(e - v);
            if (vl >= buflen) vl = buflen - 1;
            memcpy(buf, v, vl);
            buf[vl] = '\0';
            return 0;
        }
        line = eol ? eol + 2 : NULL;
    }
    return -1;
}

json_t *h_resp_json(const struct h_resp *r) {
    if (r->body == NULL) return NULL;
    return json_loadb(r->body, r->body_len, 0, NULL);
}

const char *h_jstr(const json_t *obj, const char *key) {
    const char *s = json_string_value(json_object_get(obj, key));
    return s != NULL ? s : "(missing or not a string)";
}

int h_check_error(const struct h_resp *r, long status, const char *code, char *why,
                  size_t whylen) {
    char ctype[128];
    json_t *j, *err, *jc, *jm;
    int rc = -1;

    if (r->status != status) {
        snprintf(why, whylen, "expected HTTP %ld, got %ld (%s); body: %.300s", status,
                 r->status, r->curl_error, r->body ? r->body : "");
        return -1;
    }
    if (h_resp_header(r, "Content-Type", ctype, sizeof(ctype)) != 0 ||
        strncasecmp(ctype, "application/json", 16) != 0) {
        snprintf(
            why, whylen, "HTTP %ld: Content-Type is '%s', not application/json", status,
            h_resp_header(r, "Content-Type", ctype, sizeof(ctype)) == 0 ? ctype
                                                                        : "(none)");
        return -1;
    }
    j = h_resp_json(r);
    err = json_object_get(j, "error");
    jc = json_object_get(err, "code");
    jm = json_object_get(err, "message");
    if (!json_is_object(err) || !json_is_string(jc) || !json_is_string(jm)) {
        snprintf(
            why, whylen,
            "HTTP %ld: body is not {\"error\":{\"code\":...,\"message\":...}}: %.300s",
            status, r->body);
    } else if (strcmp(json_string_value(jc), code) != 0) {
        snprintf(why, whylen, "HTTP %ld: error code '%s', expected '%s'; body: %.300s",
                 status, json_string_value(jc), code, r->body);
    } else if (json_string_length(jm) == 0) {
        snprintf(why, whylen, "HTTP %ld: empty error message", status);
    } else {
        why[0] = '\0';
        rc = 0;
    }
    json_decref(j);
    return rc;
}

int h_wait_status(const char *path, const char *bearer, long want_status,
                  int timeout_ms) {
    long long deadline = h_now_ms() + timeout_ms;
    long last = 0;
    char last_body[300] = "";

    for (;;) {
        struct h_resp r;
        h_http_port(hs.server_port, "GET", path, bearer, NULL, NULL, 3000, &r);
        last = r.status;
        snprintf(last_body, sizeof(last_body), "%s", r.body ? r.body : "");
        h_resp_free(&r);
        if (last == want_status) return 0;
        if (h_now_ms() >= deadline) break;
        h_sleep_ms(100);
    }
    set_error("GET %s did not answer %ld within %d ms; last %ld: %s", path, want_status,
              timeout_ms, last, last_body);
    return -1;
}

int h_create_key(const char *body, char *id, size_t idlen, char *key, size_t keylen) {
    struct h_resp r;
    json_t *j;
    const char *jid, *jkey;
    int rc = -1;

    h_http("POST", "/v1/keys", hs.admin_key, body, NULL, &r);
    if (r.status != 201) {
        set_error("POST /v1/keys %s: expected 201, got %ld (%s): %.300s", body,
                  r.status, r.curl_error, r.body);
        h_resp_free(&r);
        return -1;
    }
    j = h_resp_json(&r);
    jid = json_string_value(json_object_get(j, "id"));
    jkey = json_string_value(json_object_get(j, "key"));
    if (jid == NULL || jkey == NULL || *jid == '\0' || *jkey == '\0') {
        set_error("POST /v1/keys: 201 without id and key: %.300s", r.body);
    } else if (strlen(jid) >= idlen || strlen(jkey) >= keylen) {
        set_error("POST /v1/keys: id or key longer than expected: %.300s", r.body);
    } else {
        snprintf(id, idlen, "%s", jid);
        snprintf(key, keylen, "%s", jkey);
        rc = 0;
    }
    json_decref(j);
    h_resp_free(&r);
    return rc;
}

int h_is_hex(const char *s, size_t len) {
    size_t i;
    for (i = 0; s[i] != '\0'; i++)
        if (!isxdigit((unsigned char)s[i])) return 0;
    return i == len;
}

int h_metric_value(const char *text, const char *name, const char *const *labels,
                   double *value) {
    size_t nl = strlen(name);
    const char *line = text;

    while (line != NULL && *line != '\0') {
        const char *eol = strchr(line, '\n');
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        const char *lb = NULL, *le = NULL, *v;

        if (line[0] == '#' || ll <= nl || strncmp(line, name, nl) != 0 ||
            (line[nl] != '{' && line[nl] != ' '))
            goto next;
        v = line + nl;
        if (*v == '{') {
            /* Label values may hold '}' (route="/v1/keys/{id}"): skip quotes. */
            int inq = 0;
            lb = v;
            for (const char *p = v + 1; p < line + ll; p++) {
                if (inq && *p == '\\') {
                    p++;
                } else if (*p == '"') {
                    inq = !inq;
                } else if (!inq && *p == '}') {
                    le = p;
                    break;
                }
            }
            if (le == NULL) goto next;
            v = le + 1;
        }
        if (labels != NULL) {
            int all = 1;
            for (int i = 0; labels[i] != NULL && all; i++) {
                size_t sl = strlen(labels[i]);
                const char *found = NULL;
                if (lb != NULL)
                    for (const char *p = lb; p + sl <= le && !found; p++)
                        if (memcmp(p, labels[i], sl) == 0) found = p;
                all = found != NULL;
            }
            if (!all) goto next;
        }
        {
            char *end;
            double d;
            while (*v == ' ')
                v++;
            d = strtod(v, &end);
            if (end != v) {
                *value = d;
                return 0;
            }
        }
    next:
        line = eol ? eol + 1 : NULL;
    }
    return -1;
}

/* ---- raw sockets --------------------------------------------------------- */

int h_connect(int port) {
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        set_error("socket: %s", strerror(errno));
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        set_error("connect to 127.0.0.1:%d: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int h_send_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            set_error("send: %s", strerror(errno));
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* poll FD for input until DEADLINE (monotonic ms).  1 readable, 0 timeout. */
static int wait_readable(int fd, long long deadline) {
    for (;;) {
        long long left = deadline - h_now_ms();
        struct pollfd p = {fd, POLLIN, 0};
        int n;
        if (left <= 0) return 0;
        n = poll(&p, 1, (int)left);
        if (n > 0) return 1;
        if (n < 0 && errno != EINTR) return 0;
    }
}

int h_wait_closed(int fd, int timeout_ms, int fail_on_data) {
    long long deadline = h_now_ms() + timeout_ms;
    char buf[4096];

    while (wait_readable(fd, deadline)) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n == 0) return 1;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return 1; /* ECONNRESET and friends: the server dropped it */
        }
        if (fail_on_data) return -1;
    }
    return 0;
}

char *h_read_until_close(int fd, int timeout_ms, int *closed) {
    long long deadline = h_now_ms() + timeout_ms;
    struct dynbuf b = {NULL, 0, 0, RAW_READ_CAP};
    char buf[4096];

    *closed = 0;
    if (dyn_add(&b, "", 0) != 0) return NULL;
    while (wait_readable(fd, deadline)) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) {
            *closed = 1;
            break;
        }
        if (dyn_add(&b, buf, (size_t)n) != 0) break;
    }
    return b.data;
}

int h_read_response_status(int fd, int timeout_ms) {
    long long deadline = h_now_ms() + timeout_ms;
    struct dynbuf b = {NULL, 0, 0, RAW_READ_CAP};
    char buf[4096];
    size_t body_at = 0; /* offset of the body once the headers are in */
    long status = -1, clen = 0;

    if (dyn_add(&b, "", 0) != 0) return -1;
    for (;;) {
        ssize_t n;
        const char *end;
        if (body_at == 0 && (end = strstr(b.data, "\r\n\r\n")) != NULL) {
            const char *p;
            body_at = (size_t)(end - b.data) + 4;
            if (strncmp(b.data, "HTTP/1.", 7) == 0 && b.len > 9)
                status = strtol(b.data + 9, NULL, 10);
            for (p = b.data; p < end; p++) {
                if ((p == b.data || p[-1] == '\n') &&
                    strncasecmp(p, "Content-Length:", 15) == 0) {
                    clen = strtol(p + 15, NULL, 10);
                    break;
                }
            }
        }
        if (body_at != 0 && (long)(b.len - body_at) >= clen) break;
        if (!wait_readable(fd, deadline)) {
            status = -1;
            break;
        }
        n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0 || dyn_add(&b, buf, (size_t)n) != 0) {
            status = -1;
            break;
        }
    }
    free(b.data);
    return (int)status;
}

void h_assert_down_but_alive(void) {
    struct h_resp r;
    json_t *j;
    h_http("GET", "/readyz", NULL, NULL, NULL, &r);
    H_ASSERT_ERROR(&r, 503, "not_ready");
    j = h_resp_json(&r);
    cr_assert_not_null(j, "not JSON: %s", r.body);
    cr_assert_not_null(strcasestr(h_jstr(json_object_get(j, "error"), "message"), "redis"),
                       "not_ready message should mention Redis: %s", r.body);
    json_decref(j);
    h_resp_free(&r);

    h_http("GET", "/healthz", NULL, NULL, NULL, &r);
    H_ASSERT_STATUS(&r, 200);
    h_resp_free(&r);
}
