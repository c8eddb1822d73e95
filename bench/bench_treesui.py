"""Registry view: printing tree records and the census work list (PDF).

Uses the shipped synthetic registry (400 trees) and a 4,000-tree registry made from it by
copying with shifted positions and new ids (cached under ``.bench_data/``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".bench_data"
AS_OF = "2026-11-28"


def _registry():
    from mapdesk.io import load_layer
    from mapdesk.io.schema import to_canonical

    loaded = load_layer(str(REPO / "sample_data" / "trees.csv"))
    return to_canonical(loaded.frame, loaded.field_map)


def _big(frame, copies: int = 10):
    import geopandas as gpd

    path = CACHE / f"treesui_registry_{copies}x.parquet"
    if path.exists():
        return gpd.read_parquet(path)
    rng = np.random.default_rng(7)
    parts = []
    for i in range(copies):
        part = frame.copy()
        part["tree_id"] = [f"B{i:02d}-{k:05d}" for k in range(len(part))]
        dx, dy = rng.normal(0, 0.004, 2)
        part = part.set_geometry(part.geometry.translate(dx, dy))
        parts.append(part)
    big = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=frame.crs)
    CACHE.mkdir(exist_ok=True)
    big.to_parquet(path)
    return big


def run() -> list[dict]:
    from mapdesk.domain.trees import census_state, grade_trees
    from mapdesk.export.census_worklist import write_census_worklist
    from mapdesk.export.tree_record import write_tree_records
    from mapdesk.model import Project
    from run import timeit

    reg = census_state(grade_trees(_registry(), as_of=AS_OF), AS_OF)
    big = _big(reg)
    context = Project.load(REPO / "sample_data" / "sample.mapdesk.json")
    ids50 = list(reg["tree_id"].astype(str)[:50])
    tmp = Path(tempfile.mkdtemp())
    rows = [
        {"name": "tree record, 1 page (400-tree registry, sample context layers)",
         "median_ms": timeit(lambda: write_tree_records(reg, [ids50[0]], tmp / "one.pdf", lang="zh_CN",
                                                        as_of=AS_OF, context_layers=context), repeat=5),
         "target_ms": 1000},
        {"name": "tree records, 50 pages (400-tree registry, sample context layers)",
         "median_ms": timeit(lambda: write_tree_records(reg, ids50, tmp / "fifty.pdf", lang="zh_CN",
                                                        as_of=AS_OF, context_layers=context), repeat=3),
         "target_ms": 10000, "note": "target: 0.2 s a page"},
        {"name": "census work list PDF, 400 trees",
         "median_ms": timeit(lambda: write_census_worklist(reg, tmp / "wl.pdf", as_of=AS_OF, lang="zh_CN"),
                             repeat=3),
         "target_ms": 2000},
        {"name": "census work list PDF, 4,000 trees",
         "median_ms": timeit(lambda: write_census_worklist(big, tmp / "wl_big.pdf", as_of=AS_OF, lang="zh_CN"),
                             repeat=3),
         "target_ms": 10000},
    ]
    return rows
