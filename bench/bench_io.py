"""Loading 1M incident points (GeoParquet, GeoPackage, CSV) against the bare libraries, and
filtering them by date range + type.

Targets (issue 2): GeoParquet within 1.5x a bare ``geopandas.read_parquet`` of the same file;
CSV within 2x bare ``pyarrow.csv.read_csv`` + ``points_from_xy``; the filter <= 50 ms median.
"""

from __future__ import annotations

from pathlib import Path

import geopandas
import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyogrio

from mapdesk.io import load_layer
from mapdesk.model import Filter, Layer
from run import timeit

N = 1_000_000
DATA = Path(__file__).resolve().parents[1] / ".bench_data" / "io"
TYPES = ["ebike_theft", "other_theft", "fraud", "dispute", "dog", "help_request", "other"]


def _frame() -> geopandas.GeoDataFrame:
    rng = np.random.default_rng(42)
    t0 = np.datetime64("2023-01-01T00:00:00", "s")
    times = t0 + rng.integers(0, 730 * 86400, N).astype("timedelta64[s]")
    frame = pd.DataFrame({
        "incident_id": [f"J{i:07d}" for i in range(N)],
        "type": np.array(TYPES)[rng.integers(0, len(TYPES), N)],
        "time": times.astype("datetime64[ms]"),
        "status": np.where(rng.random(N) < 0.3, "cleared", "reported"),
        "lon": 112.56 + rng.normal(0, 0.01, N),
        "lat": 37.89 + rng.normal(0, 0.01, N),
    })
    return geopandas.GeoDataFrame(frame, geometry=geopandas.points_from_xy(frame["lon"], frame["lat"]),
                                  crs="EPSG:4326")


def _files() -> dict[str, Path]:
    DATA.mkdir(parents=True, exist_ok=True)
    files = {"parquet": DATA / "incidents_1m.parquet", "gpkg": DATA / "incidents_1m.gpkg",
             "csv": DATA / "incidents_1m.csv"}
    if all(p.exists() for p in files.values()):
        return files
    frame = _frame()
    frame.drop(columns=["lon", "lat"]).to_parquet(files["parquet"])
    pyogrio.write_dataframe(frame.drop(columns=["lon", "lat"]), files["gpkg"], layer="incidents")
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table["time"] = table["time"].dt.strftime("%Y-%m-%d %H:%M:%S")
    table.to_csv(files["csv"], index=False)
    return files


def _bare_csv(path: Path) -> geopandas.GeoDataFrame:
    df = pacsv.read_csv(path).to_pandas()
    return geopandas.GeoDataFrame(df, geometry=geopandas.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")


def run() -> list[dict]:
    files = _files()
    rows = []
    pairs = [
        ("parquet", lambda: geopandas.read_parquet(files["parquet"]), 1.5),
        ("csv", lambda: _bare_csv(files["csv"]), 2.0),
        ("gpkg", lambda: pyogrio.read_dataframe(files["gpkg"], use_arrow=True), None),
    ]
    for kind, bare, factor in pairs:
        # Side by side in one run, interleaved so both see the same machine state.
        ref = timeit(bare, repeat=3)
        ours = timeit(lambda k=kind: load_layer(files[k]), repeat=3)
        ref = min(ref, timeit(bare, repeat=3))
        row = {"name": f"io: load 1M incidents from {kind} (load_layer)", "median_ms": ours,
               "ref_ms": ref, "note": f"{ours / ref:.2f}x the bare read"}
        if factor:
            row["target_ms"] = round(factor * ref, 1)
            row["note"] += f" (target <= {factor}x)"
        rows.append(row)

    loaded = load_layer(files["parquet"])
    assert loaded.frame["time"].dtype.kind == "M"
    flt = Filter(categories={"type": ["ebike_theft", "other_theft"]},
                 date_from="2023-03-01", date_to="2023-08-31")

    def cold() -> None:  # a new layer: the column caches are built inside the timing
        Layer.from_frame("inc", loaded.frame, role="incidents", field_map=loaded.field_map).set_filter(flt)

    lyr = Layer.from_frame("inc", loaded.frame, role="incidents", field_map=loaded.field_map)
    ms = timeit(lambda: lyr.set_filter(flt), repeat=21)
    rows.append({"name": "model: filter 1M incidents by date range + type", "median_ms": ms,
                 "target_ms": 50.0, "note": f"{int(lyr.filter_mask().sum()):,} rows pass"})
    rows.append({"name": "model: same, first filter of a new layer (caches cold)",
                 "median_ms": timeit(cold, repeat=5)})
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
