/* sim_model.c -- hashing, identifiers, delays and malformed draws for the
 * feed simulator (sim_model.h).  Pure: no I/O, no global state. */
#include "sim_model.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- deterministic draws ------------------------------------------------- */

static uint64_t splitmix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

uint64_t sim_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
    uint64_t h = splitmix(seed);
    h = splitmix(h ^ a);
    h = splitmix(h ^ b);
    return splitmix(h ^ c);
}

uint64_t sim_hash_str(const char *s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

double sim_unit(uint64_t h) {
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- identifiers ---------------------------------------------------------- */

/* ISO 6346 letter value: A=10 upwards, skipping multiples of 11. */
static int letter_value(char c) {
    int v = 10;
    for (char x = 'A'; x < c; x++)
        if (++v % 11 == 0) v++;
    return v;
}

int sim_iso6346_check(const char *s) {
    int sum = 0;
    if (strnlen(s, 10) < 10) return -1;
    for (int i = 0; i < 4; i++)
        if (s[i] < 'A' || s[i] > 'Z') return -1;
    if (!strchr("UJZR", s[3])) return -1;
    for (int i = 4; i < 10; i++)
        if (s[i] < '0' || s[i] > '9') return -1;
    for (int i = 0; i < 10; i++) {
        int v = i < 4 ? letter_value(s[i]) : s[i] - '0';
        sum += v << i;
    }
    return sum % 11 % 10;
}

int sim_iso6346_make(const char *owner, uint32_t serial, char *out, size_t outlen) {
    char buf[16];
    int c;
    if (strlen(owner) != 4 || serial > 999999 || outlen < 12) return -1;
    snprintf(buf, sizeof(buf), "%.4s%06u", owner, (unsigned)serial);
    if ((c = sim_iso6346_check(buf)) < 0) return -1;
    snprintf(out, outlen, "%s%d", buf, c);
    return 0;
}

int sim_awb_make(unsigned prefix, uint32_t serial7, char *out, size_t outlen) {
    if (prefix > 999 || serial7 > 9999999 || outlen < 13) return -1;
    snprintf(out, outlen, "%03u-%07u%u", prefix, (unsigned)serial7,
             (unsigned)(serial7 % 7));
    return 0;
}

static int imo_check(uint32_t six) {
    int sum = 0;
    for (int w = 2; w <= 7; w++) {
        sum += (int)(six % 10) * w;
        six /= 10;
    }
    return sum % 10;
}

int sim_imo_make(uint32_t six, char *out, size_t outlen) {
    if (six < 100000 || six > 999999 || outlen < 8) return -1;
    snprintf(out, outlen, "%06u%d", (unsigned)six, imo_check(six));
    return 0;
}

int sim_imo_valid(const char *s) {
    uint32_t six = 0;
    if (strlen(s) != 7) return 0;
    for (int i = 0; i < 7; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    for (int i = 0; i < 6; i++) six = six * 10 + (uint32_t)(s[i] - '0');
    return imo_check(six) == s[6] - '0';
}

/* ---- the delay model ------------------------------------------------------ */

void sim_delay_pick(uint64_t seed, uint64_t runkey, double prob, uint32_t nstops,
                    struct sim_delay *d) {
    uint64_t h = sim_hash(seed, runkey, 0x64656c6179ULL, 0);
    d->stop = -1;
    d->seconds = 0;
    if (nstops < 2 || sim_unit(h) >= prob) return;
    /* The last stop has no departure: a delay there would only be seen on
     * arrival, which is still a delay at one stop, so every stop qualifies. */
    d->stop = (int32_t)(sim_hash(seed, runkey, 1, 0) % nstops);
    d->seconds = (int32_t)(SIM_DELAY_MIN_S +
                           60 * (int32_t)(sim_hash(seed, runkey, 2, 0) %
                                          ((SIM_DELAY_MAX_S - SIM_DELAY_MIN_S) / 60 + 1)));
}

void sim_delay_apply(const int64_t *parr, const int64_t *pdep, uint32_t n,
                     const struct sim_delay *d, int64_t *earr, int64_t *edep) {
    for (uint32_t i = 0; i < n; i++) {
        int64_t da = 0, dd = 0;
        if (d->seconds > 0 && d->stop >= 0) {
            /* At stop 0 only the departure is late (the run has not
             * arrived anywhere); from the delayed stop on, everything is. */
            if ((int32_t)i > d->stop || (i > 0 && (int32_t)i == d->stop)) da = d->seconds;
            if ((int32_t)i >= d->stop) dd = d->seconds;
        }
        earr[i] = parr[i] + da;
        edep[i] = pdep[i] + dd;
        if (earr[i] < parr[i]) earr[i] = parr[i];
        if (i > 0 && earr[i] < edep[i - 1]) earr[i] = edep[i - 1];
        if (edep[i] < pdep[i]) edep[i] = pdep[i];
        if (edep[i] < earr[i]) edep[i] = earr[i];
    }
}

/* ---- malformed messages --------------------------------------------------- */

enum sim_bad sim_bad_pick(uint64_t seed, uint64_t evkey, double rate,
                          const enum sim_bad *allowed, size_t nallowed) {
    if (nallowed == 0 || rate <= 0) return SIM_BAD_NONE;
    if (sim_unit(sim_hash(seed, evkey, 0x626164ULL, 0)) >= rate) return SIM_BAD_NONE;
    return allowed[sim_hash(seed, evkey, 0x626164ULL, 1) % nallowed];
}

int sim_iso6346_corrupt(const char *good, char *out, size_t outlen) {
    int c = sim_iso6346_check(good);
    if (c < 0 || strlen(good) != 11 || outlen < 12) return -1;
    snprintf(out, outlen, "%.10s%d", good, (c + 1) % 10);
    return 0;
}

int sim_awb_corrupt(const char *good, char *out, size_t outlen) {
    if (strlen(good) != 12 || good[3] != '-' || outlen < 13) return -1;
    uint32_t serial7 = 0;
    for (int i = 4; i < 11; i++) {
        if (good[i] < '0' || good[i] > '9') return -1;
        serial7 = serial7 * 10 + (uint32_t)(good[i] - '0');
    }
    /* Any digit but serial7 mod 7; 7..9 can never be a check digit. */
    snprintf(out, outlen, "%.11s%u", good, (unsigned)((serial7 % 7 + 1) % 7));
    return 0;
}

/* ---- Cargo-IMP ------------------------------------------------------------ */

void sim_fsu_date(int64_t utc, int with_time, char *out, size_t outlen) {
    static const char mon[12][4] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                    "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    struct tm tm;
    time_t t = (time_t)utc;
    gmtime_r(&t, &tm);
    if (with_time)
        snprintf(out, outlen, "%02d%s%02d%02d", tm.tm_mday, mon[tm.tm_mon], tm.tm_hour,
                 tm.tm_min);
    else
        snprintf(out, outlen, "%02d%s", tm.tm_mday, mon[tm.tm_mon]);
}

/* ---- waybill parties ------------------------------------------------------ */

/* Chinese-speaking places get Chinese names and addresses. */
static int chinese(const char *country) {
    static const char *const cc[] = {"CN", "HK", "TW", "MO"};
    for (size_t i = 0; country && i < sizeof(cc) / sizeof(cc[0]); i++)
        if (strcmp(country, cc[i]) == 0) return 1;
    return 0;
}

/* Draw K (0..N-1) of party hash H: independent draws from one hash. */
static unsigned pick(uint64_t h, unsigned k, unsigned n) {
    return (unsigned)(sim_hash(h, 0x7061727479ULL, k, 0) % n);
}

static void party_cn(uint64_t h, const char *country, int company, struct sim_party *p) {
    static const char *const surname[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵",
                                          "吴", "周", "徐", "孙", "胡", "朱", "高", "林"};
    static const char *const given[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊",
                                        "洋", "艳", "勇", "军", "杰", "涛", "明", "华",
                                        "秀英", "建国", "晓燕", "志强", "海燕", "子涵"};
    static const char *const trade[] = {"茶业", "机械", "电子", "纺织", "陶瓷", "农产品",
                                        "新材料", "五金", "竹木制品", "汽车配件"};
    static const struct {
        const char *prov, *city, *district, *short_city;
    } cities[] = {{"湖南省", "岳阳市", "岳阳楼区", "岳阳"}, {"湖南省", "长沙市", "开福区", "长沙"},
                  {"湖南省", "湘潭市", "岳塘区", "湘潭"},   {"湖北省", "武汉市", "江岸区", "武汉"},
                  {"上海市", "", "浦东新区", "上海"},       {"浙江省", "宁波市", "北仑区", "宁波"},
                  {"广东省", "广州市", "南沙区", "广州"},   {"四川省", "成都市", "青白江区", "成都"}};
    static const char *const road[] = {"建设路", "人民路", "解放大道", "港口路",
                                       "临港大道", "湘江中路", "巴陵中路", "金霞路"};
    unsigned c = pick(h, 1, sizeof(cities) / sizeof(cities[0]));
    if (strcmp(country ? country : "", "HK") == 0) {
        snprintf(p->address, sizeof(p->address), "香港新界葵涌货柜码头路 %u 号", 1 + pick(h, 2, 88));
        snprintf(p->phone, sizeof(p->phone), "+852 %04u %04u", 2000 + pick(h, 3, 7000),
                 pick(h, 4, 10000));
    } else {
        snprintf(p->address, sizeof(p->address), "%s%s%s%s %u 号", cities[c].prov,
                 cities[c].city, cities[c].district,
                 road[pick(h, 2, sizeof(road) / sizeof(road[0]))], 1 + pick(h, 5, 388));
        if (company)
            snprintf(p->phone, sizeof(p->phone), "+86 %u %04u %04u", 730 + pick(h, 3, 20),
                     pick(h, 4, 10000), pick(h, 6, 10000));
        else
            snprintf(p->phone, sizeof(p->phone), "+86 1%u%u %04u %04u", 3 + pick(h, 3, 7),
                     pick(h, 7, 10), pick(h, 4, 10000), pick(h, 6, 10000));
    }
    if (company)
        snprintf(p->name, sizeof(p->name), "%s%s%s有限公司", cities[c].short_city,
                 pick(h, 8, 2) ? "市" : "", trade[pick(h, 9, sizeof(trade) / sizeof(trade[0]))]);
    else
        snprintf(p->name, sizeof(p->name), "%s%s",
                 surname[pick(h, 8, sizeof(surname) / sizeof(surname[0]))],
                 given[pick(h, 9, sizeof(given) / sizeof(given[0]))]);
}

static void party_latin(uint64_t h, const char *country, int company, struct sim_party *p) {
    static const char *const first[] = {"Anna",  "Lukas", "Marta", "Jan",   "Sophie", "Pieter",
                                        "Olga",  "Marek", "Elena", "Tomasz", "Emma",  "Noah",
                                        "Aigerim", "Dmitri", "Claire", "James"};
    static const char *const last[] = {"Müller", "Schmidt", "de Vries", "Jansen", "Kowalski",
                                       "Nowak",  "Ivanova", "Peeters",  "Weber",  "Bakker",
                                       "Nurlanov", "Dubois", "Smith",   "Novák"};
    /* Country, dialling code, a city with its postcode, a street, the
     * company form; the first row is the fallback for the others. */
    static const struct {
        const char *cc, *dial, *city, *postcode, *street, *form;
    } place[] = {
        {"", "+44", "Felixstowe", "IP11 3SY", "Dock Road", "Ltd"},
        {"DE", "+49", "Duisburg", "47119", "Hafenstraße", "GmbH"},
        {"NL", "+31", "Rotterdam", "3089 JB", "Waalhaven Zuidzijde", "B.V."},
        {"PL", "+48", "Łódź", "92-101", "ulica Transportowa", "Sp. z o.o."},
        {"BE", "+32", "Liège", "4460", "Rue de l'Aéroport", "SA"},
        {"FR", "+33", "Le Havre", "76600", "Quai de l'Europe", "SAS"},
        {"RU", "+7", "Moskva", "109316", "ulitsa Skladochnaya", "OOO"},
        {"KZ", "+7", "Almaty", "050000", "Dostyk avenue", "TOO"},
        {"BY", "+375", "Brest", "224000", "vulica Pryvakzalnaya", "OOO"},
        {"HU", "+36", "Budapest", "1211", "Szabadkikötő út", "Kft."},
        {"GB", "+44", "Felixstowe", "IP11 3SY", "Dock Road", "Ltd"},
        {"US", "+1", "Long Beach", "CA 90802", "Harbor Plaza", "Inc."},
        {"SG", "+65", "Singapore", "119963", "Pasir Panjang Road", "Pte. Ltd."},
        {"JP", "+81", "Yokohama", "231-0002", "Kaigan-dori", "K.K."},
        {"AU", "+61", "Melbourne", "VIC 3015", "Whitehall Street", "Pty Ltd"},
    };
    size_t k = 0;
    for (size_t i = 1; country && i < sizeof(place) / sizeof(place[0]); i++)
        if (strcmp(country, place[i].cc) == 0) k = i;
    const char *ln = last[pick(h, 2, sizeof(last) / sizeof(last[0]))];
    if (company)
        snprintf(p->name, sizeof(p->name), "%s %s %s", ln,
                 pick(h, 1, 2) ? "Logistics" : "Trading", place[k].form);
    else
        snprintf(p->name, sizeof(p->name), "%s %s",
                 first[pick(h, 1, sizeof(first) / sizeof(first[0]))], ln);
    snprintf(p->phone, sizeof(p->phone), "%s %03u %03u %04u", place[k].dial,
             100 + pick(h, 3, 900), pick(h, 4, 1000), pick(h, 5, 10000));
    snprintf(p->address, sizeof(p->address), "%s %u, %s %s", place[k].street,
             1 + pick(h, 6, 180), place[k].postcode, place[k].city);
}

void sim_party_make(uint64_t h, const char *country, int company, struct sim_party *p) {
    memset(p, 0, sizeof(*p));
    if (chinese(country)) party_cn(h, country, company, p);
    else party_latin(h, country, company, p);
}

/* ---- connecting waybills -------------------------------------------------- */

int sim_conn_breaks(int64_t planned_arr, int64_t delayed_arr, int32_t h_min, int32_t h_max,
                    int64_t dep2) {
    if (h_min < 0 || h_max < h_min) return 0;
    return planned_arr + h_max <= dep2 && dep2 < delayed_arr + h_min;
}
