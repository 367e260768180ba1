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
from core import clock
from regions.models import AdministrativeUnit, UnitLevel

from . import home
from .celery import HEARTBEAT_CACHE_KEY


@require_GET
def portal_home(request):
    """Home after sign-in: the numbers of the user's own jurisdiction, and the open
    rounds of the user's councils."""
    user = request.user
    reach = jurisdiction_of(user)
    today = clock.today()
    unit = reach.district or reach.province
    if reach.is_commune:
        place = ", ".join(unit.name for unit in reach.own_units)
    else:
        place = unit.name if unit else ""
    context = {
        "place": place,
        "roles": ", ".join(str(Role(role).label) for role in sorted(reach.roles)),
        "rounds": home.council_rounds(user),
        "by_commune": False,
        "is_provincial": reach.is_provincial,
    }
    areas = []
    if reach.is_district:
        areas = [reach.district]
        context["communes"] = reach.communes().order_by("code")
    elif reach.is_commune:
        areas = [unit for unit in reach.own_units if unit.level == UnitLevel.COMMUNE]
        context["by_commune"] = True
    elif reach.is_provincial and reach.province is not None:
        # The province's own units today: its districts until 30/6/2025, its
        # communes since (only those with records are listed).
        areas = list(
            AdministrativeUnit.objects.valid_on(today)
            .filter(parent=reach.province)
            .order_by("code")
        )
        context["by_commune"] = bool(areas) and areas[0].level == UnitLevel.COMMUNE
    if areas:
        year = request.GET.get("year", "")
        year = int(year) if year.isdigit() else home.latest_dossier_year(areas)
        rows = home.area_numbers(areas, year)
        if context["by_commune"] and len(rows) > 1:
            rows = [row for row in rows if not row.is_empty]
        context.update(
            year=year,
            rows=rows,
            many=len(areas) > 1,
            totals={
                name: sum(getattr(row, name) for row in rows)
                for name in (
                    "producers",
                    "products",
                    "recognised",
                    "dossiers",
                    "with_commune",
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
