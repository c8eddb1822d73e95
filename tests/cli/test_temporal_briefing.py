"""``mapdesk temporal --briefing DATE``: the day against the previous 28 days."""

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

from mapdesk.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "analysis"))
from hotspots_synthetic import make_incidents  # noqa: E402


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("brief") / "incidents.gpkg"
    frame = make_incidents()
    frame.to_file(path, driver="GPKG")
    return path, frame


def _run(capsys, *argv):
    rc = main(list(map(str, argv)))
    cap = capsys.readouterr()
    return rc, cap.out, cap.err


def test_briefing_csv_and_json(source, tmp_path, capsys):
    path, frame = source
    out = tmp_path / "brief.csv"
    rc, stdout, err = _run(capsys, "temporal", path, "--briefing", "2026-10-20", "--out", out, "--json")
    assert rc == 0, err
    doc = json.loads(stdout)
    d = frame["time"].dt.normalize()
    day = d == pd.Timestamp("2026-10-20")
    base = (d >= pd.Timestamp("2026-09-22")) & (d < pd.Timestamp("2026-10-20"))
    first = doc["rows"][0]
    assert first["group"] == "all" and first["count"] == int(day.sum())
    assert first["baseline_mean"] == pytest.approx(base.sum() / 28)
    assert doc["params"]["baseline_start"] == "2026-09-22" and doc["params"]["baseline_end"] == "2026-10-19"
    by_type = {r["key"]: r for r in doc["rows"] if r["group"] == "type"}
    ebike = frame["type"] == "ebike_theft"
    assert by_type["ebike_theft"]["count"] == int((day & ebike).sum())
    assert by_type["ebike_theft"]["baseline_mean"] == pytest.approx((base & ebike).sum() / 28)
    beats = {r["key"] for r in doc["rows"] if r["group"] == "community"}
    assert beats == set(frame["community"])
    table = pd.read_csv(out, encoding="utf-8-sig")
    assert list(table.columns) == ["group", "key", "label", "count", "baseline_mean", "diff", "ratio"]
    assert len(table) == len(doc["rows"])


def test_briefing_console_latest_and_baseline(source, capsys):
    path, frame = source
    rc, stdout, err = _run(capsys, "temporal", path, "--briefing", "latest", "--baseline-days", "7",
                           "--type", "ebike_theft", "--lang", "zh")
    assert rc == 0, err
    assert "2026-10-30" in stdout and "7-day mean" in stdout
    assert "电动车" in stdout  # type labels in Chinese
    lines = stdout.splitlines()
    assert any(line.startswith("all") for line in lines)


@pytest.mark.parametrize("extra, msg", [
    (["--briefing", "someday"], "not a date"),
    (["--briefing", "2026-10-20", "--out", "x.png"], "FILE.csv"),
    (["--briefing", "2026-10-20", "--from", "2026-10-01"], "--from/--to"),
    (["--briefing", "2026-10-20", "--baseline-days", "0"], "at least 1"),
    ([], "--out"),
])
def test_briefing_bad_input(source, tmp_path, capsys, extra, msg):
    path, _ = source
    argv = [tmp_path / a if a == "x.png" else a for a in extra]
    rc, _, err = _run(capsys, "temporal", path, *argv)
    assert rc == 2 and msg in err, err
