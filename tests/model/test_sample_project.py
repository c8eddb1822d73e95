import json

from mapdesk.model import Project
from mapdesk.model.sample_project import build_sample_project, write_sample_project


def test_committed_sample_project_opens_with_every_layer(sample_dir):
    p = Project.load(sample_dir / "sample.mapdesk.json")
    assert p.is_synthetic
    roles = {lyr.role for lyr in p.layers}
    assert {"trees", "incidents", "cameras"} <= roles
    assert all(lyr.status == "ok" for lyr in p.layers), [(lyr.name, lyr.error) for lyr in p.layers]
    counts = {lyr.role: lyr.feature_count()[1] for lyr in p.layers if lyr.role != "generic"}
    assert counts["trees"] == 400 and counts["cameras"] == 59 and counts["incidents"] > 2500
    lon0, lat0, lon1, lat1 = p.extent_wgs84
    assert 112.5 < lon0 < lon1 < 112.6 and 37.85 < lat0 < lat1 < 37.93


def test_committed_sample_project_matches_a_fresh_build(sample_dir, tmp_path):
    fresh = build_sample_project(sample_dir).to_dict(sample_dir.resolve())
    committed = json.loads((sample_dir / "sample.mapdesk.json").read_text(encoding="utf-8"))
    assert fresh == committed


def test_project_round_trip_is_identical(sample_dir, tmp_path):
    import shutil

    for f in sample_dir.iterdir():
        shutil.copy(f, tmp_path / f.name)
    path = write_sample_project(tmp_path)
    first = path.read_text(encoding="utf-8")
    Project.load(path).save(path)
    assert path.read_text(encoding="utf-8") == first
