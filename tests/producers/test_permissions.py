import pytest

from django.urls import reverse

from producers.urls import urlpatterns
from tests.producers.factories import ProducerFactory
from tests.producers.matrix import clients, mismatches

COVERED_URL_NAMES = {
    "producers:producer-list",
    "producers:producer-export",
    "producers:producer-create",
    "producers:producer-detail",
    "producers:producer-edit",
    "producers:producer-archive",
}

# Who gets what, for a producer of Lai Vung: (GET, POST). Anonymous → login;
# another district → 404; in scope but not allowed → 403; wrong method → 405.
# A POST with no data that is allowed answers 200 with the form's errors.
ANON = (302, 302)
EXPECTED = {
    "producers:producer-list": {
        "anonymous": ANON,
        "laivung": (200, 405),
        "thapmuoi": (200, 405),
        "province": (200, 405),
        "council": (403, 405),
    },
    "producers:producer-export": {
        "anonymous": ANON,
        "laivung": (200, 405),
        "thapmuoi": (200, 405),
        "province": (200, 405),
        "council": (403, 405),
    },
    "producers:producer-create": {
        "anonymous": ANON,
        "laivung": (200, 200),
        "thapmuoi": (200, 200),
        "province": (403, 403),
        "council": (403, 403),
    },
    "producers:producer-detail": {
        "anonymous": ANON,
        "laivung": (200, 405),
        "thapmuoi": (404, 405),
        "province": (200, 405),
        "council": (404, 405),
    },
    "producers:producer-edit": {
        "anonymous": ANON,
        "laivung": (200, 200),
        "thapmuoi": (404, 404),
        "province": (403, 403),
        "council": (404, 404),
    },
    "producers:producer-archive": {
        "anonymous": ANON,
        "laivung": (405, 200),
        "thapmuoi": (405, 404),
        "province": (405, 403),
        "council": (405, 404),
    },
}


def test_every_url_of_the_app_is_in_the_matrix():
    defined = {f"producers:{pattern.name}" for pattern in urlpatterns}
    assert defined == COVERED_URL_NAMES == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(COVERED_URL_NAMES))
def test_permission_matrix(name, personas, council_member):
    producer = ProducerFactory()
    needs_pk = name not in {
        "producers:producer-list",
        "producers:producer-export",
        "producers:producer-create",
    }
    url = reverse(name, args=[producer.pk] if needs_pk else [])
    assert mismatches(clients(personas, council_member), url, EXPECTED[name]) == []
