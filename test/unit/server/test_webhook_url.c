/* Tests for server/webhook_url.c: callback URL rules and the classes of
 * addresses a webhook must not reach (at subscription and connect time). */
#include "server/webhook_url.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#define NOFLAG " (refused unless the server runs with --webhook-allow-loopback)"

/* Each refused class, with the exact reason. */
Test(webhook_url, refused_classes_name_the_class) {
    static const struct {
        const char *url, *why;
    } t[] = {
        {"http://127.0.0.1:8080/hook", "host 127.0.0.1 is a loopback address" NOFLAG},
        {"http://127.1/x", "host 127.0.0.1 is a loopback address" NOFLAG},
        {"http://0x7f000001/x", "host 127.0.0.1 is a loopback address" NOFLAG},
        {"https://[::1]/x", "host [::1] is a loopback address" NOFLAG},
        {"http://10.1.2.3/x", "host 10.1.2.3 is a private address" NOFLAG},
        {"http://172.16.0.1/x", "host 172.16.0.1 is a private address" NOFLAG},
        {"http://172.31.255.255/x", "host 172.31.255.255 is a private address" NOFLAG},
        {"http://192.168.1.1/x", "host 192.168.1.1 is a private address" NOFLAG},
        {"http://[fd00::5]/x", "host [fd00::5] is a private address" NOFLAG},
        {"http://169.254.169.254/latest", "host 169.254.169.254 is a link-local address" NOFLAG},
        {"http://[fe80::1%25eth0]/x", "host [fe80::1] is a link-local address" NOFLAG},
        {"http://0.0.0.0/x", "host 0.0.0.0 is an unspecified address" NOFLAG},
        {"http://[::]/x", "host [::] is an unspecified address" NOFLAG},
        {"http://100.64.0.1/x", "host 100.64.0.1 is a CGNAT address" NOFLAG},
        {"http://100.127.255.254/x", "host 100.127.255.254 is a CGNAT address" NOFLAG},
        {"http://224.0.0.1/x", "host 224.0.0.1 is a multicast address" NOFLAG},
        {"http://[ff02::1]/x", "host [ff02::1] is a multicast address" NOFLAG},
        {"http://[::ffff:127.0.0.1]/x", "host [::ffff:127.0.0.1] is a loopback address" NOFLAG},
        {"http://[::ffff:10.0.0.1]/x", "host [::ffff:10.0.0.1] is a private address" NOFLAG},
        {"http://localhost:9000/x", "host localhost is a loopback name" NOFLAG},
        {"http://LOCALHOST./x", "host LOCALHOST. is a loopback name" NOFLAG},
        {"http://api.localhost/x", "host api.localhost is a loopback name" NOFLAG},
        {"http://255.255.255.255/x", "host 255.255.255.255 is a reserved address" NOFLAG},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        char why[300] = "";
        cr_assert_eq(webhook_url_check(t[i].url, 0, why, sizeof(why)), -1, "accepted %s",
                     t[i].url);
        cr_assert_str_eq(why, t[i].why, "%s", t[i].url);
    }
}

Test(webhook_url, malformed_urls) {
    static const struct {
        const char *url, *why;
    } t[] = {
        {"ftp://example.com/x", "scheme must be http or https"},
        {"file:///etc/passwd", "scheme must be http or https"},
        {"gopher://example.com/", "scheme must be http or https"},
        {"https://user:pw@example.com/x", "must not carry a user name or password"},
        {"https://user@example.com/x", "must not carry a user name or password"},
        {"", "empty URL"},
    };
    char why[300];
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        cr_assert_eq(webhook_url_check(t[i].url, 1, why, sizeof(why)), -1, "%s", t[i].url);
        cr_assert_str_eq(why, t[i].why, "%s", t[i].url);
    }
    cr_assert_eq(webhook_url_check("example.com/hook", 0, why, sizeof(why)), -1);
    cr_assert(strncmp(why, "not a valid absolute URL (", 26) == 0, "%s", why);
    cr_assert_eq(webhook_url_check("http://exa mple.com/", 0, why, sizeof(why)), -1);
    cr_assert(strncmp(why, "not a valid absolute URL (", 26) == 0, "%s", why);
}

