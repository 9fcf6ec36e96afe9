#!/usr/bin/env python3
"""Build river_points.csv and river_edges.csv (the Yangtze from Chenglingji
to the sea, the Huangpu to Shanghai, the Xiang from Changsha).

Stdlib only:  python3 geodata/data/lanes/build_river.py  (then check_lanes.py)

Geometry.  river_course.csv holds each course as an ordered polyline along
the middle of the channel, traced from the GSHHG 2.3 shoreline and WDBII
river data by trace_river.py (which needs GMT; river_course.csv is
committed, so rebuilding needs only this script).  Every course vertex
becomes a lane point; consecutive vertices are joined by an edge.  The places
in PLACES (towns, bridges, ports, from memory) are not moved onto the map as
remembered: each is put on its course at the nearest point of the traced
line (the source column gives how far that was), so every point lies on the
traced channel.  Below Wusongkou the estuary points in ESTUARY (South
Channel, deep-water channel) are placed from memory, as in the sea graph.

Lengths.  The traced centreline is a generalised line: it cuts the inside of
bends and misses the sailing line's crossings, so it reads short of the
published sailing distances.  For each stretch in STRETCHES, every edge on
that stretch gets the same factor = published length / sum of the geodesic
lengths of the stretch's edges (rounded to 4 decimals); the loader multiplies
an edge's geodesic length by its factor (geodata/lanes.h).  Path lengths over
a fitted stretch therefore equal the published figure by construction.
Edges outside every stretch have no factor.  Edit PLACES, STRETCHES or
ESTUARY (or re-trace) and re-run; do not edit the CSVs by hand.
"""
import csv
import io
import math
import os
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_lanes as c  # noqa: E402  (vincenty_km, dijkstra)

# Places put on a course: id, course, lat, lon (as remembered), place name.
PLACES = """
yz_songyang     yangtze 29.480 113.205 off Chenglingji New Port (Songyang Lake)
yz_luoshan      yangtze 29.640 113.330 Luoshan gauge
yz_xindi        yangtze 29.790 113.455 Xindi (Honghu)
yz_longkou      yangtze 29.890 113.610 Longkou
yz_paizhou      yangtze 30.200 113.880 the Paizhou bend
yz_jiayu        yangtze 30.000 113.960 Jiayu
yz_jinkou       yangtze 30.330 114.100 Jinkou
yz_junshan      yangtze 30.420 114.140 the Junshan bridge
yz_baishazhou   yangtze 30.500 114.230 Baishazhou
yz_hankou       yangtze 30.555 114.285 Wuhan (Hankou, Wuhan Yangtze Bridge)
yz_tianxingzhou yangtze 30.650 114.400 Tianxingzhou
yz_yangluo      yangtze 30.640 114.550 Yangluo
yz_ezhou        yangtze 30.400 114.880 Ezhou / Huangzhou
yz_huangshi     yangtze 30.220 115.080 Huangshi
yz_qichun       yangtze 30.060 115.350 Qizhou (Qichun)
yz_wuxue        yangtze 29.860 115.540 Wuxue
yz_jiujiang     yangtze 29.730 115.980 Jiujiang
yz_hukou        yangtze 29.750 116.210 Hukou (Poyang Lake outlet)
yz_xiaogushan   yangtze 29.880 116.430 Xiaogushan (Pengze)
yz_dongliu      yangtze 30.110 116.780 Dongliu
yz_anqing       yangtze 30.500 117.050 Anqing
yz_zongyang     yangtze 30.720 117.340 Zongyang
yz_datong       yangtze 30.820 117.620 Datong
yz_tongling     yangtze 30.950 117.800 Tongling
yz_wuhu         yangtze 31.340 118.360 Wuhu
yz_maanshan     yangtze 31.690 118.480 Ma'anshan
yz_nanjing      yangtze 32.100 118.740 the Nanjing Yangtze Bridge
yz_longtan      yangtze 32.180 119.030 Longtan
yz_zhenjiang    yangtze 32.230 119.450 Zhenjiang (Jiaoshan)
yz_dagang       yangtze 32.220 119.630 Dagang (Zhenjiang)
yz_jiangyin     yangtze 31.950 120.280 the Jiangyin bridge
yz_zhangjiagang yangtze 31.980 120.420 Zhangjiagang
yz_nantong      yangtze 31.980 120.850 Nantong
yz_sutong       yangtze 31.770 121.000 the Sutong bridge
yz_taicang      yangtze 31.630 121.250 Taicang
yz_liuhe        yangtze 31.520 121.350 Liuhe
huangpu_yangpu  huangpu 31.262 121.535 the Yangpu bridge
xiang_xiangyin  xiang   28.680 112.880 Xiangyin
dongting_east   xiang   29.200 113.000 East Dongting Lake
dongting_yueyang xiang  29.380 113.100 Yueyang
"""
COURSE_NAME = {"yangtze": "Yangtze", "huangpu": "Huangpu River",
               "xiang": "Xiang River / East Dongting Lake"}
