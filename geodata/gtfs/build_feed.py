#!/usr/bin/env python3
"""Build Dongting's own GTFS static feed from services.csv and agencies.csv.

Stdlib only (Python 3.9+, zoneinfo with the system tz database):

    python3 geodata/gtfs/build_feed.py                 # writes geodata/gtfs/feed/
    python3 geodata/gtfs/check_feed.py                 # validates it

Options: --out DIR (another output folder); --single-timezone TZ (every agency in
TZ, times converted: a strictly GTFS-conformant variant, since the GTFS reference
wants one agency_timezone per feed, see docs/gtfs-network.md).

Inputs (next to this script, plus the geodata node list):
  agencies.csv   one operator per row with its home time zone
  services.csv   one row per service pattern (see docs/gtfs-network.md for the
                 column grammar): operator, mode, weekly days, departure time in
                 the ORIGIN stop's local time, stop sequence with cumulative
                 arrival offsets and dwell times, exceptions, the transit figure
                 it claims and the source
  ../data/nodes.csv   the places; every stop_id is a node code, name and
                 coordinates are copied from there (a missing code is an error)
  ../data/params.csv  road_detour_factor for scheduled trucks

How a row becomes GTFS: the script lists the origin-local departure dates of the
pattern over PERIOD, removes exception dates and adds extra dates, converts each
departure to the agency's service day (GTFS time = seconds after "noon minus 12 h"
of the agency-local service date) and groups consecutive dates with the same GTFS
departure time.  Each group becomes ONE trip with ONE service_id (weekly calendar
row plus calendar_dates exceptions), so a pattern gets one trip per daylight-saving
season at most; trips are never duplicated per date.  Output is deterministic:
rows are sorted, CSV is written with LF line endings, and feed_version is a hash
of the other files' bytes.
"""
import argparse
import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
import sys
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, "..", "data"))
NODES_CSV = os.path.join(DATA, "nodes.csv")
PARAMS_CSV = os.path.join(DATA, "params.csv")
AGENCIES_CSV = os.path.join(HERE, "agencies.csv")
SERVICES_CSV = os.path.join(HERE, "services.csv")
DEFAULT_OUT = os.path.join(HERE, "feed")

# Service period.  The target is 2026-11-01 .. 2027-06-30; it starts 69 days
# earlier, more than the longest voyage (~65 days), so that every voyage already
# under way on 2026-11-01 is in the timetable (the importer loads trips by the
# service day they start on).
PERIOD_START = dt.date(2026, 8, 24)
PERIOD_END = dt.date(2027, 6, 30)

# Named exception windows (origin-local departure dates removed), see `except`.
EXCEPTIONS = {
    "CNY2027": (dt.date(2027, 2, 6), dt.date(2027, 2, 12),
                "Chinese New Year 2027 (Spring Festival, New Year's Day 2027-02-06)"),
}

TRUCK_KMH = 60.0          # average truck speed for scheduled road services (brief)
ROAD_ROUND_S = 300        # road durations rounded up to 5 minutes

# route_type allowed per mode (the mapping: 2 and 100-117 rail, 4 and
# 1000-1200 water, 1100 air, 3 and 700-717 road).
MODE_TYPES = {
    "rail": {2} | set(range(100, 118)),
    "river": {4} | set(range(1000, 1201)),
    "river-sea": {4} | set(range(1000, 1201)),
    "sea": {4} | set(range(1000, 1201)),
    "port shuttle": {4} | set(range(1000, 1201)),
    "air": {1100},
    "road": {3} | set(range(700, 718)),
}
BASIS = {"reported", "modelled", "assumed"}

