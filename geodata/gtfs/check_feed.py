#!/usr/bin/env python3
"""Validate a GTFS static feed against the GTFS reference rules Dongting relies on,
against geodata/data/nodes.csv, and (for the project's own feed) against the transit
figures claimed in geodata/gtfs/services.csv.

Stdlib only:

    python3 geodata/gtfs/check_feed.py                       # the shipped feed
    python3 geodata/gtfs/check_feed.py --feed DIR            # another folder
    python3 geodata/gtfs/check_feed.py --no-nodes --feed X   # any feed (no nodes.csv, no claims)
    python3 geodata/gtfs/check_feed.py --compare OTHER_DIR   # same UTC events as OTHER?

Checks: file format (UTF-8 without BOM, LF line endings, RFC 4180 CSV, one field
count per file); required columns and values; unique keys; referential integrity
(routes->agency, trips->routes/services, stop_times->trips/stops, transfers->stops,
calendar_dates->services); every route and service used; every service runs on at
least one date; times H:MM:SS (hours past 24 allowed), stop_sequence increasing,
departure >= arrival at a stop, next arrival >= previous departure; time zones known;
every stop_id is a nodes.csv code with the same name, coordinates and time zone;
with services.csv: every departure, resolved through the agency's time zone, leaves
the origin at the published local time on a published day, nothing runs inside an
exception window, every published weekly date runs, and the transit time of each
service matches the figure it claims (printed as a table).  Prints counts per file.
Exits 1 on any error; warnings do not fail.
"""
import argparse
import csv
import datetime as dt
import io
import math
import os
import re
import sys
from collections import defaultdict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
# Shared constants only (service period, exception windows, speeds); every check
# below is computed here, independently of build_feed's logic.
from build_feed import PERIOD_START, PERIOD_END, EXCEPTIONS, TRUCK_KMH, DAY_NAMES  # noqa: E402

UTC = dt.timezone.utc
TIME_RE = re.compile(r"^(\d{1,4}):([0-5]\d):([0-5]\d)$")
DATE_RE = re.compile(r"^\d{8}$")
DONGTING_ROUTE_TYPES = ({2, 3, 4, 1100} | set(range(100, 118)) | set(range(1000, 1201))
                        | set(range(700, 718)))
REQUIRED = {
    "agency.txt": ["agency_name", "agency_url", "agency_timezone"],
    "stops.txt": ["stop_id"],
    "routes.txt": ["route_id", "route_type"],
    "trips.txt": ["route_id", "service_id", "trip_id"],
    "stop_times.txt": ["trip_id", "stop_id", "stop_sequence"],
}
OPTIONAL = ["calendar.txt", "calendar_dates.txt", "transfers.txt", "feed_info.txt", "frequencies.txt"]


class Report:
    def __init__(self):
        self.errors, self.warnings = [], []

    def err(self, where, msg):
        self.errors.append("%s: %s" % (where, msg))

    def warn(self, where, msg):
        self.warnings.append("%s: %s" % (where, msg))


def read_table(feed, name, rep):
    """-> list of (line, dict) or None if the file is absent"""
    path = os.path.join(feed, name)
    if not os.path.exists(path):
        return None
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        rep.err(name, "byte order mark")
        raw = raw[3:]
    if b"\r" in raw:
        rep.err(name, "CR characters (line endings must be LF)")
    if raw and not raw.endswith(b"\n"):
        rep.err(name, "no newline at end of file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        rep.err(name, "not UTF-8 (%s)" % e)
        return []
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        rep.err(name, "empty file (no header)")
        return []
    header = rows[0]
    if len(set(header)) != len(header):
        rep.err(name, "duplicate column in header")
    for h in header:
        if h != h.strip() or not h:
            rep.err(name, "bad column name %r" % h)
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if not r:
            rep.err("%s:%d" % (name, i), "empty line")
            continue
        if len(r) != len(header):
            rep.err("%s:%d" % (name, i), "%d fields, header has %d" % (len(r), len(header)))
            continue
        out.append((i, dict(zip(header, r))))
    for col in REQUIRED.get(name, []):
        if col not in header:
            rep.err(name, "required column %s missing" % col)
    return out


def tz_or_none(name):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_time(s):
    m = TIME_RE.match(s)
    if not m:
        return None
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))


