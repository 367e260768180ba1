"""Notices of results to the commune and the producer (Điều 7.3.g of 26/2026/QĐ-TTg:
the provincial OCOP office notifies, in writing, the commune People's Committee and
the producer of the result of the evaluation). Sent by e-mail once a dossier's
evaluation is over (recognised by the decision, or not recognised when the round
closes), once per result, for dossiers that came through a commune."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.jurisdiction import local_officers
from products.models import DossierStatus

from .models import Certificate, ResultNotice, RoundResult

logger = logging.getLogger(__name__)


def due_notices(*, round_id: int) -> list[int]:
    """The results of the round whose dossier came through a commune, is decided and
    was not notified yet."""
    return list(
        RoundResult.objects.filter(
            entry__round=round_id,
            entry__dossier__commune__isnull=False,
            entry__dossier__status=DossierStatus.DECIDED,
            notice__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def notice_recipients(result: RoundResult) -> list[str]:
    """The producer's e-mail and the OCOP officers of the commune that proposed the
    dossier (or of the commune that succeeded it)."""
    dossier = result.entry.dossier
    producer = dossier.product.producer
    emails = [producer.email] if producer.email else []
    emails += (
        local_officers(commune_id=dossier.commune_id)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(emails))


@transaction.atomic
def send_result_notice(*, result_id: int) -> ResultNotice | None:
    """E-mail the notice of one result, once. The notice row is claimed first, in this
    transaction: a concurrent run waits on the unique key and then finds it taken; a
    failed send rolls the claim back, so a retry sends again. None when already
    sent."""
    result = (
        RoundResult.objects.select_related(
            "entry__round",
            "entry__dossier__product__producer",
            "entry__dossier__commune",
        )
        .filter(pk=result_id)
        .first()
    )
    if result is None:
        return None
    recipients = notice_recipients(result)
    notice, created = ResultNotice.objects.get_or_create(
        result=result,
        defaults={"sent_at": timezone.now(), "recipients": ", ".join(recipients)},
    )
    if not created:
        return None
    if not recipients:
        logger.warning("result %s has nobody to notify", result)
        return notice
    dossier = result.entry.dossier
    certificate = (
        Certificate.objects.filter(result=result).select_related("decision").first()
    )
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "result": result,
            "dossier": dossier,
            "product": dossier.product,
            "certificate": certificate,
        }
        subject = _("OCOP result of %(product)s") % {"product": dossier.product.name}
        body = render_to_string("evaluations/email/result_notice.txt", context)
    send_mail(subject, body, None, recipients)
    return notice


def notify_results_on_commit(round_id: int) -> None:
    """After the current transaction commits, notify the round's decided results."""
    from . import tasks

    transaction.on_commit(lambda: tasks.notify_results.delay(round_id))
