import geopandas as gpd
import pytest
from hotspots_synthetic import make_incidents


@pytest.fixture
def incidents() -> gpd.GeoDataFrame:
    return make_incidents()