COURSE_PREFIX = {"yangtze": "yz", "huangpu": "huangpu", "xiang": "xiang"}
COURSE_EDGE_NOTE = {"yangtze": "Yangtze", "huangpu": "Huangpu River",
                    "xiang": "Xiang River and East Dongting Lake navigation channel"}
# Names of the course ends (an end that is a node code takes the node's name).
END_NAME = {"yz_sanjiangkou": "Sanjiangkou (Dongting Lake outlet joins the Yangtze)",
            "yz_wusong": "Wusongkou (Huangpu mouth)"}

# Estuary points below Wusongkou, from memory (same positions as in the sea graph).
ESTUARY = [
    ("yz_wgq", 31.345, 121.620, "Yangtze South Channel off Waigaoqiao",
     "approximate (from memory): Nangang (South Channel) fairway"),
    ("yz_south_ch", 31.300, 121.760, "Yangtze South Channel west of Hengsha",
     "approximate (from memory): Nangang fairway"),
    ("yz_north_passage", 31.230, 121.950, "Yangtze North Passage deep-water channel",
     "approximate (from memory): 12.5 m deep-water channel axis"),
    ("yz_np_east", 31.150, 122.150, "Yangtze deep-water channel, outer reach",
     "approximate (from memory): 12.5 m deep-water channel axis"),
    ("yangtze_mouth", 31.080, 122.400,
     "Yangtze mouth, seaward end of the deep-water channel (meets the sea lanes)",
     "approximate (from memory): Changjiangkou approaches"),
]
EXTRA_EDGES = [
    ("CNCLJ", "yz_sanjiangkou", "Chenglingji port to the Yangtze (Dongting Lake outlet)"),
    ("CNCLJ-SYH", "yz_songyang", "Songyang Lake terminal"),
    ("CNWUH", "yz_yangluo", "Yangluo container port"),
    ("CNJIU", "yz_jiujiang", "Jiujiang port"),
    ("CNNKG", "yz_longtan", "Longtan container port"),
    ("CNTAG", "yz_taicang", "Taicang port"),
    ("yz_wusong", "yz_wgq", "Yangtze South Channel"),
    ("CNSHA-WGQ", "yz_wgq", "Waigaoqiao berths"),
    ("yz_wgq", "yz_south_ch", "Yangtze South Channel"),
    ("yz_south_ch", "yz_north_passage", "deep-water channel"),
    ("yz_north_passage", "yz_np_east", "deep-water channel"),
    ("yz_np_east", "yangtze_mouth", "deep-water channel to the sea"),
]

# Fitted stretches: (from, to, published km, what the figure is).  The
# figures are port-to-port sailing distances as commonly quoted for the
# Yangtze (recalled, not looked up in the Changjiang Waterway Bureau's
# mileage tables); they add up: 230 + 269 + 856 = 1,355 km Chenglingji -
# Shanghai, and 269 + 856 = 1,125 km Wuhan - Shanghai.
STRETCHES = [
    ("CNCLJ", "yz_hankou", 230,
     "Chenglingji-Wuhan (Hankou) 230 km by river (sailing distance as recalled)"),
    ("yz_hankou", "yz_jiujiang", 269,
     "Wuhan (Hankou)-Jiujiang 269 km by river (sailing distance as recalled)"),
    ("yz_jiujiang", "CNSHA", 856,
     "Jiujiang-Shanghai 856 km by river (sailing distance as recalled; Wuhan-Shanghai "
     "1,125 km = 269 + 856)"),
]


