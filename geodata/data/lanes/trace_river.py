#!/usr/bin/python3
"""Trace the river courses into river_course.csv (input of build_river.py).

Not needed to rebuild the CSVs: river_course.csv is committed.  Run this
only to re-trace a course or add one.  Needs GMT with the full-resolution
GSHHG shorelines and WDBII rivers, and numpy, scipy and scikit-image
(Debian: gmt gmt-gshhg-full python3-numpy python3-scipy python3-skimage):

    /usr/bin/python3 geodata/data/lanes/trace_river.py

Method.  `gmt grdlandmask -Df` rasterises GSHHG 2.3 at 0.002 degrees
(~200 m): sea and lakes (GSHHG keeps the wide lower Yangtze as "river-lake"
polygons) are water.  The WDBII river lines of levels 1-3 (`gmt coast -I1
-I2 -I3 -Df`; the Yangtze above Wuhan, the Xiang, the Huangpu) are burnt in 3
cells wide, and so are the BRIDGES polylines below, which close gaps in the
GSHHG data (placed from memory).  Each course in COURSES is then the least-
cost 8-connected path through the water cells between its ends, a cell
costing 1 / (its distance to the nearest land cell), so the path keeps to
the middle of the water: a centreline of the channel.  The path is smoothed
(running mean over 9 cells, which removes the raster staircase) and thinned
with Douglas-Peucker to 0.2 km, and written as course,seq,end,lat,lon,source
(end: the id or node code of a course's first and last point).
"""
import csv
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy import ndimage
from skimage.draw import line as raster_line
from skimage.graph import MCP_Geometric

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "river_course.csv")

LON0, LON1, LAT0, LAT1, STEP = 112.7, 122.6, 28.1, 32.6, 0.002
REGION = f"{LON0}/{LON1}/{LAT0}/{LAT1}"
SMOOTH = 4          # cells either side in the running mean
TOLERANCE_KM = 0.2  # Douglas-Peucker

# name: (start id, lat, lon), (end id, lat, lon), source text for its points,
# positions the course must pass (where the cheapest path would take
# another arm of the river).
# An end id is a node code from nodes.csv (at that node's position) or a
# point id that build_river.py names (the end is written at exactly the
# position given here).
COURSES = {
    "yangtze": (("yz_sanjiangkou", 29.455, 113.125), ("yz_wusong", 31.400, 121.515),
                "GSHHG 2.3 full-resolution river/lake data: centreline traced by trace_river.py",
                []),
    "huangpu": (("yz_wusong", 31.400, 121.515), ("CNSHA", 31.240, 121.490),
                "GSHHG 2.3 WDBII river line (Huangpu): traced by trace_river.py", []),
    "xiang": (("CNCSX", 28.330, 112.950), ("CNCLJ", 29.434, 113.138),
              "GSHHG 2.3 WDBII river line and lake data (Xiang River, East Dongting Lake): "
              "traced by trace_river.py",
              [(28.667, 112.868)]),   # the eastern arm past Xiangyin, not the Linzikou arm
}
# Gaps in GSHHG closed by hand, each a polyline placed from memory (a traced
# point off the GSHHG water says so in its source).
BRIDGES = [
    # The Yangtze round the north-east of Yangzhong island, Dagang to above
    # Jiangyin: GSHHG has no river polygon between about 119.62 and 120.05 E.
    [(32.195, 119.615), (32.245, 119.680), (32.285, 119.740), (32.280, 119.800),
     (32.250, 119.870), (32.200, 119.905), (32.120, 119.945), (32.050, 119.985),
     (31.985, 120.040), (31.965, 120.070)],
]
BRIDGE_SOURCE = ("placed from memory where GSHHG has no river polygon "
                 "(north-east of Yangzhong island)")

W = round((LON1 - LON0) / STEP)
H = round((LAT1 - LAT0) / STEP)


def cell(lat, lon):
    return int((LAT1 - lat) / STEP), int((lon - LON0) / STEP)


def centre(r, c):
    return LAT1 - (r + 0.5) * STEP, LON0 + (c + 0.5) * STEP


def gmt(*args, **kw):
    # run in the temporary directory: gmt leaves a gmt.history file in its cwd
    return subprocess.run(["gmt", *args], check=True, stdout=subprocess.PIPE,
                          cwd=tempfile.gettempdir(), **kw).stdout


