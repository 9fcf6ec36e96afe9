/* ceb.c -- the China customs cross-border e-commerce messages (carriers/ceb.h).
 *
 * Everything a message type means lives in one row of ceb_types[]: the
 * root, the business block and its head and list elements, the fields a
 * head and a list line must carry, the linking keys.  What a field's value
 * must look like (a decimal, a date, a code) depends on the field's name
 * only, the same in every type (ceb_fields[]).  The XML reader builds the
 * canonical object first and checks it with the same code as the JSON
 * intake; only the path prefix differs ("/CEB621Message/Inventory[2]/
 * InventoryHead" or "$.blocks[1].head"). */
#include "carriers/ceb.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CEB_VALUE_MAX 1024 /* bytes of one field value */

struct ceb_type {
    const char *message;   /* "CEB621" */
    const char *root;      /* "CEB621Message" */
    const char *direction; /* "import" | "export" */
    const char *kind;      /* block kind in the canonical object */
    const char *block;     /* business block element */
    const char *head;      /* head element, NULL when the block is flat */
    const char *list;      /* list line element, NULL when none */
    const char *const *required;      /* head fields that must be non-empty */
    const char *const *item_required; /* list line fields that must be non-empty */
    const char *const *keys;          /* head fields copied into "keys" */
    const char *list_key; /* list field gathered into keys.<list_key>s */
    size_t lno_max;       /* longest logisticsNo, 0: CEB_VALUE_MAX */
    int is_return;        /* a customs receipt: flat, no appType/appStatus, no
                           * BaseTransfer; gets a "return" object instead */
};

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})
#define APP "guid", "appType", "appTime", "appStatus"
#define RET "guid", "returnStatus", "returnTime"
#define INVT_RET_KEYS \
    L("guid", "orderNo", "ebpCode", "ebcCode", "agentCode", "copNo", "preNo", "invtNo")
/* A receipt row: flat block BLOCK, no list, kind "return". */
#define RETURN(msg, dir, block, required, keys, lno_max)                                   \
    {msg, msg "Message", dir, "return", block, NULL, NULL, required, NULL, keys, NULL,   \
     lno_max, 1}

