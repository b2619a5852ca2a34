import copy

import pytest

from sn_site.map_tiles import tile_origins


@pytest.fixture
def map_tiles(settings):
    """map_tiles(url, attribution="..."): a street map tile server configured as the environment
    would configure it (sn_site/settings/base.py), its origins in the policy's img-src included."""

    def configure(url: str, attribution: str = "Test tiles © Example Mapping") -> None:
        settings.SN_MAP_TILES_URL, settings.SN_MAP_TILES_ATTRIBUTION = url, attribution
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["img-src"] = [*policy["DIRECTIVES"]["img-src"], *tile_origins(url, attribution)]
        settings.CONTENT_SECURITY_POLICY = policy

    return configure
