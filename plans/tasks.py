"""Thin Celery tasks: they take ids, call a service and are safe to run twice.

Acknowledged late with prefetch 1 (global settings): a worker dying under a task leaves
the message to be delivered again, and the services make a second run harmless.
"""

import datetime
import smtplib

from celery import shared_task

from django.conf import settings
from django.utils import timezone

from . import services


@shared_task(name="plans.compute_plan_progress", ignore_result=True)
def compute_plan_progress(plan_id: int, day: str | None = None) -> None:
    services.compute_plan_progress(
        plan_id=plan_id, day=datetime.date.fromisoformat(day) if day else None
    )


@shared_task(name="plans.refresh_progress", ignore_result=True)
def refresh_progress(province_id: int, years: list[int]) -> None:
    services.refresh_progress(province_id=province_id, years=years)


@shared_task(name="plans.nightly_progress", ignore_result=True)
def nightly_progress() -> None:
    """Beat, every night: one job per open plan."""
    for plan_id in services.open_plan_ids():
        compute_plan_progress.delay(plan_id)


@shared_task(name="plans.daily_certificates", ignore_result=True)
def daily_certificates() -> None:
    """Beat, every morning: expire certificates whose validity ended, then queue one
    reminder per certificate expiring within OCOP_EXPIRY_REMINDER_DAYS days."""
    today = timezone.localdate()
    services.expire_certificates(today=today)
    days = settings.OCOP_EXPIRY_REMINDER_DAYS
    for certificate_id in services.due_reminders(today=today, days=days):
        send_expiry_reminder.delay(certificate_id, days)


@shared_task(
    name="plans.send_expiry_reminder",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_expiry_reminder(certificate_id: int, threshold_days: int) -> None:
    services.send_expiry_reminder(
        certificate_id=certificate_id, threshold_days=threshold_days
    )