# Minimum transfer time at a stop (same stop_id in and out), by node kind, and
# overrides by code.  Rationale in docs/gtfs-network.md ("Transfers").
TRANSFER_BY_KIND = {
    "seaport": 24 * 3600,         # discharge -> load incl. the CY cut-off
    "river_port": 12 * 3600,      # barge <-> barge / river-sea vessel
    "rail_terminal": 12 * 3600,   # unload one block train, reload another
    "airport": 6 * 3600,          # international air cargo transfer (ULD breakdown/build-up)
    "border_crossing": 12 * 3600, # only where boarding/alighting is allowed (Malaszewicze)
}
TRANSFER_BY_CODE = {
    "YYA": 4 * 3600,    # road feeder truck <-> aircraft at the feeder airports
    "CSX": 4 * 3600,
    "WUH": 4 * 3600,
    "CNTAG": 24 * 3600,  # river liner -> Yangshan shuttle incl. customs transshipment
}

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
DUR_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
STOP_RE = re.compile(r"^(?P<code>[A-Z0-9-]+)(?:\s+(?P<arr>road|[0-9dhm]+))?"
                     r"(?:\s*\+(?P<dwell>[0-9dhm]+))?(?:\s+(?P<flag>[xdp]))?$")
EVERY_RE = re.compile(r"^every (\d+)d from (\d{4}-\d{2}-\d{2})$")
REF_RE = re.compile(r"^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?([dh])$")
UTC = dt.timezone.utc


class SpecError(Exception):
    pass


def fail(msg):
    sys.stderr.write("build_feed: %s\n" % msg)
    sys.exit(1)


# ---------------------------------------------------------------- readers

def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    if text.startswith("\ufeff"):
        raise SpecError("%s: byte order mark not allowed" % path)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SpecError("%s: empty" % path)
    header = rows[0]
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not r:
            continue
        if len(r) != len(header):
            raise SpecError("%s:%d: %d fields, header has %d" % (path, i, len(r), len(header)))
        out.append((i, dict(zip(header, r))))
    return header, out


def load_nodes(path=NODES_CSV):
    _, rows = read_csv(path)
    nodes = {}
    for line, r in rows:
        if r["code"] in nodes:
            raise SpecError("%s:%d: duplicate code %s" % (path, line, r["code"]))
        nodes[r["code"]] = r
    return nodes


def load_params(path=PARAMS_CSV):
    _, rows = read_csv(path)
    return {r["key"]: r["value"] for _, r in rows}


def zone(name, where):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SpecError("%s: unknown time zone %r (is the tz database installed?)" % (where, name))


# ---------------------------------------------------------------- geodesy

def vincenty_km(lat1, lon1, lat2, lon2):
    """Ellipsoidal (WGS84) distance in km, Vincenty's inverse formula; the
    geodata library uses PROJ (Karney); for the short road legs here the two
    agree to well under a metre."""
    a, f = 6378137.0, 1 / 298.257223563
    b = a * (1 - f)
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sinU1, cosU1, sinU2, cosU2 = math.sin(U1), math.cos(U1), math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sl, cl = math.sin(lam), math.cos(lam)
        sin_s = math.hypot(cosU2 * sl, cosU1 * sinU2 - sinU1 * cosU2 * cl)
        if sin_s == 0:
            return 0.0
        cos_s = sinU1 * sinU2 + cosU1 * cosU2 * cl
        sigma = math.atan2(sin_s, cos_s)
        sin_a = cosU1 * cosU2 * sl / sin_s
        cos2a = 1 - sin_a * sin_a
        cos2sm = cos_s - 2 * sinU1 * sinU2 / cos2a if cos2a else 0.0
        C = f / 16 * cos2a * (4 + f * (4 - 3 * cos2a))
        prev = lam
        lam = L + (1 - C) * f * sin_a * (sigma + C * sin_s * (cos2sm + C * cos_s * (-1 + 2 * cos2sm ** 2)))
        if abs(lam - prev) < 1e-12:
            break
    else:
        raise SpecError("Vincenty did not converge")
    u2 = cos2a * (a * a - b * b) / (b * b)
    A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    ds = B * sin_s * (cos2sm + B / 4 * (cos_s * (-1 + 2 * cos2sm ** 2)
                      - B / 6 * cos2sm * (-3 + 4 * sin_s ** 2) * (-3 + 4 * cos2sm ** 2)))
    return b * A * (sigma - ds) / 1000.0