def parse_date(s):
    if not DATE_RE.match(s):
        return None
    try:
        return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        return None


def gtfs_ref(day, tz):
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=tz).astimezone(UTC) - dt.timedelta(hours=12)


def haversine_km(la1, lo1, la2, lo2):
    R = 6371.0088
    p1, p2 = math.radians(la1), math.radians(la2)
    dp, dl = p2 - p1, math.radians(lo2 - lo1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(math.sqrt(a))


# ---------------------------------------------------------------- the feed checks

def check_feed(feed, nodes_path, rep):
    T = {}
    for name in list(REQUIRED) + OPTIONAL:
        T[name] = read_table(feed, name, rep)
        if T[name] is None and name in REQUIRED:
            rep.err(name, "required file missing")
            T[name] = []
    if T["calendar.txt"] is None and T["calendar_dates.txt"] is None:
        rep.err("calendar", "neither calendar.txt nor calendar_dates.txt")

    # agency
    agencies, tzs = {}, set()
    multi = len(T["agency.txt"]) > 1
    for line, r in T["agency.txt"]:
        w = "agency.txt:%d" % line
        aid = r.get("agency_id", "")
        if multi and not aid:
            rep.err(w, "agency_id required when the feed has several agencies")
        if aid in agencies:
            rep.err(w, "duplicate agency_id %s" % aid)
        for c in ("agency_name", "agency_url", "agency_timezone"):
            if not r.get(c):
                rep.err(w, "%s empty" % c)
        if r.get("agency_url") and not re.match(r"^https?://\S+$", r["agency_url"]):
            rep.err(w, "agency_url is not a URL")
        tz = tz_or_none(r.get("agency_timezone", ""))
        if tz is None:
            rep.err(w, "unknown agency_timezone %r" % r.get("agency_timezone"))
        tzs.add(r.get("agency_timezone"))
        agencies[aid] = (r, tz)
    if len(tzs) > 1:
        rep.warn("agency.txt", "%d different agency_timezone values: the GTFS reference wants one per feed; "
                 "Dongting resolves each agency's own (issue 4); build_feed.py --single-timezone "
                 "writes a strict variant of the project feed" % len(tzs))

    # stops vs nodes
    nodes = {}
    if nodes_path:
        with open(nodes_path, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                nodes[r["code"]] = r
    stops = {}
    for line, r in T["stops.txt"]:
        w = "stops.txt:%d" % line
        sid = r["stop_id"]
        if sid in stops:
            rep.err(w, "duplicate stop_id %s" % sid)
        stops[sid] = r
        lt = r.get("location_type", "") or "0"
        if lt not in ("0", "1", "2", "3", "4"):
            rep.err(w, "bad location_type %r" % lt)
        if lt in ("0", "1", "2") and (not r.get("stop_name") or not r.get("stop_lat") or not r.get("stop_lon")):
            rep.err(w, "stop_name, stop_lat and stop_lon are required")
        try:
            la, lo = float(r.get("stop_lat", "")), float(r.get("stop_lon", ""))
            if not (-90 <= la <= 90 and -180 <= lo <= 180):
                rep.err(w, "coordinates out of range")
        except ValueError:
            rep.err(w, "coordinates are not numbers")
        if r.get("stop_timezone") and tz_or_none(r["stop_timezone"]) is None:
            rep.err(w, "unknown stop_timezone %r" % r["stop_timezone"])
        n = nodes.get(sid)
        if not nodes_path:
            continue
        if n is None:
            rep.err(w, "stop_id %s is not a node code in %s" % (sid, nodes_path))
            continue
        for col, ncol in (("stop_name", "name_en"), ("stop_lat", "lat"), ("stop_lon", "lon"), ("stop_timezone", "tz")):
            if col in r and r[col] != n[ncol]:
                rep.err(w, "%s %r differs from nodes.csv %s %r" % (col, r[col], ncol, n[ncol]))
    for line, r in T["stops.txt"]:
        if r.get("parent_station") and r["parent_station"] not in stops:
            rep.err("stops.txt:%d" % line, "parent_station %s unknown" % r["parent_station"])

    # routes
    routes = {}
    for line, r in T["routes.txt"]:
        w = "routes.txt:%d" % line
        rid = r["route_id"]
        if rid in routes:
            rep.err(w, "duplicate route_id %s" % rid)
        routes[rid] = r
        aid = r.get("agency_id", "")
        if (multi or aid) and aid not in agencies:
            rep.err(w, "agency_id %r unknown" % aid)
        if not r.get("route_short_name") and not r.get("route_long_name"):
            rep.err(w, "route_short_name or route_long_name required")
        try:
            rt = int(r["route_type"])
            if rt not in DONGTING_ROUTE_TYPES:
                rep.warn(w, "route_type %d is not one Dongting maps to a freight mode" % rt)
        except ValueError:
            rep.err(w, "route_type %r is not an integer" % r["route_type"])

    # calendars -> set of active dates per service
    services = {}
    for line, r in T["calendar.txt"] or []:
        w = "calendar.txt:%d" % line
        sid = r["service_id"]
        if sid in services:
            rep.err(w, "duplicate service_id %s" % sid)
        days = []
        for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            if r.get(d) not in ("0", "1"):
                rep.err(w, "%s must be 0 or 1" % d)
            days.append(r.get(d) == "1")
        a, b = parse_date(r.get("start_date", "")), parse_date(r.get("end_date", ""))
        if not a or not b:
            rep.err(w, "bad start_date/end_date")
            continue
        if a > b:
            rep.err(w, "start_date after end_date")
        act = set()
        d = a
        while d <= b:
            if days[d.weekday()]:
                act.add(d)
            d += dt.timedelta(days=1)
        services[sid] = act
    seen_cd = set()
    for line, r in T["calendar_dates.txt"] or []:
        w = "calendar_dates.txt:%d" % line
        sid, d = r["service_id"], parse_date(r.get("date", ""))
        if not d:
            rep.err(w, "bad date")
            continue
        if (sid, d) in seen_cd:
            rep.err(w, "duplicate (service_id, date)")
        seen_cd.add((sid, d))
        act = services.setdefault(sid, set())
        if r.get("exception_type") == "1":
            if d in act:
                rep.warn(w, "exception_type 1 on a date the calendar already serves")
            act.add(d)
        elif r.get("exception_type") == "2":
            if d not in act:
                rep.warn(w, "exception_type 2 on a date the calendar does not serve")
            act.discard(d)
        else:
            rep.err(w, "exception_type must be 1 or 2")

    # trips
    trips = {}
    used_routes, used_services = set(), set()
    for line, r in T["trips.txt"]:
        w = "trips.txt:%d" % line
        tid = r["trip_id"]
        if tid in trips:
            rep.err(w, "duplicate trip_id %s" % tid)
        trips[tid] = r
        if r["route_id"] not in routes:
            rep.err(w, "route_id %s unknown" % r["route_id"])
        if r["service_id"] not in services:
            rep.err(w, "service_id %s is in neither calendar.txt nor calendar_dates.txt" % r["service_id"])
        if r.get("direction_id", "") not in ("", "0", "1"):
            rep.err(w, "direction_id must be 0 or 1")
        used_routes.add(r["route_id"])
        used_services.add(r["service_id"])
    for rid in sorted(set(routes) - used_routes):
        rep.warn("routes.txt", "route %s has no trips" % rid)
    for sid in sorted(set(services) - used_services):
        rep.warn("calendar", "service %s is used by no trip" % sid)
    for sid in sorted(used_services):
        if sid in services and not services[sid]:
            rep.err("calendar", "service %s never runs" % sid)

    # stop_times
    st = defaultdict(list)
    for line, r in T["stop_times.txt"]:
        w = "stop_times.txt:%d" % line
        if r["trip_id"] not in trips:
            rep.err(w, "trip_id %s unknown" % r["trip_id"])
            continue
        if r["stop_id"] not in stops:
            rep.err(w, "stop_id %s unknown" % r["stop_id"])
        try:
            seq = int(r["stop_sequence"])
            if seq < 0:
                raise ValueError
        except ValueError:
            rep.err(w, "bad stop_sequence %r" % r["stop_sequence"])
            continue
        arr = parse_time(r.get("arrival_time", "")) if r.get("arrival_time") else None
        dep = parse_time(r.get("departure_time", "")) if r.get("departure_time") else None
        if r.get("arrival_time") and arr is None or r.get("departure_time") and dep is None:
            rep.err(w, "bad time (H:MM:SS)")
        for c in ("pickup_type", "drop_off_type"):
            if r.get(c, "") not in ("", "0", "1", "2", "3"):
                rep.err(w, "%s must be 0-3" % c)
        st[r["trip_id"]].append((seq, arr, dep, r["stop_id"], r.get("pickup_type", "") or "0",
                                 r.get("drop_off_type", "") or "0", line))
    for tid in trips:
        if tid not in st:
            rep.err("stop_times.txt", "trip %s has no stop times" % tid)
    for tid, rows in st.items():
        rows.sort()
        w = "stop_times.txt trip %s" % tid
        if len(rows) < 2:
            rep.err(w, "fewer than two stops")
        seqs = [x[0] for x in rows]
        if len(set(seqs)) != len(seqs):
            rep.err(w, "repeated stop_sequence")
        for k in (0, -1):
            if rows[k][1] is None or rows[k][2] is None:
                rep.err(w, "first and last stop need arrival and departure times")
        prev_dep = None
        for seq, arr, dep, sid, pu, do, line in rows:
            if arr is not None and dep is not None and dep < arr:
                rep.err("stop_times.txt:%d" % line, "departure before arrival at %s" % sid)
            a = arr if arr is not None else dep
            if prev_dep is not None and a is not None and a < prev_dep:
                rep.err("stop_times.txt:%d" % line, "arrival at %s before the departure from the previous stop" % sid)
            if dep is not None:
                prev_dep = dep
            elif arr is not None:
                prev_dep = arr
        if rows[0][4] == "1" and all(x[4] == "1" for x in rows[:-1]):
            rep.err(w, "no stop allows boarding")

    # transfers
    for line, r in T["transfers.txt"] or []:
        w = "transfers.txt:%d" % line
        for c in ("from_stop_id", "to_stop_id"):
            if r.get(c) and r[c] not in stops:
                rep.err(w, "%s %s unknown" % (c, r[c]))
        for c in ("from_route_id", "to_route_id"):
            if r.get(c) and r[c] not in routes:
                rep.err(w, "%s %s unknown" % (c, r[c]))
        for c in ("from_trip_id", "to_trip_id"):
            if r.get(c) and r[c] not in trips:
                rep.err(w, "%s %s unknown" % (c, r[c]))
        tt = r.get("transfer_type", "") or "0"
        if tt not in ("0", "1", "2", "3", "4", "5"):
            rep.err(w, "transfer_type must be 0-5")
        if tt == "2":
            if not re.match(r"^\d+$", r.get("min_transfer_time", "")):
                rep.err(w, "transfer_type 2 needs a non-negative integer min_transfer_time")

    # feed_info
    fi = T["feed_info.txt"] or []
    if len(fi) > 1:
        rep.err("feed_info.txt", "more than one row")
    all_dates = set()
    for sid in used_services:
        all_dates |= services.get(sid, set())
    for line, r in fi:
        w = "feed_info.txt:%d" % line
        for c in ("feed_publisher_name", "feed_publisher_url", "feed_lang"):
            if not r.get(c):
                rep.err(w, "%s required" % c)
        a, b = parse_date(r.get("feed_start_date", "")), parse_date(r.get("feed_end_date", ""))
        if r.get("feed_start_date") and not a or r.get("feed_end_date") and not b:
            rep.err(w, "bad feed_start_date/feed_end_date")
        elif a and b:
            if a > b:
                rep.err(w, "feed_start_date after feed_end_date")
            if all_dates and (min(all_dates) < a or max(all_dates) > b):
                rep.warn(w, "service dates %s..%s reach outside %s..%s" % (min(all_dates), max(all_dates), a, b))

    return {"T": T, "agencies": agencies, "stops": stops, "routes": routes, "trips": trips,
            "services": services, "st": st, "nodes": nodes}


# ---------------------------------------------------------------- time zones and events

def trip_events(F):
    """-> {trip_id: [(service date, [(stop_id, utc_arr, utc_dep)])]} using each agency's time zone"""
    out = {}
    for tid, trip in F["trips"].items():
        route = F["routes"].get(trip["route_id"])
        if route is None:
            continue
        ag = F["agencies"].get(route.get("agency_id", ""))
        if ag is None and len(F["agencies"]) == 1:
            ag = next(iter(F["agencies"].values()))
        if ag is None or ag[1] is None:
            continue
        tz = ag[1]
        rows = sorted(F["st"].get(tid, []))
        ev = []
        for d in sorted(F["services"].get(trip["service_id"], ())):
            ref = gtfs_ref(d, tz)
            ev.append((d, [(x[3], ref + dt.timedelta(seconds=x[1]), ref + dt.timedelta(seconds=x[2]))
                           for x in rows if x[1] is not None and x[2] is not None]))
        out[tid] = ev
    return out


def service_key(tid):
    return tid.rsplit(".", 1)[0] if re.search(r"\.\d+$", tid) else tid


# ---------------------------------------------------------------- services.csv claims

def fmt_dur(secs, unit):
    return ("%.2f d" % (secs / 86400.0)) if unit == "d" else ("%.2f h" % (secs / 3600.0))


def check_claims(F, services_path, params_path, rep, events):
    with open(services_path, encoding="utf-8", newline="") as f:
        spec = list(csv.DictReader(f))
    detour = 1.3
    with open(params_path, encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            if r["key"] == "road_detour_factor":
                detour = float(r["value"])
    by_key = defaultdict(list)
    for tid in F["trips"]:
        by_key[service_key(tid)].append(tid)
    table = []
    spec_keys = set()
    for s in spec:
        key = s["service"]
        spec_keys.add(key)
        tids = sorted(by_key.get(key, []))
        if not tids:
            rep.err("services.csv %s" % key, "no trip in the feed")
            continue
        codes = [x.split()[0] for x in s["stops"].split(";")]
        a_code = s["ref_from"] or codes[0]
        b_code = s["ref_to"] or codes[-1]
        # measured transit, per trip variant
        measured = set()
        for tid in tids:
            rows = sorted(F["st"][tid])
            ids = [x[3] for x in rows]
            if ids != codes:
                rep.err("services.csv %s" % key, "trip %s calls %s, spec says %s" % (tid, ids, codes))
                continue
            i = ids.index(a_code)
            j = ids.index(b_code, i + 1)
            measured.add(rows[j][1] - rows[i][2])
        if not measured:
            continue
        if len(measured) != 1:
            rep.err("services.csv %s" % key, "transit differs between trip variants: %s" % sorted(measured))
        m = max(measured)
        ref = s["ref"]
        if ref == "road":
            n1, n2 = F["nodes"][a_code], F["nodes"][b_code]
            km = haversine_km(float(n1["lat"]), float(n1["lon"]), float(n2["lat"]), float(n2["lon"])) * detour
            expect = km / TRUCK_KMH * 3600
            ok = abs(m - expect) <= 300 + 1
            figure = "%.0f km x %.1f / %.0f km/h = %.2f h" % (km / detour, detour, TRUCK_KMH, expect / 3600)
            unit = "h"
        else:
            mm = re.match(r"^(\d+(?:\.\d+)?)(?:-(\d+(?:\.\d+)?))?([dh])$", ref)
            if not mm:
                rep.err("services.csv %s" % key, "bad ref %r" % ref)
                continue
            unit = mm.group(3)
            k = 86400 if unit == "d" else 3600
            lo = float(mm.group(1)) * k
            hi = float(mm.group(2)) * k if mm.group(2) else lo
            if lo == hi:      # a single published figure: +-0.5 d or +-0.25 h
                tol = 43200 if unit == "d" else 900
                lo, hi = lo - tol, hi + tol
            ok = lo <= m <= hi
            figure = ref.replace("d", " d").replace("h", " h")
        if not ok:
            rep.err("services.csv %s" % key, "transit %s %s -> %s is outside the claimed %s"
                    % (fmt_dur(m, unit), a_code, b_code, figure))
        table.append((key, s["mode"], "%s -> %s" % (a_code, b_code), fmt_dur(m, unit), figure,
                      "ok" if ok else "MISMATCH", s["basis"], s["ref_source"]))

        # departures: origin local time, published days, exception windows, coverage
        o_tz = ZoneInfo(F["nodes"][codes[0]]["tz"])
        hh, mi = map(int, s["dep"].split(":"))
        days = s["days"]
        excepted = set()
        for e in s["except"].split():
            a, b, _ = EXCEPTIONS[e]
            d = a
            while d <= b:
                excepted.add(d)
                d += dt.timedelta(days=1)
        extra = {dt.date.fromisoformat(x) for x in s["extra"].split()}
        local_dates = []
        for tid in tids:
            wrong = []
            for d, evs in events.get(tid, []):
                loc = evs[0][2].astimezone(o_tz)
                if (loc.hour, loc.minute) != (hh, mi):
                    wrong.append((d, loc.strftime("%H:%M")))
                local_dates.append(loc.date())
            if wrong:
                rep.err("services.csv %s" % key, "trip %s leaves %s at %s local on %d service date(s) from %s, "
                        "published %s" % (tid, codes[0], wrong[0][1], len(wrong), wrong[0][0], s["dep"]))
        if len(set(local_dates)) != len(local_dates):
            rep.err("services.csv %s" % key, "two trips leave on the same local date")
        got = set(local_dates)
        if days.startswith("every"):
            n, first = re.match(r"^every (\d+)d from (\S+)$", days).groups()
            first = dt.date.fromisoformat(first)
            want = set()
            d = first
            while d <= PERIOD_END:
                if d >= PERIOD_START:
                    want.add(d)
                d += dt.timedelta(days=int(n))
        else:
            wd = set(range(7)) if days == "daily" else {DAY_NAMES.index(x) for x in days.split()}
            want = set()
            d = PERIOD_START
            while d <= PERIOD_END:
                if d.weekday() in wd:
                    want.add(d)
                d += dt.timedelta(days=1)
        want = (want - excepted) | extra
        if got != want:
            missing, surplus = sorted(want - got), sorted(got - want)
            rep.err("services.csv %s" % key, "origin-local departure dates differ from the pattern: "
                    "missing %s, not published %s" % ([str(x) for x in missing[:5]], [str(x) for x in surplus[:5]]))
    for k in sorted(set(by_key) - spec_keys):
        rep.warn("trips.txt", "trip(s) %s not described in services.csv" % k)
    return table


def print_table(table):
    cols = ["service", "mode", "origin -> destination", "measured", "reference", "check", "basis",
            "source of the figure"]
    widths = [max(len(str(r[i])) for r in table + [cols]) for i in range(len(cols) - 1)]
    line = "  ".join(c.ljust(widths[i]) for i, c in enumerate(cols[:-1])) + "  " + cols[-1]
    print(line)
    print("-" * min(len(line) + 40, 200))
    for r in table:
        print("  ".join(str(r[i]).ljust(widths[i]) for i in range(len(cols) - 1)) + "  " + r[-1])


def print_markdown(table):
    print("| service | mode | origin -> destination | feed | reference | check | basis | source of the figure |")
    print("|---|---|---|---|---|---|---|---|")
    for r in table:
        print("| " + " | ".join(str(x).replace("|", "/") for x in r) + " |")


def compare(F, events, other_dir, nodes_path, rep):
    rep2 = Report()
    G = check_feed(other_dir, nodes_path, rep2)
    ev2 = trip_events(G)

    def flat(ev):
        s = set()
        for tid, lst in ev.items():
            for _, evs in lst:
                s.add((service_key(tid), tuple((a, b.isoformat(), c.isoformat()) for a, b, c in evs)))
        return s
    a, b = flat(events), flat(ev2)
    if a != b:
        rep.err("compare", "%d departures only in this feed, %d only in %s" % (len(a - b), len(b - a), other_dir))
        for x in sorted(a - b)[:3]:
            rep.err("compare", "only here: %s %s" % (x[0], x[1][0]))
    else:
        print("compare: identical UTC stop events (%d trip departures) in %s" % (len(a), other_dir))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--feed", default=os.path.join(HERE, "feed"))
    ap.add_argument("--nodes", default=os.path.normpath(os.path.join(HERE, "..", "data", "nodes.csv")))
    ap.add_argument("--params", default=os.path.normpath(os.path.join(HERE, "..", "data", "params.csv")))
    ap.add_argument("--services", default=os.path.join(HERE, "services.csv"))
    ap.add_argument("--no-claims", action="store_true", help="skip the services.csv checks (any feed)")
    ap.add_argument("--no-nodes", action="store_true", help="do not require stop_ids to be nodes.csv codes (any feed)")
    ap.add_argument("--compare", metavar="DIR", help="another feed that must give the same UTC stop events")
    ap.add_argument("--max-stop-times", type=int, default=20000)
    ap.add_argument("--markdown", action="store_true", help="print the transit table as Markdown (for the docs)")
    a = ap.parse_args()

    rep = Report()
    if a.no_nodes:
        a.nodes = ""
        a.no_claims = True
    F = check_feed(a.feed, a.nodes, rep)
    events = trip_events(F)
    n_st = len(F["T"]["stop_times.txt"])
    if n_st > a.max_stop_times:
        rep.err("stop_times.txt", "%d rows, more than the %d budget" % (n_st, a.max_stop_times))

    if not a.no_claims:
        table = check_claims(F, a.services, a.params, rep, events)
        print("Transit times against the claimed figures (measured from the feed's stop_times):\n")
        (print_markdown if a.markdown else print_table)(table)
        print()
    if a.compare:
        compare(F, events, a.compare, a.nodes, rep)

    served = {x[3] for rows in F["st"].values() for x in rows}
    n_dep = sum(len(v) for v in events.values())
    longest = max(((rows[-1][1] - rows[0][2], tid) for tid, rows in ((t, sorted(r)) for t, r in F["st"].items())
                   if rows and rows[-1][1] is not None and rows[0][2] is not None), default=(0, "-"))
    print("Counts (%s):" % os.path.relpath(a.feed))
    for name in list(REQUIRED) + OPTIONAL:
        t = F["T"].get(name)
        print("  %-20s %s" % (name, "absent" if t is None else "%6d rows" % len(t)))
    print("  stops served by a trip: %d of %d; trip departures over the period: %d; longest trip: %s (%.1f days)"
          % (len(served), len(F["stops"]), n_dep, longest[1], longest[0] / 86400.0))
    for w in rep.warnings:
        print("warning: " + w)
    for e in rep.errors:
        print("ERROR: " + e)
    print("%d error(s), %d warning(s)" % (len(rep.errors), len(rep.warnings)))
    sys.exit(1 if rep.errors else 0)


if __name__ == "__main__":
    main()
