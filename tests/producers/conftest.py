import pytest

from ocop_portal import demo
from products.catalogue import load_catalogue


@pytest.fixture
def catalogue(dong_thap):
    """The product classifications (148, 1048) and the dossier document types."""
    load_catalogue()


@pytest.fixture
def lai_vung(dong_thap):
    return demo.unit("876")


@pytest.fixture
def thap_muoi(dong_thap):
    return demo.unit("872")


@pytest.fixture
def council_member(personas):
    """A user without a programme role: sits on councils, sees no registers."""
    from accounts.models import User

    return User.objects.create_user(username="member", password="x")
