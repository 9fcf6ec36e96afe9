/* server/customs_match.c: every matching rule passing and failing on
 * hand-built canonical blocks (import and export), the tolerance edges,
 * INCOMPLETE / MISMATCH, the decimal parser, and the four import
 * documents parsed from XML by carriers/ceb.c.  Pure: no Redis, no loop. */
#include "server/customs_match.h"
#include "carriers/ceb.h"

#include "test/unit/support.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building blocks ---------------------------------------------------- */

/* "k=v|k=v" into a new object of strings ("" for an empty spec). */
static json_t *kv(const char *spec) {
    json_t *o = json_object();
    char buf[2048];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *p = buf;
    while (p && *p) {
        char *bar = strchr(p, '|');
        if (bar) *bar = '\0';
        char *eq = strchr(p, '=');
        cr_assert_not_null(eq, "bad spec part %s", p);
        *eq = '\0';
        json_object_set_new(o, p, json_string(eq + 1));
        p = bar ? bar + 1 : NULL;
    }
    return o;
}

/* A canonical block of KIND: head from HEAD ("k=v|k=v"), list lines from
 * ITEMS ("k=v|k=v;k=v|k=v", NULL for none). */
static json_t *blk(const char *kind, const char *head, const char *items) {
    json_t *arr = json_array();
    char buf[2048];
    if (items) {
        snprintf(buf, sizeof(buf), "%s", items);
        char *p = buf;
        while (p && *p) {
            char *semi = strchr(p, ';');
            if (semi) *semi = '\0';
            json_array_append_new(arr, kv(p));
            p = semi ? semi + 1 : NULL;
        }
    }
    return json_pack("{s:s, s:o, s:o, s:{}, s:s, s:s, s:{}}", "kind", kind, "head",
                     kv(head), "items", arr, "keys", "app_type", "add", "app_status",
                     "declared", "codes");
}

/* Set (VALUE non-NULL) or delete head field NAME of block B. */
static void hset(json_t *b, const char *name, const char *value) {
    json_t *h = json_object_get(b, "head");
    if (value)
        json_object_set_new(h, name, json_string(value));
    else
        json_object_del(h, name);
}

/* Set list line I's field NAME of block B. */
static void iset(json_t *b, size_t i, const char *name, const char *value) {
    json_t *it = json_array_get(json_object_get(b, "items"), i);
    cr_assert_not_null(it);
    json_object_set_new(it, name, json_string(value));
}

struct fx {
    json_t *b[CM_NROLES];
    struct cm_set s;
    struct cm_limits l;
    json_t *r; /* the last result */
};

static const char *const ids[CM_NROLES] = {"decl-order", "decl-pay", "decl-wb",
                                           "decl-inv"};

static void fx_wire(struct fx *f, int import) {
    static const char *const imsg[] = {"CEB311", "CEB411", "CEB511", "CEB621"};
    static const char *const emsg[] = {"CEB303", "CEB403", "CEB505", "CEB603"};
    f->s.import = import;
    for (int r = 0; r < CM_NROLES; r++) {
        f->s.doc[r].block = f->b[r];
        f->s.doc[r].message = f->b[r] ? (import ? imsg : emsg)[r] : NULL;
        f->s.doc[r].id = f->b[r] ? ids[r] : NULL;
        f->s.doc[r].received = 1000 + 100 * r;
    }
    cm_limits_default(&f->l);
}

/* A consistent import consignment: every rule passes. */
static void imp(struct fx *f) {
    memset(f, 0, sizeof(*f));
    f->b[CM_ORDER] =
        blk("order",
            "orderNo=ORD-1|ebpCode=EBP1|ebcCode=EBC1|goodsValue=318.50|freight=12|"
            "discount=5.5|"
            "taxTotal=28.75|acturalPaid=353.75|buyerName=Test "
            "Buyer|buyerIdNumber=43060019900101001X|"
            "consignee=Test Consignee|consigneeTelephone=138-0000-0002|"
            "consigneeAddress=1 Lakeside Road, Yueyang",
            "gnum=1|itemName=Black tea|qty=3;gnum=2|itemName=Porcelain cup|qty=2");
    f->b[CM_PAYMENT] =
        blk("payment",
            "orderNo=ORD-1|ebpCode=EBP1|amountPaid=353.75|payerName=Test Buyer|"
            "payerIdNumber=43060019900101001X",
            NULL);
    f->b[CM_WAYBILL] =
        blk("waybill",
            "logisticsCode=LOG1|logisticsNo=LN1|orderNo=ORD-1|weight=1.35|"
            "consignee=Test Consignee|consigneeTelephone=13800000002|"
            "consigneeAddress=1 Lakeside Road, Yueyang",
            NULL);
    f->b[CM_INVENTORY] = blk(
        "inventory",
        "orderNo=ORD-1|ebpCode=EBP1|ebcCode=EBC1|logisticsCode=LOG1|logisticsNo=LN1|"
        "tradeMode=1210|grossWeight=1.35|netWeight=1.1",
        "gnum=1|itemName=Black tea|qty=3;gnum=2|itemName=Porcelain cup|qty=2");
    fx_wire(f, 1);
}

