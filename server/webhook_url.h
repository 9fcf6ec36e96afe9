/* webhook_url.h -- which callback URLs and addresses a webhook may reach.
 * Pure: libcurl's URL API and the C library, no event loop
 * (docs/webhooks.md "URL rules"; fuzzed: fuzz_webhook_url).
 *
 * Two checks, because a host name can resolve to anything: the URL at
 * subscription time (scheme, host, no userinfo, length, and an IP-literal
 * or localhost host), and each resolved address at connect time
 * (webhook_addr_class, used from CURLOPT_OPENSOCKETFUNCTION), so that DNS
 * rebinding cannot reach inside the network. */
#ifndef DT_WEBHOOK_URL_H
#define DT_WEBHOOK_URL_H

#include <stddef.h>
#include <sys/socket.h>

#define WEBHOOK_URL_MAX 2000

/* The class of an address a webhook must not reach, or NULL for a public
 * one: "loopback", "private", "link-local", "unspecified", "CGNAT",
 * "multicast", "reserved" (240.0.0.0/4, broadcast).  IPv4-mapped IPv6
 * (::ffff:a.b.c.d) is classed as its IPv4 address.  SA of LEN bytes; a
 * family other than AF_INET/AF_INET6 is "unsupported". */
const char *webhook_addr_class(const struct sockaddr *sa, socklen_t len);

/* The same for a numeric IPv4 or IPv6 text HOST (brackets allowed, a zone
 * "%..." ignored; IPv4 in any form inet_aton reads, such as "127.1" or
 * "0x7f000001").  *IS_IP is set to 1 if HOST is numeric, else 0 (and NULL
 * is returned). */
const char *webhook_host_class(const char *host, int *is_ip);

/* Check callback URL URL: http or https, a host, no user or password,
 * at most WEBHOOK_URL_MAX bytes; a host that is an IP literal of a class
 * above, "localhost" or a name under ".localhost" is refused unless
 * ALLOW_LOOPBACK.  0, or -1 with the reason in WHY (naming the class,
 * e.g. "host 10.0.0.7 is a private address"). */
int webhook_url_check(const char *url, int allow_loopback, char *why, size_t whylen);

#endif
