"""Permission matrix for every plans URL: persona × method → status.

Objects: the 2021 plan and a target (province), a training (province) with one
attendee from Lai Vung, a sales point in Lai Vung. Anonymous → login; out of scope →
404; in scope but not allowed → 403; wrong method → 405. An allowed POST with no data
answers 200 with the form's errors, or redirects for buttons.
"""

import pytest

from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import User
from plans.urls import urlpatterns
from tests.plans.factories import SalesPointFactory, TrainingFactory, attend

COVERED_URL_NAMES = {
    "plans:dashboard",
    "plans:dashboard-export",
    "plans:plan-list",
    "plans:plan-create",
    "plans:plan-detail",
    "plans:plan-edit",
    "plans:plan-status",
    "plans:plan-refresh",
    "plans:target-create",
    "plans:target-edit",
    "plans:target-delete",
    "plans:training-list",
    "plans:training-create",
    "plans:training-detail",
    "plans:training-edit",
    "plans:attendance-add",
    "plans:attendance-remove",
    "plans:salespoint-list",
    "plans:salespoint-create",
    "plans:salespoint-detail",
    "plans:salespoint-edit",
}

PERSONAS = ["anonymous", "province", "admin", "laivung", "thapmuoi", "council"]
ANON = (302, 302)


def row(province, laivung, thapmuoi, council, admin=None):
    """(GET, POST) per persona; the administrator acts like the provincial officer
    unless said otherwise."""
    return {
        "anonymous": ANON,
        "province": province,
        "admin": admin or province,
        "laivung": laivung,
        "thapmuoi": thapmuoi,
        "council": council,
    }


READ_ALL = row((200, 405), (200, 405), (200, 405), (403, 405))
PROVINCE_FORM = row((200, 200), (403, 403), (403, 403), (403, 403))
OBJECT_FORM = row((200, 200), (403, 403), (403, 403), (404, 404))
OBJECT_PAGE = row((200, 405), (200, 405), (200, 405), (404, 405))
BUTTON = row((405, 302), (405, 403), (405, 403), (405, 404))

EXPECTED = {
    "plans:dashboard": READ_ALL,
    "plans:dashboard-export": READ_ALL,
    "plans:plan-list": READ_ALL,
    "plans:plan-create": PROVINCE_FORM,
    "plans:plan-detail": OBJECT_PAGE,
    "plans:plan-edit": OBJECT_FORM,
    "plans:plan-status": BUTTON,
    "plans:plan-refresh": BUTTON,
    "plans:target-create": OBJECT_FORM,
    "plans:target-edit": OBJECT_FORM,
    "plans:target-delete": BUTTON,
    "plans:training-list": READ_ALL,
    "plans:training-create": PROVINCE_FORM,
    "plans:training-detail": OBJECT_PAGE,
    "plans:training-edit": OBJECT_FORM,
    # A provincial officer must pick a district first (redirect with a message); a
    # district officer's empty choice is a form error.
    "plans:attendance-add": row((405, 302), (405, 200), (405, 200), (405, 404)),
    # The attendee is from Lai Vung: Tháp Mười's officer does not see the record.
    "plans:attendance-remove": row((405, 302), (405, 302), (405, 404), (405, 404)),
    "plans:salespoint-list": READ_ALL,
    "plans:salespoint-create": PROVINCE_FORM,
    # The sales point is in Lai Vung.
    "plans:salespoint-detail": row((200, 405), (200, 405), (404, 405), (404, 405)),
    "plans:salespoint-edit": row((200, 200), (403, 403), (404, 404), (404, 404)),
}


def test_every_url_of_the_app_is_in_the_matrix():
    defined = {f"plans:{pattern.name}" for pattern in urlpatterns}
    assert defined == COVERED_URL_NAMES == set(EXPECTED)


@pytest.fixture
def objects(plan_2021, personas):
    training = TrainingFactory()
    attendance = attend(training, personas["laivung"])
    point = SalesPointFactory(district_code="876")
    return {
        "plan": plan_2021,
        "target": plan_2021.targets.first(),
        "training": training,
        "attendance": attendance,
        "salespoint": point,
    }


def url_for(name: str, objects) -> str:
    short = name.split(":")[1]
    if short in {
        "dashboard",
        "dashboard-export",
        "plan-list",
        "plan-create",
        "training-list",
        "training-create",
        "salespoint-list",
        "salespoint-create",
    }:
        return reverse(name)
    # URLs that add to an object take the parent's id.
    parent = {"attendance-add": "training", "target-create": "plan"}
    noun = parent.get(short, short.split("-")[0])
    return reverse(name, args=[objects[noun].pk])


def client_of(username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("name", sorted(COVERED_URL_NAMES))
def test_permission_matrix(name, objects):
    # A council member without a programme role: sees no plan, no training.
    User.objects.create_user(username="council", password="x")
    url = url_for(name, objects)
    if name == "plans:dashboard-export":
        url += "?year=2021"
    got = {}
    for persona in PERSONAS:
        client = client_of(None if persona == "anonymous" else persona)
        # Each persona's POST is rolled back, so a removal by one does not turn the
        # next persona's answer into a 404.
        with transaction.atomic():
            statuses = (client.get(url).status_code, client.post(url).status_code)
            transaction.set_rollback(True)
        got[persona] = statuses
    assert got == EXPECTED[name]
