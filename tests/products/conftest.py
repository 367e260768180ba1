import pytest

from tests.producers.conftest import (  # noqa: F401
    catalogue,
    council_member,
    lai_vung,
    thap_muoi,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploads of a test go to its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
