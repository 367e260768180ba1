"""Members' score sheets: opening, saving a draft, submitting and reopening. Rounds,
assignment and conflicts of interest live in services.py. Each function owns its
transaction, row lock, guard and audit.

Lock order, as in services.py: round, then entry, then dossier, then sheet.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import changes_between, record_created, record_event, snapshot
from accounts.models import User
from core import clock

from . import scoring
from .models import (
    CouncilMember,
    Criterion,
    CriterionOption,
    Exclusion,
    RoundEntry,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from .permissions import RoundAccess


class ConflictOfInterest(PermissionDenied):
    """The member is excluded from this entry (declared or linked to the producer)."""


def _scoring_member(user: User, entry: RoundEntry) -> CouncilMember:
    """The user's membership for scoring an entry; PermissionDenied when not a member,
    ConflictOfInterest when excluded from the entry."""
    member = RoundAccess.of(user, entry.round).member
    if member is None:
        raise PermissionDenied
    exclusion = Exclusion.objects.filter(entry=entry, member=member).first()
    if exclusion is not None:
        raise ConflictOfInterest(exclusion.reason)
    return member


@transaction.atomic
def open_sheet(*, entry: RoundEntry, user: User) -> ScoreSheet:
    """The member's sheet for an entry, created on first open (once, under the entry's
    lock and the unique constraint). Raises ConflictOfInterest when excluded."""
    entry = (
        RoundEntry.objects.select_for_update(of=("self",))
        .select_related("round")
        .get(pk=entry.pk)
    )
    member = _scoring_member(user, entry)
    sheet = ScoreSheet.objects.filter(entry=entry, member=member).first()
    if sheet is not None:
        return sheet
    if entry.round.status != RoundStatus.SCORING:
        raise ValidationError(_("The round is not open for scoring."))
    sheet = ScoreSheet.objects.create(entry=entry, member=member)
    record_created(target=sheet, actor=user, fields=["status"])
    return sheet


def _locked_sheet(sheet: ScoreSheet) -> ScoreSheet:
    return (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("entry__round", "member__user")
        .get(pk=sheet.pk)
    )


def _guard_edit(user: User, sheet: ScoreSheet) -> None:
    if sheet.member.user_id != user.pk:
        raise PermissionDenied
    _scoring_member(user, sheet.entry)
    if sheet.status == SheetStatus.SUBMITTED:
        raise ValidationError(
            _("This sheet is submitted and locked. Only the chair can reopen it."),
            code="locked",
        )
    if sheet.entry.round.status != RoundStatus.SCORING:
        raise ValidationError(_("The round is not open for scoring."), code="closed")


def _write_answers(sheet: ScoreSheet, choices: dict[int, int]) -> None:
    """Make the sheet's answers exactly `choices` (criterion id → option id)."""
    options = {
        option.pk: option
        for option in CriterionOption.objects.filter(
            pk__in=choices.values(),
            criterion__part__version=sheet.entry.criteria_id,
        )
    }
    for criterion_id, option_id in choices.items():
        option = options.get(option_id)
        if option is None or option.criterion_id != criterion_id:
            raise ValidationError(
                _("An answer does not belong to this sheet's criteria."),
                code="foreign_option",
            )
    sheet.answers.exclude(criterion_id__in=choices.keys()).delete()
    existing = {answer.criterion_id: answer for answer in sheet.answers.all()}
    changed, new = [], []
    for criterion_id, option_id in choices.items():
        option = options[option_id]
        answer = existing.get(criterion_id)
        if answer is None:
            new.append(
                sheet.answers.model(
                    sheet=sheet,
                    criterion_id=criterion_id,
                    option=option,
                    points=option.points,
                )
            )
        elif answer.option_id != option_id:
            answer.option = option
            answer.points = option.points
            changed.append(answer)
    sheet.answers.model.objects.bulk_create(new)
    sheet.answers.model.objects.bulk_update(changed, ["option", "points"])


