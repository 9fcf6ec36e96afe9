#!/usr/bin/env python3
"""Validate the lane graphs in geodata/data/lanes/ against geodata/data/nodes.csv.

Stdlib only.  Run from anywhere:  python3 geodata/data/lanes/check_lanes.py

Checks, per mode (sea, river, rail):
  * header lines exactly as specified (points id,lat,lon,name,source; edges
    a,b,factor,note); ids lowercase [a-z0-9_]+, 1-47 characters, unique;
    lat/lon numbers in range; every row has a source;
  * every edge end resolves to a lane point of that mode or to a node code;
    no self-loops, no duplicate edges, no unused points;
  * factor: empty (= 1) or a number in 1..3 (errors otherwise); a factor
    above 1.5 is a warning (the points are too sparse to follow the line);
    sea edges must have none (the sea lanes are not fitted);
  * the graph is connected over all node codes it references (every node of
    the mode reaches every other);
  * edge lengths on the WGS84 ellipsoid (Vincenty inverse): open-sea edges
    over 1500 km are errors; river edges over 40 km and rail edges over
    200 km are warnings (the polylines should follow the bends);
and prints the fitted stretches and shortest-path lengths for the accuracy
pairs beside the published reference values.  As in the C loader
(geodata/lanes.h), an edge's length is its geodesic length times its factor.
A pair whose path runs over fitted edges is marked "fitted": its length was
made to match published figures, so it is no independent check.

Exit status 0 when there are no errors (warnings do not fail the run).
"""
import csv
import heapq
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
NODES = os.path.join(HERE, "..", "nodes.csv")
MODES = ("sea", "river", "rail")
POINT_HEADER = ["id", "lat", "lon", "name", "source"]
EDGE_HEADER = ["a", "b", "factor", "note"]
MAX_ID = 47
FACTOR_MIN, FACTOR_MAX, FACTOR_WARN = 1.0, 3.0, 1.5
ID_RE = re.compile(r"^[a-z0-9_]+$")
CODE_RE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")

# Longest edge allowed per mode (km): error / warning thresholds.
MAX_EDGE_ERR = {"sea": 1500.0, "river": 80.0, "rail": 400.0}
MAX_EDGE_WARN = {"sea": 1500.0, "river": 40.0, "rail": 200.0}

NM = 1.852  # km per international nautical mile

# (mode, from, to, published value, unit, tolerance fraction, reference)
ACCURACY = [
    ("sea", "CNSHA", "NLRTM", 10500, "nm", 0.05,
     "Shanghai-Rotterdam via Suez, port-distance tables (about 10,500 nmi)"),
    ("sea", "CNSHA", "USLAX", 5700, "nm", 0.05,
     "Shanghai-Los Angeles, port-distance tables (about 5,700 nmi)"),
    ("sea", "SGSIN", "NLRTM", 8300, "nm", 0.05,
     "Singapore-Rotterdam via Suez, port-distance tables (about 8,300 nmi)"),
    ("sea", "HKHKG", "DEHAM", 9700, "nm", 0.05,
     "Hong Kong-Hamburg via Suez, port-distance tables (9,600-9,800 nmi)"),
    ("sea", "CNSHA", "AUSYD", 4600, "nm", 0.05,
     "Shanghai-Sydney, port-distance tables (about 4,600 nmi)"),
    # Wuhan in the published sailing distances is Hankou (river point yz_hankou);
    # the CNWUH node is the Yangluo container port, about 30 km downstream.
    ("river", "CNCLJ", "yz_hankou", 230, "km", 0.05,
     "Chenglingji-Wuhan (Hankou), Yangtze sailing distance (about 230 km)"),
    ("river", "yz_hankou", "CNSHA", 1125, "km", 0.05,
     "Wuhan (Hankou)-Shanghai, Yangtze sailing distance (about 1,125 km)"),
    ("river", "CNCLJ", "CNWUH", 262, "km", 0.05,
     "Chenglingji-Wuhan Yangluo port: 230 km to Hankou + ~32 km Hankou-Yangluo"),
    ("river", "CNJIU", "CNSHA", 856, "km", 0.05,
     "Jiujiang-Shanghai, Yangtze sailing distance (856 km; 269 km above to Wuhan)"),
    ("river", "CNCLJ", "CNSHA", 1355, "km", 0.10,
     "Chenglingji-Shanghai, Yangtze sailing distance (230 + 1,125 km)"),
    ("rail", "CNCSX-XN", "DEDUI", 11808, "km", 0.10,
     "Changsha-Duisburg via Alashankou, published corridor length (11,808 km)"),
    ("rail", "CNCSX-XN", "DEHAM-BIL", 11905, "km", 0.10,
     "Changsha-Hamburg, published corridor length via Manzhouli (11,905 km; DOMAIN.md)"),
]