/* A consistent export consignment. */
static void exp_(struct fx *f) {
    memset(f, 0, sizeof(*f));
    f->b[CM_ORDER] = blk(
        "order", "orderNo=EXP-1|ebpCode=EBP1|ebcCode=EBC9|goodsValue=1200.4|freight=80",
        "gnum=1|itemName=Embroidery panel|qty=4");
    f->b[CM_PAYMENT] =
        blk("receipt", "orderNo=EXP-1|ebpCode=EBP1|ebcCode=EBC9|charge=1280.4", NULL);
    f->b[CM_WAYBILL] =
        blk("waybill", "logisticsCode=LOG1|logisticsNo=LNE1|grossWeight=6.8", NULL);
    f->b[CM_INVENTORY] =
        blk("inventory",
            "orderNo=EXP-1|ebpCode=EBP1|ebcCode=EBC9|logisticsCode=LOG1|"
            "logisticsNo=LNE1|tradeMode=9610|grossWeight=6.8|netWeight=6.1",
            "gnum=1|itemName=Embroidery panel|qty=4");
    fx_wire(f, 0);
}

/* Remove role R's document (it "has not arrived"). */
static void drop(struct fx *f, enum cm_role r) {
    json_decref(f->b[r]);
    f->b[r] = NULL;
    f->s.doc[r].block = NULL;
    f->s.doc[r].message = NULL;
    f->s.doc[r].id = NULL;
}

static json_t *run(struct fx *f, int64_t now) {
    json_decref(f->r);
    f->r = cm_match(&f->s, &f->l, now);
    cr_assert_not_null(f->r);
    return f->r;
}

static void fx_free(struct fx *f) {
    for (int r = 0; r < CM_NROLES; r++)
        json_decref(f->b[r]);
    json_decref(f->r);
}

/* ---- assertions ------------------------------------------------------- */

static const char *status(const json_t *r) {
    return json_string_value(json_object_get(r, "status"));
}

static size_t nfail(const json_t *r) {
    return json_array_size(json_object_get(r, "failures"));
}

static int checked(const json_t *r, const char *rule) {
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "checked"), i, v) {
        if (strcmp(json_string_value(v), rule) == 0) return 1;
    }
    return 0;
}

/* The checked list joined with ',' must be WANT. */
static void checked_is(const json_t *r, const char *want) {
    char got[1024] = "";
    size_t i, o = 0;
    json_t *v;
    json_array_foreach(json_object_get(r, "checked"), i, v) {
        o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s", i ? "," : "",
                              json_string_value(v));
    }
    cr_assert_str_eq(got, want);
}

static const char *val_str(const json_t *v) {
    return json_is_null(v) ? NULL : json_string_value(v);
}

static void str_or_null_eq(const char *got, const char *want, const char *what) {
    if (!want)
        cr_assert_null(got, "%s: want null, got \"%s\"", what, got);
    else {
        cr_assert_not_null(got, "%s: want \"%s\", got null", what, want);
        cr_assert_str_eq(got, want, "%s", what);
    }
}

/* Failure I of R must be RULE on FIELD with values V0, V1 (NULL: JSON
 * null) and the documents DOCS, "MSG:ID,MSG:ID" in order. */
static const json_t *fail_is(const json_t *r, size_t i, const char *rule,
                             const char *field, const char *v0, const char *v1,
                             const char *docs) {
    const json_t *f = json_array_get(json_object_get(r, "failures"), i);
    cr_assert_not_null(f, "no failure %zu (have %zu)", i, nfail(r));
    cr_assert_str_eq(json_string_value(json_object_get(f, "rule")), rule);
    cr_assert_str_eq(json_string_value(json_object_get(f, "field")), field);
    const json_t *vals = json_object_get(f, "values");
    cr_assert_eq(json_array_size(vals), 2);
    str_or_null_eq(val_str(json_array_get(vals, 0)), v0, "values[0]");
    str_or_null_eq(val_str(json_array_get(vals, 1)), v1, "values[1]");
    char got[256] = "";
    size_t k, o = 0;
    json_t *d;
    json_array_foreach(json_object_get(f, "documents"), k, d) {
        o += (size_t)snprintf(got + o, sizeof(got) - o, "%s%s:%s", k ? "," : "",
                              json_string_value(json_object_get(d, "message")),
                              json_string_value(json_object_get(d, "id")));
    }
    cr_assert_str_eq(got, docs);
    cr_assert(json_string_length(json_object_get(f, "message")) > 10);
    return f;
}

/* The failure's sentence must not contain S (personal data). */
static void no_pii(const json_t *f, const char *s) {
    const char *m = json_string_value(json_object_get(f, "message"));
    cr_assert_null(strstr(m, s), "message \"%s\" contains \"%s\"", m, s);
}

#define ALL_IMPORT                                                                     \
    "amount_order,amount_payment,payer_buyer,consignee_name,consignee_phone,"          \
    "consignee_address,inventory_lines,inventory_keys,weight_gross_net,weight_"        \
    "waybill,"                                                                         \
    "retail_order_limit,retail_year_limit"
#define ALL_EXPORT                                                                     \
    "amount_receipt,inventory_lines,inventory_keys,weight_gross_net,weight_waybill"

/* ---- import: the whole set ---------------------------------------------- */

Test(customs_match, import_all_match) {
    struct fx f;
    imp(&f);
    json_t *r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MATCHED");
    cr_assert_eq(nfail(r), 0);
    cr_assert_eq(json_array_size(json_object_get(r, "missing")), 0);
    checked_is(r, ALL_IMPORT);
    fx_free(&f);
}

Test(customs_match, null_limits_mean_defaults) {
    struct fx f;
    imp(&f);
    json_t *r = cm_match(&f.s, NULL, 5000);
    cr_assert_str_eq(status(r), "MATCHED");
    json_decref(r);
    fx_free(&f);
}

