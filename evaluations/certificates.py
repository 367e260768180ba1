"""Recognition decisions and certificates.

A decision recognises the products a closed round recognised; each gets a certificate
valid 36 months from the decision date, numbered per province and year without gaps:
the counter row is locked in the decision's transaction, so concurrent decisions queue
and a rolled-back decision leaves no hole. A newer certificate supersedes the product's
active one. A product's current star is its active certificate's (Product.current_stars,
kept here in the same transactions).
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record_event
from accounts.models import User
from core import clock
from products import process as dossier_process
from products.models import Product
from regions.models import AdministrativeUnit

from . import notices
from .models import (
    Certificate,
    CertificateSequence,
    CertificateStatus,
    Decision,
    Outcome,
    RevocationGround,
    Round,
    RoundResult,
    RoundStatus,
)
from .permissions import (
    RoundAccess,
    can_record_historic_decision,
    can_revoke_certificate,
)
from .signals import recognition_changed

# Decision 26/2026/QĐ-TTg took effect on 22/5/2026: revocations record its grounds.
GROUNDS_REQUIRED_FROM = datetime.date(2026, 5, 22)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def validity_end(valid_from: datetime.date) -> datetime.date:
    """The last day a certificate is valid: 36 months from the decision, day included."""
    return add_months(valid_from, Certificate.VALIDITY_MONTHS) - datetime.timedelta(
        days=1
    )


def _next_number(*, province: AdministrativeUnit, year: int) -> tuple[int, str]:
    CertificateSequence.objects.get_or_create(province=province, year=year)
    counter = CertificateSequence.objects.select_for_update().get(
        province=province, year=year
    )
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return counter.last_value, f"{province.code}-{year}-{counter.last_value:04d}"


def _notify(province_id: int, year: int) -> None:
    transaction.on_commit(
        lambda: recognition_changed.send(
            sender=Certificate, province_id=province_id, year=year
        )
    )


def _issue(
    *,
    product: Product,
    decision: Decision,
    stars: int,
    result: RoundResult | None,
    actor: User,
) -> Certificate:
    """Issue one certificate inside the caller's transaction; supersede the active one."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    previous = (
        Certificate.objects.select_for_update()
        .filter(product=product, status=CertificateStatus.ACTIVE)
        .first()
    )
    if previous is not None:
        # Free the "one active certificate per product" slot before issuing the new one.
        previous.move_to(CertificateStatus.SUPERSEDED)
        previous.status_changed_at = clock.now()
        previous.status_reason = _("Superseded by decision %(number)s") % {
            "number": decision.number
        }
        previous.save(update_fields=["status", "status_changed_at", "status_reason"])
    sequence, number = _next_number(province=decision.province, year=decision.date.year)
    certificate = Certificate.objects.create(
        number=number,
        province=decision.province,
        year=decision.date.year,
        sequence=sequence,
        product=product,
        decision=decision,
        result=result,
        stars=stars,
        valid_from=decision.date,
        valid_until=validity_end(decision.date),
    )
    if previous is not None:
        previous.superseded_by = certificate
        previous.save(update_fields=["superseded_by"])
        record_event(
            target=previous,
            actor=actor,
            action="status",
            changes={
                "status": [
                    str(CertificateStatus.ACTIVE.label),
                    str(CertificateStatus.SUPERSEDED.label),
                ]
            },
            reason=previous.status_reason,
        )
    before = product.current_stars
    product.current_stars = stars
    product.save(update_fields=["current_stars", "updated_at"])
    record_event(
        target=certificate,
        actor=actor,
        action="created",
        changes={"number": ["", number], "stars": ["", str(stars)]},
        reason=decision.number,
    )
    record_event(
        target=product,
        actor=actor,
        action="certified",
        changes={"current_stars": [str(before or ""), str(stars)]},
        reason=_("Certificate %(number)s, decision %(decision)s")
        % {"number": number, "decision": decision.number},
    )
    return certificate


def _check_number(province: AdministrativeUnit, number: str) -> str:
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("Enter the decision number.")})
    if Decision.objects.filter(province=province, number=number).exists():
        raise ValidationError(
            {
                "number": _("Decision %(number)s is already recorded.")
                % {"number": number}
            }
        )
    return number


@transaction.atomic
def record_decision(
    *,
    round: Round,
    user: User,
    number: str,
    date: datetime.date,
    signer: str,
    signer_title: str = "",
) -> Decision:
    """Record the decision recognising the products a closed round recognised, and issue
    their certificates. Only the round's chair. Raises ValidationError when the round
    is not closed, already has its decision, recognised nothing, or the number is taken."""
    round = (
        Round.objects.select_for_update()
        .select_related("council__unit")
        .get(pk=round.pk)
    )
    if not RoundAccess.of(user, round).is_chair:
        raise PermissionDenied
    if round.status != RoundStatus.CLOSED:
        raise ValidationError(_("Finalise the round before recording its decision."))
    existing = Decision.objects.filter(round=round).first()
    if existing is not None:
        raise ValidationError(
            _("This round's decision is already recorded: %(number)s.")
            % {"number": existing.number}
        )
    results = list(
        RoundResult.objects.filter(entry__round=round, outcome=Outcome.RECOGNISED)
        .select_related("entry__dossier__product")
        .order_by("entry__dossier__product__code")
    )
    if not results:
        raise ValidationError(_("No product of this round was recognised."))
    if not (signer or "").strip():
        raise ValidationError({"signer": _("Enter who signed the decision.")})
    province = round.council.province
    decision = Decision.objects.create(
        province=province,
        number=_check_number(province, number),
        date=date,
        signer=signer.strip(),
        signer_title=signer_title.strip(),
        level=round.level,
        round=round,
        recorded_by=user,
    )
    for result in results:
        dossier = result.entry.dossier
        _issue(
            product=dossier.product,
            decision=decision,
            stars=result.stars,
            result=result,
            actor=user,
        )
        dossier_process.decide_dossier(
            dossier=dossier,
            actor=user,
            reason=_("Recognised %(stars)s★ by decision %(number)s")
            % {"stars": result.stars, "number": decision.number},
        )
    record_event(
        target=decision,
        actor=user,
        action="created",
        changes={
            "number": ["", decision.number],
            "certificates": ["", str(len(results))],
        },
    )
    _notify(province.pk, date.year)
    notices.notify_results_on_commit(round.pk)
    return decision