static const struct ceb_type ceb_types[] = {
    {"CEB311", "CEB311Message", "import", "order", "Order", "OrderHead", "OrderList",
     L(APP, "orderType", "orderNo", "ebpCode", "ebcCode", "goodsValue", "freight",
       "discount", "taxTotal", "acturalPaid", "currency", "buyerRegNo", "buyerName",
       "buyerIdType", "buyerIdNumber", "consignee", "consigneeTelephone",
       "consigneeAddress"),
     L("gnum", "itemName", "qty", "unit", "price", "totalPrice"),
     L("orderNo", "ebpCode", "ebcCode"), NULL, 0, 0},
    {"CEB411", "CEB411Message", "import", "payment", "Payment", "PaymentHead", NULL,
     L(APP, "payCode", "payTransactionId", "orderNo", "ebpCode", "payerIdType",
       "payerIdNumber", "payerName", "amountPaid", "currency", "payTime"),
     NULL, L("orderNo", "ebpCode", "payCode", "payTransactionId"), NULL, 0, 0},
    {"CEB511", "CEB511Message", "import", "waybill", "Logistics", "LogisticsHead", NULL,
     L(APP, "logisticsCode", "logisticsNo", "orderNo", "freight", "currency", "weight",
       "packNo", "consignee", "consigneeAddress", "consigneeTelephone"),
     NULL, L("logisticsCode", "logisticsNo", "orderNo", "billNo"), NULL, 0, 0},
    {"CEB513", "CEB513Message", "import", "waybill_status", "LogisticsStatus", NULL, NULL,
     L(APP, "logisticsCode", "logisticsNo", "logisticsStatus", "logisticsTime"), NULL,
     L("logisticsCode", "logisticsNo"), NULL, 0, 0},
    {"CEB621", "CEB621Message", "import", "inventory", "Inventory", "InventoryHead",
     "InventoryList",
     L(APP, "orderNo", "ebpCode", "ebcCode", "logisticsNo", "logisticsCode", "copNo",
       "ieFlag", "declTime", "customsCode", "portCode", "ieDate", "buyerIdType",
       "buyerIdNumber", "buyerName", "buyerTelephone", "consigneeAddress", "agentCode",
       "tradeMode", "trafMode", "country", "freight", "insuredFee", "currency", "packNo",
       "grossWeight", "netWeight"),
     L("gnum", "itemName", "gcode", "gname", "qty", "unit", "qty1", "unit1", "price",
       "totalPrice"),
     L("orderNo", "ebpCode", "ebcCode", "logisticsCode", "logisticsNo", "copNo", "invtNo",
       "billNo"),
     NULL, 0, 0},
    {"CEB711", "CEB711Message", "import", "storage_entry", "Delivery", "DeliveryHead",
     "DeliveryList",
     L(APP, "customsCode", "copNo", "operatorCode", "ieFlag", "trafMode", "billNo",
       "logisticsCode"),
     L("gnum", "logisticsNo"), L("copNo", "preNo", "logisticsCode", "billNo", "voyageNo"),
     "logisticsNo", 0, 0},
    {"CEB303", "CEB303Message", "export", "order", "Order", "OrderHead", "OrderList",
     L(APP, "orderType", "orderNo", "ebpCode", "ebcCode", "goodsValue", "freight",
       "currency"),
     L("gnum", "itemName", "qty", "unit", "price", "totalPrice"),
     L("orderNo", "ebpCode", "ebcCode"), NULL, 0, 0},
    {"CEB403", "CEB403Message", "export", "receipt", "Receipts", NULL, NULL,
     L(APP, "ebpCode", "ebcCode", "orderNo", "payCode", "payNo", "charge", "currency",
       "accountingDate"),
     NULL, L("orderNo", "ebpCode", "ebcCode", "payCode", "payNo"), NULL, 0, 0},
    {"CEB505", "CEB505Message", "export", "waybill", "Logistics", NULL, NULL,
     L(APP, "logisticsCode", "logisticsNo", "freight", "currency", "grossWeight", "packNo",
       "ebcCode"),
     NULL, L("logisticsCode", "logisticsNo", "ebcCode"), NULL, 32, 0},
    {"CEB507", "CEB507Message", "export", "arrival", "Arrival", "ArrivalHead",
     "ArrivalList",
     L(APP, "customsCode", "copNo", "operatorCode", "ieFlag", "trafMode", "billNo",
       "logisticsCode", "msgCount", "msgSeqNo"),
     L("gnum", "logisticsNo"), L("copNo", "logisticsCode", "billNo"), "logisticsNo", 32, 0},
    {"CEB509", "CEB509Message", "export", "departure", "Departure", "DepartureHead",
     "DepartureList",
     L(APP, "customsCode", "copNo", "logisticsCode", "trafMode", "voyageNo", "billNo",
       "leaveTime", "msgCount", "msgSeqNo"),
     L("gnum", "logisticsNo"), L("copNo", "logisticsCode", "billNo", "voyageNo"),
     "logisticsNo", 32, 0},
    {"CEB603", "CEB603Message", "export", "inventory", "Inventory", "InventoryHead",
     "InventoryList",
     L(APP, "customsCode", "ebpCode", "orderNo", "logisticsCode", "logisticsNo", "copNo",
       "ieFlag", "portCode", "ieDate", "ebcCode", "tradeMode", "trafMode", "country",
       "freight", "packNo", "grossWeight", "netWeight"),
     L("gnum", "itemName", "gcode", "gname", "qty", "unit", "qty1", "unit1", "price",
       "totalPrice"),
     L("orderNo", "ebpCode", "ebcCode", "logisticsCode", "logisticsNo", "copNo",
       "invtNo", "billNo"),
     NULL, 32, 0},
    {"CEB607", "CEB607Message", "export", "master_waybill", "WayBill", "WayBillHead",
     "WayBillList",
     L(APP, "customsCode", "copNo", "agentCode", "trafMode", "voyageNo", "billNo",
       "grossWeight", "logisticsCode", "msgCount", "msgSeqNo"),
     L("gnum", "logisticsNo"), L("copNo", "logisticsCode", "billNo", "voyageNo"),
     "logisticsNo", 32, 0},

    /* Customs receipts (回执): one flat block per declaration answered,
     * "guid" being that declaration's guid.  REQUIRED is RET plus the keys
     * the XSD makes mandatory; returnInfo is kept but not required (the
     * export XSD lets it be empty).  Export invtNo is mandatory but only
     * exists once customs has cleared the inventory, so it is optional. */
    RETURN("CEB312", "import", "OrderReturn", L(RET, "ebpCode", "ebcCode", "orderNo"),
           L("guid", "orderNo", "ebpCode", "ebcCode"), 0),
    RETURN("CEB412", "import", "PaymentReturn", L(RET, "payCode", "payTransactionId"),
           L("guid", "payCode", "payTransactionId"), 0),
    RETURN("CEB512", "import", "LogisticsReturn", L(RET, "logisticsCode", "logisticsNo"),
           L("guid", "logisticsCode", "logisticsNo"), 0),
    RETURN("CEB514", "import", "LogisticsStatusReturn",
           L(RET, "logisticsCode", "logisticsNo"), L("guid", "logisticsCode", "logisticsNo"),
           0),
    RETURN("CEB622", "import", "InventoryReturn", L(RET, "copNo", "preNo"), INVT_RET_KEYS, 0),
    RETURN("CEB624", "import", "InvtCancelReturn", L(RET, "copNo", "preNo"), INVT_RET_KEYS, 0),
    RETURN("CEB626", "import", "InvtRefundReturn", L(RET, "copNo", "preNo"), INVT_RET_KEYS, 0),
    RETURN("CEB712", "import", "DeliveryReturn", L(RET), L("guid", "copNo", "preNo", "rkdNo"),
           0),
    RETURN("CEB304", "export", "OrderReturn", L(RET, "ebpCode", "ebcCode", "orderNo"),
           L("guid", "orderNo", "ebpCode", "ebcCode"), 32),
    RETURN("CEB404", "export", "ReceiptsReturn", L(RET, "ebcCode", "orderNo"),
           L("guid", "orderNo", "ebcCode", "payNo"), 32),
    RETURN("CEB506", "export", "LogisticsReturn", L(RET, "logisticsCode", "logisticsNo"),
           L("guid", "logisticsCode", "logisticsNo"), 32),
    RETURN("CEB508", "export", "ArrivalReturn",
           L(RET, "logisticsCode", "copNo", "preNo", "billNo"),
           L("guid", "copNo", "preNo", "logisticsCode", "billNo"), 32),
    RETURN("CEB510", "export", "DepartureReturn", L(RET, "logisticsCode", "copNo", "preNo"),
           L("guid", "copNo", "preNo", "logisticsCode"), 32),
    RETURN("CEB604", "export", "InventoryReturn",
           L(RET, "agentCode", "copNo", "preNo", "ebcCode", "ebpCode", "orderNo"),
           INVT_RET_KEYS, 32),
    RETURN("CEB608", "export", "WayBillReturn",
           L(RET, "logisticsCode", "copNo", "preNo", "billNo"),
           L("guid", "copNo", "preNo", "logisticsCode", "billNo"), 32),
};
#define NTYPES (sizeof(ceb_types) / sizeof(ceb_types[0]))