/* ---- import rules, one passing and one failing case each --------------- */

Test(customs_match, amount_order) {
    struct fx f;
    imp(&f);
    /* 318.50 + 12 + 28.75 - 5.5 = 353.75: one cent over is within 0.01 */
    hset(f.b[CM_ORDER], "acturalPaid", "353.76");
    hset(f.b[CM_PAYMENT], "amountPaid", "353.76");
    cr_assert(checked(run(&f, 5000), "amount_order"));
    cr_assert_eq(nfail(f.r), 0);
    hset(f.b[CM_ORDER], "acturalPaid", "353.74");
    hset(f.b[CM_PAYMENT], "amountPaid", "353.74");
    cr_assert(checked(run(&f, 5000), "amount_order"));
    /* one 1e-5 unit over the tolerance */
    hset(f.b[CM_ORDER], "acturalPaid", "353.76001");
    hset(f.b[CM_PAYMENT], "amountPaid", "353.76001");
    json_t *r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MISMATCH");
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = fail_is(r, 0, "amount_order",
                               "acturalPaid/goodsValue+freight+taxTotal-discount",
                               "353.76001", "353.75", "CEB311:decl-order");
    cr_assert_str_eq(json_string_value(json_object_get(fl, "tolerance")), "0.01");
    cr_assert(!checked(r, "amount_order"));
    cr_assert(checked(r, "amount_payment"));
    fx_free(&f);
}

Test(customs_match, amount_order_missing_field) {
    struct fx f;
    imp(&f);
    hset(f.b[CM_ORDER], "taxTotal", NULL);
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = json_array_get(json_object_get(r, "failures"), 0);
    cr_assert_str_eq(json_string_value(json_object_get(fl, "rule")), "amount_order");
    cr_assert_str_eq(json_string_value(json_object_get(fl, "field")), "taxTotal");
    cr_assert(json_is_null(json_array_get(json_object_get(fl, "values"), 0)));
    fx_free(&f);
}

Test(customs_match, amount_payment) {
    struct fx f;
    imp(&f);
    hset(f.b[CM_PAYMENT], "amountPaid", "353.74"); /* exactly 0.01 below */
    cr_assert(checked(run(&f, 5000), "amount_payment"));
    cr_assert_eq(nfail(f.r), 0);
    hset(f.b[CM_PAYMENT], "amountPaid", "353.73999");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "amount_payment", "acturalPaid/amountPaid", "353.75", "353.73999",
            "CEB311:decl-order,CEB411:decl-pay");
    hset(f.b[CM_PAYMENT], "amountPaid", "343.75");
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "amount_payment", "acturalPaid/amountPaid", "353.75", "343.75",
            "CEB311:decl-order,CEB411:decl-pay");
    fx_free(&f);
}

Test(customs_match, money_tolerance_knob) {
    struct fx f;
    imp(&f);
    f.l.money_tolerance = 0;
    hset(f.b[CM_PAYMENT], "amountPaid", "353.75001");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl =
        fail_is(r, 0, "amount_payment", "acturalPaid/amountPaid", "353.75", "353.75001",
                "CEB311:decl-order,CEB411:decl-pay");
    cr_assert_str_eq(json_string_value(json_object_get(fl, "tolerance")), "0");
    fx_free(&f);
}

Test(customs_match, payer_buyer) {
    struct fx f;
    imp(&f);
    /* case of the X check digit and white space do not count */
    hset(f.b[CM_PAYMENT], "payerIdNumber", " 43060019900101001x ");
    hset(f.b[CM_PAYMENT], "payerName", "Test\xE3\x80\x80 Buyer");
    cr_assert(checked(run(&f, 5000), "payer_buyer"));
    cr_assert_eq(nfail(f.r), 0);

    hset(f.b[CM_PAYMENT], "payerName", "Other Person");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = fail_is(r, 0, "payer_buyer", "buyerName/payerName", "Test Buyer",
                               "Other Person", "CEB311:decl-order,CEB411:decl-pay");
    no_pii(fl, "Test Buyer");
    no_pii(fl, "Other Person");

    hset(f.b[CM_PAYMENT], "payerIdNumber", "430600199001010028");
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 2, "one failure per field");
    fl = fail_is(r, 0, "payer_buyer", "buyerIdNumber/payerIdNumber",
                 "43060019900101001X", "430600199001010028",
                 "CEB311:decl-order,CEB411:decl-pay");
    no_pii(fl, "43060019900101001X");
    no_pii(fl, "430600199001010028");
    fail_is(r, 1, "payer_buyer", "buyerName/payerName", "Test Buyer", "Other Person",
            "CEB311:decl-order,CEB411:decl-pay");
    fx_free(&f);
}

Test(customs_match, consignee_name) {
    struct fx f;
    imp(&f);
    hset(f.b[CM_WAYBILL], "consignee", "  Test \t Consignee\xC2\xA0");
    cr_assert(checked(run(&f, 5000), "consignee_name"));
    cr_assert_eq(nfail(f.r), 0);
    hset(f.b[CM_WAYBILL], "consignee", "Test Consignees");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = fail_is(r, 0, "consignee_name", "consignee", "Test Consignee",
                               "Test Consignees", "CEB311:decl-order,CEB511:decl-wb");
    no_pii(fl, "Test Consignee");
    fx_free(&f);
}