def road_seconds(n1, n2, detour):
    km = vincenty_km(float(n1["lat"]), float(n1["lon"]), float(n2["lat"]), float(n2["lon"])) * detour
    s = km / TRUCK_KMH * 3600.0
    return int(math.ceil(s / ROAD_ROUND_S - 1e-9)) * ROAD_ROUND_S, km


# ---------------------------------------------------------------- spec parsing

def parse_dur(s, where):
    m = DUR_RE.match(s)
    if not s or not m or not any(m.groups()):
        raise SpecError("%s: bad duration %r (use e.g. 4d12h, 18h, 2h45m)" % (where, s))
    d, h, mi = (int(x) if x else 0 for x in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60


def parse_hhmm(s, where):
    m = re.match(r"^(\d\d):(\d\d)$", s)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise SpecError("%s: bad departure time %r (HH:MM, origin local time)" % (where, s))
    return dt.time(int(m.group(1)), int(m.group(2)))


def parse_date(s, where):
    try:
        return dt.date.fromisoformat(s)
    except ValueError:
        raise SpecError("%s: bad date %r (YYYY-MM-DD)" % (where, s))


def parse_ref(s, where):
    """'18d', '16-18d', '12-13.5h' -> (lo_s, hi_s, unit); 'road' -> ('road',)"""
    if s == "road":
        return ("road",)
    m = REF_RE.match(s)
    if not m:
        raise SpecError("%s: bad reference figure %r" % (where, s))
    unit = 86400 if m.group(3) == "d" else 3600
    lo = float(m.group(1))
    hi = float(m.group(2)) if m.group(2) else lo
    if hi < lo:
        raise SpecError("%s: reference range %r runs backwards" % (where, s))
    return (lo * unit, hi * unit, m.group(3))


def parse_stops(spec, where, nodes, detour):
    """-> list of dicts: code, arr, dep (seconds after origin departure), pickup, drop_off"""
    toks = [t.strip() for t in spec.split(";")]
    out = []
    for k, t in enumerate(toks):
        w = "%s stop %d" % (where, k + 1)
        m = STOP_RE.match(t)
        if not m:
            raise SpecError("%s: cannot parse %r (CODE [ARR] [+DWELL] [x|d|p])" % (w, t))
        code = m.group("code")
        if code not in nodes:
            raise SpecError("%s: stop code %s is not in %s" % (w, code, NODES_CSV))
        flag = m.group("flag")
        if k == 0:
            if m.group("arr") or m.group("dwell"):
                raise SpecError("%s: the first stop takes no arrival offset or dwell" % w)
            arr = 0
        else:
            if not m.group("arr"):
                raise SpecError("%s: arrival offset missing" % w)
            if m.group("arr") == "road":
                secs, _ = road_seconds(nodes[out[-1]["code"]], nodes[code], detour)
                arr = out[-1]["dep"] + secs
            else:
                arr = parse_dur(m.group("arr"), w)
        dwell = parse_dur(m.group("dwell"), w) if m.group("dwell") else 0
        if k == len(toks) - 1 and dwell:
            raise SpecError("%s: the last stop takes no dwell" % w)
        if out and arr < out[-1]["dep"]:
            raise SpecError("%s: arrival %s is before the departure from %s" % (w, m.group("arr"), out[-1]["code"]))
        if out and arr == out[-1]["dep"]:
            raise SpecError("%s: zero running time from %s" % (w, out[-1]["code"]))
        pickup = 1 if flag in ("x", "d") else 0
        drop = 1 if flag in ("x", "p") else 0
        out.append({"code": code, "arr": arr, "dep": arr + dwell, "pickup": pickup, "drop_off": drop})
    if len(out) < 2:
        raise SpecError("%s: a service needs at least two stops" % where)
    return out


def parse_days(s, where):
    """-> ('weekly', set of weekday numbers) or ('every', n, first date)"""
    if s == "daily":
        return ("weekly", set(range(7)))
    m = EVERY_RE.match(s)
    if m:
        n = int(m.group(1))
        if n < 1:
            raise SpecError("%s: bad interval in %r" % (where, s))
        return ("every", n, parse_date(m.group(2), where))
    days = set()
    for d in s.split():
        if d not in DAY_NAMES:
            raise SpecError("%s: bad day %r in %r (Mon..Sun, 'daily' or 'every Nd from DATE')" % (where, d, s))
        days.add(DAY_NAMES.index(d))
    if not days:
        raise SpecError("%s: no days" % where)
    return ("weekly", days)


def load_spec(nodes, params):
    _, arows = read_csv(AGENCIES_CSV)
    agencies = {}
    for line, r in arows:
        w = "%s:%d" % (AGENCIES_CSV, line)
        if r["agency_id"] in agencies:
            raise SpecError("%s: duplicate agency_id %s" % (w, r["agency_id"]))
        zone(r["agency_timezone"], w)
        if not re.match(r"^https?://", r["agency_url"]):
            raise SpecError("%s: agency_url must be a URL" % w)
        agencies[r["agency_id"]] = r

    detour = float(params["road_detour_factor"])
    _, srows = read_csv(SERVICES_CSV)
    services, routes = [], {}
    seen = set()
    for line, r in srows:
        w = "%s:%d (%s)" % (SERVICES_CSV, line, r["service"])
        sid = r["service"]
        if not re.match(r"^[A-Z0-9][A-Z0-9-]*$", sid):
            raise SpecError("%s: service key must be [A-Z0-9-]" % w)
        if sid in seen:
            raise SpecError("%s: duplicate service key" % w)
        seen.add(sid)
        if r["agency"] not in agencies:
            raise SpecError("%s: unknown agency %s" % (w, r["agency"]))
        if r["mode"] not in MODE_TYPES:
            raise SpecError("%s: unknown mode %r" % (w, r["mode"]))
        try:
            rtype = int(r["route_type"])
        except ValueError:
            raise SpecError("%s: route_type must be an integer" % w)
        if rtype not in MODE_TYPES[r["mode"]]:
            raise SpecError("%s: route_type %d does not fit mode %s" % (w, rtype, r["mode"]))
        if r["dir"] not in ("0", "1"):
            raise SpecError("%s: dir must be 0 or 1" % w)
        if r["basis"] not in BASIS:
            raise SpecError("%s: basis must be one of %s" % (w, sorted(BASIS)))
        if not r["source"].strip():
            raise SpecError("%s: source is empty" % w)
        stops = parse_stops(r["stops"], w, nodes, detour)
        days = parse_days(r["days"], w)
        dep = parse_hhmm(r["dep"], w)
        exc = [e for e in r["except"].split() if e]
        for e in exc:
            if e not in EXCEPTIONS:
                raise SpecError("%s: unknown exception window %s" % (w, e))
        extra = [parse_date(x, w) for x in r["extra"].split()]
        for x in extra:
            if not PERIOD_START <= x <= PERIOD_END:
                raise SpecError("%s: extra date %s outside the service period" % (w, x))
        codes = [s["code"] for s in stops]
        ref_from = r["ref_from"] or codes[0]
        ref_to = r["ref_to"] or codes[-1]
        if ref_from not in codes or ref_to not in codes[codes.index(ref_from) + 1:]:
            raise SpecError("%s: reference %s -> %s is not a pair of stops in order" % (w, ref_from, ref_to))
        ref = parse_ref(r["ref"], w)
        if ref == ("road",) and r["mode"] != "road":
            raise SpecError("%s: 'road' reference on a non-road service" % w)
        # route-level attributes: the first row of a route names it, later rows may repeat
        rt = routes.setdefault(r["route"], {"route_id": r["route"], "agency_id": r["agency"],
                                            "route_type": rtype, "short": "", "long": "",
                                            "basis": set(), "first_line": line})
        if rt["agency_id"] != r["agency"] or rt["route_type"] != rtype:
            raise SpecError("%s: route %s already has agency %s / type %d"
                            % (w, r["route"], rt["agency_id"], rt["route_type"]))
        for k, col in (("short", "route_short"), ("long", "route_long")):
            if r[col]:
                if rt[k] and rt[k] != r[col]:
                    raise SpecError("%s: route %s %s differs from an earlier row" % (w, r["route"], col))
                rt[k] = r[col]
        rt["basis"].add(r["basis"])
        services.append({"key": sid, "row": r, "stops": stops, "days": days, "dep": dep,
                         "except": exc, "extra": extra, "line": line})
    for rt in routes.values():
        if not rt["short"] or not rt["long"]:
            raise SpecError("route %s needs route_short and route_long on one of its rows" % rt["route_id"])
    return agencies, services, routes


# ---------------------------------------------------------------- calendars and time zones

def gtfs_ref(day, tz):
    """GTFS reference instant of a service date: local noon minus 12 hours."""
    return dt.datetime(day.year, day.month, day.day, 12, 0, tzinfo=tz).astimezone(UTC) - dt.timedelta(hours=12)


def to_service_day(utc, tz):
    """UTC instant -> (agency service date, seconds after its reference), seconds >= 0."""
    day = utc.astimezone(tz).date()
    ref = gtfs_ref(day, tz)
    if utc < ref:
        day -= dt.timedelta(days=1)
        ref = gtfs_ref(day, tz)
    return day, int((utc - ref).total_seconds())


def daterange(a, b):
    d = a
    while d <= b:
        yield d
        d += dt.timedelta(days=1)


def origin_dates(svc):
    """-> sorted list of (origin-local date, is_base, removed) for the pattern"""
    kind = svc["days"][0]
    removed = set()
    for e in svc["except"]:
        a, b, _ = EXCEPTIONS[e]
        removed |= set(daterange(a, b))
    out = {}
    if kind == "weekly":
        for d in daterange(PERIOD_START, PERIOD_END):
            if d.weekday() in svc["days"][1]:
                out[d] = (True, d in removed)
    else:
        _, n, first = svc["days"]
        d = first
        while d <= PERIOD_END:
            if d >= PERIOD_START:
                out[d] = (False, d in removed)
            d += dt.timedelta(days=n)
    for x in svc["extra"]:
        if x in out and not out[x][1]:
            raise SpecError("%s: extra date %s already runs" % (svc["key"], x))
        out[x] = (False, False)
    return [(d, base, rem) for d, (base, rem) in sorted(out.items())]


def expand_service(svc, origin_tz, agency_tz):
    """Group the service's departures by GTFS start time in the agency time zone.
    -> list of groups; group = {"secs": s, "dates": [(agency_date, is_base)], "removed": [agency_date]}"""
    groups = []
    for d, base, rem in origin_dates(svc):
        utc = dt.datetime.combine(d, svc["dep"], tzinfo=origin_tz).astimezone(UTC)
        day, secs = to_service_day(utc, agency_tz)
        if not groups or groups[-1]["secs"] != secs:
            groups.append({"secs": secs, "dates": [], "removed": []})
        if rem:
            groups[-1]["removed"].append(day)
        else:
            groups[-1]["dates"].append((day, base))
    # removed dates only matter inside a group that also runs
    return [g for g in groups if g["dates"]]


def calendar_for(group, key):
    """-> (calendar row or None, [(date, exception_type)])"""
    base = [d for d, b in group["dates"] if b]
    actual = {d for d, _ in group["dates"]}
    if not base:
        return None, [(d, 1) for d in sorted(actual)]
    wd = {d.weekday() for d in base}
    start, end = min(base), max(base)
    cal = {d for d in daterange(start, end) if d.weekday() in wd}
    rm = cal - actual
    unexpected = rm - set(group["removed"])
    if unexpected:
        raise SpecError("%s: weekly pattern does not survive the time-zone conversion (%s)"
                        % (key, ", ".join(sorted(str(d) for d in unexpected))))
    row = {"days": [1 if i in wd else 0 for i in range(7)], "start": start, "end": end}
    exc = [(d, 2) for d in sorted(rm)] + [(d, 1) for d in sorted(actual - cal)]
    return row, sorted(exc)


# ---------------------------------------------------------------- output

def hms(secs):
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return "%02d:%02d:%02d" % (h, m, s)


def ymd(d):
    return d.strftime("%Y%m%d")


def csv_bytes(header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------- trip_short_name

# A number the source text of services.csv reports ("Train X8186 left ...",
# "flight CZ 345"), used as it is; every other number is modelled.
REPORTED_NUMBER = re.compile(r"\b(?:train\s+(X\d{4,5})|flight\s+([A-Z0-9]{2})\s?(\d{1,4}))\b", re.I)


def stable_int(text):
    """A number from TEXT that is the same on every run and machine."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def short_names(services, routes):
    """trip_short_name per service key: an air service's flight designator
    (airline code = first word of its route's route_short_name + a number),
    a rail service's train number ("X" + 4 digits; China-Europe trains
    X8001-X8999, domestic X9001-X9999).  Numbers the source reports are
    used; the others are modelled: each route gets an odd base number from a
    hash of its route_id, direction 0 takes it, direction 1 the even number
    after it, a second service of a route in one direction adds 2 (so the
    same service always gets the same number).  A clash with a number
    already given moves on by 2 in the sorted order of the route ids.
    Other modes get none."""
    out, taken = {}, set()
    for svc in services:
        r = svc["row"]
        m = REPORTED_NUMBER.search(r["source"])
        if m and r["mode"] in ("air", "rail"):
            num = m.group(1) or "%s%d" % (m.group(2).upper(), int(m.group(3)))
            out[svc["key"]] = num
            taken.add(num)
    by_route = {}
    for svc in services:
        if svc["row"]["mode"] in ("air", "rail") and svc["key"] not in out:
            by_route.setdefault(svc["row"]["route"], []).append(svc)
    for rid in sorted(by_route):
        svcs = sorted(by_route[rid], key=lambda v: (v["row"]["dir"], v["key"]))
        mode = svcs[0]["row"]["mode"]
        if mode == "air":
            prefix = routes[rid]["short"].split()[0]
            lo, span = 101, 950             # odd numbers 101 .. 1999
        else:
            prefix = "X"
            lo, span = (8001, 499) if rid.startswith("CRE-") else (9001, 499)
        step = stable_int("%s:%s" % (mode, rid)) % span
        while True:
            base = lo + 2 * step
            names = {}
            for v in svcs:
                d = v["row"]["dir"]
                names[v["key"]] = "%s%d" % (prefix, base + int(d) + 2 * sum(
                    1 for w in svcs if w["row"]["dir"] == d and w["key"] < v["key"]))
            if not (set(names.values()) & taken) and len(set(names.values())) == len(names):
                break
            step = (step + 1) % span
        out.update(names)
        taken.update(names.values())
    return out


def build(out_dir, single_tz=None):
    nodes = load_nodes()
    params = load_params()
    agencies, services, routes = load_spec(nodes, params)
    numbers = short_names(services, routes)
    if single_tz:
        zone(single_tz, "--single-timezone")

    files = {}
    used_stops = {}        # code -> list of (pickup, drop_off)
    trips, stop_times, calendar, cal_dates = [], [], [], []
    all_dates = set()      # every agency service date of every trip (feed_info dates)

    for svc in services:
        r = svc["row"]
        ag = agencies[r["agency"]]
        agency_tz = zone(single_tz or ag["agency_timezone"], r["agency"])
        origin_tz = zone(nodes[svc["stops"][0]["code"]]["tz"], svc["stops"][0]["code"])
        groups = expand_service(svc, origin_tz, agency_tz)
        if not groups:
            raise SpecError("%s: no departures in the service period" % svc["key"])
        for i, g in enumerate(groups, start=1):
            tid = "%s.%d" % (svc["key"], i)
            cal, exc = calendar_for(g, svc["key"])
            all_dates.update(d for d, _ in g["dates"])
            if cal:
                calendar.append([tid] + cal["days"] + [ymd(cal["start"]), ymd(cal["end"])])
            for d, t in exc:
                cal_dates.append([tid, ymd(d), t])
            last = nodes[svc["stops"][-1]["code"]]
            trips.append([r["route"], tid, tid, last["name_en"], numbers.get(svc["key"], ""), r["dir"]])
            for seq, st in enumerate(svc["stops"], start=1):
                stop_times.append([tid, hms(g["secs"] + st["arr"]), hms(g["secs"] + st["dep"]),
                                   st["code"], seq, st["pickup"], st["drop_off"]])
                used_stops.setdefault(st["code"], []).append((st["pickup"], st["drop_off"]))

    # agency.txt
    files["agency.txt"] = csv_bytes(
        ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
        [[a["agency_id"], a["agency_name"], a["agency_url"], single_tz or a["agency_timezone"], a["agency_lang"]]
         for a in sorted(agencies.values(), key=lambda a: a["agency_id"])])

    # stops.txt: every node of nodes.csv (one code names a place everywhere; the
    # unserved ones are there for drayage links computed from geodata distances)
    files["stops.txt"] = csv_bytes(
        ["stop_id", "stop_code", "stop_name", "stop_desc", "stop_lat", "stop_lon", "location_type", "stop_timezone"],
        [[c, c, n["name_en"], "%s; %s" % (n["kind"], n["name_zh"]), n["lat"], n["lon"], 0, n["tz"]]
         for c, n in sorted(nodes.items())])

    # routes.txt
    rrows = []
    for rid in sorted(routes):
        rt = routes[rid]
        basis = "/".join(b for b in ("reported", "modelled", "assumed") if b in rt["basis"])
        desc = "%s; basis: %s; sources in geodata/gtfs/services.csv" % (rt["long"], basis)
        rrows.append([rid, rt["agency_id"], rt["short"], rt["long"], desc, rt["route_type"]])
    files["routes.txt"] = csv_bytes(
        ["route_id", "agency_id", "route_short_name", "route_long_name", "route_desc", "route_type"], rrows)

    files["trips.txt"] = csv_bytes(
        ["route_id", "service_id", "trip_id", "trip_headsign", "trip_short_name", "direction_id"],
        sorted(trips, key=lambda t: t[2]))
    files["stop_times.txt"] = csv_bytes(
        ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence", "pickup_type", "drop_off_type"],
        sorted(stop_times, key=lambda s: (s[0], s[4])))
    files["calendar.txt"] = csv_bytes(
        ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
         "start_date", "end_date"], sorted(calendar))
    files["calendar_dates.txt"] = csv_bytes(
        ["service_id", "date", "exception_type"], sorted(cal_dates, key=lambda c: (c[0], c[1])))

    # transfers.txt: one same-stop rule per served stop
    trows = []
    for code in sorted(used_stops):
        uses = used_stops[code]
        if all(p == 1 and d == 1 for p, d in uses):
            trows.append([code, code, 3, ""])       # technical stop: no transfer at all
            continue
        kind = nodes[code]["kind"]
        secs = TRANSFER_BY_CODE.get(code, TRANSFER_BY_KIND.get(kind))
        if secs is None:
            raise SpecError("no minimum transfer time for %s (kind %s)" % (code, kind))
        trows.append([code, code, 2, secs])
    files["transfers.txt"] = csv_bytes(["from_stop_id", "to_stop_id", "transfer_type", "min_transfer_time"], trows)

    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    version = "%s-%s" % (PERIOD_START.strftime("%Y.%m"), h.hexdigest()[:12])
    files["feed_info.txt"] = csv_bytes(
        ["feed_publisher_name", "feed_publisher_url", "feed_lang", "feed_start_date", "feed_end_date",
         "feed_version"],
        [["Dongting project (Yueyang cross-border e-commerce pilot zone network)", "https://dongting.invalid/",
          "en", ymd(min(all_dates)), ymd(max(all_dates)), version]])

    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(files):
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(files[name])
    counts = {name: files[name].count(b"\n") - 1 for name in sorted(files)}
    return counts, version


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output folder (default geodata/gtfs/feed)")
    ap.add_argument("--single-timezone", metavar="TZ",
                    help="put every agency in TZ (strict GTFS: one agency_timezone per feed)")
    a = ap.parse_args()
    try:
        counts, version = build(a.out, a.single_timezone)
    except SpecError as e:
        fail(str(e))
    print("wrote %s (feed_version %s)" % (os.path.relpath(a.out), version))
    for name, n in counts.items():
        print("  %-20s %6d rows" % (name, n))


if __name__ == "__main__":
    main()