static const char *const transfer_required[] = {"copCode", "copName", "dxpMode", "dxpId",
                                                NULL};

/* ---- what a field's value must look like, by the field's name ---- */

enum ceb_ftype {
    F_TEXT,
    F_DECIMAL,
    F_INT,
    F_DATE17, /* YYYYMMDDhhmmssfff, a receipt's returnTime */
    F_DATE14,
    F_DATE8,
    F_CODE,
    F_CODE_OPEN,
    F_STATUS /* a whole number, negative allowed; labelled from codes, "error"
              * when negative, "unknown" when not listed */
};

struct ceb_code {
    const char *code, *label;
};

#define C(...) ((const struct ceb_code[]){__VA_ARGS__, {NULL, NULL}})

/* F_CODE: a value outside the list is refused; F_CODE_OPEN: accepted when
 * it has the code's shape (open_len characters) and labelled "unknown";
 * F_STATUS: any integer, labelled as the comment on enum ceb_ftype says. */
struct ceb_field {
    const char *name;
    enum ceb_ftype type;
    const struct ceb_code *codes;
    size_t open_len;
    const char *reason; /* why an F_CODE value is refused */
};

static const struct ceb_field ceb_fields[] = {
    {"goodsValue", F_DECIMAL, NULL, 0, NULL},
    {"freight", F_DECIMAL, NULL, 0, NULL},
    {"discount", F_DECIMAL, NULL, 0, NULL},
    {"taxTotal", F_DECIMAL, NULL, 0, NULL},
    {"acturalPaid", F_DECIMAL, NULL, 0, NULL},
    {"amountPaid", F_DECIMAL, NULL, 0, NULL},
    {"insuredFee", F_DECIMAL, NULL, 0, NULL},
    {"charge", F_DECIMAL, NULL, 0, NULL},
    {"weight", F_DECIMAL, NULL, 0, NULL},
    {"grossWeight", F_DECIMAL, NULL, 0, NULL},
    {"netWeight", F_DECIMAL, NULL, 0, NULL},
    {"qty", F_DECIMAL, NULL, 0, NULL},
    {"qty1", F_DECIMAL, NULL, 0, NULL},
    {"qty2", F_DECIMAL, NULL, 0, NULL},
    {"price", F_DECIMAL, NULL, 0, NULL},
    {"totalPrice", F_DECIMAL, NULL, 0, NULL},
    {"gnum", F_INT, NULL, 0, NULL},
    {"packNo", F_INT, NULL, 0, NULL},
    {"msgCount", F_INT, NULL, 0, NULL},
    {"msgSeqNo", F_INT, NULL, 0, NULL},
    {"returnTime", F_DATE17, NULL, 0, NULL},
    {"appTime", F_DATE14, NULL, 0, NULL},
    {"payTime", F_DATE14, NULL, 0, NULL},
    {"logisticsTime", F_DATE14, NULL, 0, NULL},
    {"leaveTime", F_DATE14, NULL, 0, NULL},
    {"accountingDate", F_DATE14, NULL, 0, NULL},
    {"declTime", F_DATE8, NULL, 0, NULL},
    {"ieDate", F_DATE8, NULL, 0, NULL},
    {"appType", F_CODE, C({"1", "add"}, {"2", "change"}, {"3", "delete"}), 0,
     "not 1, 2 or 3"},
    {"appStatus", F_CODE, C({"1", "saved"}, {"2", "declared"}), 0, "not 1 or 2"},
    {"orderType", F_CODE,
     C({"I", "import"}, {"E", "export_general"}, {"B", "export_b2b"},
       {"W", "export_overseas_warehouse"}),
     0, "not I, E, B or W"},
    {"tradeMode", F_CODE_OPEN,
     C({"9610", "cbec_retail"}, {"1210", "cbec_bonded"}, {"1239", "cbec_bonded_a"},
       {"9710", "cbec_b2b_direct_export"}, {"9810", "cbec_export_overseas_warehouse"},
       {"0110", "general_trade"}),
     4, "not a 4-digit supervision mode"},
    {"trafMode", F_CODE,
     C({"0", "non_bonded_area"}, {"1", "supervised_warehouse"}, {"2", "waterway"},
       {"3", "rail"}, {"4", "road"}, {"5", "air"}, {"6", "post"}, {"7", "bonded_area"},
       {"8", "bonded_warehouse"}, {"9", "other"}, {"G", "fixed_installation"},
       {"H", "border_special_zone"}, {"L", "passenger_carried"},
       {"T", "comprehensive_pilot_zone"}, {"W", "logistics_center"},
       {"X", "logistics_park"}, {"Y", "bonded_port_area"},
       {"Z", "export_processing_zone"}),
     0, "not a customs transport mode code"},
    {"ieFlag", F_CODE_OPEN, C({"I", "import"}, {"E", "export"}), 1, "not one character"},
    /* The receipt statuses of both XSDs' returnStatus annotations; a negative
     * one is a processing error ("若小于0数字表示处理异常回执"). */
    {"returnStatus", F_STATUS,
     C({"1", "saved"}, {"2", "declaring"}, {"3", "sent"}, {"4", "send_failed"},
       {"100", "rejected"}, {"120", "accepted"}, {"300", "manual_review"},
       {"399", "cleared"}, {"500", "inspection"}, {"501", "detained"}, {"502", "detained"},
       {"503", "detained"}, {"599", "detained"}, {"700", "returned"}, {"800", "released"},
       {"899", "closed"}),
     0, "not an integer"},
};
#define NFIELDS (sizeof(ceb_fields) / sizeof(ceb_fields[0]))

