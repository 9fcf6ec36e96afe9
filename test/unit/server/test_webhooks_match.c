/* Tests for webhooks_match and webhooks_sub_filters (server/webhooks.c):
 * which notices reach which subscription.  Pure: no loop, no Redis. */
#include "server/webhooks.h"

#include <criterion/criterion.h>
#include <string.h>

static struct wh_sub sub(const char *tenant, int consignee, const char *filters) {
    struct wh_sub s;
    memset(&s, 0, sizeof(s));
    snprintf(s.tenant, sizeof(s.tenant), "%s", tenant);
    s.consignee = consignee;
    cr_assert_eq(webhooks_sub_filters(&s, filters), 0, "%s", filters);
    return s;
}

static struct wh_notice ev(const char *wb, const char *tenant, const char *account,
                           const char *status) {
    struct wh_notice n = {.kind = WH_EVENT, .id = "dcsa-tnt:E1", .waybill = wb,
                          .tenant = tenant, .account = account, .status = status};
    return n;
}

static struct wh_notice eta(const char *wb, long long old_s, long long new_s) {
    struct wh_notice n = {.kind = WH_ETA, .id = "eta:X:1", .waybill = wb, .tenant = "acme",
                          .account = "", .eta_old = old_s, .eta_new = new_s};
    return n;
}

Test(webhooks_match, forwarder_sees_its_tenant_only) {
    struct wh_sub s = sub("acme", 0, "{}");
    struct wh_notice a = ev("BL1", "acme", "", "DEPARTED"), b = ev("BL1", "globex", "acme",
                                                                   "DEPARTED");
    cr_assert_eq(webhooks_match(&s, &a), 1);
    cr_assert_eq(webhooks_match(&s, &b), 0, "a consignee account is not the forwarder's tenant");
    webhooks_sub_free_fields(&s);
}

Test(webhooks_match, consignee_sees_waybills_with_its_account) {
    struct wh_sub s = sub("alice", 1, "{}");
    struct wh_notice a = ev("BL1", "acme", "alice", "ARRIVED"), b = ev("BL1", "acme", "",
                                                                       "ARRIVED"),
                     c = ev("BL1", "alice", "bob", "ARRIVED");
    cr_assert_eq(webhooks_match(&s, &a), 1);
    cr_assert_eq(webhooks_match(&s, &b), 0, "no account: no consignee sees it");
    cr_assert_eq(webhooks_match(&s, &c), 0, "the forwarder tenant does not count");
    webhooks_sub_free_fields(&s);
}

Test(webhooks_match, waybill_and_status_filters) {
    struct wh_sub s = sub("acme", 0, "{\"waybills\":[\"ZZ9\",\"BL1\",\"AWB-7\"],"
                                     "\"statuses\":[\"DEPARTED\",\"ARRIVED\"]}");
    struct wh_notice a = ev("BL1", "acme", "", "DEPARTED"), b = ev("BL2", "acme", "", "DEPARTED"),
                     c = ev("AWB-7", "acme", "", "LOADED"), d = ev("ZZ9", "acme", "", "ARRIVED");
    cr_assert_eq(s.nwaybills, 3u);
    cr_assert_eq(webhooks_match(&s, &a), 1);
    cr_assert_eq(webhooks_match(&s, &b), 0, "waybill not in the filter");
    cr_assert_eq(webhooks_match(&s, &c), 0, "status not in the filter");
    cr_assert_eq(webhooks_match(&s, &d), 1);
    /* statuses do not filter ETA changes; the waybill filter does */
    webhooks_sub_free_fields(&s);
    s = sub("acme", 0, "{\"waybills\":[\"BL1\"],\"statuses\":[\"DEPARTED\"],\"eta_change_min\":1}");
    {
        struct wh_notice e1 = eta("BL1", 1000, 1060), e2 = eta("BL2", 1000, 5000);
        cr_assert_eq(webhooks_match(&s, &e1), 1);
        cr_assert_eq(webhooks_match(&s, &e2), 0);
    }
    webhooks_sub_free_fields(&s);
}

Test(webhooks_match, eta_changes_need_the_threshold) {
    struct wh_sub none = sub("acme", 0, "{}"), s = sub("acme", 0, "{\"eta_change_min\":30}");
    struct wh_notice later = eta("BL1", 100000, 100000 + 30 * 60),
                     earlier = eta("BL1", 100000, 100000 - 30 * 60),
                     small = eta("BL1", 100000, 100000 + 29 * 60 + 59);
    cr_assert_eq(webhooks_match(&none, &later), 0, "no eta_change_min: no ETA deliveries");
    cr_assert_eq(webhooks_match(&s, &later), 1);
    cr_assert_eq(webhooks_match(&s, &earlier), 1);
    cr_assert_eq(webhooks_match(&s, &small), 0);
    webhooks_sub_free_fields(&none);
    webhooks_sub_free_fields(&s);
}

Test(webhooks_match, signature_is_hmac_sha256_hex) {
    char out[65];
    /* RFC 4231 test case 2 */
    cr_assert_eq(webhooks_sign("Jefe", "what do ya want for nothing?", 28, out), 0);
    cr_assert_str_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}
