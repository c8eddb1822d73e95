"""The synthetic geography of the sample data: Julun police station's area in Taiyuan.

Only the metro stations are real (line 2, from ``realdata/taiyuan/metro_line2_stations.csv``,
GCJ-02, converted to WGS 84 and embedded below so that generation needs no outside file).
Everything else — the street grid, the community beats, the park and the temple courtyard —
is an invented but plausible layout at 1:10,000 around the Jiefang Road (解放路) corridor.

Geometry is built in a local metric frame ``(u, v)`` in metres: ``v`` runs along Jiefang
Road (through the two stations, roughly north), ``u`` across it (roughly east); the origin is
the midpoint between 大北门 and 胜利街 stations. :meth:`World.to_lonlat` converts to WGS 84.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import LineString, Polygon, box

# Line 2 stations in and around the area: name -> (name_en, GCJ-02 lon, lat, WGS 84 lon, lat).
# GCJ-02 values from realdata/taiyuan/metro_line2_stations.csv; WGS 84 values are
# mapdesk.io.datum.gcj02_to_wgs84 of them, rounded to 1e-6 degrees (~0.1 m).
STATIONS: dict[str, tuple[str, float, float, float, float]] = {
    "涧河": ("Jianhe", 112.563237, 37.905556, 112.556952, 37.905053),
    "胜利街": ("Shenglijie", 112.562196, 37.897501, 112.555910, 37.896994),
    "大北门": ("Dabeimen", 112.562027, 37.888507, 112.555742, 37.887998),
    "缉虎营": ("Jihuying", 112.561794, 37.878631, 112.555509, 37.878120),
}
# The two stations of Julun's area, north first.
AREA_STATIONS = ("胜利街", "大北门")
REALDATA_STATIONS = Path("/work/shared/realdata/taiyuan/metro_line2_stations.csv")

EARTH_RADIUS_M = 6378137.0


@dataclass(frozen=True)
class Street:
    name: str
    name_en: str
    axis: str  # "v": runs along v (u constant); "u": runs along u (v constant)
    at_m: float  # the constant coordinate of the centre line
    width_m: float
    kind: str  # "main" | "secondary" | "lane"

    @property
    def half_width_m(self) -> float:
        return self.width_m / 2.0


# Area extent (local metres). 1,780 m x 2,028 m = 3.61 km², the station's area.
U_MIN, U_MAX = -880.0, 900.0
V_MIN, V_MAX = -1090.0, 938.0

STREETS: tuple[Street, ...] = (
    Street("新建北路", "Xinjian North Road", "v", -880.0, 30.0, "main"),
    Street("上马街", "Shangma Street", "v", -380.0, 16.0, "secondary"),
    Street("解放路", "Jiefang Road", "v", 0.0, 40.0, "main"),
    Street("柏杨树街", "Baiyangshu Street", "v", 420.0, 16.0, "secondary"),
    Street("建设北路", "Jianshe North Road", "v", 900.0, 30.0, "main"),
    Street("兴华街", "Xinghua Street", "u", 938.0, 24.0, "main"),
    Street("胜利街", "Shengli Street", "u", 500.0, 30.0, "main"),
    Street("三桥街", "Sanqiao Street", "u", 170.0, 14.0, "secondary"),
    Street("北司街", "Beisi Street", "u", -170.0, 14.0, "secondary"),
    Street("北大街", "Beida Street", "u", -500.0, 36.0, "main"),
    Street("北仓巷", "Beicang Lane", "u", -820.0, 10.0, "lane"),
    Street("后小河街", "Houxiaohe Street", "u", -1090.0, 20.0, "secondary"),
)

# Community beats (一区一警两辅警): name, name_en, officer (invented), rectangles (u0, v0, u1, v1)
# whose union is the beat. Edges follow street centre lines; together they tile the area.
BEATS: tuple[tuple[str, str, str, tuple[tuple[float, float, float, float], ...]], ...] = (
    ("新建北路社区", "Xinjian North Road Community", "李卫东", ((-880, -170, -380, 938),)),
    ("胜利街社区", "Shengli Street Community", "赵晓敏", ((-380, 170, 0, 938),)),
    ("三桥街社区", "Sanqiao Street Community", "孙建军", ((-880, -500, 0, -170), (-380, -170, 0, 170))),
    ("北大街社区", "Beida Street Community", "周丽华", ((-880, -1090, 0, -500),)),
    ("兴华街社区", "Xinghua Street Community", "吴志刚", ((0, 500, 900, 938),)),
    ("解放北路社区", "Jiefang North Road Community", "郑海燕", ((0, -170, 420, 500),)),
    ("柏杨树社区", "Baiyangshu Community", "冯国栋", ((420, -170, 900, 500),)),
    ("大北门社区", "Dabeimen Community", "陈秀英", ((0, -1090, 900, -170),)),
)

# Green spaces with old trees (local metres).
PARK = ("北城公园", "Beicheng Park", (-360.0, 590.0, -36.0, 870.0))
TEMPLE = ("观音堂", "Guanyin Hall (temple courtyard)", (438.0, -335.0, 503.0, -270.0))

# Entrances A-D: offsets (du, dv) in metres from the station centre. The line runs under
# Jiefang Road, so entrances sit on its two sidewalks, 40-70 m north and south of the centre.
ENTRANCE_OFFSETS: dict[str, dict[str, tuple[float, float]]] = {
    "胜利街": {"A": (-24.0, 52.0), "B": (24.0, 61.0), "C": (24.0, -47.0), "D": (-24.0, -66.0)},
    "大北门": {"A": (-24.0, 44.0), "B": (24.0, 58.0), "C": (24.0, -63.0), "D": (-24.0, -49.0)},
}


@dataclass
class World:
    """The local frame and the layout, ready for the layer generators."""

    lon0: float
    lat0: float
    theta: float  # rotation of the v axis east of true north, radians
    stations_uv: dict[str, tuple[float, float]] = field(default_factory=dict)
    entrances_uv: dict[tuple[str, str], tuple[float, float]] = field(default_factory=dict)
    beats: list[tuple[str, str, str, Polygon]] = field(default_factory=list)

    # --- coordinates -------------------------------------------------------------------
    def _en(self, u, v) -> tuple[np.ndarray, np.ndarray]:
        u, v = np.asarray(u, float), np.asarray(v, float)
        c, s = math.cos(self.theta), math.sin(self.theta)
        return u * c + v * s, -u * s + v * c

    def to_lonlat(self, u, v) -> tuple[np.ndarray, np.ndarray]:
        """Local metres -> WGS 84 lon/lat (local tangent plane; < 0.1 m error at 2 km)."""
        east, north = self._en(u, v)
        lat = self.lat0 + np.degrees(north / EARTH_RADIUS_M)
        lon = self.lon0 + np.degrees(east / (EARTH_RADIUS_M * math.cos(math.radians(self.lat0))))
        return lon, lat

    def from_lonlat(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = np.asarray(lon, float), np.asarray(lat, float)
        east = np.radians(lon - self.lon0) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))
        north = np.radians(lat - self.lat0) * EARTH_RADIUS_M
        c, s = math.cos(self.theta), math.sin(self.theta)
        return east * c - north * s, east * s + north * c

    def bearing_deg(self, u0, v0, u1, v1) -> np.ndarray:
        """Compass bearing (degrees clockwise from true north) from (u0, v0) to (u1, v1)."""
        e0, n0 = self._en(u0, v0)
        e1, n1 = self._en(u1, v1)
        return np.mod(np.degrees(np.arctan2(e1 - e0, n1 - n0)), 360.0)

    def geometry_to_lonlat(self, geom):
        """Transform a shapely geometry from local metres to lon/lat, rounded to 1e-7 degrees."""
        def fn(xy: np.ndarray) -> np.ndarray:
            lon, lat = self.to_lonlat(xy[:, 0], xy[:, 1])
            return np.round(np.column_stack([lon, lat]), 7)
        return shapely.transform(geom, fn)

    # --- layout queries ---------------------------------------------------------------
    def beat_of(self, u, v) -> np.ndarray:
        """Name of the beat containing each point ("" outside the area)."""
        u, v = np.asarray(u, float), np.asarray(v, float)
        out = np.full(u.shape, "", dtype=object)
        for name, _en, _officer, poly in self.beats:
            hit = shapely.intersects_xy(poly, u, v) & (out == "")
            out[hit] = name
        return out

    def off_carriageway(self, rng: np.random.Generator, u, v) -> tuple[np.ndarray, np.ndarray]:
        """Move points that fall on a carriageway to the nearer sidewalk (0.5-4 m past the kerb)."""
        u, v = np.array(u, float), np.array(v, float)
        for s in STREETS:
            c = u if s.axis == "v" else v
            inside = np.abs(c - s.at_m) < s.half_width_m
            if inside.any():
                side = np.where(c[inside] >= s.at_m, 1.0, -1.0)
                lo, hi = (U_MIN, U_MAX) if s.axis == "v" else (V_MIN, V_MAX)
                side = np.where(s.at_m <= lo, 1.0, np.where(s.at_m >= hi, -1.0, side))
                c[inside] = s.at_m + side * (s.half_width_m + rng.uniform(0.5, 4.0, int(inside.sum())))
        return u, v

    def street(self, name: str) -> Street:
        for s in STREETS:
            if s.name == name:
                return s
        raise KeyError(name)

    def street_line(self, s: Street) -> LineString:
        if s.axis == "v":
            return LineString([(s.at_m, V_MIN), (s.at_m, V_MAX)])
        return LineString([(U_MIN, s.at_m), (U_MAX, s.at_m)])

    def sidewalk_point(self, s: Street, t_m, side, offset_m: float | np.ndarray = 2.5):
        """Point(s) ``t_m`` metres along street ``s`` (from its west/south end), on ``side``
        (+1 east/north, -1 west/south), ``offset_m`` beyond the kerb."""
        t_m = np.asarray(t_m, float)
        side = np.asarray(side, float)
        d = side * (s.half_width_m + np.asarray(offset_m, float))
        d, t_m = np.broadcast_arrays(d, t_m)
        if s.axis == "v":
            return s.at_m + d, V_MIN + t_m
        return U_MIN + t_m, s.at_m + d

    def sides(self, s: Street) -> tuple[float, ...]:
        """Sidewalks inside the area: a boundary street keeps only its inner side."""
        lo, hi = (U_MIN, U_MAX) if s.axis == "v" else (V_MIN, V_MAX)
        if s.at_m <= lo:
            return (1.0,)
        if s.at_m >= hi:
            return (-1.0,)
        return (-1.0, 1.0)

    def street_length_m(self, s: Street) -> float:
        return (V_MAX - V_MIN) if s.axis == "v" else (U_MAX - U_MIN)

    def blocks(self) -> list[Polygon]:
        """City blocks between street kerbs (local metres)."""
        us = sorted((s for s in STREETS if s.axis == "v"), key=lambda s: s.at_m)
        vs = sorted((s for s in STREETS if s.axis == "u"), key=lambda s: s.at_m)
        out = []
        for a, b in zip(us[:-1], us[1:], strict=True):
            for c, d in zip(vs[:-1], vs[1:], strict=True):
                out.append(box(a.at_m + a.half_width_m, c.at_m + c.half_width_m,
                               b.at_m - b.half_width_m, d.at_m - d.half_width_m))
        return out

    def green_spaces(self) -> list[Polygon]:
        return [box(*PARK[2]), box(*TEMPLE[2])]

    def area_polygon(self) -> Polygon:
        return box(U_MIN, V_MIN, U_MAX, V_MAX)


def build_world() -> World:
    """The layout in its local frame; deterministic (no randomness here)."""
    n_name, s_name = AREA_STATIONS
    _, _, _, lon_n, lat_n = STATIONS[n_name]
    _, _, _, lon_s, lat_s = STATIONS[s_name]
    lon0, lat0 = (lon_n + lon_s) / 2.0, (lat_n + lat_s) / 2.0
    # Jiefang Road runs from Dabeimen to Shenglijie: the v axis follows it.
    de = math.radians(lon_n - lon_s) * EARTH_RADIUS_M * math.cos(math.radians(lat0))
    dn = math.radians(lat_n - lat_s) * EARTH_RADIUS_M
    world = World(lon0=lon0, lat0=lat0, theta=math.atan2(de, dn))
    for name, (_en, _glon, _glat, lon, lat) in STATIONS.items():
        u, v = world.from_lonlat(lon, lat)
        world.stations_uv[name] = (float(u), float(v))
    for st, offsets in ENTRANCE_OFFSETS.items():
        su, sv = world.stations_uv[st]
        for label, (du, dv) in offsets.items():
            world.entrances_uv[(st, label)] = (su + du, sv + dv)
    polys = [shapely.union_all([box(*r) for r in rects]) for *_x, rects in BEATS]
    # Give every polygon its neighbours' corners too (no T-junctions), so that the
    # tiling stays exact after the vertices are moved to lon/lat and rounded.
    corners = shapely.multipoints(shapely.get_coordinates(polys))
    for (name, name_en, officer, _rects), poly in zip(BEATS, polys, strict=True):
        poly = shapely.snap(poly, corners, 1e-6)
        world.beats.append((name, name_en, officer, shapely.normalize(poly)))
    return world


def check_realdata_stations(path: Path | None = None) -> list[str]:
    """Compare the embedded station positions with the real-data file, if it is present.

    Returns a list of disagreements (empty when the file is absent or agrees). The embedded
    constants are always what the generator uses, so output never depends on the machine.
    ``path`` defaults to :data:`REALDATA_STATIONS`.
    """
    path = REALDATA_STATIONS if path is None else Path(path)
    if not path.is_file():
        return []
    import csv

    from mapdesk.io.datum import gcj02_to_wgs84

    problems: list[str] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = {r["name"]: r for r in csv.DictReader(fh)}
    for name, (_en, glon, glat, wlon, wlat) in STATIONS.items():
        row = rows.get(name)
        if row is None:
            problems.append(f"station {name} not in {path.name}")
            continue
        lon, lat = float(row["lng"]), float(row["lat"])
        if abs(lon - glon) > 1e-6 or abs(lat - glat) > 1e-6:
            problems.append(f"station {name}: file has {lon},{lat}, embedded {glon},{glat}")
        clon, clat = gcj02_to_wgs84(glon, glat)
        if abs(float(clon) - wlon) > 2e-6 or abs(float(clat) - wlat) > 2e-6:
            problems.append(f"station {name}: WGS 84 constant does not match the conversion")
    return problems
