import sys
from pathlib import Path

from mapdesk.analysis.density import kernel_density
from mapdesk.analysis.hotspots import gistar_incidents
from mapdesk.render.legend_params import legend_lines, legend_note

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from hotspots_synthetic import make_incidents  # noqa: E402


def test_kde_lines_state_units_bandwidth_cell_period_filter():
    g = kernel_density(make_incidents(), cell_m=20, filter_text="type in ebike_theft",
                       period="2026-09-01 to 2026-09-30")
    lines = legend_lines(g.params, g.units)
    assert lines[0] == "incidents per km²"
    bw = round(g.params["bandwidth_m"])
    assert lines[1] == f"Kernel density: quartic, bandwidth {bw:,} m (ArcGIS default rule)"
    assert "cell 20 m" in lines
    assert "period 2026-09-01 to 2026-09-30" in lines
    assert "filter: type in ebike_theft" in lines
    assert "600 incidents" in lines
    zh = legend_lines(g.params, lang="zh")
    assert zh[0].startswith("核密度") and "带宽" in zh[0]


def test_gistar_and_counts_lines():
    gi = gistar_incidents(make_incidents(), cell_m=100, distance_m=250, fdr=True)
    lines = legend_lines(gi.attrs["params"])
    assert lines[0] == "Getis-Ord Gi*: distance band 250 m + FDR"
    assert "cell 100 m" in lines
    assert "filter" not in " ".join(lines)  # all incidents: nothing to say
    assert legend_lines({"method": "hex", "cell_m": 150.0}) == ["Counts: hexagons", "cell 150 m"]
    assert legend_lines(None) == [] and legend_lines({}, "x") == ["x"]
    assert legend_note({"method": "grid", "cell_m": 2.5}, "incidents per cell") == \
        "incidents per cell; Counts: square cells; cell 2.5 m"