def _recompute_total(sheet: ScoreSheet) -> None:
    # Read back from the answers inside the same transaction: the total can never
    # disagree with what was saved. The rule is the live total's (scoring.sheet_total).
    sheet.total = scoring.sheet_total(sheet.answers.values_list("points", flat=True))


def unanswered_criteria(sheet: ScoreSheet):
    return Criterion.objects.filter(part__version=sheet.entry.criteria_id).exclude(
        pk__in=sheet.answers.values("criterion_id")
    )


@transaction.atomic
def save_sheet(*, sheet: ScoreSheet, user: User, choices: dict[int, int]) -> ScoreSheet:
    """Save a draft: the answers become `choices`; the total is recomputed.

    Raises ValidationError for a submitted sheet or a round not scoring, and
    ConflictOfInterest / PermissionDenied for anyone but the sheet's member.
    """
    sheet = _locked_sheet(sheet)
    _guard_edit(user, sheet)
    before = snapshot(sheet, ["total"])
    _write_answers(sheet, choices)
    _recompute_total(sheet)
    sheet.save(update_fields=["total", "updated_at"])
    changes = changes_between(before, snapshot(sheet, ["total"]))
    record_event(target=sheet, actor=user, action="updated", changes=changes)
    return sheet


@transaction.atomic
def submit_sheet(
    *, sheet: ScoreSheet, user: User, choices: dict[int, int] | None = None
) -> ScoreSheet:
    """Save the answers (when given) and submit: the sheet is locked.

    Every criterion must be answered. A second submit (double click, two tabs) waits
    for the first on the row lock and is refused with a ValidationError.
    """
    sheet = _locked_sheet(sheet)
    _guard_edit(user, sheet)
    before = snapshot(sheet, ["status", "total"])
    if choices is not None:
        _write_answers(sheet, choices)
    missing = list(unanswered_criteria(sheet).values_list("code", flat=True))
    if missing:
        raise ValidationError(
            _("Answer every criterion before submitting. Missing: %(codes)s.")
            % {"codes": ", ".join(missing)},
            code="incomplete",
        )
    _recompute_total(sheet)
    sheet.move_to(SheetStatus.SUBMITTED)
    sheet.submitted_at = clock.now()
    sheet.save(update_fields=["status", "total", "submitted_at", "updated_at"])
    record_event(
        target=sheet,
        actor=user,
        action="status",
        changes=changes_between(before, snapshot(sheet, ["status", "total"])),
    )
    return sheet


@transaction.atomic
def reopen_sheet(*, sheet: ScoreSheet, user: User, reason: str) -> ScoreSheet:
    """The chair sends a submitted sheet back to its member for re-scoring (e.g. the
    spread is over the threshold). The reason is recorded."""
    sheet = _locked_sheet(sheet)
    round = sheet.entry.round
    if not RoundAccess.of(user, round).is_chair:
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the sheet is reopened.")})
    if round.status != RoundStatus.SCORING:
        raise ValidationError(_("Sheets can be reopened only while scoring."))
    if sheet.status != SheetStatus.SUBMITTED:
        raise ValidationError(_("This sheet is not submitted."))
    before = snapshot(sheet, ["status", "reopened_count"])
    sheet.move_to(SheetStatus.DRAFT)
    sheet.submitted_at = None
    sheet.reopened_count += 1
    sheet.save(update_fields=["status", "submitted_at", "reopened_count", "updated_at"])
    changes = changes_between(before, snapshot(sheet, ["status", "reopened_count"]))
    record_event(
        target=sheet, actor=user, action="reopened", changes=changes, reason=reason
    )
    record_event(
        target=round,
        actor=user,
        action="sheet_reopened",
        changes={
            "member": ["", str(sheet.member.user)],
            "product": ["", str(sheet.entry.dossier.product)],
        },
        reason=reason,
    )
    return sheet
