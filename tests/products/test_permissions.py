import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from products.services import add_photo
from products.urls import urlpatterns
from tests.producers.matrix import clients, mismatches
from tests.products.factories import (
    DocumentFactory,
    DossierFactory,
    complete,
    png_bytes,
)

pytestmark = pytest.mark.usefixtures("catalogue")

COVERED_URL_NAMES = {
    "products:product-list",
    "products:product-export",
    "products:product-create",
    "products:product-detail",
    "products:product-edit",
    "products:photo-add",
    "products:photo",
    "products:dossier-create",
    "products:dossier-list",
    "products:dossier-export",
    "products:dossier-detail",
    "products:dossier-edit",
    "products:document-add",
    "products:document-download",
    "products:document-remove",
    "products:dossier-submit",
    "products:dossier-return",
    "products:dossier-accept",
    "products:dossier-commune-check",
}

ANON = (302, 302)
LIST = {
    "anonymous": ANON,
    "laivung": (200, 405),
    "thapmuoi": (200, 405),
    "province": (200, 405),
    "council": (403, 405),
}
# A Lai Vung object seen through a GET-only page.
READ = {
    "anonymous": ANON,
    "laivung": (200, 405),
    "thapmuoi": (404, 405),
    "province": (200, 405),
    "council": (404, 405),
}
# A form page of the district officer (an empty POST shows the form's errors).
DISTRICT_FORM = {
    "anonymous": ANON,
    "laivung": (200, 200),
    "thapmuoi": (404, 404),
    "province": (403, 403),
    "council": (404, 404),
}


def _post_only(laivung: int, province: int) -> dict:
    return {
        "anonymous": ANON,
        "laivung": (405, laivung),
        "thapmuoi": (405, 404),
        "province": (405, province),
        "council": (405, 404),
    }


EXPECTED = {
    "products:product-list": LIST,
    "products:product-export": LIST,
    "products:dossier-list": LIST,
    "products:dossier-export": LIST,
    "products:product-create": DISTRICT_FORM,
    "products:product-detail": READ,
    "products:product-edit": DISTRICT_FORM,
    "products:photo-add": _post_only(laivung=200, province=403),
    "products:photo": READ,
    "products:dossier-create": DISTRICT_FORM,
    "products:dossier-detail": READ,
    # An empty POST is a valid edit (the self-assessment score is optional).
    "products:dossier-edit": {**DISTRICT_FORM, "laivung": (200, 302)},
    "products:document-add": _post_only(laivung=200, province=403),
    "products:document-download": READ,
    "products:document-remove": _post_only(laivung=302, province=403),
    # The draft lacks documents: refused with a message and a redirect.
    "products:dossier-submit": _post_only(laivung=302, province=403),
    # On a submitted dossier: an empty reason shows the page with the error.
    "products:dossier-return": _post_only(laivung=403, province=200),
    "products:dossier-accept": _post_only(laivung=403, province=302),
    # The commune's page: no 2021 persona is a commune officer (tests/products/
    # test_process.py covers the commune officers of 2026).
    "products:dossier-commune-check": {
        "anonymous": ANON,
        "laivung": (403, 403),
        "thapmuoi": (404, 404),
        "province": (403, 403),
        "council": (404, 404),
    },
}


def test_every_url_of_the_app_is_in_the_matrix():
    defined = {f"products:{pattern.name}" for pattern in urlpatterns}
    assert defined == COVERED_URL_NAMES == set(EXPECTED)


@pytest.fixture
def objects(personas):
    """Lai Vung records: a draft dossier with one document, a submitted one."""
    draft = DossierFactory()
    document = DocumentFactory(dossier=draft)
    product = draft.product
    photo = add_photo(
        product=product,
        user=personas["laivung"],
        upload=SimpleUploadedFile("a.png", png_bytes()),
    )
    submitted = complete(DossierFactory(submitted=True, year=2022, product=product))
    return {
        "products:product-create": [product.producer.pk],
        "products:product-detail": [product.pk],
        "products:product-edit": [product.pk],
        "products:photo-add": [product.pk],
        "products:photo": [photo.pk],
        "products:dossier-create": [product.pk],
        "products:dossier-detail": [draft.pk],
        "products:dossier-edit": [draft.pk],
        "products:document-add": [draft.pk],
        "products:document-download": [document.pk],
        "products:document-remove": [document.pk],
        "products:dossier-submit": [draft.pk],
        "products:dossier-return": [submitted.pk],
        "products:dossier-accept": [submitted.pk],
        "products:dossier-commune-check": [submitted.pk],
    }


@pytest.mark.parametrize("name", sorted(COVERED_URL_NAMES))
def test_permission_matrix(name, personas, council_member, objects):
    url = reverse(name, args=objects.get(name, []))
    assert mismatches(clients(personas, council_member), url, EXPECTED[name]) == []