Test(customs_match, consignee_phone) {
    struct fx f;
    imp(&f);
    hset(f.b[CM_WAYBILL], "consigneeTelephone", "(138) 0000 0002");
    cr_assert(checked(run(&f, 5000), "consignee_phone"));
    cr_assert_eq(nfail(f.r), 0);
    hset(f.b[CM_WAYBILL], "consigneeTelephone", "13800000003");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl =
        fail_is(r, 0, "consignee_phone", "consigneeTelephone", "138-0000-0002",
                "13800000003", "CEB311:decl-order,CEB511:decl-wb");
    no_pii(fl, "1380000");
    /* no digits on either side: compared as text */
    hset(f.b[CM_ORDER], "consigneeTelephone", "none");
    hset(f.b[CM_WAYBILL], "consigneeTelephone", "n/a");
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "consignee_phone", "consigneeTelephone", "none", "n/a",
            "CEB311:decl-order,CEB511:decl-wb");
    fx_free(&f);
}

Test(customs_match, consignee_address) {
    struct fx f;
    imp(&f);
    hset(f.b[CM_WAYBILL], "consigneeAddress", "1  Lakeside Road,\n Yueyang ");
    cr_assert(checked(run(&f, 5000), "consignee_address"));
    cr_assert_eq(nfail(f.r), 0);
    hset(f.b[CM_WAYBILL], "consigneeAddress", "11 Lakeside Road, Yueyang");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = fail_is(r, 0, "consignee_address", "consigneeAddress",
                               "1 Lakeside Road, Yueyang", "11 Lakeside Road, Yueyang",
                               "CEB311:decl-order,CEB511:decl-wb");
    no_pii(fl, "Lakeside");
    /* absent on the waybill */
    hset(f.b[CM_WAYBILL], "consigneeAddress", NULL);
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "consignee_address", "consigneeAddress", "1 Lakeside Road, Yueyang",
            NULL, "CEB311:decl-order,CEB511:decl-wb");
    fx_free(&f);
}

Test(customs_match, inventory_lines_pass) {
    struct fx f;
    imp(&f);
    /* other line order, 3.00 == 3, white space in a name */
    json_decref(f.b[CM_INVENTORY]);
    f.b[CM_INVENTORY] =
        blk("inventory",
            "orderNo=ORD-1|ebpCode=EBP1|ebcCode=EBC1|logisticsCode=LOG1|"
            "logisticsNo=LN1|tradeMode=1210|grossWeight=1.35|netWeight=1.1",
            "gnum=2|itemName=Porcelain  cup|qty=2.0;gnum=1|itemName=Black tea|"
            "qty=3.00000");
    f.s.doc[CM_INVENTORY].block = f.b[CM_INVENTORY];
    json_t *r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MATCHED");
    cr_assert(checked(r, "inventory_lines"));
    fx_free(&f);
}

Test(customs_match, inventory_lines_fail) {
    struct fx f;
    imp(&f);
    json_decref(f.b[CM_INVENTORY]);
    f.b[CM_INVENTORY] =
        blk("inventory",
            "orderNo=ORD-1|ebpCode=EBP1|ebcCode=EBC1|logisticsCode=LOG1|"
            "logisticsNo=LN1|tradeMode=1210|grossWeight=1.35|netWeight=1.1",
            "gnum=3|itemName=Spoon|qty=1;gnum=2|itemName=Glass cup|qty=2.5;"
            "gnum=1|itemName=Black tea|qty=3");
    f.s.doc[CM_INVENTORY].block = f.b[CM_INVENTORY];
    json_t *r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MISMATCH");
    cr_assert_eq(nfail(r), 3);
    const char *docs = "CEB311:decl-order,CEB621:decl-inv";
    const json_t *fl = fail_is(r, 0, "inventory_lines", "itemName", "Porcelain cup",
                               "Glass cup", docs);
    cr_assert_str_eq(json_string_value(json_object_get(fl, "gnum")), "2");
    fl = fail_is(r, 1, "inventory_lines", "qty", "2", "2.5", docs);
    cr_assert_str_eq(json_string_value(json_object_get(fl, "gnum")), "2");
    fl = fail_is(r, 2, "inventory_lines", "gnum", NULL, "3", docs);
    cr_assert_str_eq(json_string_value(json_object_get(fl, "gnum")), "3");
    cr_assert(!checked(r, "inventory_lines"));

    /* a line only on the order */
    json_decref(f.b[CM_INVENTORY]);
    f.b[CM_INVENTORY] =
        blk("inventory",
            "orderNo=ORD-1|ebpCode=EBP1|ebcCode=EBC1|logisticsCode=LOG1|"
            "logisticsNo=LN1|tradeMode=1210|grossWeight=1.35|netWeight=1.1",
            "gnum=1|itemName=Black tea|qty=3");
    f.s.doc[CM_INVENTORY].block = f.b[CM_INVENTORY];
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fl = fail_is(r, 0, "inventory_lines", "gnum", "2", NULL, docs);
    cr_assert_str_eq(json_string_value(json_object_get(fl, "gnum")), "2");
    fx_free(&f);
}

Test(customs_match, inventory_keys) {
    struct fx f;
    imp(&f);
    cr_assert(checked(run(&f, 5000), "inventory_keys"));
    hset(f.b[CM_INVENTORY], "ebcCode", "EBC2");
    hset(f.b[CM_INVENTORY], "logisticsNo", "LN2");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 2);
    fail_is(r, 0, "inventory_keys", "ebcCode", "EBC1", "EBC2",
            "CEB311:decl-order,CEB621:decl-inv");
    fail_is(r, 1, "inventory_keys", "logisticsNo", "LN1", "LN2",
            "CEB511:decl-wb,CEB621:decl-inv");
    /* without the order, only the waybill half runs */
    drop(&f, CM_ORDER);
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "inventory_keys", "logisticsNo", "LN1", "LN2",
            "CEB511:decl-wb,CEB621:decl-inv");
    fx_free(&f);
}

