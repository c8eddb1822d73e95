import pytest
from export_factories import make_project, stub_paint_map


@pytest.fixture
def project():
    return make_project()


@pytest.fixture
def stub_map():
    return stub_paint_map


@pytest.fixture(autouse=True)
def _widgets_capable_app(qapp):
    """Export code creates a QGuiApplication when none runs; a widget test later in the same
    session would then abort. pytest-qt's QApplication, created first, serves both."""
    return qapp
