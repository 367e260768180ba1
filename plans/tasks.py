"""Thin Celery tasks of progress: they take ids, call plans.progress and are safe to run
twice; and the on-commit helpers that enqueue them.

Acknowledged late with prefetch 1 (global settings): a worker dying under a task leaves
the message to be delivered again, and a second run changes nothing.
"""

import datetime

from celery import shared_task

from django.db import transaction

from . import progress


@shared_task(name="plans.compute_plan_progress", ignore_result=True)
def compute_plan_progress(plan_id: int, day: str | None = None) -> None:
    progress.compute_plan_progress(
        plan_id=plan_id, day=datetime.date.fromisoformat(day) if day else None
    )


@shared_task(name="plans.refresh_progress", ignore_result=True)
def refresh_progress(province_id: int, years: list[int]) -> None:
    progress.refresh_progress(province_id=province_id, years=years)


@shared_task(name="plans.nightly_progress", ignore_result=True)
def nightly_progress() -> None:
    """Beat, every night: one job per open plan."""
    for plan_id in progress.open_plan_ids():
        compute_plan_progress.delay(plan_id)


# Enqueueing, on commit ---------------------------------------------------------------


def enqueue_refresh(*, province_id: int, years) -> None:
    """After the current transaction commits, refresh the affected plans (by ids)."""
    years = sorted({int(year) for year in years})
    transaction.on_commit(lambda: refresh_progress.delay(province_id, years))


def enqueue_plan(plan_id: int) -> None:
    transaction.on_commit(lambda: compute_plan_progress.delay(plan_id))


def on_recognition_changed(sender, *, province_id: int, year: int, **kwargs) -> None:
    """Receiver of evaluations' `recognition_changed` (connected in PlansConfig.ready):
    a decision, a finalised round or a certificate change moves the year's numbers."""
    enqueue_refresh(province_id=province_id, years=[year])