# Corridor lengths through a given border crossing: (mode, from, via, to,
# published, unit, tolerance, reference).  The length is the shortest path
# from -> via plus via -> to.
VIA_ACCURACY = [
    ("rail", "CNCSX-XN", "CNHRB-MZL", "RUMOW", 9650, "km", 0.10,
     "Changsha-Moscow via Manzhouli (published 9,300-10,000 km)"),
    ("rail", "CNCSX-XN", "CNHRB-MZL", "DEHAM-BIL", 11905, "km", 0.10,
     "Changsha-Hamburg via Manzhouli (11,905 km; DOMAIN.md)"),
    ("rail", "CNCSX-XN", "CNHRB-MZL", "DEDUI", 11905, "km", 0.10,
     "Changsha-Duisburg via Manzhouli (11,905 km; DOMAIN.md)"),
    ("rail", "CNCSX-XN", "CNURC-AKS", "DEDUI", 11808, "km", 0.10,
     "Changsha-Duisburg via Alashankou (11,808 km)"),
]

# Informational paths (printed, not judged).
EXTRA = [
    ("sea", "CNSHA", "HKHKG"), ("sea", "CNSHA", "SGSIN"), ("sea", "HKHKG", "SGSIN"),
    ("sea", "SGSIN", "LKCMB"), ("sea", "SGSIN", "AEJEA"), ("sea", "EGSUZ", "EGPSD"),
    ("sea", "EGPSD", "GRPIR"), ("sea", "NLRTM", "DEHAM"), ("sea", "NLRTM", "GBFXT"),
    ("sea", "BEANR", "NLRTM"), ("sea", "CNSHA", "JPYOK"), ("sea", "CNSHA", "KRPUS"),
    ("sea", "CNSHA", "CAVAN"), ("sea", "CNSHA", "RUVVO"), ("sea", "AUSYD", "AUMEL"),
    ("sea", "CNSHA-YSH", "NLRTM"), ("sea", "CNTAG", "HKHKG"),
    ("river", "CNCLJ", "CNSHA"), ("river", "CNCLJ", "CNNKG"), ("river", "CNWUH", "CNJIU"),
    ("river", "CNJIU", "CNNKG"), ("river", "CNNKG", "CNSHA"), ("river", "CNCSX", "CNCLJ"),
    ("river", "CNCSX", "CNSHA"),
    ("rail", "CNCLJ-YYN", "CNCAN-DL"), ("rail", "CNCSX-XN", "RUMOW"), ("rail", "CNCSX-XN", "UZTAS"),
    ("rail", "CNCSX-XN", "HUBUD"), ("rail", "CNCSX-XN", "PLWAW-LDZ"),
    ("rail", "CNCSX-XN", "CNURC-AKS"), ("rail", "CNCSX-XN", "CNHRB-MZL"),
    ("rail", "CNCSX-XN", "CNTSN-EHT"), ("rail", "CNCSX-XN", "PLWAW-MLS"),
]

# Paths that must pass through one of the given codes (user expectation).
MUST_PASS = [
    ("rail", "CNCSX-XN", "DEDUI",
     {"CNURC-AKS", "CNURC-KHG", "CNTSN-EHT", "CNHRB-MZL"}),
    ("rail", "CNCSX-XN", "DEDUI", {"BYMSQ-BRS"}),
    ("rail", "CNCSX-XN", "UZTAS", {"CNURC-AKS", "CNURC-KHG"}),
    ("river", "CNCLJ", "CNSHA", {"yz_hankou"}),
    ("river", "CNCLJ", "CNSHA", {"yz_nanjing"}),
    ("river", "CNWUH", "CNSHA", {"yz_jiujiang"}),
    ("sea", "CNSHA", "NLRTM", {"EGSUZ", "EGPSD"}),
]

errors = []
warnings = []


def err(msg):
    errors.append(msg)


def warn(msg):
    warnings.append(msg)


# ---------------------------------------------------------------- geodesy
A_WGS = 6378137.0
F_WGS = 1 / 298.257223563
B_WGS = A_WGS * (1 - F_WGS)