Test(customs_match, weight_gross_net) {
    struct fx f;
    imp(&f);
    hset(f.b[CM_INVENTORY], "netWeight", "1.35"); /* equal passes */
    cr_assert(checked(run(&f, 5000), "weight_gross_net"));
    cr_assert_eq(nfail(f.r), 0);
    hset(f.b[CM_INVENTORY], "netWeight", "1.35001");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "weight_gross_net", "grossWeight/netWeight", "1.35", "1.35001",
            "CEB621:decl-inv");
    fx_free(&f);
}

Test(customs_match, weight_waybill_percent_edge) {
    struct fx f;
    imp(&f);
    /* gross 10 kg: 10% = 1 kg beats 0.5 kg */
    hset(f.b[CM_INVENTORY], "grossWeight", "10");
    hset(f.b[CM_INVENTORY], "netWeight", "9");
    hset(f.b[CM_WAYBILL], "weight", "11");
    cr_assert(checked(run(&f, 5000), "weight_waybill"));
    hset(f.b[CM_WAYBILL], "weight", "9");
    cr_assert(checked(run(&f, 5000), "weight_waybill"));
    hset(f.b[CM_WAYBILL], "weight", "11.00001");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = fail_is(r, 0, "weight_waybill", "weight/grossWeight", "11.00001",
                               "10", "CEB511:decl-wb,CEB621:decl-inv");
    cr_assert_str_eq(json_string_value(json_object_get(fl, "tolerance")), "1");
    fx_free(&f);
}

Test(customs_match, weight_waybill_kg_edge) {
    struct fx f;
    imp(&f);
    /* gross 2 kg: 10% = 0.2 kg, so 0.5 kg counts */
    hset(f.b[CM_INVENTORY], "grossWeight", "2");
    hset(f.b[CM_INVENTORY], "netWeight", "1.8");
    hset(f.b[CM_WAYBILL], "weight", "2.5");
    cr_assert(checked(run(&f, 5000), "weight_waybill"));
    hset(f.b[CM_WAYBILL], "weight", "1.49999");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = fail_is(r, 0, "weight_waybill", "weight/grossWeight", "1.49999",
                               "2", "CEB511:decl-wb,CEB621:decl-inv");
    cr_assert_str_eq(json_string_value(json_object_get(fl, "tolerance")), "0.5");
    /* the knobs */
    f.l.weight_tolerance_kg = 0.6;
    cr_assert(checked(run(&f, 5000), "weight_waybill"));
    f.l.weight_tolerance_kg = 0;
    f.l.weight_tolerance_pct = 25.0005; /* 0.50001 kg */
    cr_assert(checked(run(&f, 5000), "weight_waybill"));
    f.l.weight_tolerance_pct = 10;
    cr_assert_eq(nfail(run(&f, 5000)), 1);
    fx_free(&f);
}

/* Make the order (and payment) total PAID with nothing else added. */
static void set_paid(struct fx *f, const char *paid) {
    hset(f->b[CM_ORDER], "goodsValue", paid);
    hset(f->b[CM_ORDER], "freight", "0");
    hset(f->b[CM_ORDER], "taxTotal", "0");
    hset(f->b[CM_ORDER], "discount", "0");
    hset(f->b[CM_ORDER], "acturalPaid", paid);
    hset(f->b[CM_PAYMENT], "amountPaid", paid);
}

Test(customs_match, retail_order_limit) {
    struct fx f;
    imp(&f);
    set_paid(&f, "5000");
    cr_assert_str_eq(status(run(&f, 5000)), "MATCHED");
    cr_assert(checked(f.r, "retail_order_limit"));
    set_paid(&f, "5000.00001");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "retail_order_limit", "acturalPaid", "5000.00001", "5000",
            "CEB311:decl-order,CEB621:decl-inv");
    /* general trade (0110) on the inventory: the retail limits do not apply */
    hset(f.b[CM_INVENTORY], "tradeMode", "0110");
    r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MATCHED");
    cr_assert(!checked(r, "retail_order_limit"));
    cr_assert(!checked(r, "retail_year_limit"));
    /* no inventory yet: they apply, naming the order only */
    drop(&f, CM_INVENTORY);
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "retail_order_limit", "acturalPaid", "5000.00001", "5000",
            "CEB311:decl-order");
    fx_free(&f);
}

Test(customs_match, retail_year_limit) {
    struct fx f;
    imp(&f);
    set_paid(&f, "5000");
    f.s.buyer_year_other = 21000LL * CM_SCALE;
    cr_assert_str_eq(status(run(&f, 5000)), "MATCHED");
    cr_assert(checked(f.r, "retail_year_limit"));
    f.s.buyer_year_other += 1;
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = fail_is(r, 0, "retail_year_limit", "acturalPaid", "26000.00001",
                               "26000", "CEB311:decl-order,CEB621:decl-inv");
    no_pii(fl, "26000.00001");
    /* a smaller limit set by the operator */
    f.s.buyer_year_other = 0;
    f.l.retail_year_limit = 4999LL * CM_SCALE;
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "retail_year_limit", "acturalPaid", "5000", "4999",
            "CEB311:decl-order,CEB621:decl-inv");
    fx_free(&f);
}