/* The fields whose labels go into a block's "codes". */
static const char *const code_fields[] = {"tradeMode", "trafMode", "ieFlag", "orderType",
                                          "returnStatus", NULL};

static const struct ceb_field *field_of(const char *name) {
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(ceb_fields[i].name, name) == 0) return &ceb_fields[i];
    return NULL;
}

static const struct ceb_type *type_by(const char *name, int by_root) {
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(by_root ? ceb_types[i].root : ceb_types[i].message, name) == 0)
            return &ceb_types[i];
    return NULL;
}

/* ---- errors ---- */

/* ERR = "<PATH>: <printf FMT...>". Always returns -1. */
static int fail(char *err, size_t errlen, const char *path, const char *fmt, ...) {
    char reason[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s: %s", path, reason);
    return -1;
}

/* VALUE in double quotes for a reason, at most CEB_QUOTE_MAX bytes of it,
 * cut on a UTF-8 character boundary ("..." marks the cut); '"' and '\'
 * escaped, control bytes as \xNN.  Returns OUT. */
static const char *quote(const char *value, char *out, size_t outlen) {
    size_t n = strlen(value), take = n > CEB_QUOTE_MAX ? CEB_QUOTE_MAX : n, o = 0;
    while (take > 0 && take < n && ((unsigned char)value[take] & 0xC0) == 0x80) take--;
    if (outlen < 8) {
        if (outlen) out[0] = '\0';
        return out;
    }
    out[o++] = '"';
    for (size_t i = 0; i < take && o + 6 < outlen; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02X", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    if (take < n && o + 4 < outlen) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* ---- value checks ---- */

static int all_digits(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* "123", "12.5": up to 19 integer digits and 5 decimals, no sign. */
static int is_decimal(const char *s) {
    const char *dot = strchr(s, '.');
    size_t ni = dot ? (size_t)(dot - s) : strlen(s);
    if (ni < 1 || ni > 19 || !all_digits(s, ni)) return 0;
    if (!dot) return 1;
    size_t nf = strlen(dot + 1);
    return nf >= 1 && nf <= 5 && all_digits(dot + 1, nf);
}

static int num2(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* YYYYMMDD, YYYYMMDDhhmmss or YYYYMMDDhhmmssfff (LEN 8, 14 or 17), a day
 * that exists (30 February does not, 29 February only in leap years) and
 * a time of day in range; any three digits of milliseconds. */
static int is_date(const char *s, size_t len) {
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != len || !all_digits(s, len)) return 0;
    int y = num2(s) * 100 + num2(s + 2), mo = num2(s + 4), d = num2(s + 6);
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1]) return 0;
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return 0;
    if (len >= 14 && (num2(s + 8) > 23 || num2(s + 10) > 59 || num2(s + 12) > 59)) return 0;
    return 1;
}

/* "0", "800", "-301010": an integer of at most 9 digits, no leading zero,
 * no "+" and no "-0", so that one status has one spelling. */
static int is_status(const char *s) {
    int neg = s[0] == '-';
    const char *d = s + neg;
    size_t n = strlen(d);
    if (n < 1 || n > 9 || !all_digits(d, n)) return 0;
    if (d[0] == '0') return n == 1 && !neg;
    return 1;
}

/* The label of VALUE in field F's codes, or NULL. */
static const char *code_label(const struct ceb_field *f, const char *value) {
    for (const struct ceb_code *c = f->codes; c && c->code; c++)
        if (strcmp(c->code, value) == 0) return c->label;
    return NULL;
}

/* The label "codes" gives an accepted VALUE of code field F: its own,
 * "error" for a negative status, else "unknown". */
static const char *code_label_or_unknown(const struct ceb_field *f, const char *value) {
    const char *label = code_label(f, value);
    if (label) return label;
    return f->type == F_STATUS && value[0] == '-' ? "error" : "unknown";
}

/* Check VALUE (non-empty) of field NAME at PATH; LNO_MAX limits a
 * logisticsNo (0: no own limit).  0 or -1 with ERR. */
static int check_value(const char *name, const char *value, const char *path,
                       size_t lno_max, char *err, size_t errlen) {
    const struct ceb_field *f = field_of(name);
    char q[CEB_QUOTE_MAX * 4 + 16];
    size_t n = strlen(value);

    if (n > CEB_VALUE_MAX)
        return fail(err, errlen, path, "longer than %d bytes: %s", CEB_VALUE_MAX,
                    quote(value, q, sizeof(q)));
    if (lno_max && strcmp(name, "logisticsNo") == 0 && n > lno_max)
        return fail(err, errlen, path, "longer than %zu characters: %s", lno_max,
                    quote(value, q, sizeof(q)));
    if (!f) return 0;
    switch (f->type) {
    case F_TEXT:
        return 0;
    case F_DECIMAL:
        if (!is_decimal(value))
            return fail(err, errlen, path, "not a decimal number: %s",
                        quote(value, q, sizeof(q)));
        return 0;
    case F_INT:
        if (n < 1 || n > 9 || !all_digits(value, n))
            return fail(err, errlen, path, "not a whole number: %s",
                        quote(value, q, sizeof(q)));
        return 0;
    case F_DATE17:
    case F_DATE14:
    case F_DATE8: {
        const char *fmt = f->type == F_DATE17   ? "YYYYMMDDhhmmssfff"
                          : f->type == F_DATE14 ? "YYYYMMDDhhmmss"
                                                : "YYYYMMDD";
        if (!is_date(value, strlen(fmt)))
            return fail(err, errlen, path, "not a date %s: %s", fmt, quote(value, q, sizeof(q)));
        return 0;
    }
    case F_STATUS:
        if (!is_status(value))
            return fail(err, errlen, path, "%s: %s", f->reason, quote(value, q, sizeof(q)));
        return 0;
    case F_CODE:
        if (!code_label(f, value))
            return fail(err, errlen, path, "%s: %s", f->reason, quote(value, q, sizeof(q)));
        return 0;
    case F_CODE_OPEN:
        if (code_label(f, value)) return 0;
        if (n != f->open_len || (f->open_len == 4 && !all_digits(value, n)))
            return fail(err, errlen, path, "%s: %s", f->reason, quote(value, q, sizeof(q)));
        return 0;
    }
    return 0;
}

/* Check the fields of OBJ (a head, a list line or the transfer), every
 * value a string, REQUIRED ones non-empty; PREFIX is OBJ's path and SEP
 * joins a field name to it ('/' or '.').  0 or -1 with ERR. */
static int check_fields(json_t *obj, const char *const *required, const char *prefix,
                        char sep, size_t lno_max, char *err, size_t errlen) {
    char path[512];
    const char *name;
    json_t *v;

    for (const char *const *r = required; r && *r; r++) {
        const json_t *rv = json_object_get(obj, *r);
        if (!rv || (json_is_string(rv) && json_string_length(rv) == 0)) {
            snprintf(path, sizeof(path), "%.400s%c%.100s", prefix, sep, *r);
            return fail(err, errlen, path, rv ? "empty" : "missing");
        }
    }
    json_object_foreach(obj, name, v) {
        snprintf(path, sizeof(path), "%.400s%c%.100s", prefix, sep, name);
        if (!json_is_string(v)) return fail(err, errlen, path, "not a string");
        const char *s = json_string_value(v);
        if (s[0] == '\0') continue; /* an optional field left empty */
        if (strlen(s) != json_string_length(v))
            return fail(err, errlen, path, "contains a NUL character");
        if (check_value(name, s, path, lno_max, err, errlen) != 0) return -1;
    }
    return 0;
}

/* ---- the canonical block ---- */

/* Check HEAD and ITEMS (borrowed) of a block of type T and build the
 * canonical block: kind, head, items, keys, codes, and app_type and
 * app_status for a declaration or "return" for a receipt.
 * HPATH is the head's path; IPATH the list's (a line is IPATH[i + IBASE]).
 * Returns a new object, or NULL with ERR. */
static json_t *make_block(const struct ceb_type *t, json_t *head, json_t *items,
                          const char *hpath, const char *ipath, size_t ibase, char sep,
                          char *err, size_t errlen) {
    char path[512], q[CEB_QUOTE_MAX * 4 + 16];
    size_t i;
    json_t *item;

    if (check_fields(head, t->required, hpath, sep, t->lno_max, err, errlen) != 0)
        return NULL;
    json_array_foreach(items, i, item) {
        snprintf(path, sizeof(path), "%.400s[%zu]", ipath, i + ibase);
        if (!json_is_object(item)) {
            fail(err, errlen, path, "not an object");
            return NULL;
        }
        if (check_fields(item, t->item_required, path, sep, t->lno_max, err, errlen) != 0)
            return NULL;
        const char *g = json_string_value(json_object_get(item, "gnum"));
        for (size_t k = 0; k < i; k++) {
            const char *gk = json_string_value(json_object_get(json_array_get(items, k), "gnum"));
            if (g && gk && strcmp(g, gk) == 0) {
                snprintf(path, sizeof(path), "%.400s[%zu]%cgnum", ipath, i + ibase, sep);
                fail(err, errlen, path, "duplicate line number: %s", quote(g, q, sizeof(q)));
                return NULL;
            }
        }
    }

    json_t *keys = json_object(), *codes = json_object();
    for (const char *const *k = t->keys; *k; k++) {
        const char *v = json_string_value(json_object_get(head, *k));
        if (v && v[0]) json_object_set_new(keys, *k, json_string(v));
    }
    if (t->list_key) {
        json_t *arr = json_array();
        json_array_foreach(items, i, item) {
            const char *v = json_string_value(json_object_get(item, t->list_key));
            if (v && v[0]) json_array_append_new(arr, json_string(v));
        }
        snprintf(path, sizeof(path), "%.100ss", t->list_key);
        json_object_set_new(keys, path, arr);
    }
    for (const char *const *c = code_fields; *c; c++) {
        const char *v = json_string_value(json_object_get(head, *c));
        if (!v || !v[0]) continue;
        json_object_set_new(codes, *c, json_string(code_label_or_unknown(field_of(*c), v)));
    }
    json_t *b;
    if (t->is_return) {
        /* returnInfo is optional: an absent one reads as "" */
        const char *info = json_string_value(json_object_get(head, "returnInfo"));
        b = json_pack("{s:s, s:O, s:O, s:o, s:o, s:{s:s, s:s, s:s}}", "kind", t->kind, "head",
                      head, "items", items, "keys", keys, "codes", codes, "return", "status",
                      json_string_value(json_object_get(head, "returnStatus")), "time",
                      json_string_value(json_object_get(head, "returnTime")), "info",
                      info ? info : "");
    } else {
        const char *at = code_label(field_of("appType"),
                                    json_string_value(json_object_get(head, "appType")));
        const char *as = code_label(field_of("appStatus"),
                                    json_string_value(json_object_get(head, "appStatus")));
        b = json_pack("{s:s, s:O, s:O, s:o, s:s, s:s, s:o}", "kind", t->kind, "head", head,
                      "items", items, "keys", keys, "app_type", at, "app_status", as, "codes",
                      codes);
    }
    if (!b) fail(err, errlen, hpath, "out of memory");
    return b;
}

/* The canonical message of type T from its parts (references stolen);
 * TRANSFER is NULL for a receipt, which has none.  NULL when out of
 * memory. */
static json_t *make_message(const struct ceb_type *t, const char *guid, const char *version,
                            json_t *blocks, json_t *transfer) {
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o*}", "message", t->message, "direction",
                     t->direction, "guid", guid, "version", version, "blocks", blocks,
                     "transfer", transfer);
}

