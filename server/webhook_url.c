/* webhook_url.c -- callback URL and address rules for webhooks
 * (webhook_url.h).  Pure: libcurl's URL parser and inet_pton/inet_aton. */
#include "webhook_url.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Class of IPv4 address A (host byte order), or NULL when public. */
static const char *v4_class(uint32_t a) {
    if ((a >> 24) == 127) return "loopback";
    if ((a >> 24) == 0) return "unspecified";                     /* 0.0.0.0/8 */
    if ((a >> 24) == 10 || (a >> 20) == 0xAC1 ||                 /* 172.16/12 */
        (a >> 16) == 0xC0A8)                                      /* 192.168/16 */
        return "private";
    if ((a >> 16) == 0xA9FE) return "link-local";                 /* 169.254/16 */
    if ((a >> 22) == (0x64400000u >> 22)) return "CGNAT";        /* 100.64/10 */
    if ((a >> 28) == 0xE) return "multicast";                     /* 224/4 */
    if ((a >> 28) == 0xF) return "reserved";                      /* 240/4, broadcast */
    return NULL;
}

static const char *v6_class(const unsigned char *b) {
    static const unsigned char zero[16], mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0)
        return v4_class((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
                        (uint32_t)b[14] << 8 | b[15]);
    if (memcmp(b, zero, 15) == 0) return b[15] == 1 ? "loopback" : b[15] == 0 ? "unspecified"
                                                                               : "reserved";
    if ((b[0] & 0xfe) == 0xfc) return "private";                  /* fc00::/7 */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local"; /* fe80::/10 */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "private";  /* fec0::/10 site-local */
    if (b[0] == 0xff) return "multicast";
    return NULL;
}

const char *webhook_addr_class(const struct sockaddr *sa, socklen_t len) {
    if (sa == NULL) return "unsupported";
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return v4_class(ntohl(in->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        return v6_class(in6->sin6_addr.s6_addr);
    }
    return "unsupported";
}

const char *webhook_host_class(const char *host, int *is_ip) {
    char buf[256];
    size_t n;
    struct in_addr a4;
    struct in6_addr a6;

    *is_ip = 0;
    if (host == NULL) return NULL;
    n = strlen(host);
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
        host++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof(buf)) return NULL;
    memcpy(buf, host, n);
    buf[n] = '\0';
    if (strchr(buf, ':') != NULL) {
        char *zone = strchr(buf, '%');
        if (zone != NULL) *zone = '\0';
        if (inet_pton(AF_INET6, buf, &a6) != 1) return NULL;
        *is_ip = 1;
        return v6_class(a6.s6_addr);
    }
    if (n > 1 && buf[n - 1] == '.') buf[n - 1] = '\0';   /* "10.0.0.1." */
    if (inet_aton(buf, &a4) == 0) return NULL;
    *is_ip = 1;
    return v4_class(ntohl(a4.s_addr));
}

/* 1 if HOST is "localhost" or ends in ".localhost" (a trailing dot and
 * case ignored). */
static int is_localhost(const char *host) {
    size_t n = strlen(host);
    if (n > 0 && host[n - 1] == '.') n--;
    if (n == 9) return strncasecmp(host, "localhost", 9) == 0;
    return n > 10 && strncasecmp(host + n - 10, ".localhost", 10) == 0;
}

int webhook_url_check(const char *url, int allow_loopback, char *why, size_t whylen) {
    CURLU *u;
    CURLUcode uc;
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL;
    const char *cls;
    int rc = -1, is_ip;
    size_t len;

    if (url == NULL || url[0] == '\0') {
        snprintf(why, whylen, "empty URL");
        return -1;
    }
    len = strlen(url);
    if (len > WEBHOOK_URL_MAX) {
        snprintf(why, whylen, "longer than %d bytes", WEBHOOK_URL_MAX);
        return -1;
    }
    u = curl_url();
    if (u == NULL) {
        snprintf(why, whylen, "out of memory");
        return -1;
    }
    uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        snprintf(why, whylen, "not a valid absolute URL (%s)", curl_url_strerror(uc));
        goto done;
    }
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || scheme == NULL ||
        (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
        snprintf(why, whylen, "scheme must be http or https");
        goto done;
    }
    if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
        curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
        snprintf(why, whylen, "must not carry a user name or password");
        goto done;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host == NULL ||
        host[0] == '\0') {
        snprintf(why, whylen, "host required");
        goto done;
    }
    if (!allow_loopback) {
        cls = webhook_host_class(host, &is_ip);
        if (is_ip && cls != NULL) {
            snprintf(why, whylen, "host %.64s is a%s %s address (refused unless the server "
                     "runs with --webhook-allow-loopback)", host,
                     (cls[0] == 'u' && strcmp(cls, "unspecified") == 0) ? "n" : "", cls);
            goto done;
        }
        if (!is_ip && is_localhost(host)) {
            snprintf(why, whylen, "host %.64s is a loopback name (refused unless the server "
                     "runs with --webhook-allow-loopback)", host);
            goto done;
        }
    }
    rc = 0;
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_url_cleanup(u);
    return rc;
}
