import os
from pathlib import Path

# Qt must never look for a display in tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
os.environ.setdefault("MAPDESK_NO_NETWORK", "1")

import pytest  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
REALDATA = next((p for p in (REPO.parent / "shared" / "realdata", Path("/work/shared/realdata"))
                 if p.is_dir()), REPO.parent / "shared" / "realdata")
SAMPLE = REPO / "sample_data"


@pytest.fixture
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip("../shared/realdata is absent")
    return REALDATA


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE
