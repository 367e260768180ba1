"""Thin Celery tasks of certificates: they take ids, call a service and are safe to
run twice (acknowledged late, prefetch 1: see settings)."""

import smtplib

from celery import shared_task

from django.conf import settings
from django.utils import timezone

from . import certificates, notices, reminders


@shared_task(name="evaluations.daily_certificates", ignore_result=True)
def daily_certificates() -> None:
    """Beat, every morning: expire certificates whose validity ended, then queue one
    reminder per certificate expiring within OCOP_EXPIRY_REMINDER_DAYS days."""
    today = timezone.localdate()
    certificates.expire_certificates(today=today)
    days = settings.OCOP_EXPIRY_REMINDER_DAYS
    for certificate_id in reminders.due_reminders(today=today, days=days):
        send_expiry_reminder.delay(certificate_id, days)


@shared_task(
    name="evaluations.send_expiry_reminder",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_expiry_reminder(certificate_id: int, threshold_days: int) -> None:
    reminders.send_expiry_reminder(
        certificate_id=certificate_id, threshold_days=threshold_days
    )


@shared_task(
    name="evaluations.notify_results",
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def notify_results(round_id: int) -> None:
    """Notify the commune and the producer of each decided result of the round, once."""
    for result_id in notices.due_notices(round_id=round_id):
        notices.send_result_notice(result_id=result_id)