def vincenty_km(lat1, lon1, lat2, lon2):
    """Ellipsoidal (WGS84) geodesic distance in km, Vincenty's inverse
    formula; falls back to a spherical estimate if it does not converge
    (nearly antipodal points, which no lane edge has)."""
    if lat1 == lat2 and lon1 == lon2:
        return 0.0
    a, b, f = A_WGS, B_WGS, F_WGS
    L = math.radians(lon2 - lon1)
    U1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    U2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    sinU1, cosU1 = math.sin(U1), math.cos(U1)
    sinU2, cosU2 = math.sin(U2), math.cos(U2)
    lam = L
    for _ in range(200):
        sinLam, cosLam = math.sin(lam), math.cos(lam)
        sinSig = math.hypot(cosU2 * sinLam, cosU1 * sinU2 - sinU1 * cosU2 * cosLam)
        if sinSig == 0:
            return 0.0
        cosSig = sinU1 * sinU2 + cosU1 * cosU2 * cosLam
        sig = math.atan2(sinSig, cosSig)
        sinAlpha = cosU1 * cosU2 * sinLam / sinSig
        cos2Alpha = 1 - sinAlpha ** 2
        cos2SigM = cosSig - 2 * sinU1 * sinU2 / cos2Alpha if cos2Alpha else 0.0
        C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha))
        lamPrev = lam
        lam = L + (1 - C) * f * sinAlpha * (
            sig + C * sinSig * (cos2SigM + C * cosSig * (-1 + 2 * cos2SigM ** 2)))
        if abs(lam - lamPrev) < 1e-12:
            break
    else:
        return haversine_km(lat1, lon1, lat2, lon2)
    u2 = cos2Alpha * (a * a - b * b) / (b * b)
    A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)))
    B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)))
    dSig = B * sinSig * (cos2SigM + B / 4 * (
        cosSig * (-1 + 2 * cos2SigM ** 2)
        - B / 6 * cos2SigM * (-3 + 4 * sinSig ** 2) * (-3 + 4 * cos2SigM ** 2)))
    return b * A * (sig - dSig) / 1000.0


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


# ---------------------------------------------------------------- loading
def read_csv(path, header):
    with open(path, newline="", encoding="utf-8") as f:
        first = f.readline().rstrip("\r\n")
        if first != ",".join(header):
            err(f"{path}:1: header must be exactly {','.join(header)!r}, got {first!r}")
        f.seek(0)
        rows = list(csv.reader(f))
    out = []
    for i, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            err(f"{path}:{i}: {len(row)} fields, expected {len(header)}")
            continue
        out.append((i, row))
    return out


