"""Export benchmarks: an A4 300-dpi PDF of the sample project (target 2 s), PNG/SVG of the same
page, and the offline HTML of 100,000 incidents (target 5 s).

The sample project comes from ``sample_data/`` when present; otherwise a comparable synthetic
project is generated. Timings are warm (fonts registered, folium imported once).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

from run import timeit  # noqa: E402


def _sample_project():
    from mapdesk.model import Project

    sample = REPO / "sample_data"
    for cand in sorted(sample.glob("*.mapdesk.json")) if sample.is_dir() else []:
        return Project.load(cand), f"sample_data/{cand.name}"
    try:
        from mapdesk.model.sample_project import build_sample_project

        if sample.is_dir():
            return build_sample_project(sample), "sample_data/ (build_sample_project)"
    except ImportError:
        pass
    return _synthetic_project(), "synthetic stand-in (no sample_data/)"


def _incidents(n: int, seed: int = 1):
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    lon = 112.56 + rng.normal(0, 0.01, n)
    lat = 37.88 + rng.normal(0, 0.008, n)
    types = rng.choice(["ebike_theft", "other_theft", "fraud", "dispute", "dog", "help_request", "other"], n)
    t = pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.integers(0, 56 * 1440, n), unit="min")
    return gpd.GeoDataFrame({"incident_id": [f"I{i:06d}" for i in range(n)], "type": types, "time": t,
                             "status": rng.choice(["reported", "cleared"], n),
                             "community": rng.choice(["新建北路社区", "胜利街社区", "大北门社区"], n)},
                            geometry=gpd.points_from_xy(lon, lat), crs=4326)


_FM = {"incident_id": "incident_id", "type": "type", "time": "time", "status": "status",
       "community": "community"}


def _synthetic_project():
    import geopandas as gpd

    from mapdesk.model import Layer, Project

    rng = np.random.default_rng(2)
    proj = Project("Julun station (synthetic)")
    proj.is_synthetic = True
    trees = gpd.GeoDataFrame({"tree_id": [f"T{i}" for i in range(400)],
                              "grade_computed": rng.choice(["1", "2", "3", "4"], 400)},
                             geometry=gpd.points_from_xy(112.56 + rng.normal(0, 0.01, 400),
                                                         37.88 + rng.normal(0, 0.008, 400)), crs=4326)
    proj.add_layer(Layer.from_frame("Trees", trees, role="trees"))
    proj.add_layer(Layer.from_frame("Incidents", _incidents(5000), role="incidents", field_map=_FM))
    return proj


def run() -> list[dict]:
    from mapdesk.export import PageLayout, export_map
    from mapdesk.export.html import export_html
    from mapdesk.model import Layer, Project

    rows = []
    project, what = _sample_project()
    tmp = Path(tempfile.mkdtemp(prefix="bench_export_"))
    pdf_layout = PageLayout(title="Bench 巨轮派出所", dpi=300)
    ms = timeit(lambda: export_map(project, tmp / "a4.pdf", pdf_layout, overwrite=True), repeat=5)
    rows.append({"name": "export A4 300-dpi PDF, sample project", "median_ms": ms, "target_ms": 2000,
                 "note": what})
    ms = timeit(lambda: export_map(project, tmp / "a4.png", PageLayout(title="Bench", dpi=150), overwrite=True),
                repeat=3)
    rows.append({"name": "export A4 150-dpi PNG, sample project", "median_ms": ms})
    ms = timeit(lambda: export_map(project, tmp / "a4.svg", PageLayout(title="Bench"), overwrite=True), repeat=3)
    rows.append({"name": "export A4 SVG, sample project", "median_ms": ms})
    big = Project("100k incidents")
    big.add_layer(Layer.from_frame("Incidents", _incidents(100_000), role="incidents", field_map=_FM))
    ms = timeit(lambda: export_html(big, tmp / "big.html", overwrite=True), repeat=3)
    size_mb = (tmp / "big.html").stat().st_size / 1e6
    rows.append({"name": "export HTML, 100,000 incidents (clustered)", "median_ms": ms, "target_ms": 5000,
                 "note": f"{size_mb:.1f} MB"})
    opened = _open_in_webengine(tmp / "big.html")
    if opened is not None:
        rows.append(opened)
    return rows


def _open_in_webengine(path: Path) -> dict | None:
    """Load time of the page in QtWebEngine offscreen, until the clusters are drawn."""
    import json
    import os
    import subprocess

    probe = REPO / "tests" / "export" / "webcheck.py"
    try:
        import PySide6.QtWebEngineCore  # noqa: F401
    except ImportError:
        return None
    if not probe.exists():
        return None
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QTWEBENGINE_DISABLE_SANDBOX="1")
    res = subprocess.run([sys.executable, str(probe), str(path), "60"], capture_output=True, text=True,
                         timeout=120, env=env)
    try:
        rep = json.loads(res.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"name": "open HTML 100,000 incidents in QtWebEngine", "median_ms": float("nan"),
                "note": "QtWebEngine did not report"}
    ok = rep.get("loaded") and not [m for m in rep.get("console", []) if m["level"] >= 2]
    offline = all(u.startswith(("file:", "data:")) for u in rep.get("requests", []))
    return {"name": "open HTML 100,000 incidents in QtWebEngine (drawn)", "median_ms": float(rep.get("probe_ms", 0)),
            "note": f"loaded={bool(rep.get('loaded'))} js_errors={not ok} offline={offline} "
                    f"clusters={rep.get('probe', {}).get('clusters')}"}


if __name__ == "__main__":
    for r in run():
        print(r)
