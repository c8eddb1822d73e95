"""Writing a layer to PostGIS and loading a table as a layer (issue 9, pgio part).

Starts a throwaway server with tests/pgserver.py. 200,000 incidents (id, type, time, status,
point): ``write_table`` (one transaction: binary COPY, GiST index, ANALYZE) against writing
the same frame to a GeoPackage; ``load_table`` (whole table, role detection and date parsing)
against ``load_layer`` of that GeoPackage. No target in the issue: the numbers say what a
"Save to database" or ``mapdesk db import`` of an analysis-sized layer costs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import geopandas
import numpy as np
import pandas as pd

from run import timeit

N = 200_000
TYPES = ["ebike_theft", "other_theft", "fraud", "dispute", "dog", "help_request", "other"]


def _frame() -> geopandas.GeoDataFrame:
    rng = np.random.default_rng(7)
    t0 = np.datetime64("2023-01-01T00:00:00", "s")
    return geopandas.GeoDataFrame({
        "incident_id": [f"J{i:07d}" for i in range(N)],
        "type": pd.Categorical(np.array(TYPES)[rng.integers(0, len(TYPES), N)]),
        "time": (t0 + rng.integers(0, 730 * 86400, N).astype("timedelta64[s]")).astype("datetime64[ms]"),
        "status": np.where(rng.random(N) < 0.3, "cleared", "reported"),
    }, geometry=geopandas.points_from_xy(112.56 + rng.normal(0, 0.01, N), 37.89 + rng.normal(0, 0.01, N)),
        crs="EPSG:4326")


def run() -> list[dict]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from mapdesk.io import load_layer, save_layer
    from mapdesk.io.postgis.connections import connect
    from mapdesk.io.postgis.load import load_table
    from mapdesk.io.postgis.write import write_table
    from pgserver import PgServer, unavailable_reason

    reason = unavailable_reason()
    if reason:
        print(f"  skipped: {reason}")
        return []
    frame = _frame()
    srv = PgServer().start()
    try:
        dsn = srv.create_database("bench_pgwrite")
        with tempfile.TemporaryDirectory() as tmp:
            gpkg = Path(tmp) / "incidents.gpkg"

            def write_db():
                with connect(dsn) as conn:
                    write_table(conn, frame, "public", "incidents", mode="replace")

            def write_gpkg():
                save_layer(frame, gpkg, overwrite=True)

            w = timeit(write_db, repeat=3)
            w_ref = timeit(write_gpkg, repeat=3)
            r = timeit(lambda: load_table(dsn + "?table=public.incidents"), repeat=3)
            r_ref = timeit(lambda: load_layer(gpkg), repeat=3)
    finally:
        srv.stop()
    return [
        {"name": f"write_table {N:,} points (COPY + GiST + ANALYZE)", "median_ms": w, "ref_ms": w_ref,
         "note": "ref: the same frame to GeoPackage"},
        {"name": f"load_table {N:,} points (whole table as a layer)", "median_ms": r, "ref_ms": r_ref,
         "note": "ref: load_layer of that GeoPackage"},
    ]