@transaction.atomic
def record_historic_decision(
    *,
    province: AdministrativeUnit,
    user: User,
    number: str,
    date: datetime.date,
    signer: str,
    level: str,
    recognitions: list[tuple[Product, int]],
    signer_title: str = "",
) -> Decision:
    """Record a decision taken before the portal (e.g. 1580/QĐ-UBND-HC of 2019) with the
    stars it gave each product. Only provincial officers."""
    if not can_record_historic_decision(user, province):
        raise PermissionDenied
    decision = Decision.objects.create(
        province=province,
        number=_check_number(province, number),
        date=date,
        signer=signer,
        signer_title=signer_title,
        level=level,
        recorded_by=user,
        note=_("Recorded from before the portal."),
    )
    for product, stars in recognitions:
        if stars not in (3, 4, 5):
            raise ValidationError(_("Only 3★ to 5★ are certified."))
        _issue(product=product, decision=decision, stars=stars, result=None, actor=user)
    record_event(target=decision, actor=user, action="imported")
    _notify(province.pk, date.year)
    return decision


def _end(
    certificate: Certificate, *, status: str, reason: str, actor: User | None
) -> None:
    before = certificate.get_status_display()
    certificate.move_to(status)
    certificate.status_reason = reason
    certificate.status_changed_at = clock.now()
    certificate.save(update_fields=["status", "status_reason", "status_changed_at"])
    Product.objects.filter(pk=certificate.product_id).update(
        current_stars=None, updated_at=timezone.now()
    )
    record_event(
        target=certificate,
        actor=actor,
        action="status",
        changes={"status": [str(before), str(certificate.get_status_display())]},
        reason=reason,
    )


@transaction.atomic
def revoke_certificate(
    *,
    certificate: Certificate,
    user: User,
    reason: str,
    ground: str = "",
    decided_by: str = "",
) -> Certificate:
    """Revoke (thu hồi) an active certificate: provincial officers of its province only,
    reason required. Under 26/2026/QĐ-TTg (from 22/5/2026) the revocation records one
    of the grounds of Điều 8.1 and the decision that revoked it (the provincial chair's
    for 3★ and 4★, the Minister's for 5★)."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not can_revoke_certificate(user, certificate):
        raise PermissionDenied
    reason = (reason or "").strip()
    decided_by = (decided_by or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for revoking.")
    if ground and ground not in RevocationGround.values:
        errors["ground"] = _("Choose a ground of Điều 8.")
    if clock.today() >= GROUNDS_REQUIRED_FROM:
        if not ground:
            errors["ground"] = _("Choose the ground for revoking (Điều 8.1).")
        if not decided_by:
            errors["decided_by"] = _(
                "Say which decision revoked it, and who signed it."
            )
    if errors:
        raise ValidationError(errors)
    if certificate.status != CertificateStatus.ACTIVE:
        raise ValidationError(_("Only an active certificate can be revoked."))
    certificate.revocation_ground = ground
    certificate.revocation_decision = decided_by
    certificate.save(update_fields=["revocation_ground", "revocation_decision"])
    _end(certificate, status=CertificateStatus.REVOKED, reason=reason, actor=user)
    _notify(certificate.province_id, certificate.year)
    return certificate


def expire_certificates(*, today: datetime.date) -> int:
    """Mark active certificates whose validity ended before `today` as expired; one
    short transaction per certificate, so a long run never holds many locks. Returns
    how many expired. Safe to run twice or concurrently (re-checked under the lock).

    A certificate whose product's re-rating was submitted late stays valid until the
    result, at most 180 days past its end (Điều 12.3 of 26/2026/QĐ-TTg)."""
    expired = 0
    candidates = Certificate.objects.filter(
        status=CertificateStatus.ACTIVE, valid_until__lt=today
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            certificate = Certificate.objects.select_for_update().get(pk=pk)
            if (
                certificate.status != CertificateStatus.ACTIVE
                or certificate.valid_until >= today
                or dossier_process.late_rerating_pending(
                    certificate.product, valid_until=certificate.valid_until, on=today
                )
            ):
                continue
            _end(
                certificate,
                status=CertificateStatus.EXPIRED,
                reason=_("Validity ended on %(day)s")
                % {"day": certificate.valid_until.strftime("%d/%m/%Y")},
                actor=None,
            )
            _notify(certificate.province_id, certificate.year)
            expired += 1
    return expired