/* ---- XML ---- */

static pthread_once_t ceb_once = PTHREAD_ONCE_INIT;

static void ceb_init_once(void) { xmlInitParser(); }

void ceb_init(void) { pthread_once(&ceb_once, ceb_init_once); }

static int is_ceb(const xmlNode *n) {
    return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
           strcmp((const char *)n->ns->href, CEB_NS) == 0;
}

static int is_named(const xmlNode *n, const char *name) {
    return is_ceb(n) && strcmp((const char *)n->name, name) == 0;
}

/* The text of leaf element N with XML white space trimmed, as a new
 * jansson string; NULL when it is not valid UTF-8 (cannot happen after
 * libxml2, kept as a guard). */
static json_t *leaf_text(xmlNode *n) {
    xmlChar *c = xmlNodeGetContent(n);
    const char *s = c ? (const char *)c : "";
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
                   s[len - 1] == '\r'))
        len--;
    while (len && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) {
        s++;
        len--;
    }
    json_t *j = json_stringn(s, len);
    xmlFree(c);
    return j;
}

/* The leaf children of element N (at PATH) into OBJ, one string per field.
 * Refuses an element of another namespace, a nested element, a repeated
 * field.  0 or -1 with ERR. */
static int read_leaves(xmlNode *n, const char *path, json_t *obj, char *err,
                       size_t errlen) {
    char p[512];
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        snprintf(p, sizeof(p), "%.400s/%.100s", path, (const char *)c->name);
        if (!is_ceb(c)) return fail(err, errlen, p, "element not in the " CEB_NS " namespace");
        for (xmlNode *g = c->children; g; g = g->next)
            if (g->type == XML_ELEMENT_NODE)
                return fail(err, errlen, p, "unexpected element %s inside a field",
                            (const char *)g->name);
        if (json_object_get(obj, (const char *)c->name))
            return fail(err, errlen, p, "repeated field");
        json_t *v = leaf_text(c);
        if (!v) return fail(err, errlen, p, "not valid UTF-8");
        json_object_set_new(obj, (const char *)c->name, v);
    }
    return 0;
}

