"""Certificate expiry reminders (DESIGN §5: the producer is told at least 30 days
before a certificate ends), sent once per certificate and threshold."""

import datetime
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.jurisdiction import local_officers

from .models import Certificate, CertificateStatus, ExpiryReminder

logger = logging.getLogger(__name__)


def due_reminders(*, today: datetime.date, days: int) -> list[int]:
    """Active certificates expiring within `days` days that were not reminded yet at
    this threshold."""
    return list(
        Certificate.objects.filter(
            status=CertificateStatus.ACTIVE,
            valid_until__gte=today,
            valid_until__lte=today + datetime.timedelta(days=days),
        )
        .exclude(expiry_reminders__threshold_days=days)
        .order_by("valid_until", "pk")
        .values_list("pk", flat=True)
    )


def reminder_recipients(certificate: Certificate) -> list[str]:
    """The producer's email and the local OCOP officers of the product's place today
    (its district's, or its commune's or the commune that succeeded it)."""
    product = certificate.product
    emails = [product.producer.email] if product.producer.email else []
    emails += (
        local_officers(commune_id=product.commune_id, district_id=product.district_id)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(emails))


@transaction.atomic
def send_expiry_reminder(
    *, certificate_id: int, threshold_days: int
) -> ExpiryReminder | None:
    """Email the expiry notice for one certificate at one threshold, once.

    The reminder row is claimed first, in this transaction: a concurrent run waits on
    the unique (certificate, threshold) index and then finds it taken. If sending
    fails the exception rolls the claim back, so a retry sends again. Returns None when
    already sent or the certificate is no longer active."""
    certificate = (
        Certificate.objects.select_related("product__producer", "product__district")
        .filter(pk=certificate_id, status=CertificateStatus.ACTIVE)
        .first()
    )
    if certificate is None:
        return None
    recipients = reminder_recipients(certificate)
    reminder, created = ExpiryReminder.objects.get_or_create(
        certificate=certificate,
        threshold_days=threshold_days,
        defaults={"sent_at": timezone.now(), "recipients": ", ".join(recipients)},
    )
    if not created:
        return None
    if not recipients:
        logger.warning("certificate %s expires with nobody to remind", certificate)
        return reminder
    with translation.override(settings.LANGUAGE_CODE):
        context = {"certificate": certificate, "product": certificate.product}
        subject = _("OCOP certificate %(number)s expires on %(day)s") % {
            "number": certificate.number,
            "day": certificate.valid_until.strftime("%d/%m/%Y"),
        }
        body = render_to_string("evaluations/email/expiry_reminder.txt", context)
    send_mail(subject, body, None, recipients)
    return reminder
