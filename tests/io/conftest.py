import hashlib
from pathlib import Path

import geopandas as gpd
import pytest


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def sha256():
    """Hash of a file, to prove a source file was not modified by loading it."""
    return _sha256


@pytest.fixture
def points4326() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"name": ["大北门", "胜利街", "国槐"], "value": [1, 2, 3]},
        geometry=gpd.points_from_xy([112.562, 112.5622, 112.56], [37.8885, 37.8975, 37.89]),
        crs="EPSG:4326",
    )


@pytest.fixture
def write_bytes(tmp_path):
    def _write(name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
        p = tmp_path / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
        return p

    return _write


@pytest.fixture
def realdata() -> Path:
    """../shared/realdata, looked for above the repo (a worktree sits one level deeper)."""
    import os

    here = Path(__file__).resolve()
    candidates = [Path(os.environ["MAPDESK_REALDATA"])] if os.environ.get("MAPDESK_REALDATA") else []
    candidates += [parent / "shared" / "realdata" for parent in here.parents]
    for c in candidates:
        if c.is_dir():
            return c
    pytest.skip("../shared/realdata is absent")
