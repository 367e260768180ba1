"""The path of a dossier: its submission (to the province before the two-tier reform,
to the commune since), the commune's check, the province's review, and the moves the
evaluations services make. Each function owns its transaction, lock, guard and audit
record; the dossier's process (products.DossierProcess) says which path it takes."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record_event
from accounts.models import User
from core import clock
from core.calendar import add_working_days
from core.states import InvalidTransition

from .models import (
    AssessmentConclusion,
    CommuneAssessment,
    Dossier,
    DossierKind,
    DossierProcess,
    DossierStatus,
)
from .permissions import (
    can_check_at_commune,
    can_compile_dossier,
    can_review_dossier,
)
from .services import locked_dossier, missing_documents


def _move(
    dossier: Dossier, user: User | None, status: str, *, reason: str = "", fields=()
):
    before = dossier.get_status_display()
    dossier.move_to(status)
    dossier.save(update_fields=["status", "updated_at", *fields])
    record_event(
        target=dossier,
        actor=user,
        action="status",
        changes={"status": [str(before), str(dossier.get_status_display())]},
        reason=reason,
    )


@dataclass(frozen=True)
class RerateWindow:
    """When a re-rating is submitted (Điều 7.6 of 26/2026/QĐ-TTg): no earlier than
    `opens` and no later than `closes`; a late one keeps the certificate valid until
    its result, at most until `late_until` (Điều 12.3)."""

    opens: datetime.date
    closes: datetime.date
    late_until: datetime.date | None

    def state_on(self, day: datetime.date) -> str:
        if day < self.opens:
            return "not_open"
        return "open" if day <= self.closes else "late"


def rerating_window(*, valid_until: datetime.date, on: datetime.date):
    """The re-rating window of a certificate ending on `valid_until`, under the process
    in force on `on`; None when that process sets none."""
    current = process_on(on)
    if current is None or current.rerating_opens_days is None:
        return None
    grace = current.late_rerating_grace_days
    return RerateWindow(
        opens=valid_until - datetime.timedelta(days=current.rerating_opens_days),
        closes=valid_until - datetime.timedelta(days=current.rerating_closes_days),
        late_until=valid_until + datetime.timedelta(days=grace) if grace else None,
    )


def late_rerating_pending(product, *, valid_until: datetime.date, on: datetime.date):
    """Whether the product has a re-rating submitted after its window closed and not
    yet decided, and the grace of Điều 12.3 still runs on `on`: its certificate stays
    valid until the result."""
    dossiers = product.dossiers.filter(
        kind=DossierKind.RERATING,
        process__late_rerating_grace_days__isnull=False,
        submitted_at__isnull=False,
    ).exclude(status__in=[DossierStatus.DRAFT, DossierStatus.DECIDED])
    for dossier in dossiers.select_related("process"):
        window = RerateWindow(
            opens=valid_until
            - datetime.timedelta(days=dossier.process.rerating_opens_days),
            closes=valid_until
            - datetime.timedelta(days=dossier.process.rerating_closes_days),
            late_until=valid_until
            + datetime.timedelta(days=dossier.process.late_rerating_grace_days),
        )
        submitted = timezone.localdate(dossier.submitted_at)
        if window.state_on(submitted) == "late" and on <= window.late_until:
            return True
    return False


def process_on(day) -> DossierProcess | None:
    """The process a dossier first submitted on `day` follows."""
    return (
        DossierProcess.objects.filter(effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from")
        .first()
    )


@transaction.atomic
def submit_dossier(*, dossier: Dossier, user: User) -> Dossier:
    """Hand a draft, or a returned dossier, on: to the province before the two-tier
    reform (submitted, resubmitted), to the commune since (Điều 7.1 of 26/2026/QĐ-TTg),
    which then has its working days to check it. The dossier follows the process of
    its first submission day for good (Điều 12).

    Raises PermissionDenied for anyone but the local officer, InvalidTransition from
    any other status, ValidationError listing the missing required documents.
    """
    dossier = locked_dossier(dossier)
    if not can_compile_dossier(user, dossier):
        raise PermissionDenied
    today = clock.today()
    process = dossier.process or process_on(today)
    if process is not None and process.through_commune:
        target = DossierStatus.WITH_COMMUNE
    elif dossier.status == DossierStatus.RETURNED:
        target = DossierStatus.RESUBMITTED
    else:
        target = DossierStatus.SUBMITTED
    if not dossier.can_move_to(target):
        raise InvalidTransition(f"{dossier.status} -> {target}")
    missing = missing_documents(dossier)
    if missing:
        raise ValidationError(
            _("Required documents are missing: %(names)s.")
            % {"names": "; ".join(document_type.name for document_type in missing)},
            code="missing_documents",
        )
    dossier.process = process
    dossier.submitted_at = clock.now()
    fields = ["process", "submitted_at"]
    if target == DossierStatus.WITH_COMMUNE:
        dossier.commune = dossier.product.commune.current_on(today)
        dossier.received_by_commune_on = today
        days = process.commune_check_days
        dossier.commune_due_on = add_working_days(today, days) if days else None
        fields += ["commune", "received_by_commune_on", "commune_due_on"]
    _move(dossier, user, target, fields=fields)
    return dossier


@transaction.atomic
def assess_at_commune(
    *,
    dossier: Dossier,
    user: User,
    local_origin: str,
    local_labour: str,
    idea_origin: str,
    local_identity: str,
    conclusion: str,
    reason: str = "",
) -> CommuneAssessment:
    """The commune's check (Điều 7.2): its report on the local content of the product
    (Mẫu 03), then the proposal to the province or the return to the producer.

    Raises PermissionDenied for anyone but the officer of the commune that received
    the dossier, InvalidTransition unless it is with the commune, ValidationError for
    an empty report item or a return without its reason.
    """
    dossier = locked_dossier(dossier)
    if not can_check_at_commune(user, dossier):
        raise PermissionDenied
    if dossier.status != DossierStatus.WITH_COMMUNE:
        raise InvalidTransition(f"{dossier.status}: not with the commune")
    report = {
        "local_origin": (local_origin or "").strip(),
        "local_labour": (local_labour or "").strip(),
        "idea_origin": (idea_origin or "").strip(),
        "local_identity": (local_identity or "").strip(),
    }
    errors = {
        name: _("Write the commune's assessment of this item.")
        for name, text in report.items()
        if not text
    }
    reason = (reason or "").strip()
    if conclusion not in AssessmentConclusion.values:
        errors["conclusion"] = _("Propose the dossier or return it.")
    elif conclusion == AssessmentConclusion.RETURN and not reason:
        errors["reason"] = _("Say what the producer must add or correct.")
    if errors:
        raise ValidationError(errors)
    today = clock.today()
    assessment = CommuneAssessment.objects.create(
        dossier=dossier,
        commune=dossier.commune,
        conclusion=conclusion,
        reason=reason if conclusion == AssessmentConclusion.RETURN else "",
        assessed_on=today,
        assessed_by=user,
        **report,
    )
    if conclusion == AssessmentConclusion.PROPOSE:
        dossier.proposed_on = today
        _move(
            dossier,
            user,
            DossierStatus.PROPOSED,
            reason=_("Proposed by %(commune)s") % {"commune": dossier.commune},
            fields=["proposed_on"],
        )
    else:
        dossier.return_reason = reason
        _move(
            dossier,
            user,
            DossierStatus.RETURNED,
            reason=reason,
            fields=["return_reason"],
        )
    return assessment


@transaction.atomic
def return_dossier(*, dossier: Dossier, user: User, reason: str) -> Dossier:
    """The province sends a dossier it received (or accepted, until a round takes it)
    back to be completed. Reason required."""
    dossier = locked_dossier(dossier)
    if not can_review_dossier(user, dossier):
        raise PermissionDenied
    if dossier.status not in Dossier.RETURNABLE:
        raise InvalidTransition(f"{dossier.status} -> {DossierStatus.RETURNED}")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say what the district must add or correct.")},
            code="reason_required",
        )
    dossier.return_reason = reason
    _move(
        dossier, user, DossierStatus.RETURNED, reason=reason, fields=["return_reason"]
    )
    return dossier


@transaction.atomic
def accept_dossier(*, dossier: Dossier, user: User) -> Dossier:
    """Accept a complete dossier: it can now be reviewed (where the process has an
    advisory review) and assigned to an evaluation round. Sets the day it must be
    rated by: a re-rating's days under 26/2026 (Điều 7.6), or the deadline of the
    transition rules for a dossier of the previous process (Điều 12.2)."""
    dossier = locked_dossier(dossier)
    if not can_review_dossier(user, dossier):
        raise PermissionDenied
    if not dossier.awaits_review:
        raise InvalidTransition(f"{dossier.status} -> {DossierStatus.ACCEPTED}")
    dossier.accepted_at = clock.now()
    dossier.rating_due_on = rating_due_on(dossier, accepted=clock.today())
    _move(
        dossier, user, DossierStatus.ACCEPTED, fields=["accepted_at", "rating_due_on"]
    )
    return dossier


def rating_due_on(dossier: Dossier, *, accepted: datetime.date):
    """The last day the dossier may be rated, when a rule sets one."""
    process = dossier.process
    if process is None:
        return None
    rerating = dossier.kind == DossierKind.RERATING
    days = []
    if rerating and process.rerating_decision_days:
        days.append(accepted + datetime.timedelta(days=process.rerating_decision_days))
    deadline = (
        process.rerating_completion_deadline
        if rerating
        else process.completion_deadline
    )
    if deadline:
        days.append(deadline)
    return min(days) if days else None


# Moves made by the evaluations services (the caller checks who may act) -------------


@transaction.atomic
def start_evaluation(*, dossier: Dossier, level: str, actor: User) -> Dossier:
    """An accepted or forwarded dossier enters a round at `level`."""
    dossier = locked_dossier(dossier)
    dossier.level = level
    _move(dossier, actor, DossierStatus.UNDER_EVALUATION, fields=["level"])
    return dossier


@transaction.atomic
def withdraw_from_evaluation(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    forwarded: bool = False,
    reviewed: bool = False,
) -> Dossier:
    """Take a dossier out of a round before results: back to where it waited before,
    accepted, reviewed by the advisory team (`reviewed`), or forwarded to this level
    by a lower council (`forwarded`)."""
    dossier = locked_dossier(dossier)
    if forwarded:
        target = DossierStatus.FORWARDED
    elif reviewed:
        target = DossierStatus.REVIEWED
    else:
        target = DossierStatus.ACCEPTED
    # The table's other ways into these statuses are the province's acceptance and a
    # round's result; here only a dossier under evaluation may go back.
    if dossier.status != DossierStatus.UNDER_EVALUATION:
        raise InvalidTransition(f"{dossier.status} -> {target}")
    _move(dossier, actor, target, reason=reason)
    return dossier


@transaction.atomic
def mark_reviewed(*, dossier: Dossier, actor: User, reason: str) -> Dossier:
    """The advisory team reported on an accepted dossier: a round may take it."""
    dossier = locked_dossier(dossier)
    if dossier.status != DossierStatus.ACCEPTED:
        raise InvalidTransition(f"{dossier.status} -> {DossierStatus.REVIEWED}")
    _move(dossier, actor, DossierStatus.REVIEWED, reason=reason)
    return dossier


@transaction.atomic
def forward_dossier(
    *, dossier: Dossier, to_level: str, actor: User, reason: str
) -> Dossier:
    """The round's result sends the dossier to the next level."""
    dossier = locked_dossier(dossier)
    dossier.level = to_level
    _move(dossier, actor, DossierStatus.FORWARDED, reason=reason, fields=["level"])
    return dossier


@transaction.atomic
def send_back_dossier(
    *, dossier: Dossier, to_level: str, actor: User, reason: str
) -> Dossier:
    """A higher council sends the product back to a lower level for a lower rating:
    the dossier waits there as forwarded (to be evaluated or decided at that level)."""
    dossier = locked_dossier(dossier)
    dossier.level = to_level
    _move(dossier, actor, DossierStatus.FORWARDED, reason=reason, fields=["level"])
    return dossier


@transaction.atomic
def decide_dossier(*, dossier: Dossier, actor: User, reason: str) -> Dossier:
    """The evaluation of this dossier is over (recognised or not)."""
    dossier = locked_dossier(dossier)
    _move(dossier, actor, DossierStatus.DECIDED, reason=reason)
    return dossier