/* ---- status ------------------------------------------------------------ */

Test(customs_match, incomplete_waiting) {
    struct fx f;
    imp(&f);
    drop(&f, CM_PAYMENT);
    drop(&f, CM_INVENTORY);
    f.s.doc[CM_ORDER].received = 1000;
    f.s.doc[CM_WAYBILL].received = 900; /* the earliest present one counts */
    json_t *r = run(&f, 4600);
    cr_assert_str_eq(status(r), "INCOMPLETE");
    cr_assert_eq(nfail(r), 0);
    json_t *m = json_object_get(r, "missing");
    cr_assert_eq(json_array_size(m), 2);
    cr_assert_str_eq(
        json_string_value(json_object_get(json_array_get(m, 0), "document")),
        "payment");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_array_get(m, 0), "message")), "CEB411");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(m, 0), "waiting_s")),
                 3700);
    cr_assert_str_eq(
        json_string_value(json_object_get(json_array_get(m, 1), "document")),
        "inventory");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_array_get(m, 1), "message")), "CEB621");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(m, 1), "waiting_s")),
                 3700);
    checked_is(r, "amount_order,consignee_name,consignee_phone,consignee_address,"
                  "retail_order_limit,retail_year_limit");
    /* a clock behind the documents waits 0 */
    r = run(&f, 800);
    cr_assert_eq(json_integer_value(json_object_get(
                     json_array_get(json_object_get(r, "missing"), 0), "waiting_s")),
                 0);
    fx_free(&f);
}

Test(customs_match, nothing_arrived) {
    struct fx f;
    imp(&f);
    for (int i = 0; i < CM_NROLES; i++)
        drop(&f, (enum cm_role)i);
    json_t *r = run(&f, 4600);
    cr_assert_str_eq(status(r), "INCOMPLETE");
    json_t *m = json_object_get(r, "missing");
    cr_assert_eq(json_array_size(m), 4);
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(m, 3), "waiting_s")),
                 0);
    cr_assert_eq(json_array_size(json_object_get(r, "checked")), 0);
    fx_free(&f);
}

Test(customs_match, mismatch_overrides_incomplete) {
    struct fx f;
    imp(&f);
    drop(&f, CM_PAYMENT);
    hset(f.b[CM_WAYBILL], "consignee", "Someone Else");
    json_t *r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MISMATCH");
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "consignee_name", "consignee", "Test Consignee", "Someone Else",
            "CEB311:decl-order,CEB511:decl-wb");
    cr_assert_eq(json_array_size(json_object_get(r, "missing")), 1);
    cr_assert_eq(json_integer_value(json_object_get(
                     json_array_get(json_object_get(r, "missing"), 0), "waiting_s")),
                 4000);
    fx_free(&f);
}

Test(customs_match, failures_in_rule_order) {
    struct fx f;
    imp(&f);
    hset(f.b[CM_INVENTORY], "netWeight", "2");                  /* weight_gross_net */
    hset(f.b[CM_WAYBILL], "consigneeTelephone", "13800000009"); /* consignee_phone */
    hset(f.b[CM_PAYMENT], "amountPaid", "1");                   /* amount_payment */
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 3);
    fail_is(r, 0, "amount_payment", "acturalPaid/amountPaid", "353.75", "1",
            "CEB311:decl-order,CEB411:decl-pay");
    fail_is(r, 1, "consignee_phone", "consigneeTelephone", "138-0000-0002",
            "13800000009", "CEB311:decl-order,CEB511:decl-wb");
    fail_is(r, 2, "weight_gross_net", "grossWeight/netWeight", "1.35", "2",
            "CEB621:decl-inv");
    fx_free(&f);
}

Test(customs_match, document_type) {
    struct fx f;
    imp(&f);
    f.s.doc[CM_ORDER].message = "CEB303"; /* an export order in an import set */
    json_t *r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MISMATCH");
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "document_type", "message", "CEB303", "CEB311", "CEB303:decl-order");
    cr_assert(!checked(r, "amount_order"), "the misplaced order takes no part");
    cr_assert(checked(r, "weight_waybill"));
    cr_assert_eq(json_array_size(json_object_get(r, "missing")), 0);
    f.s.doc[CM_ORDER].message = NULL;
    hset(f.b[CM_ORDER], "x", "y");
    json_object_set_new(f.b[CM_ORDER], "kind", json_string("payment"));
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "document_type", "kind", "payment", "order", "CEB311:decl-order");
    fx_free(&f);
}

/* ---- export ----------------------------------------------------------- */

Test(customs_match, export_all_match) {
    struct fx f;
    exp_(&f);
    json_t *r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MATCHED");
    checked_is(r, ALL_EXPORT);
    fx_free(&f);
}

Test(customs_match, export_amount_receipt) {
    struct fx f;
    exp_(&f);
    hset(f.b[CM_PAYMENT], "charge", "1280.41"); /* at the tolerance */
    cr_assert(checked(run(&f, 5000), "amount_receipt"));
    hset(f.b[CM_PAYMENT], "charge", "1200.4"); /* goodsValue alone: freight missing */
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "amount_receipt", "goodsValue+freight/charge", "1280.4", "1200.4",
            "CEB303:decl-order,CEB403:decl-pay");
    fx_free(&f);
}

