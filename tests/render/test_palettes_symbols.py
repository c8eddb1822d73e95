import numpy as np
import pandas as pd
import pytest

from mapdesk.render import palettes
from mapdesk.render.symbols import class_breaks, classify, marker_mask


def test_palettes_are_plain_distinct_hex():
    grades = [palettes.TREE_GRADE_COLORS[g] for g in (1, 2, 3, 4, None)]
    assert len(set(grades)) == 5
    assert all(c.startswith("#") and len(c) == 7 for c in grades)
    assert set(palettes.INCIDENT_TYPE_COLORS) >= {"ebike_theft", "other_theft", "fraud", "dispute",
                                                   "dog", "help_request"}
    assert len(set(palettes.INCIDENT_TYPE_COLORS.values())) == len(palettes.INCIDENT_TYPE_COLORS)


def test_ramp_endpoints_reverse_and_unknown():
    r = palettes.ramp("Blues", 5)
    assert len(r) == 5 and r[0] == "#f7fbff" and r[-1] == "#08306b"
    assert palettes.ramp("Blues_r", 5) == list(reversed(r))
    assert palettes.ramp("RdBu_r", 3)[0] == "#053061"
    assert palettes.ramp("no-such-ramp", 2) == palettes.ramp("YlOrRd", 2)
    assert palettes.ramp("viridis", 0) == []


def test_classify_categorized_matches_numbers_and_strings(make):
    frame = pd.DataFrame({"grade": [1, 2.0, "3", None, 7]})
    cats = [make.Category(1, "G1", "#ff0000"), make.Category("2", "G2", "#00ff00"),
            make.Category(3, "G3", "#0000ff"), make.Category("none", "none", "#999999")]
    sym = classify(frame, make.Style(kind="categorized", field="grade", categories=cats))
    assert sym.codes.tolist() == [0, 1, 2, 3, 3]  # unknown 7 -> the catch-all "none"
    cats[1].visible = False
    sym = classify(frame, make.Style(kind="categorized", field="grade", categories=cats))
    assert sym.codes[1] == -1 and sym.has_hidden


def test_classify_graduated_with_model_breaks_and_nodata(make):
    frame = pd.DataFrame({"v": [0.0, 1.0, 5.0, 10.0, np.nan]})
    st = make.Style(kind="graduated", field="v", breaks=[0.0, 1.0, 5.0, 10.0], ramp="Blues")
    sym = classify(frame, st)
    assert sym.codes.tolist() == [0, 0, 1, 2, 3]
    assert sym.labels[:3] == ["0 – 1", "1 – 5", "5 – 10"] and sym.labels[3] == "no data"
    auto = classify(frame, make.Style(kind="graduated", field="v", classes=2))
    assert len(auto.colors) == 3


def test_class_breaks_methods():
    v = np.arange(100, dtype=float)
    q = class_breaks(v, "quantiles", 4)
    assert q[0] == 0 and q[-1] == 99 and len(q) == 5
    e = class_breaks(v, "equal_interval", 3)
    assert e == pytest.approx([0, 33, 66, 99])
    nb = class_breaks(np.r_[np.zeros(50), np.full(50, 100.0), [50.0]], "natural_breaks", 3)
    assert nb[-1] == 100 and len(nb) >= 3


def test_size_field_scales_linearly(make):
    frame = pd.DataFrame({"dbh": [10.0, 20.0, 30.0]})
    sym = classify(frame, make.Style(size_field="dbh", size_range=(2.0, 10.0)))
    assert sym.sizes_pt.tolist() == [2.0, 6.0, 10.0]


def test_marker_masks_have_sensible_areas():
    for m in ("circle", "square", "triangle", "diamond", "cross", "star"):
        dx, dy = marker_mask(m, 9)
        assert 8 <= dx.size <= 81 and (0 in dx)
    dx, _ = marker_mask("circle", 9)
    assert abs(dx.size - np.pi * 4.5 ** 2) < 15
