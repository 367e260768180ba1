"""Progress snapshots: each target of a plan computed as of a day, stored one row per
target and day. The Celery tasks (plans.tasks) and the compute_progress command run
these; a run is idempotent and serialised per plan."""

import datetime

from django.db import connection, transaction
from django.utils import timezone

from . import indicators
from .models import Plan, ProgressSnapshot

# Two-key PostgreSQL advisory locks: this namespace and the plan's id.
_PROGRESS_LOCK_NAMESPACE = 52021


# Progress snapshots --------------------------------------------------------------------


def snapshot_day(year: int, day: datetime.date) -> datetime.date:
    """The day a computation is stored under: the as-of day, or the year's last day
    once the year is over (recomputing a past year refreshes its final value)."""
    return min(day, datetime.date(year, 12, 31))


def _lock_plan_progress(plan_id: int) -> None:
    """Serialise progress runs of one plan until the transaction ends.

    Values are computed before they are written: without the lock an older run could
    commit stale numbers after a newer one. SQLite needs nothing here, as its
    transactions (BEGIN IMMEDIATE) already take the database's write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [_PROGRESS_LOCK_NAMESPACE, plan_id % 2**31],
            )


@transaction.atomic
def compute_plan_progress(
    *, plan_id: int, day: datetime.date | None = None
) -> list[ProgressSnapshot]:
    """Compute every target of the plan as of `day` (default today) and upsert one
    snapshot per target and day. Idempotent: a rerun, or two runs at once, leave one
    row per target and day with the values of the latest data. A deleted plan or an
    indicator no longer registered is skipped."""
    _lock_plan_progress(plan_id)
    plan = Plan.objects.filter(pk=plan_id).first()
    if plan is None:
        return []
    day = snapshot_day(plan.year, day or timezone.localdate())
    period = indicators.Period(plan.province_id, plan.year, day)
    targets = [t for t in plan.targets.order_by("pk") if indicators.get(t.indicator)]
    values = {
        key: indicators.compute(key, period) for key in {t.indicator for t in targets}
    }
    computed_at = timezone.now()
    rows = []
    for target in targets:
        value = values[target.indicator]
        # A target split by district (or by commune since the reform) reads its area's
        # value: indicators key both by the unit's id.
        area_id = target.district_id or target.commune_id
        if area_id:
            key = str(area_id)
            amount = value.for_district(area_id)
            by_district = (
                {key: value.by_district[key]} if key in value.by_district else {}
            )
        else:
            amount, by_district = value.value, value.by_district
        rows.append(
            ProgressSnapshot(
                target=target,
                day=day,
                value=amount,
                by_district=by_district,
                computed_at=computed_at,
            )
        )
    # INSERT … ON CONFLICT (target, day) DO UPDATE: the unique constraint makes "one row
    # per target and day" a fact of the database, whatever runs concurrently.
    ProgressSnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["target", "day"],
        update_fields=["value", "by_district", "computed_at"],
    )
    return rows


def refresh_progress(*, province_id: int, years: list[int]) -> int:
    """Recompute today's snapshots of the province's open plans of those years, one
    transaction per plan. Returns how many plans were computed."""
    plan_ids = list(
        Plan.objects.open()
        .filter(province_id=province_id, year__in=years)
        .values_list("pk", flat=True)
    )
    for plan_id in plan_ids:
        compute_plan_progress(plan_id=plan_id)
    return len(plan_ids)


def open_plan_ids() -> list[int]:
    return list(Plan.objects.open().order_by("pk").values_list("pk", flat=True))