/* Business block N (type T) at BPATH into a new canonical block, or NULL
 * with ERR. */
static json_t *read_block(const struct ceb_type *t, xmlNode *n, const char *bpath, char *err,
                          size_t errlen) {
    char hpath[512], ipath[512], p[512];
    json_t *head = json_object(), *items = json_array(), *block = NULL;
    int nhead = 0;

    snprintf(hpath, sizeof(hpath), "%.300s/%.100s", bpath, t->head ? t->head : "");
    if (!t->head) snprintf(hpath, sizeof(hpath), "%.400s", bpath);
    snprintf(ipath, sizeof(ipath), "%.300s/%.100s", bpath, t->list ? t->list : "");
    if (!t->head) {
        if (read_leaves(n, bpath, head, err, errlen) != 0) goto out;
    } else {
        for (xmlNode *c = n->children; c; c = c->next) {
            if (c->type != XML_ELEMENT_NODE) continue;
            snprintf(p, sizeof(p), "%.300s/%.100s", bpath, (const char *)c->name);
            if (is_named(c, t->head)) {
                if (nhead++) {
                    fail(err, errlen, p, "repeated head");
                    goto out;
                }
                if (read_leaves(c, hpath, head, err, errlen) != 0) goto out;
            } else if (t->list && is_named(c, t->list)) {
                json_t *item = json_object();
                size_t k = json_array_size(items) + 1;
                snprintf(p, sizeof(p), "%.480s[%zu]", ipath, k);
                json_array_append_new(items, item);
                if (k > CEB_MAX_ITEMS) {
                    fail(err, errlen, p, "more than %d list lines", CEB_MAX_ITEMS);
                    goto out;
                }
                if (read_leaves(c, p, item, err, errlen) != 0) goto out;
            } else {
                fail(err, errlen, p, "unexpected element");
                goto out;
            }
        }
        if (!nhead) {
            fail(err, errlen, hpath, "missing");
            goto out;
        }
        if (t->list && json_array_size(items) == 0) {
            fail(err, errlen, ipath, "missing (at least one line)");
            goto out;
        }
    }
    block = make_block(t, head, items, hpath, ipath, 1, '/', err, errlen);
out:
    json_decref(head);
    json_decref(items);
    return block;
}

/* The deepest element nesting under N (1 for N alone), stopping once it
 * passes LIMIT; iterative, so a deep tree cannot exhaust the stack. */
static int depth_over(xmlNode *root, int limit) {
    int d = 1;
    xmlNode *n = root;
    while (n) {
        if (n->children && n->type == XML_ELEMENT_NODE) {
            n = n->children;
            if (++d > limit) return 1;
            continue;
        }
        while (n && n != root && !n->next) {
            n = n->parent;
            d--;
        }
        if (!n || n == root) break;
        n = n->next;
    }
    return 0;
}