Test(customs_match, export_receipt_optional) {
    struct fx f;
    exp_(&f);
    drop(&f, CM_PAYMENT);
    json_t *r = run(&f, 5000);
    cr_assert_str_eq(status(r), "MATCHED");
    cr_assert_eq(json_array_size(json_object_get(r, "missing")), 0);
    checked_is(r, "inventory_lines,inventory_keys,weight_gross_net,weight_waybill");
    drop(&f, CM_WAYBILL);
    r = run(&f, 5000);
    cr_assert_str_eq(status(r), "INCOMPLETE");
    json_t *m = json_object_get(r, "missing");
    cr_assert_eq(json_array_size(m), 1);
    cr_assert_str_eq(
        json_string_value(json_object_get(json_array_get(m, 0), "document")),
        "waybill");
    cr_assert_str_eq(
        json_string_value(json_object_get(json_array_get(m, 0), "message")), "CEB505");
    cr_assert_eq(json_integer_value(json_object_get(json_array_get(m, 0), "waiting_s")),
                 4000);
    fx_free(&f);
}

Test(customs_match, export_inventory_lines) {
    struct fx f;
    exp_(&f);
    iset(f.b[CM_INVENTORY], 0, "qty", "4.00");
    cr_assert(checked(run(&f, 5000), "inventory_lines"));
    iset(f.b[CM_INVENTORY], 0, "qty", "5");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "inventory_lines", "qty", "4", "5",
            "CEB303:decl-order,CEB603:decl-inv");
    fx_free(&f);
}

Test(customs_match, export_inventory_keys) {
    struct fx f;
    exp_(&f);
    cr_assert(checked(run(&f, 5000), "inventory_keys"));
    hset(f.b[CM_INVENTORY], "orderNo", "EXP-2");
    hset(f.b[CM_INVENTORY], "logisticsCode", "LOG2");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 2);
    fail_is(r, 0, "inventory_keys", "orderNo", "EXP-1", "EXP-2",
            "CEB303:decl-order,CEB603:decl-inv");
    fail_is(r, 1, "inventory_keys", "logisticsCode", "LOG1", "LOG2",
            "CEB505:decl-wb,CEB603:decl-inv");
    fx_free(&f);
}

Test(customs_match, export_weights) {
    struct fx f;
    exp_(&f);
    hset(f.b[CM_WAYBILL], "grossWeight", "7.48"); /* 10% of 6.8 = 0.68 */
    cr_assert(checked(run(&f, 5000), "weight_waybill"));
    hset(f.b[CM_WAYBILL], "grossWeight", "7.48001");
    json_t *r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    const json_t *fl = fail_is(r, 0, "weight_waybill", "grossWeight", "7.48001", "6.8",
                               "CEB505:decl-wb,CEB603:decl-inv");
    cr_assert_str_eq(json_string_value(json_object_get(fl, "tolerance")), "0.68");
    hset(f.b[CM_WAYBILL], "grossWeight", "6.8");
    hset(f.b[CM_INVENTORY], "netWeight", "6.9");
    r = run(&f, 5000);
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "weight_gross_net", "grossWeight/netWeight", "6.8", "6.9",
            "CEB603:decl-inv");
    fx_free(&f);
}

/* ---- decimals ---------------------------------------------------------- */

Test(customs_match, decimal_parse) {
    int64_t v = 77;
    static const char *const bad[] = {"",
                                      "1.",
                                      ".5",
                                      "1.000001",
                                      "12345678901234567890",
                                      "-1",
                                      "1e3",
                                      "+1",
                                      " 1",
                                      "1 ",
                                      "1,5",
                                      "1.2.3",
                                      "0x10",
                                      "99999999999999999" /* > INT64_MAX / 1e5 */};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cr_assert_eq(cm_decimal(bad[i], &v), -1, "\"%s\" accepted", bad[i]);
        cr_assert_eq(v, 77, "\"%s\" wrote *out", bad[i]);
    }
    cr_assert_eq(cm_decimal(NULL, &v), -1);
    cr_assert_eq(cm_decimal("0.00001", &v), 0);
    cr_assert_eq(v, 1);
    cr_assert_eq(cm_decimal("12", &v), 0);
    cr_assert_eq(v, 1200000);
    cr_assert_eq(cm_decimal("12.5", &v), 0);
    cr_assert_eq(v, 1250000);
    cr_assert_eq(cm_decimal("007.10", &v), 0);
    cr_assert_eq(v, 710000);
    cr_assert_eq(cm_decimal("0000000000000000001", &v), 0,
                 "19 digits with leading zeros");
    cr_assert_eq(v, 100000);
    cr_assert_eq(cm_decimal("92233720368547.75807", &v), 0);
    cr_assert_eq(v, INT64_MAX);
    cr_assert_eq(cm_decimal("92233720368547.75808", &v), -1);
    cr_assert_eq(cm_decimal("12345678912345.12345", &v), 0);
    cr_assert_eq(v, 1234567891234512345LL);
}

