"""The daily briefing: a four-page PDF for the morning meeting.

1. the day's incidents on the map (over the project's other layers), counted by type;
2. the last 28 days' density next to the previous 28 days' on one colour scale;
3. the hour × weekday chart of the last 28 days, and incidents per day over 56 days;
4. the top locations (grid cells, and beats when the data has them) against the previous
   period, and the day's counts by type against the 28-day daily mean.

Analyses come from :mod:`mapdesk.analysis` (compare, temporal) and the charts from
:mod:`mapdesk.render.charts`; maps are painted by the screen's renderer.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen

from mapdesk.errors import ExportError, MapdeskError
from mapdesk.export.layout import MapPainter, PageComposer, PageLayout, default_map_painter
from mapdesk.export.pdftext import fix_to_unicode
from mapdesk.export.text import draw_text, missing_characters, missing_warning, page_font
from mapdesk.export.writers import ExportResult, layout_pdf_writer
from mapdesk.io.atomic import atomic_path
from mapdesk.render.fonts import ensure_fonts

WINDOW_DAYS = 28

_T = {
    "en": {
        "title": "Daily briefing {day}", "p1": "{n} incidents on {day} (28-day daily mean {mean:.1f})",
        "layer": "Incidents {day}", "p2": "Density: last 28 days against the previous 28 days",
        "prev": "Previous 28 days ({a} – {b}): {n} incidents", "cur": "Last 28 days ({a} – {b}): {n} incidents",
        "scale": "Same colour scale on both maps", "p3": "When: hour of day × day of week (last 28 days)",
        "hw": "Incidents by hour and weekday, {a} – {b}", "daily": "Incidents per day, {a} – {b}",
        "p4": "Where: top locations against the previous period", "cell": "Grid cell ({m:g} m)",
        "beat": "Beat", "rank": "#", "last": "Last 28 d", "prevc": "Prev. 28 d", "change": "Change",
        "where": "Location (lat, lon)", "bytype": "The day by type against the 28-day daily mean",
        "type": "Type", "day": "Day", "mean": "28-d mean", "none": "No incidents",
        "nodensity": "No density map: {msg}", "nochart": "No chart: {msg}", "topcells": "Top grid cells",
        "topbeats": "Top beats",
    },
    "zh": {
        "title": "每日简报 {day}", "p1": "{day} 共 {n} 起警情（近28天日均 {mean:.1f} 起）",
        "layer": "警情 {day}", "p2": "密度：近28天与前28天对比",
        "prev": "前28天（{a} – {b}）：{n} 起", "cur": "近28天（{a} – {b}）：{n} 起",
        "scale": "两幅地图使用同一色阶", "p3": "时间：一天中的小时 × 星期（近28天）",
        "hw": "按小时和星期统计的警情，{a} – {b}", "daily": "每日警情数，{a} – {b}",
        "p4": "地点：高发位置与前一时期对比", "cell": "网格（{m:g} 米）",
        "beat": "社区", "rank": "序号", "last": "近28天", "prevc": "前28天", "change": "变化",
        "where": "位置（纬度，经度）", "bytype": "当日分类型警情与近28天日均对比",
        "type": "类型", "day": "当日", "mean": "28天日均", "none": "无警情",
        "nodensity": "无密度图：{msg}", "nochart": "无图表：{msg}", "topcells": "高发网格",
        "topbeats": "高发社区",
    },
}


def _t(lang: str) -> dict[str, str]:
    return _T["zh" if str(lang).startswith("zh") else "en"]


@dataclass
class Periods:
    day: dt.date
    cur: tuple[dt.date, dt.date]
    prev: tuple[dt.date, dt.date]

    @classmethod
    def for_day(cls, day: dt.date, window_days: int = WINDOW_DAYS) -> Periods:
        cur = (day - dt.timedelta(days=window_days - 1), day)
        prev = (cur[0] - dt.timedelta(days=window_days), cur[0] - dt.timedelta(days=1))
        return cls(day, cur, prev)


def parse_day(value: str | dt.date | None) -> dt.date:
    """``YYYY-MM-DD`` (or a date) → date; ``None`` → yesterday."""
    if value is None:
        return dt.date.today() - dt.timedelta(days=1)
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise MapdeskError(f"--date {value!r} is not a date (use YYYY-MM-DD)") from exc


def _event_days(frame: pd.DataFrame) -> pd.Series:
    from mapdesk.domain.incidents import event_time

    t = pd.to_datetime(event_time(frame), errors="coerce")
    if getattr(t.dt, "tz", None) is not None:
        t = t.dt.tz_localize(None)
    return t.dt.normalize()


def _between(days: pd.Series, a: dt.date, b: dt.date) -> np.ndarray:
    return ((days >= pd.Timestamp(a)) & (days <= pd.Timestamp(b))).to_numpy(dtype=bool, na_value=False)


def top_cells(frame: Any, periods: Periods, cell_m: float = 250.0, n: int = 12) -> pd.DataFrame:
    """Grid cells (``cell_m`` squares in the local UTM zone) with the most incidents in the
    current period, with the previous period's counts. Columns: lat, lon, beat, last, prev,
    change."""
    days = _event_days(frame)
    cur = _between(days, *periods.cur)
    prev = _between(days, *periods.prev)
    sub = frame[cur | prev]
    if len(sub) == 0:
        return pd.DataFrame(columns=["lat", "lon", "beat", "last", "prev", "change"])
    metric = sub.to_crs(sub.estimate_utm_crs())
    x, y = metric.geometry.x.to_numpy(), metric.geometry.y.to_numpy()
    ok = np.isfinite(x) & np.isfinite(y)
    cx, cy = np.floor(x / cell_m), np.floor(y / cell_m)
    is_cur = cur[cur | prev]
    key = pd.DataFrame({"cx": cx, "cy": cy, "cur": is_cur, "prev": ~is_cur, "ok": ok})
    if "community" in sub.columns:
        key["beat"] = sub["community"].astype("string").to_numpy()
    key = key[key["ok"]]
    g = key.groupby(["cx", "cy"])
    out = pd.DataFrame({"last": g["cur"].sum().astype(int), "prev": g["prev"].sum().astype(int)})
    if "beat" in key.columns:
        out["beat"] = g["beat"].agg(lambda s: s.mode().iloc[0] if s.notna().any() else "")
    else:
        out["beat"] = ""
    out = out.sort_values(["last", "prev"], ascending=[False, False]).head(n).reset_index()
    from pyproj import Transformer

    tr = Transformer.from_crs(metric.crs, 4326, always_xy=True)
    lon, lat = tr.transform((out["cx"] + 0.5) * cell_m, (out["cy"] + 0.5) * cell_m)
    out["lat"], out["lon"] = np.round(lat, 5), np.round(lon, 5)
    out["change"] = out["last"] - out["prev"]
    return out[["lat", "lon", "beat", "last", "prev", "change"]]


def top_beats(frame: pd.DataFrame, periods: Periods, n: int = 10) -> pd.DataFrame | None:
    """Community beats by count in the current period against the previous one."""
    if "community" not in frame.columns or frame["community"].notna().sum() == 0:
        return None
    days = _event_days(frame)
    beat = frame["community"].astype("string").fillna("—")
    cur = beat[_between(days, *periods.cur)].value_counts()
    prev = beat[_between(days, *periods.prev)].value_counts()
    out = pd.DataFrame({"last": cur, "prev": prev}).fillna(0).astype(int)
    out["change"] = out["last"] - out["prev"]
    out = out.sort_values(["last", "prev"], ascending=False).head(n)
    out.index.name = "beat"
    return out.reset_index()


class _Doc:
    """One briefing: the data for every page and how to paint each."""

    def __init__(self, frame: Any, periods: Periods, project: Any, lang: str, layout: PageLayout,
                 map_painter_for: Callable[[Any], MapPainter], cell_m: float):
        from mapdesk.model import Layer, Project, default_style

        self.frame, self.periods, self.lang, self.t = frame, periods, lang, _t(lang)
        self.layout, self.map_painter_for, self.cell_m = layout, map_painter_for, cell_m
        self.warnings: list[str] = []
        self.days = _event_days(frame)
        on_day = (self.days == pd.Timestamp(periods.day)).to_numpy(dtype=bool, na_value=False)
        self.day_frame = frame[on_day]
        base = _between(self.days, periods.day - dt.timedelta(days=WINDOW_DAYS), periods.day - dt.timedelta(days=1))
        self.mean = base.sum() / WINDOW_DAYS
        self.context = [lyr for lyr in (project.layers if project is not None else [])
                        if lyr.visible and lyr.role != "incidents" and lyr.kind != "raster"]
        fm = {c: c for c in ("incident_id", "type", "time", "time_start", "time_end", "status", "community")
              if c in frame.columns}
        day_s = periods.day.isoformat()
        self.map_project = Project(self.t["title"].format(day=day_s))
        for lyr in self.context:
            self.map_project.layers.append(lyr)  # shared read-only: no signals needed
        self.map_project.is_synthetic = bool(getattr(project, "is_synthetic", False))
        if project is not None:
            self.map_project.basemap = dict(project.basemap)
        self.day_layer = Layer.from_frame(self.t["layer"].format(day=day_s), self.day_frame, role="incidents",
                                          field_map=fm, style=default_style("incidents", self.day_frame, fm, lang))
        self.map_project.add_layer(self.day_layer)
        # The map shows the area of the last 56 days, so one day's few points have context.
        recent = frame[_between(self.days, periods.prev[0], periods.day)]
        self.extent = layout.extent_wgs84 or (project.extent_wgs84 if project is not None else None) \
            or _extent(recent if len(recent) else frame)

    # ---- page 1 ---------------------------------------------------------------------------
    def page_map(self, painter: QPainter, rect: QRectF, total: int) -> PageComposer:
        lo = _replace(self.layout, subtitle=self.t["p1"].format(n=len(self.day_frame), day=self.periods.day,
                                                               mean=self.mean), extent_wgs84=self.extent)
        comp = PageComposer(painter, lo, self.map_project, rect, self.map_painter_for(self.map_project))
        comp.plans = comp.plans[:1]  # a long legend is cut, not continued, in the briefing
        comp.total_pages = total
        comp.paint(painter, 0)
        self.warnings.extend(w for w in comp.report.warnings if "continues on" not in w)
        return comp

    def _chrome(self, painter: QPainter, rect: QRectF, index: int, total: int, subtitle: str) -> PageComposer:
        lo = _replace(self.layout, legend=False, subtitle=subtitle, extent_wgs84=self.extent)
        comp = PageComposer(painter, lo, self.map_project, rect, self.map_painter_for(self.map_project))
        painter.fillRect(rect, QColor("white"))
        comp.paint_title_block(painter, lo.title or self.map_project.title, subtitle)
        comp.paint_footer(painter, index, total)
        return comp

    # ---- page 2 ---------------------------------------------------------------------------
    def page_density(self, painter: QPainter, rect: QRectF, index: int, total: int) -> None:
        from mapdesk.model import Layer, Project, Style

        comp = self._chrome(painter, rect, index, total, self.t["p2"])
        k, body = comp.g.k, comp.g.body
        p = self.periods
        try:
            from mapdesk.analysis.compare import compare_periods

            cmp = compare_periods(self.frame, (p.prev[0].isoformat(), p.prev[1].isoformat()),
                                  (p.cur[0].isoformat(), p.cur[1].isoformat()), method="kde")
        except (ImportError, MapdeskError) as exc:
            self._message(painter, body, self.t["nodensity"].format(msg=exc))
            self.warnings.append(f"briefing page 2: {exc}")
            return
        legend_h = 16 * k
        gap = 4 * k
        label_h = 6 * k
        frame_h = (body.height() - legend_h - 2 * gap - 2 * label_h) / 2
        vmax = float(cmp.vmax) if cmp.vmax > 0 else 1.0
        y = body.top()
        n_a, n_b = cmp.params.get("n_a", 0), cmp.params.get("n_b", 0)
        for grid, label in ((cmp.a, self.t["prev"].format(a=p.prev[0], b=p.prev[1], n=n_a)),
                            (cmp.b, self.t["cur"].format(a=p.cur[0], b=p.cur[1], n=n_b))):
            painter.setFont(page_font(9, bold=True))
            painter.setPen(QColor("#111111"))
            draw_text(painter, QRectF(body.left(), y, body.width(), label_h),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), label)
            y += label_h
            proj = Project("density")
            # Only lines and areas (beats, metro) over a density surface: points would hide it.
            proj.layers.extend(lyr for lyr in self.context if not _is_points(lyr))
            proj.basemap = dict(self.map_project.basemap)
            lyr = Layer.from_raster(label, grid, style=Style(kind="raster", ramp="YlOrRd", vmin=0.0, vmax=vmax,
                                                             raster_opacity=0.8))
            proj.layers.insert(0, lyr)
            comp.paint_map_frame(painter, QRectF(body.left(), y, body.width(), frame_h), self.extent,
                                 self.map_painter_for(proj))
            y += frame_h + gap
        self._ramp_legend(painter, QRectF(body.left(), y, body.width(), legend_h), vmax, cmp, k)

    def _ramp_legend(self, painter: QPainter, r: QRectF, vmax: float, cmp: Any, k: float) -> None:
        from mapdesk.render.palettes import ramp

        bar = QRectF(r.left(), r.top() + 1 * k, 70 * k, 4 * k)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        colors = ramp("YlOrRd", 9)
        for i, c in enumerate(colors):
            grad.setColorAt(i / (len(colors) - 1), QColor(c))
        painter.setPen(QPen(QColor("#555555"), 0.15 * k))
        painter.setBrush(grad)
        painter.drawRect(bar)
        painter.setFont(page_font(7))
        painter.setPen(QColor("#111111"))
        units = cmp.params.get("units") or getattr(cmp.b, "units", "")
        draw_text(painter, QRectF(bar.left(), bar.bottom(), bar.width(), 4 * k), int(Qt.AlignmentFlag.AlignLeft), "0")
        draw_text(painter, QRectF(bar.left(), bar.bottom(), bar.width(), 4 * k), int(Qt.AlignmentFlag.AlignRight),
                         f"{vmax:.3g}")
        params = ", ".join(f"{key}={cmp.params[key]:.0f}" if isinstance(cmp.params[key], float)
                           else f"{key}={cmp.params[key]}"
                           for key in ("kernel", "bandwidth_m", "cell_m") if key in cmp.params)
        draw_text(painter, QRectF(bar.right() + 4 * k, r.top(), r.width() - bar.width() - 4 * k, r.height()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                         f"{units} — {self.t['scale']}\n{params}")

    # ---- page 3 ---------------------------------------------------------------------------
    def page_time(self, painter: QPainter, rect: QRectF, index: int, total: int) -> None:
        comp = self._chrome(painter, rect, index, total, self.t["p3"])
        k, body = comp.g.k, comp.g.body
        p = self.periods
        cur = self.frame[_between(self.days, *p.cur)]
        top = QRectF(body.left(), body.top(), body.width(), body.height() * 0.55)
        bottom = QRectF(body.left(), top.bottom() + 6 * k, body.width(), body.bottom() - top.bottom() - 6 * k)
        try:
            from mapdesk.analysis.temporal import daily_counts, hour_weekday_table
            from mapdesk.render.charts import paint_daily_counts, paint_hour_weekday

            table = hour_weekday_table(cur)
            paint_hour_weekday(painter, top, table, title=self.t["hw"].format(a=p.cur[0], b=p.cur[1]),
                               lang=self.lang)
            daily = daily_counts(self.frame, start=p.prev[0], end=p.day)
            paint_daily_counts(painter, bottom, daily, title=self.t["daily"].format(a=p.prev[0], b=p.day),
                               lang=self.lang)
        except (ImportError, MapdeskError, ValueError) as exc:
            self._message(painter, body, self.t["nochart"].format(msg=exc))
            self.warnings.append(f"briefing page 3: {exc}")

    # ---- page 4 ---------------------------------------------------------------------------
    def page_places(self, painter: QPainter, rect: QRectF, index: int, total: int) -> None:
        comp = self._chrome(painter, rect, index, total, self.t["p4"])
        k, body = comp.g.k, comp.g.body
        t = self.t
        y = body.top()
        cells = top_cells(self.frame, self.periods, self.cell_m)
        rows = [[str(i + 1), f"{r.lat:.5f}, {r.lon:.5f}", str(r.beat or ""), str(r.last), str(r.prev),
                 f"{r.change:+d}"] for i, r in enumerate(cells.itertuples())]
        y = self._table(painter, QRectF(body.left(), y, body.width(), body.height()),
                        f"{t['topcells']} — {t['cell'].format(m=self.cell_m)}",
                        [t["rank"], t["where"], t["beat"], t["last"], t["prevc"], t["change"]],
                        [0.06, 0.34, 0.24, 0.12, 0.12, 0.12], rows, k)
        beats = top_beats(self.frame, self.periods)
        if beats is not None and len(beats):
            rows = [[str(i + 1), str(r.beat), str(r.last), str(r.prev), f"{r.change:+d}"]
                    for i, r in enumerate(beats.itertuples())]
            y = self._table(painter, QRectF(body.left(), y + 5 * k, body.width(), body.bottom() - y),
                            t["topbeats"], [t["rank"], t["beat"], t["last"], t["prevc"], t["change"]],
                            [0.06, 0.58, 0.12, 0.12, 0.12], rows, k)
        by_type = self._by_type()
        if by_type:
            self._table(painter, QRectF(body.left(), y + 5 * k, body.width(), body.bottom() - y),
                        t["bytype"], [t["type"], t["day"], t["mean"], t["change"]], [0.52, 0.16, 0.16, 0.16],
                        by_type, k)

    def _by_type(self) -> list[list[str]]:
        from mapdesk.domain.incidents import type_label

        if "type" not in self.frame.columns:
            return []
        p = self.periods
        base = _between(self.days, p.day - dt.timedelta(days=WINDOW_DAYS), p.day - dt.timedelta(days=1))
        types = self.frame["type"].astype("string").fillna("other")
        day_counts = self.day_frame["type"].astype("string").fillna("other").value_counts()
        means = types[base].value_counts() / WINDOW_DAYS
        keys = sorted(set(day_counts.index) | set(means.index), key=lambda x: (-day_counts.get(x, 0), x))
        return [[type_label(str(kk), self.lang), str(int(day_counts.get(kk, 0))), f"{means.get(kk, 0.0):.1f}",
                 f"{day_counts.get(kk, 0) - means.get(kk, 0.0):+.1f}"] for kk in keys]

    def _table(self, painter: QPainter, r: QRectF, title: str, header: list[str], widths: list[float],
               rows: list[list[str]], k: float) -> float:
        """A simple ruled table; returns the y below it. Rows that do not fit are left out."""
        row_h = 5.2 * k
        painter.save()
        painter.setPen(QColor("#111111"))
        painter.setFont(page_font(9.5, bold=True))
        draw_text(painter, QRectF(r.left(), r.top(), r.width(), 6 * k),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)
        y = r.top() + 7 * k
        xs = [r.left()]
        for w in widths:
            xs.append(xs[-1] + w * r.width())
        for i, line in enumerate([header, *rows]):
            if y + row_h > r.bottom():
                break
            if i == 0:
                painter.fillRect(QRectF(r.left(), y, r.width(), row_h), QColor("#eeeeee"))
            painter.setFont(page_font(8, bold=(i == 0)))
            for j, cell in enumerate(line):
                align = Qt.AlignmentFlag.AlignLeft if j < len(line) - 3 or j == 0 else Qt.AlignmentFlag.AlignRight
                if j == 0:
                    align = Qt.AlignmentFlag.AlignLeft
                draw_text(painter, QRectF(xs[j] + 1 * k, y, xs[j + 1] - xs[j] - 2 * k, row_h),
                                 int(align | Qt.AlignmentFlag.AlignVCenter), cell)
            painter.setPen(QPen(QColor("#bbbbbb"), 0.15 * k))
            painter.drawLine(QRectF(r.left(), y, r.width(), row_h).bottomLeft(),
                             QRectF(r.left(), y, r.width(), row_h).bottomRight())
            painter.setPen(QColor("#111111"))
            y += row_h
        if not rows:
            painter.setFont(page_font(8))
            draw_text(painter, QRectF(r.left(), y, r.width(), row_h), int(Qt.AlignmentFlag.AlignLeft), self.t["none"])
            y += row_h
        painter.restore()
        return y

    def _message(self, painter: QPainter, r: QRectF, text: str) -> None:
        painter.save()
        painter.setFont(page_font(10))
        painter.setPen(QColor("#666666"))
        draw_text(painter, r, int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap), text)
        painter.restore()

    def texts(self) -> list[str]:
        return [*self.t.values(), self.layout.author, self.layout.source, self.layout.title]


def _is_points(lyr: Any) -> bool:
    f = lyr.frame
    try:
        return f is not None and len(f) > 0 and "Point" in str(f.geometry.geom_type.dropna().iloc[0])
    except (AttributeError, IndexError):
        return False


def _replace(layout: PageLayout, **changes: Any) -> PageLayout:
    from dataclasses import replace

    return replace(layout, **changes)


def _extent(frame: Any) -> tuple[float, float, float, float]:
    b = frame.to_crs(4326).total_bounds if frame.crs is not None else frame.total_bounds
    if not np.all(np.isfinite(b)):
        raise ExportError("the incidents have no usable locations")
    dx, dy = max((b[2] - b[0]) * 0.05, 0.002), max((b[3] - b[1]) * 0.05, 0.002)
    return (float(b[0] - dx), float(b[1] - dy), float(b[2] + dx), float(b[3] + dy))


def write_briefing(incidents: Any, out: str | Path, *, day: str | dt.date | None = None, project: Any = None,
                   lang: str = "en", overwrite: bool = False, layout: PageLayout | None = None,
                   cell_m: float = 250.0,
                   map_painter_for: Callable[[Any], MapPainter] | None = None) -> ExportResult:
    """Write the daily briefing PDF for ``day`` (default yesterday).

    Parameters
    ----------
    incidents
        Incidents with canonical columns (``type``, ``time`` or ``time_start``/``time_end``,
        optionally ``community``) as a GeoDataFrame.
    project
        Its other visible layers (trees, cameras, beats ...) and basemap are drawn under the
        incidents.
    map_painter_for
        ``project -> MapPainter`` (tests); default: the screen's renderer.
    """
    t0 = time.perf_counter()
    out = Path(out)
    if out.exists() and not overwrite:
        raise ExportError(f"{out} already exists (use --overwrite to replace it)")
    if incidents is None or len(incidents) == 0:
        raise ExportError("no incidents to brief on")
    if "geometry" not in incidents.columns:
        raise ExportError("the incidents have no locations")
    if "time" not in incidents.columns and "time_start" not in incidents.columns:
        raise ExportError("the incidents have no time field (time or time_start)")
    ensure_fonts()
    periods = Periods.for_day(parse_day(day))
    t = _t(lang)
    layout = layout or PageLayout()
    layout = _replace(layout, title=layout.title or t["title"].format(day=periods.day.isoformat()),
                      lang=lang, synthetic_note=layout.synthetic_note)
    frame = incidents.to_crs(4326) if incidents.crs is not None and not incidents.crs.equals("EPSG:4326") \
        else incidents
    doc = _Doc(frame, periods, project, lang, layout, map_painter_for or default_map_painter, cell_m)
    total = 4
    try:
        with atomic_path(out, overwrite=overwrite) as tmp:
            writer = layout_pdf_writer(tmp, layout, layout.title)
            painter = QPainter()
            if not painter.begin(writer):
                raise ExportError(f"cannot write {out}: the PDF writer could not open the file")
            try:
                rect = QRectF(0, 0, writer.width(), writer.height())
                doc.page_map(painter, rect, total)
                writer.newPage()
                doc.page_density(painter, rect, 1, total)
                writer.newPage()
                doc.page_time(painter, rect, 2, total)
                writer.newPage()
                doc.page_places(painter, rect, 3, total)
            finally:
                painter.end()
            del writer
            fix_to_unicode(tmp)
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc
    warnings = list(dict.fromkeys(doc.warnings))
    warn = missing_warning(missing_characters(doc.texts()))
    if warn:
        warnings.append(warn)
    return ExportResult([out], "pdf", total, time.perf_counter() - t0, None, warnings,
                        {"day": periods.day.isoformat(), "incidents_on_day": len(doc.day_frame),
                         "daily_mean_28d": round(float(doc.mean), 2),
                         "current_period": [d.isoformat() for d in periods.cur],
                         "previous_period": [d.isoformat() for d in periods.prev]})
