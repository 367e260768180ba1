"""Pages that belong to no single app: the public front page, the home page after
sign-in, and the health check."""

import time

import redis

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.jurisdiction import jurisdiction_of
from accounts.models import Role

from . import home
from .celery import HEARTBEAT_CACHE_KEY


@require_GET
def portal_home(request):
    """Home after sign-in: the numbers of the user's own jurisdiction, and the open
    rounds of the user's councils."""
    user = request.user
    reach = jurisdiction_of(user)
    context = {
        "jurisdiction": reach.district or reach.province,
        "roles": ", ".join(str(Role(role).label) for role in sorted(reach.roles)),
        "rounds": home.council_rounds(user),
    }
    districts = []
    if reach.is_district:
        districts = [reach.district]
        context["communes"] = reach.communes().order_by("code")
    elif reach.is_provincial and reach.province is not None:
        districts = list(reach.districts())
    if districts:
        year = request.GET.get("year", "")
        year = int(year) if year.isdigit() else home.latest_dossier_year(districts)
        rows = home.district_numbers(districts, year)
        context.update(
            year=year,
            rows=rows,
            totals={
                name: sum(getattr(row, name) for row in rows)
                for name in (
                    "producers",
                    "products",
                    "recognised",
                    "dossiers",
                    "waiting",
                    "returned",
                )
            },
        )
    return render(request, "portal_home.html", context)


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True}


def _check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "in-process"}
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
    except redis.RedisError as error:
        return {"ok": False, "mode": "redis", "error": error.__class__.__name__}
    return {"ok": True, "mode": "redis"}


def _worker_heartbeat() -> dict:
    # Informational only: a web node stays in rotation while workers restart.
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "in-process"}
    try:
        beat = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:
        beat = None
    if not beat:
        return {"seen": False}
    age = time.time() - beat["at"]
    return {
        "seen": True,
        "age_seconds": round(age, 1),
        "stale": age > settings.OCOP_HEARTBEAT_STALE_SECONDS,
    }


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker answer, 503 otherwise; JSON either way."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "unavailable", **checks}
    body["worker"] = _worker_heartbeat()
    return JsonResponse(body, status=200 if healthy else 503)
