import numpy as np
import pytest
import shapely

from mapdesk.analysis.bins import hex_counts, hex_index, hex_polygons, square_counts
from mapdesk.analysis.projection import point_coords, to_metric
from mapdesk.errors import AnalysisError


def test_square_counts(incidents):
    cells = square_counts(incidents, 100)
    assert cells["count"].sum() == len(incidents)
    assert cells.crs.to_epsg() == 32649
    assert (cells["count"] > 0).all()
    p = cells.attrs["params"]
    assert p["method"] == "grid" and p["cell_m"] == 100 and p["n_points"] == len(incidents)
    assert np.allclose(cells.area, 100 * 100)
    assert np.allclose(cells["density_per_km2"], cells["count"] * 100)
    # every incident lies in the cell that counted it
    pts = to_metric(incidents)
    joined = pts.sjoin(cells, predicate="within")
    assert len(joined) == len(incidents)
    assert (joined.groupby("cell_id").size().sort_index()
            == cells.set_index("cell_id")["count"].sort_index()).all()
    full = square_counts(incidents, 100, include_empty=True)
    b = full.attrs["params"]["grid_bounds"]
    assert len(full) == round((b[2] - b[0]) / 100) * round((b[3] - b[1]) / 100)
    assert full["count"].sum() == len(incidents)


def test_hex_index_is_nearest_centre():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1000, 1000, 20000), rng.uniform(-1000, 1000, 20000)
    row, col = hex_index(x, y, 50.0)
    cx = (col + 0.5 * (row & 1)) * 50.0
    cy = row * 50.0 * np.sqrt(3) / 2
    poly = hex_polygons(cx, cy, 50.0)
    assert shapely.covers(poly, shapely.points(x, y)).all()


def test_hex_counts(incidents):
    cells = hex_counts(incidents, 80)
    assert cells["count"].sum() == len(incidents)
    assert np.allclose(cells.area, np.sqrt(3) / 2 * 80 ** 2)
    pts = to_metric(incidents)
    joined = pts.sjoin(cells, predicate="within")
    assert len(joined) == len(incidents)
    # the lattice is anchored: a subset's hexagons coincide with the full set's
    sub = hex_counts(incidents.iloc[:100], 80)
    m = sub.merge(cells[["row", "col", "geometry"]], on=["row", "col"])
    assert len(m) == len(sub)
    assert shapely.equals_exact(np.asarray(m["geometry_x"].array), np.asarray(m["geometry_y"].array),
                                tolerance=1e-6).all()
    full = hex_counts(incidents, 80, include_empty=True)
    assert full["count"].sum() == len(incidents) and len(full) > len(cells)


def test_bins_bad_input(incidents):
    with pytest.raises(AnalysisError, match="cell size"):
        square_counts(incidents, 0)
    with pytest.raises(AnalysisError, match="no incidents"):
        hex_counts(incidents.iloc[:0], 100)
    with pytest.raises(AnalysisError, match="largest allowed"):
        square_counts(incidents, 0.03, include_empty=True)


def test_point_coords_skips_missing(incidents):
    f = incidents.copy()
    f.loc[f.index[:3], "geometry"] = None
    x, y, ok = point_coords(f)
    assert (~ok).sum() == 3
    cells = square_counts(f, 100)
    assert cells["count"].sum() == len(f) - 3
    assert cells.attrs["params"]["n_skipped"] == 3