def load_nodes():
    nodes = {}
    with open(NODES, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                nodes[row["code"]] = (float(row["lat"]), float(row["lon"]), row["kind"])
            except (KeyError, ValueError) as e:
                err(f"{NODES}: bad row {row}: {e}")
    return nodes


def load_mode(mode, nodes):
    ppath = os.path.join(HERE, f"{mode}_points.csv")
    epath = os.path.join(HERE, f"{mode}_edges.csv")
    points = {}
    for line, (pid, lat, lon, name, source) in read_csv(ppath, POINT_HEADER):
        where = f"{mode}_points.csv:{line}"
        if not ID_RE.match(pid):
            err(f"{where}: id {pid!r} is not lowercase [a-z0-9_]+")
        if len(pid) > MAX_ID:
            err(f"{where}: id {pid!r} is {len(pid)} characters (at most {MAX_ID})")
        if pid in points:
            err(f"{where}: duplicate id {pid!r}")
        try:
            la, lo = float(lat), float(lon)
        except ValueError:
            err(f"{where}: lat/lon not numbers")
            continue
        if not (-90 <= la <= 90 and -180 <= lo <= 180):
            err(f"{where}: lat/lon out of range")
        if not name.strip() or not source.strip():
            err(f"{where}: empty name or source")
        points[pid] = (la, lo)
    adj = {}
    seen = set()
    used = set()
    codes = set()
    edges = []
    for line, (a, b, factor, note) in read_csv(epath, EDGE_HEADER):
        where = f"{mode}_edges.csv:{line}"
        f = 1.0
        if factor.strip():
            try:
                f = float(factor)
            except ValueError:
                f = math.nan
            if not FACTOR_MIN <= f <= FACTOR_MAX:
                err(f"{where}: factor {factor!r} is not a number in {FACTOR_MIN:g}..{FACTOR_MAX:g}")
                f = 1.0
            elif mode == "sea":
                err(f"{where}: sea edge {a}-{b} has factor {factor}; the sea lanes are not fitted")
            elif f > FACTOR_WARN:
                warn(f"{where}: edge {a}-{b} factor {f:g} > {FACTOR_WARN:g}: add points along "
                     f"the line")
            if not note.strip():
                err(f"{where}: edge {a}-{b} has a factor but no note naming the published figure")
        ends = []
        for e in (a, b):
            if e in points:
                ends.append(points[e])
                used.add(e)
            elif e in nodes:
                ends.append(nodes[e][:2])
                codes.add(e)
            else:
                kind = "node code" if CODE_RE.match(e) else "point id"
                err(f"{where}: unknown {kind} {e!r}")
                ends.append(None)
        if None in ends:
            continue
        if a == b:
            err(f"{where}: self-loop {a}")
            continue
        key = tuple(sorted((a, b)))
        if key in seen:
            err(f"{where}: duplicate edge {a}-{b}")
            continue
        seen.add(key)
        d = vincenty_km(*ends[0], *ends[1])
        if d > MAX_EDGE_ERR[mode]:
            err(f"{where}: edge {a}-{b} is {d:.0f} km (> {MAX_EDGE_ERR[mode]:.0f} km)")
        elif d > MAX_EDGE_WARN[mode]:
            warn(f"{where}: edge {a}-{b} is {d:.0f} km (> {MAX_EDGE_WARN[mode]:.0f} km)")
        adj.setdefault(a, []).append((b, d * f))
        adj.setdefault(b, []).append((a, d * f))
        edges.append((a, b, d, f, note))
    for pid in points:
        if pid not in used:
            warn(f"{mode}_points.csv: point {pid!r} is used by no edge")
    return points, adj, codes, edges


def dijkstra(adj, src, dst):
    dist = {src: 0.0}
    prev = {}
    pq = [(0.0, src)]
    while pq:
        d, u = heapq.heappop(pq)
        if u == dst:
            break
        if d > dist.get(u, math.inf):
            continue
        for v, w in adj.get(u, ()):
            nd = d + w
            if nd < dist.get(v, math.inf):
                dist[v] = nd
                prev[v] = u
                heapq.heappush(pq, (nd, v))
    if dst not in dist:
        return None, []
    path = [dst]
    while path[-1] != src:
        path.append(prev[path[-1]])
    return dist[dst], path[::-1]


def components(adj, start):
    seen = {start}
    stack = [start]
    while stack:
        u = stack.pop()
        for v, _ in adj.get(u, ()):
            if v not in seen:
                seen.add(v)
                stack.append(v)
    return seen


def main():
    verbose = "-v" in sys.argv
    nodes = load_nodes()
    graphs = {}
    einfo = {}      # mode -> {frozenset((a, b)): (geodesic km, factor)}
    stretches = []  # (mode, note, factor, edges, geodesic km)
    for mode in MODES:
        points, adj, codes, edges = load_mode(mode, nodes)
        graphs[mode] = adj
        einfo[mode] = {frozenset((a, b)): (d, f) for a, b, d, f, _ in edges}
        fitted = {}
        for a, b, d, f, note in edges:
            if f != 1.0:
                k = fitted.setdefault((note, f), [0, 0.0])
                k[0] += 1
                k[1] += d
        stretches += [(mode, note, f, n, g) for (note, f), (n, g) in fitted.items()]
        clash = set(points) & set(nodes)
        if clash:
            err(f"{mode}: point ids clash with node codes: {sorted(clash)}")
        if codes:
            first = sorted(codes)[0]
            reach = components(adj, first)
            missing = sorted(c for c in codes if c not in reach)
            if missing:
                err(f"{mode}: node codes not connected to {first}: {missing}")
            lonely = sorted(p for p in points if p in adj and p not in reach)
            if lonely:
                err(f"{mode}: points not connected to the node network: {lonely}")
        total = sum(d * f for _, _, d, f, _ in edges)
        geo = sum(d for _, _, d, _, _ in edges)
        nfit = sum(1 for e in edges if e[3] != 1.0)
        longest = max(edges, key=lambda e: e[2]) if edges else None
        print(f"{mode}: {len(points)} points, {len(edges)} edges ({nfit} with a factor), "
              f"{len(codes)} node codes, {total:,.0f} km of lanes ({geo:,.0f} km geodesic); "
              f"longest edge {longest[0]}-{longest[1]} {longest[2]:.0f} km" if longest else "")
        print(f"  nodes: {' '.join(sorted(codes))}")

    print()
    print("fitted stretches (factor = published length / geodesic length of the stretch):")
    for mode, note, f, n, g in stretches:
        print(f"  {mode:5} {f:6.4f} x {g:7,.1f} km = {f * g:7,.0f} km over {n:3} edges  [{note}]")

    def fitted_share(mode, path):
        """Fraction of the path's length that lies on edges with a factor."""
        tot = fit = 0.0
        for u, v in zip(path, path[1:]):
            d, f = einfo[mode][frozenset((u, v))]
            tot += d * f
            fit += d * f if f != 1.0 else 0.0
        return fit / tot if tot else 0.0

    print()
    print("fit% = share of the path's length on fitted edges (made to match published")
    print("lengths, so not an independent check); 0% = an independent check")
    print(f"{'mode':5} {'pair':27} {'km':>9} {'nmi':>8} {'published':>10} {'err%':>7} "
          f"{'fit%':>5}  ok")
    for mode, a, b, ref, unit, tol, note in ACCURACY:
        d, path = dijkstra(graphs[mode], a, b)
        if d is None:
            err(f"{mode}: no path {a} -> {b}")
            continue
        val = d / NM if unit == "nm" else d
        e = (val - ref) / ref
        ok = abs(e) <= tol
        if not ok:
            err(f"{mode} {a}-{b}: {val:.0f} {unit} vs published {ref} {unit} ({e:+.1%})")
        print(f"{mode:5} {a + '-' + b:27} {d:9,.0f} {d / NM:8,.0f} {ref:>7,} {unit:2} "
              f"{e:+7.1%} {fitted_share(mode, path):5.0%}  {'yes' if ok else 'NO'}   [{note}]")
        if verbose:
            print("       via " + " ".join(path))
    for mode, a, via, b, ref, unit, tol, note in VIA_ACCURACY:
        d1, p1 = dijkstra(graphs[mode], a, via)
        d2, p2 = dijkstra(graphs[mode], via, b)
        if d1 is None or d2 is None:
            err(f"{mode}: no path {a} -> {via} -> {b}")
            continue
        d = d1 + d2
        val = d / NM if unit == "nm" else d
        e = (val - ref) / ref
        ok = abs(e) <= tol
        if not ok:
            err(f"{mode} {a}-{b} via {via}: {val:.0f} {unit} vs published {ref} {unit} ({e:+.1%})")
        label = f"{a}-{b} via {via}"
        share = (fitted_share(mode, p1) * d1 + fitted_share(mode, p2) * d2) / d
        print(f"{mode:5} {label:27} {d:9,.0f} {d / NM:8,.0f} {ref:>7,} {unit:2} "
              f"{e:+7.1%} {share:5.0%}  {'yes' if ok else 'NO'}   [{note}]")
    print()
    for mode, a, b in EXTRA:
        if a not in nodes or b not in nodes:
            continue
        d, path = dijkstra(graphs[mode], a, b)
        if d is None:
            err(f"{mode}: no path {a} -> {b}")
            continue
        print(f"{mode:5} {a + '-' + b:27} {d:9,.0f} km {d / NM:8,.0f} nmi")
        if verbose:
            print("       via " + " ".join(path))
    # Suez closed: the Cape of Good Hope alternative must exist.
    closed = {u: [(v, w) for v, w in vs if not {u, v} & {"EGSUZ", "EGPSD"}]
              for u, vs in graphs["sea"].items()}
    for a, b in (("CNSHA", "NLRTM"), ("SGSIN", "NLRTM"), ("HKHKG", "DEHAM")):
        d, path = dijkstra(closed, a, b)
        if d is None:
            err(f"sea: no route {a} -> {b} with the Suez Canal closed")
        else:
            print(f"sea   {a + '-' + b + ' (Suez closed)':27} {d:9,.0f} km {d / NM:8,.0f} nmi"
                  f"{'  via agulhas' if 'agulhas' in path else ''}")
    for mode, a, b, through in MUST_PASS:
        d, path = dijkstra(graphs[mode], a, b)
        if d is not None and not (through & set(path)):
            err(f"{mode} {a}-{b}: shortest path passes none of {sorted(through)}")

    print()
    for w in warnings:
        print("warning:", w)
    for e in errors:
        print("ERROR:", e)
    print(f"{len(errors)} error(s), {len(warnings)} warning(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