/* The message under root element ROOT into *OUT.  0 or -1 with ERR. */
static int read_message(xmlNode *root, json_t **out, char *err, size_t errlen) {
    char rpath[128], p[512], q[CEB_QUOTE_MAX * 4 + 16];
    const char *rname = (const char *)root->name;
    const struct ceb_type *t;
    json_t *blocks = NULL, *transfer = NULL;
    xmlChar *guid = NULL, *version = NULL;
    int rc = -1;

    snprintf(rpath, sizeof(rpath), "/%.100s", rname);
    if (!root->ns || !root->ns->href)
        return fail(err, errlen, rpath, "no namespace (want " CEB_NS ")");
    if (strcmp((const char *)root->ns->href, CEB_NS) != 0)
        return fail(err, errlen, rpath, "namespace %s is not " CEB_NS,
                    quote((const char *)root->ns->href, q, sizeof(q)));
    if (!(t = type_by(rname, 1))) return fail(err, errlen, rpath, "unknown root element");
    guid = xmlGetNoNsProp(root, (const xmlChar *)"guid");
    version = xmlGetNoNsProp(root, (const xmlChar *)"version");
    if (!guid || !guid[0] || !version || !version[0]) {
        snprintf(p, sizeof(p), "%.120s/@%s", rpath, !guid || !guid[0] ? "guid" : "version");
        fail(err, errlen, p, "missing");
        goto out;
    }
    if (xmlStrlen(guid) > 64) {
        snprintf(p, sizeof(p), "%.120s/@guid", rpath);
        fail(err, errlen, p, "longer than 64 characters: %s", quote((char *)guid, q, sizeof(q)));
        goto out;
    }
    blocks = json_array();
    for (xmlNode *c = root->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || !is_ceb(c)) continue; /* ds:Signature... */
        const char *name = (const char *)c->name;
        if (strcmp(name, t->block) == 0) {
            size_t k = json_array_size(blocks) + 1;
            snprintf(p, sizeof(p), "%.120s/%.100s[%zu]", rpath, name, k);
            if (k > CEB_MAX_BLOCKS) {
                fail(err, errlen, p, "more than %d business blocks", CEB_MAX_BLOCKS);
                goto out;
            }
            json_t *b = read_block(t, c, p, err, errlen);
            if (!b) goto out;
            json_array_append_new(blocks, b);
        } else if (strcmp(name, "BaseTransfer") == 0 && !t->is_return) {
            if (transfer) continue; /* the export samples repeat it: the first counts */
            snprintf(p, sizeof(p), "%.120s/BaseTransfer", rpath);
            transfer = json_object();
            if (read_leaves(c, p, transfer, err, errlen) != 0 ||
                check_fields(transfer, transfer_required, p, '/', 0, err, errlen) != 0)
                goto out;
        } else if (strcmp(name, "BaseSubscribe") != 0 && strcmp(name, "ExtendMessage") != 0) {
            snprintf(p, sizeof(p), "%.120s/%.100s", rpath, name);
            fail(err, errlen, p, "unexpected element");
            goto out;
        }
    }
    if (json_array_size(blocks) == 0) {
        snprintf(p, sizeof(p), "%.120s/%.100s", rpath, t->block);
        fail(err, errlen, p, "missing (at least one business block)");
        goto out;
    }
    if (!transfer && !t->is_return) {
        snprintf(p, sizeof(p), "%.120s/BaseTransfer", rpath);
        fail(err, errlen, p, "missing");
        goto out;
    }
    *out = make_message(t, (const char *)guid, (const char *)version, blocks, transfer);
    blocks = transfer = NULL;
    rc = *out ? 0 : fail(err, errlen, rpath, "out of memory");
out:
    json_decref(blocks);
    json_decref(transfer);
    xmlFree(guid);
    xmlFree(version);
    return rc;
}

int ceb_parse_xml(const char *body, size_t len, size_t max_bytes, json_t **out,
                  char *err, size_t errlen) {
    size_t max = max_bytes ? max_bytes : CEB_MAX_BODY_DEFAULT;
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    int rc = -1;

    *out = NULL;
    if (max > INT_MAX) max = INT_MAX;
    if (!body || len == 0) return fail(err, errlen, "/", "empty body");
    if (len > max) return fail(err, errlen, "/", "body too large: %zu bytes, limit %zu", len, max);
    if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0) {
        body += 3;
        len -= 3;
    }
    if (len >= 2 && ((unsigned char)body[0] == 0xFE || (unsigned char)body[0] == 0xFF ||
                     body[0] == '\0' || body[1] == '\0'))
        return fail(err, errlen, "/", "not UTF-8");
    /* Refused before parsing: no internal subset is ever read, so no
     * entity is declared, expanded or fetched.  Parsed as UTF-8 whatever
     * the declaration says, the bytes searched are the bytes parsed. */
    if (memmem(body, len, "<!DOCTYPE", 9) || memmem(body, len, "<!ENTITY", 8))
        return fail(err, errlen, "/", "DOCTYPE not allowed");

    ceb_init();
    ctxt = xmlNewParserCtxt();
    if (!ctxt) return fail(err, errlen, "/", "out of memory");
    doc = xmlCtxtReadMemory(ctxt, body, (int)len, NULL, "UTF-8",
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        const xmlError *e = &ctxt->lastError;
        char msg[200];
        snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "unreadable");
        size_t m = strlen(msg);
        while (m && (msg[m - 1] == '\n' || msg[m - 1] == ' ')) msg[--m] = '\0';
        fail(err, errlen, "/", "not well-formed XML (line %d): %s", e->line, msg);
        goto out;
    }
    if (doc->intSubset || doc->extSubset) {
        fail(err, errlen, "/", "DOCTYPE not allowed");
        goto out;
    }
    xmlNode *root = xmlDocGetRootElement(doc);
    if (!root) {
        fail(err, errlen, "/", "no root element");
        goto out;
    }
    if (depth_over(root, CEB_MAX_DEPTH)) {
        fail(err, errlen, "/", "elements nested deeper than %d", CEB_MAX_DEPTH);
        goto out;
    }
    rc = read_message(root, out, err, errlen);