Test(customs_match, decimal_format_round_trip) {
    char buf[32];
    static const struct {
        int64_t v;
        const char *s;
    } cases[] = {{0, "0"},
                 {1, "0.00001"},
                 {1000, "0.01"},
                 {1250000, "12.5"},
                 {1200000, "12"},
                 {-350000, "-3.5"},
                 {INT64_MAX, "92233720368547.75807"},
                 {10000001, "100.00001"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cm_decimal_format(cases[i].v, buf, sizeof(buf));
        cr_assert_str_eq(buf, cases[i].s);
        int64_t back;
        if (cases[i].v >= 0) {
            cr_assert_eq(cm_decimal(buf, &back), 0, "%s", buf);
            cr_assert_eq(back, cases[i].v);
        }
    }
    cm_decimal_format(INT64_MIN, buf, sizeof(buf));
    cr_assert_str_eq(buf, "-92233720368547.75808");
    cm_decimal_format(1250000, buf, 3);
    cr_assert_str_eq(buf, "12");
    /* every value of one to five decimals round-trips through the text */
    static const char *const texts[] = {"0.1",     "0.12", "0.123",       "0.1234",
                                        "0.12345", "5000", "26000.00001", "1.01"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        int64_t v;
        cr_assert_eq(cm_decimal(texts[i], &v), 0);
        cm_decimal_format(v, buf, sizeof(buf));
        cr_assert_str_eq(buf, texts[i]);
    }
}

Test(customs_match, order_value_and_roles) {
    json_t *o = blk("order", "acturalPaid=353.75", NULL);
    cr_assert_eq(cm_order_value(o), 35375000);
    hset(o, "acturalPaid", "3,5");
    cr_assert_eq(cm_order_value(o), -1);
    hset(o, "acturalPaid", NULL);
    cr_assert_eq(cm_order_value(o), -1);
    cr_assert_eq(cm_order_value(NULL), -1);
    json_decref(o);

    enum cm_role r;
    int imp_ = -1;
    cr_assert_eq(cm_role_of("CEB403", &r, &imp_), 0);
    cr_assert_eq(r, CM_PAYMENT);
    cr_assert_eq(imp_, 0);
    cr_assert_eq(cm_role_of("CEB621", &r, &imp_), 0);
    cr_assert_eq(r, CM_INVENTORY);
    cr_assert_eq(imp_, 1);
    cr_assert_eq(cm_role_of("CEB513", &r, &imp_), -1);
    cr_assert_str_eq(cm_role_name(CM_PAYMENT, 0), "receipt");
    cr_assert_str_eq(cm_role_name(CM_PAYMENT, 1), "payment");
    cr_assert_str_eq(cm_role_message(CM_WAYBILL, 0), "CEB505");
    cr_assert_null(cm_role_name(CM_NROLES, 1));
}

/* ---- from XML ---------------------------------------------------------- */

/* The first block of fixture REL (under test/fixtures/ceb/), parsed by
 * ceb_parse_xml; *MSG holds the message (the caller decrefs it). */
static const json_t *xml_block(const char *rel, json_t **msg) {
    char path[160], err[512] = "";
    size_t len;
    snprintf(path, sizeof(path), "test/fixtures/ceb/%s", rel);
    char *body = ut_slurp(ut_path(path), &len);
    int rc = ceb_parse_xml(body, len, 0, msg, err, sizeof(err));
    free(body);
    cr_assert_eq(rc, 0, "%s: %s", rel, err);
    return json_array_get(json_object_get(*msg, "blocks"), 0);
}

static json_t *xml_set(const char *const files[CM_NROLES], int import,
                       json_t *msgs[CM_NROLES]) {
    struct cm_set s;
    memset(&s, 0, sizeof(s));
    s.import = import;
    for (int r = 0; r < CM_NROLES; r++) {
        s.doc[r].block = xml_block(files[r], &msgs[r]);
        s.doc[r].message = json_string_value(json_object_get(msgs[r], "message"));
        s.doc[r].id = ids[r];
        s.doc[r].received = 1764140000 + r * 60;
    }
    struct cm_limits l;
    cm_limits_default(&l);
    json_t *res = cm_match(&s, &l, 1764150000);
    cr_assert_not_null(res);
    return res;
}

Test(customs_match, from_xml_import) {
    const char *files[CM_NROLES] = {
        "match/import_ceb311_order.xml", "match/import_ceb411_payment.xml",
        "match/import_ceb511_waybill.xml", "match/import_ceb621_inventory.xml"};
    json_t *msgs[CM_NROLES];
    json_t *r = xml_set(files, 1, msgs);
    cr_assert_str_eq(status(r), "MATCHED");
    checked_is(r, ALL_IMPORT);
    cr_assert_eq(cm_order_value(json_array_get(json_object_get(msgs[0], "blocks"), 0)),
                 45163000);
    json_decref(r);
    for (int i = 0; i < CM_NROLES; i++)
        json_decref(msgs[i]);

    files[CM_PAYMENT] = "match/import_ceb411_payment_short.xml";
    r = xml_set(files, 1, msgs);
    cr_assert_str_eq(status(r), "MISMATCH");
    cr_assert_eq(nfail(r), 1);
    fail_is(r, 0, "amount_payment", "acturalPaid/amountPaid", "451.63", "441.63",
            "CEB311:decl-order,CEB411:decl-pay");
    json_decref(r);
    for (int i = 0; i < CM_NROLES; i++)
        json_decref(msgs[i]);
}

Test(customs_match, from_xml_export) {
    /* the parser's export fixtures describe one consignment in their first blocks */
    const char *files[CM_NROLES] = {"ceb303_export_order.xml", "ceb403_receipt.xml",
                                    "ceb505_export_waybill.xml",
                                    "ceb603_export_inventory.xml"};
    json_t *msgs[CM_NROLES];
    json_t *r = xml_set(files, 0, msgs);
    cr_assert_str_eq(status(r), "MATCHED");
    checked_is(r, ALL_EXPORT);
    json_decref(r);
    for (int i = 0; i < CM_NROLES; i++)
        json_decref(msgs[i]);
}
