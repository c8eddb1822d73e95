import pytest
from export_factories import make_project, stub_paint_map


@pytest.fixture
def project():
    return make_project()


@pytest.fixture
def stub_map():
    return stub_paint_map