out:
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* ---- JSON intake ---- */

/* A derived member NAME of the client's block B must equal DERIVED. */
static int agrees(const json_t *b, const char *name, const json_t *derived, const char *bpath,
                  char *err, size_t errlen) {
    const json_t *v = json_object_get(b, name);
    char p[512];
    if (!v || json_equal(v, derived)) return 0;
    snprintf(p, sizeof(p), "%.400s.%.100s", bpath, name);
    return fail(err, errlen, p, "does not agree with the head");
}

int ceb_validate_json(const json_t *msg, json_t **out, char *err, size_t errlen) {
    char p[64], hp[96], ip[96], q[CEB_QUOTE_MAX * 4 + 16];
    const struct ceb_type *t;
    const json_t *v, *blocks, *b;
    json_t *outblocks = NULL, *transfer = NULL;
    size_t i;

    *out = NULL;
    if (!json_is_object(msg)) return fail(err, errlen, "$", "not an object");
    v = json_object_get(msg, "message");
    if (!json_is_string(v)) return fail(err, errlen, "$.message", v ? "not a string" : "missing");
    if (!(t = type_by(json_string_value(v), 0)))
        return fail(err, errlen, "$.message", "unknown message type: %s",
                    quote(json_string_value(v), q, sizeof(q)));
    v = json_object_get(msg, "direction");
    if (v && !(json_is_string(v) && strcmp(json_string_value(v), t->direction) == 0))
        return fail(err, errlen, "$.direction", "not \"%s\" for %s", t->direction, t->message);
    v = json_object_get(msg, "guid");
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 64)
        return fail(err, errlen, "$.guid", v ? "not a string of 1 to 64 characters" : "missing");
    const char *guid = json_string_value(v);
    v = json_object_get(msg, "version");
    if (v && (!json_is_string(v) || json_string_length(v) == 0))
        return fail(err, errlen, "$.version", "not a non-empty string");
    const char *version = v ? json_string_value(v) : "1.0";

    blocks = json_object_get(msg, "blocks");
    if (!json_is_array(blocks))
        return fail(err, errlen, "$.blocks", blocks ? "not an array" : "missing");
    if (json_array_size(blocks) == 0)
        return fail(err, errlen, "$.blocks", "missing (at least one business block)");
    if (json_array_size(blocks) > CEB_MAX_BLOCKS)
        return fail(err, errlen, "$.blocks", "more than %d business blocks (%zu)",
                    CEB_MAX_BLOCKS, json_array_size(blocks));
    outblocks = json_array();
    json_array_foreach(blocks, i, b) {
        snprintf(p, sizeof(p), "$.blocks[%zu]", i);
        snprintf(hp, sizeof(hp), "%s.head", p);
        snprintf(ip, sizeof(ip), "%s.items", p);
        if (!json_is_object(b)) {
            fail(err, errlen, p, "not an object");
            goto bad;
        }
        const json_t *kind = json_object_get(b, "kind");
        if (kind && !(json_is_string(kind) && strcmp(json_string_value(kind), t->kind) == 0)) {
            snprintf(hp, sizeof(hp), "%s.kind", p);
            fail(err, errlen, hp, "not \"%s\" for %s", t->kind, t->message);
            goto bad;
        }
        json_t *head = json_object_get(b, "head"), *items = json_object_get(b, "items");
        if (!json_is_object(head)) {
            fail(err, errlen, hp, head ? "not an object" : "missing");
            goto bad;
        }
        if (items && !json_is_array(items)) {
            fail(err, errlen, ip, "not an array");
            goto bad;
        }
        size_t ni = items ? json_array_size(items) : 0;
        if (t->list && ni == 0) {
            fail(err, errlen, ip, "missing (at least one line)");
            goto bad;
        }
        if (!t->list && ni > 0) {
            fail(err, errlen, ip, "%s blocks have no list lines", t->message);
            goto bad;
        }
        if (ni > CEB_MAX_ITEMS) {
            fail(err, errlen, ip, "more than %d list lines", CEB_MAX_ITEMS);
            goto bad;
        }
        json_t *none = items ? NULL : json_array();
        json_t *nb = make_block(t, head, items ? items : none, hp, ip, 0, '.', err, errlen);
        json_decref(none);
        if (!nb) goto bad;
        json_array_append_new(outblocks, nb);
        if (agrees(b, "keys", json_object_get(nb, "keys"), p, err, errlen) ||
            agrees(b, "app_type", json_object_get(nb, "app_type"), p, err, errlen) ||
            agrees(b, "app_status", json_object_get(nb, "app_status"), p, err, errlen) ||
            agrees(b, "codes", json_object_get(nb, "codes"), p, err, errlen) ||
            agrees(b, "return", json_object_get(nb, "return"), p, err, errlen))
            goto bad;
    }
    json_t *tr = json_object_get(msg, "transfer");
    if (t->is_return) {
        if (tr) {
            fail(err, errlen, "$.transfer", "%s messages have no transfer", t->message);
            goto bad;
        }
    } else {
        if (!json_is_object(tr)) {
            fail(err, errlen, "$.transfer", tr ? "not an object" : "missing");
            goto bad;
        }
        if (check_fields(tr, transfer_required, "$.transfer", '.', 0, err, errlen) != 0)
            goto bad;
        transfer = json_deep_copy(tr);
    }
    /* The blocks share their head and items with MSG: copy them so the
     * result owns everything. */
    json_t *copy = json_deep_copy(outblocks);
    json_decref(outblocks);
    *out = make_message(t, guid, version, copy, transfer);
    if (!*out) return fail(err, errlen, "$", "out of memory");
    return 0;
bad:
    json_decref(outblocks);
    return -1;
}
