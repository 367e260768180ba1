"""Expiry reminders: one email per certificate and threshold, whatever runs twice."""

import datetime
import smtplib
import threading
from unittest import mock

import pytest

from django.core import mail
from django.db import connection
from django.utils import timezone

from evaluations import reminders, tasks
from evaluations.models import CertificateStatus, ExpiryReminder
from tests.evaluations.factories import CertificateFactory
from tests.products.factories import ProductFactory


def expiring_certificate(days_left: int, **product):
    today = timezone.localdate()
    valid_until = today + datetime.timedelta(days=days_left)
    valid_from = valid_until.replace(year=valid_until.year - 3) + datetime.timedelta(
        days=1
    )
    return CertificateFactory(
        product=ProductFactory(producer__with_email=True, **product),
        valid_from=valid_from,
        valid_until=valid_until,
    )


def test_a_certificate_expiring_within_30_days_is_reminded_once(
    catalogue, eager, mailoutbox
):
    certificate = expiring_certificate(20)
    expiring_certificate(45)  # outside the threshold

    tasks.daily_certificates()
    tasks.daily_certificates()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    producer = certificate.product.producer
    assert set(message.to) == {producer.email, catalogue["laivung"].email}
    assert certificate.number in message.subject
    assert "hết hạn" in message.subject
    assert certificate.product.name in message.body
    assert certificate.valid_until.strftime("%d/%m/%Y") in message.body
    reminder = ExpiryReminder.objects.get()
    assert (reminder.certificate, reminder.threshold_days) == (certificate, 30)
    assert producer.email in reminder.recipients


def test_the_daily_job_also_expires_certificates_whose_validity_ended(
    catalogue, eager, mailoutbox
):
    ended = expiring_certificate(-1)
    tasks.daily_certificates()
    ended.refresh_from_db()
    assert ended.status == CertificateStatus.EXPIRED
    assert mailoutbox == []


def test_the_threshold_is_a_setting(catalogue, eager, mailoutbox, settings):
    settings.OCOP_EXPIRY_REMINDER_DAYS = 60
    certificate = expiring_certificate(45)
    tasks.daily_certificates()
    assert len(mailoutbox) == 1
    assert ExpiryReminder.objects.get().threshold_days == 60
    assert ExpiryReminder.objects.get().certificate == certificate


def test_the_officers_of_other_districts_are_not_told(catalogue, eager, mailoutbox):
    expiring_certificate(10, district_code="872")
    tasks.daily_certificates()
    (message,) = mailoutbox
    assert catalogue["thapmuoi"].email in message.to
    assert catalogue["laivung"].email not in message.to


def test_a_failed_send_gives_the_claim_back_for_the_retry(catalogue, mailoutbox):
    certificate = expiring_certificate(5)
    with (
        mock.patch.object(
            reminders, "send_mail", side_effect=smtplib.SMTPServerDisconnected("down")
        ),
        pytest.raises(smtplib.SMTPException),
    ):
        reminders.send_expiry_reminder(certificate_id=certificate.pk, threshold_days=30)
    assert not ExpiryReminder.objects.exists()

    reminders.send_expiry_reminder(certificate_id=certificate.pk, threshold_days=30)
    assert len(mailoutbox) == 1
    assert ExpiryReminder.objects.count() == 1


def test_the_reminder_task_retries_smtp_errors_with_backoff():
    task = tasks.send_expiry_reminder
    assert smtplib.SMTPException in task.autoretry_for
    assert task.retry_backoff and task.retry_jitter
    assert task.retry_backoff_max <= 600
    assert task.max_retries == 5


def test_a_certificate_no_longer_active_is_not_reminded(catalogue, mailoutbox):
    certificate = expiring_certificate(5)
    certificate.status = CertificateStatus.REVOKED
    certificate.status_reason = "Vi phạm"
    certificate.save()
    assert (
        reminders.send_expiry_reminder(certificate_id=certificate.pk, threshold_days=30)
        is None
    )
    assert mailoutbox == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_email(dong_thap, personas, mailoutbox):
    from products.catalogue import load_catalogue

    load_catalogue()
    certificates = [expiring_certificate(days) for days in (3, 12, 29)]
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            for certificate in certificates:
                reminders.send_expiry_reminder(
                    certificate_id=certificate.pk, threshold_days=30
                )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(mail.outbox) == 3
    assert ExpiryReminder.objects.count() == 3