def read_nodes():
    nodes = {}
    with open(os.path.join(HERE, "..", "nodes.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            nodes[r["code"]] = (float(r["lat"]), float(r["lon"]), r["name_en"])
    return nodes


def read_courses():
    courses = {}
    with open(os.path.join(HERE, "river_course.csv"), newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            courses.setdefault(r["course"], []).append(
                {"id": r["end"], "lat": float(r["lat"]), "lon": float(r["lon"]),
                 "source": r["source"], "place": None})
    return courses


def local_xy(lat0, lat, lon, lon0):
    return ((lon - lon0) * 111.32 * math.cos(math.radians(lat0)), (lat - lat0) * 110.57)


def put_on_course(course, pid, lat, lon, place):
    """Insert PLACE at the point of COURSE nearest (lat, lon); returns the
    distance in km from the remembered position."""
    best = None
    for i in range(len(course) - 1):
        a, b = course[i], course[i + 1]
        bx, by = local_xy(a["lat"], b["lat"], b["lon"], a["lon"])
        px, py = local_xy(a["lat"], lat, lon, a["lon"])
        L2 = bx * bx + by * by
        t = 0.0 if L2 == 0 else max(0.0, min(1.0, (px * bx + py * by) / L2))
        d = math.hypot(px - t * bx, py - t * by)
        if best is None or d < best[0]:
            best = (d, i, t)
    d, i, t = best
    a, b = course[i], course[i + 1]
    q = (a["lat"] + (b["lat"] - a["lat"]) * t, a["lon"] + (b["lon"] - a["lon"]) * t)
    # reuse a vertex within 0.5 km instead of adding one beside it
    for k in (i, i + 1):
        v = course[k]
        if not v["id"] and c.vincenty_km(v["lat"], v["lon"], *q) < 0.5:
            v.update(id=pid, place=place)
            return c.vincenty_km(lat, lon, v["lat"], v["lon"])
    course.insert(i + 1, {"id": pid, "lat": q[0], "lon": q[1], "place": place,
                          "source": a["source"]})
    return c.vincenty_km(lat, lon, *q)


def main():
    nodes = read_nodes()
    courses = read_courses()
    snapped = {}
    for ln in PLACES.strip().splitlines():
        pid, course, lat, lon, place = ln.split(None, 4)
        snapped[pid] = put_on_course(courses[course], pid, float(lat), float(lon), place)
    rows, edges, ids = [], [], set()
    for cname, course in courses.items():
        label = COURSE_NAME[cname]
        # name the unnamed vertices after the named point above them
        prev, k = None, 0
        named = [v for v in course if v["id"]]
        for v in course:
            if v["id"]:
                prev, k = v, 0
                continue
            k += 1
            up = prev["id"]
            if prev is course[0] and not up.startswith(COURSE_PREFIX[cname] + "_"):
                up = COURSE_PREFIX[cname]   # after a node or another course's point: xiang_1
            v["id"] = f"{up}_{k}"
        for v in course:
            pid = v["id"]
            if pid in nodes or pid in ids:
                continue          # a node, or a course end already written
            ids.add(pid)
            if v["place"]:
                name = f"{label} at {v['place']}"
                src = (f"{v['source']}; the traced point nearest {v['place']} as placed from "
                       f"memory ({snapped[pid]:.1f} km away)")
            elif pid in END_NAME:
                name, src = f"{label} at {END_NAME[pid]}", v["source"]
            else:
                up = max((n for n in named if course.index(n) < course.index(v)),
                         key=course.index)
                down = min((n for n in named if course.index(n) > course.index(v)),
                           key=course.index)
                name = f"{label} between {place_name(up, nodes)} and {place_name(down, nodes)}"
                src = v["source"]
            rows.append([pid, f"{v['lat']:.4f}", f"{v['lon']:.4f}", name, src])
        for a, b in zip(course, course[1:]):
            edges.append([a["id"], b["id"], COURSE_EDGE_NOTE[cname]])
    for pid, lat, lon, name, src in ESTUARY:
        rows.append([pid, f"{lat:.4f}", f"{lon:.4f}", name, src])
    edges += [list(e) for e in EXTRA_EDGES]

    # geodesic length of every edge
    pos = {r[0]: (float(r[1]), float(r[2])) for r in rows}
    pos.update({k: v[:2] for k, v in nodes.items()})
    adj = {}
    for e in edges:
        d = c.vincenty_km(*pos[e[0]], *pos[e[1]])
        e.append(d)
        adj.setdefault(e[0], []).append((e[1], d))
        adj.setdefault(e[1], []).append((e[0], d))
    factor = {}
    for a, b, km, what in STRETCHES:
        geo, path = c.dijkstra(adj, a, b)
        if geo is None:
            sys.exit(f"stretch {a}-{b}: no path")
        f = round(km / geo, 4)
        if not 1.0 <= f <= 3.0:
            sys.exit(f"stretch {a}-{b}: factor {f} outside 1..3")
        for u, v in zip(path, path[1:]):
            key = frozenset((u, v))
            if key in factor:
                sys.exit(f"edge {u}-{v} is in two stretches")
            factor[key] = (f, f"sinuosity: {what}")
        print(f"{a}-{b}: {len(path) - 1} edges, {geo:.1f} km geodesic, published {km} km, "
              f"factor {f:.4f}", file=sys.stderr)
    out = []
    for a, b, note, _ in edges:
        f, fnote = factor.get(frozenset((a, b)), (None, None))
        out.append([a, b, f"{f:.4f}" if f else "", fnote or note])
    for pid, d in sorted(snapped.items(), key=lambda x: -x[1])[:5]:
        print(f"  {pid}: {d:.1f} km from the remembered position", file=sys.stderr)
    write(os.path.join(HERE, "river_points.csv"), ["id", "lat", "lon", "name", "source"], rows)
    write(os.path.join(HERE, "river_edges.csv"), ["a", "b", "factor", "note"], out)


def place_name(v, nodes):
    if v["place"]:
        return v["place"]
    if v["id"] in nodes:
        return nodes[v["id"]][2]
    return END_NAME.get(v["id"], v["id"])


def write(path, header, rows):
    f = io.StringIO()
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    with open(path, "w", encoding="utf-8") as out:
        out.write(f.getvalue())


if __name__ == "__main__":
    main()
