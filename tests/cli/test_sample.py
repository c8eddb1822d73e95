"""``mapdesk sample-data``: writes the files, refuses to overwrite without the flag."""

from mapdesk.cli import main
from mapdesk.domain.sample_data import FILES


def test_cli_sample_data(tmp_path, capsys):
    target = tmp_path / "new" / "folder"
    assert main(["sample-data", "--out", str(target), "--seed", "3"]) == 0
    assert sorted(p.name for p in target.iterdir()) == sorted([*FILES.values(), "sample.mapdesk.json"])
    from mapdesk.model import Project

    proj = Project.load(target / "sample.mapdesk.json")
    assert all(lyr.status == "ok" for lyr in proj.layers) and len(proj.layers) == 7
    assert main(["sample-data", "--out", str(target), "--seed", "3"]) == 2
    assert "--overwrite" in capsys.readouterr().err
    assert main(["sample-data", "--out", str(target), "--seed", "3", "--overwrite"]) == 0


def test_cli_sample_data_bad_seed(tmp_path, capsys):
    assert main(["sample-data", "--out", str(tmp_path), "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mapdesk: error:") and "seed" in err and "Traceback" not in err
    assert not any(tmp_path.iterdir())