Test(webhook_url, length_limit) {
    char url[2100], why[300];
    size_t n = (size_t)snprintf(url, sizeof(url), "https://example.com/");
    while (n < 2000) url[n++] = 'a';
    url[n] = '\0';
    cr_assert_eq(webhook_url_check(url, 0, why, sizeof(why)), 0, "%s", why);
    url[n++] = 'a';
    url[n] = '\0';
    cr_assert_eq(webhook_url_check(url, 0, why, sizeof(why)), -1);
    cr_assert_str_eq(why, "longer than 2000 bytes");
}

Test(webhook_url, public_addresses_accepted) {
    static const char *const ok[] = {
        "https://example.com/hooks/dongting", "http://93.184.216.34/x",
        "https://[2606:2800:220:1:248:1893:25c8:1946]:8443/x", "http://172.32.0.1/x",
        "http://100.128.0.1/x", "http://11.0.0.1/x", "HTTPS://Example.COM/x?a=1#frag",
        "http://localhost.example.com/x", "http://[::ffff:93.184.216.34]/x",
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        char why[300] = "";
        cr_assert_eq(webhook_url_check(ok[i], 0, why, sizeof(why)), 0, "%s: %s", ok[i], why);
    }
}

Test(webhook_url, allow_loopback_lets_local_through) {
    char why[300] = "";
    cr_assert_eq(webhook_url_check("http://127.0.0.1:8080/hook", 1, why, sizeof(why)), 0,
                 "%s", why);
    cr_assert_eq(webhook_url_check("http://localhost/hook", 1, why, sizeof(why)), 0);
    cr_assert_eq(webhook_url_check("http://10.0.0.1/hook", 1, why, sizeof(why)), 0);
    /* the other rules still hold */
    cr_assert_eq(webhook_url_check("ftp://127.0.0.1/", 1, why, sizeof(why)), -1);
}

/* Connect time: resolved addresses. */
Test(webhook_url, sockaddr_classes) {
    static const struct {
        const char *ip, *cls;
    } t[] = {
        {"127.0.0.1", "loopback"},   {"127.255.0.9", "loopback"}, {"10.0.0.1", "private"},
        {"192.168.0.10", "private"}, {"172.20.1.1", "private"},   {"169.254.1.1", "link-local"},
        {"0.0.0.0", "unspecified"},  {"100.64.1.1", "CGNAT"},     {"239.1.1.1", "multicast"},
        {"8.8.8.8", NULL},           {"1.1.1.1", NULL},           {"::1", "loopback"},
        {"::", "unspecified"},       {"fc00::1", "private"},      {"fe80::2", "link-local"},
        {"ff05::2", "multicast"},    {"::ffff:127.0.0.1", "loopback"},
        {"::ffff:192.168.1.1", "private"}, {"2001:4860:4860::8888", NULL},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        const char *got;
        if (strchr(t[i].ip, ':') != NULL) {
            struct sockaddr_in6 a;
            memset(&a, 0, sizeof(a));
            a.sin6_family = AF_INET6;
            cr_assert_eq(inet_pton(AF_INET6, t[i].ip, &a.sin6_addr), 1);
            got = webhook_addr_class((struct sockaddr *)&a, sizeof(a));
        } else {
            struct sockaddr_in a;
            memset(&a, 0, sizeof(a));
            a.sin_family = AF_INET;
            cr_assert_eq(inet_pton(AF_INET, t[i].ip, &a.sin_addr), 1);
            got = webhook_addr_class((struct sockaddr *)&a, sizeof(a));
        }
        if (t[i].cls == NULL)
            cr_assert_null(got, "%s classed %s", t[i].ip, got);
        else
            cr_assert_str_eq(got ? got : "(public)", t[i].cls, "%s", t[i].ip);
    }
    {
        struct sockaddr_in a;
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_UNIX;
        cr_assert_str_eq(webhook_addr_class((struct sockaddr *)&a, sizeof(a)), "unsupported");
    }
}