def water_mask():
    with tempfile.TemporaryDirectory() as tmp:
        grid = os.path.join(tmp, "water.nc")
        gmt("grdlandmask", f"-R{REGION}", f"-I{STEP}", "-Df", "-N1/0/1/0/1", "-r",
            f"-G{grid}=bf")
        raw = gmt("grd2xyz", f"{grid}=bf", "-ZTLf")
    water = np.frombuffer(raw, dtype="<f4").reshape(H, W) > 0.5
    burn = np.zeros_like(water)

    def draw(pts):
        for a, b in zip(pts, pts[1:]):
            rr, cc = raster_line(*cell(*a), *cell(*b))
            ok = (rr >= 0) & (rr < H) & (cc >= 0) & (cc < W)
            burn[rr[ok], cc[ok]] = True
    seg = []
    for ln in gmt("coast", f"-R{REGION}", "-I1", "-I2", "-I3", "-M", "-Df").decode().splitlines():
        if ln.startswith(">"):
            draw(seg)
            seg = []
        elif ln.strip():
            lon, lat = map(float, ln.split()[:2])
            seg.append((lat, lon))
    draw(seg)
    base = water | ndimage.binary_dilation(burn, iterations=1)
    burn[:] = False
    for br in BRIDGES:
        draw(br)
    return base, base | ndimage.binary_dilation(burn, iterations=1)


def nearest_water(water, lat, lon, rad=15):
    r0, c0 = cell(lat, lon)
    best = None
    for dr in range(-rad, rad + 1):
        for dc in range(-rad, rad + 1):
            r, c = r0 + dr, c0 + dc
            if 0 <= r < H and 0 <= c < W and water[r, c]:
                k = dr * dr + dc * dc
                if best is None or k < best[0]:
                    best = (k, r, c)
    if best is None:
        sys.exit(f"no water within {rad} cells of {lat},{lon}")
    return best[1], best[2]


def km(a, b):
    la = math.radians((a[0] + b[0]) / 2)
    return math.hypot((b[1] - a[1]) * 111.32 * math.cos(la), (b[0] - a[0]) * 110.57)


def smooth(pts, k=SMOOTH):
    out = [pts[0]]
    for i in range(1, len(pts) - 1):
        w = pts[max(0, i - k):i + k + 1]
        out.append((sum(p[0] for p in w) / len(w), sum(p[1] for p in w) / len(w)))
    return out + [pts[-1]]


def douglas_peucker(pts, tol_km):
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        a, b = pts[i], pts[j]
        chord = km(a, b) or 1e-9
        best, at = -1.0, None
        for k in range(i + 1, j):
            # distance from pts[k] to the chord a-b (local plane)
            la = math.radians(a[0])
            ax, ay = 0.0, 0.0
            bx, by = (b[1] - a[1]) * 111.32 * math.cos(la), (b[0] - a[0]) * 110.57
            px, py = (pts[k][1] - a[1]) * 111.32 * math.cos(la), (pts[k][0] - a[0]) * 110.57
            d = abs((px - ax) * (by - ay) - (py - ay) * (bx - ax)) / chord
            if d > best:
                best, at = d, k
        if at is not None and best > tol_km:
            keep[at] = True
            stack += [(i, at), (at, j)]
    return [p for p, k in zip(pts, keep) if k]


def main():
    base, water = water_mask()
    dist = ndimage.distance_transform_edt(water)
    cost = np.where(water, 1.0 / np.maximum(dist, 1.0), np.inf)
    rows = []
    for name, ((aid, *a), (bid, *b), source, via) in COURSES.items():
        stops = [nearest_water(water, *p) for p in [a, *via, b]]
        path = []
        for s, e in zip(stops, stops[1:]):
            mcp = MCP_Geometric(cost)
            mcp.find_costs([s], [e])
            path += [centre(r, c) for r, c in mcp.traceback(e)][1 if path else 0:]
        path[0], path[-1] = tuple(a), tuple(b)          # the ends exactly as given
        pts = douglas_peucker(smooth(path), TOLERANCE_KM)
        length = sum(km(p, q) for p, q in zip(pts, pts[1:]))
        print(f"{name}: {len(path)} cells, {len(pts)} points, {length:.1f} km", file=sys.stderr)
        for i, (lat, lon) in enumerate(pts):
            r, c = cell(lat, lon)
            end = aid if i == 0 else bid if i == len(pts) - 1 else ""
            bridged = not base[max(r - 1, 0):r + 2, max(c - 1, 0):c + 2].any()
            rows.append([name, i, end, f"{lat:.4f}", f"{lon:.4f}",
                         "course end: position given in trace_river.py" if end
                         else BRIDGE_SOURCE if bridged else source])
    with open(OUT, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["course", "seq", "end", "lat", "lon", "source"])
        w.writerows(rows)


if __name__ == "__main__":
    main()
