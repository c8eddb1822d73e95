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


@pytest.fixture(scope="session", autouse=True)
def _qt_application():
    """One QApplication for the whole session, created before any test can start a bare
    QGuiApplication (headless renders), which could not host the widget tests after it."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["mapdesk-tests"])
    yield app


# ---- PostgreSQL + PostGIS --------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostGIS server on 127.0.0.1 for this test process (see tests/pgserver.py).
    Tests skip with the reason only when none can be started (no server binaries or PostGIS)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from pgserver import PgServer, unavailable_reason

    reason = unavailable_reason()
    if reason:
        pytest.skip(f"no PostgreSQL/PostGIS server: {reason}")
    srv = PgServer()
    try:
        srv.start()
    except RuntimeError as exc:
        srv.stop()
        pytest.skip(f"no PostgreSQL/PostGIS server: {exc}")
    yield srv
    srv.stop()


@pytest.fixture
def pg_dsn(pg_server, request) -> str:
    """A fresh PostGIS database for one test; returns its DSN (with the test password)."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return pg_server.create_database(name)
