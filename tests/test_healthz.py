from unittest import mock

import pytest

from django.db import OperationalError


def test_healthz_answers_200_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_healthz_is_503_when_the_database_is_down(client, db):
    with mock.patch(
        "ocop_portal.views.connection.cursor", side_effect=OperationalError
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError"}


def test_healthz_is_503_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


@pytest.mark.skipif(
    not __import__("os").environ.get("REDIS_URL"), reason="REDIS_URL not set"
)
def test_healthz_pings_the_real_broker(client, db, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    body = client.get("/healthz").json()
    assert body["broker"] == {"ok": True, "mode": "redis"}
