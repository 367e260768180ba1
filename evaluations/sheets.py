"""Members' score sheets: opening, saving a draft, submitting and reopening. Rounds,
assignment and conflicts of interest live in services.py. Each function owns its
transaction, row lock, guard and audit.

Lock order, as in services.py: round, then entry, then dossier, then sheet.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.audit import changes_between, record_created, record_event, snapshot
from accounts.models import User
from core import clock

from . import scoring
from .models import (
    CouncilMember,
    Criterion,
    CriterionOption,
    DisqualifierCheck,
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
        .select_related("entry__round", "entry__criteria", "member__user")
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


def check_choices(version_id: int, choices: dict[int, int], options: dict) -> None:
    """Refuse answers that are not options of their criterion on the sheet
    (`options`: the sheet's options by id) or that score two alternative cases."""
    for criterion_id, option_id in choices.items():
        option = options.get(option_id)
        if option is None or option.criterion_id != criterion_id:
            raise ValidationError(
                _("An answer does not belong to this sheet's criteria."),
                code="foreign_option",
            )
    check_cases(version_id, set(choices))


def sync_answers(answers, choices: dict[int, int], options: dict) -> None:
    """Make a related set of answers (a member's sheet, a self-assessment) exactly
    `choices` (criterion id → option id), each with its option's points."""
    answers.exclude(criterion_id__in=choices.keys()).delete()
    existing = {answer.criterion_id: answer for answer in answers.all()}
    changed, new = [], []
    for criterion_id, option_id in choices.items():
        option = options[option_id]
        answer = existing.get(criterion_id)
        if answer is None:
            new.append(
                answers.model(
                    criterion_id=criterion_id,
                    option=option,
                    points=option.points,
                    **{answers.field.name: answers.instance},
                )
            )
        elif answer.option_id != option_id or answer.points != option.points:
            answer.option = option
            answer.points = option.points
            changed.append(answer)
    answers.model.objects.bulk_create(new)
    answers.model.objects.bulk_update(changed, ["option", "points"])


def _write_answers(sheet: ScoreSheet, choices: dict[int, int]) -> None:
    """Make the sheet's answers exactly `choices` (criterion id → option id)."""
    options = {
        option.pk: option
        for option in CriterionOption.objects.filter(
            pk__in=choices.values(),
            criterion__part__version=sheet.entry.criteria_id,
        )
    }
    check_choices(sheet.entry.criteria_id, choices, options)
    sync_answers(sheet.answers, choices, options)


def _recompute_total(sheet: ScoreSheet) -> None:
    # Read back from the answers inside the same transaction: the total can never
    # disagree with what was saved. The rule is the live total's (scoring.sheet_total).
    sheet.total = scoring.sheet_total(sheet.answers.values_list("points", flat=True))


def criteria_tree(version_id: int) -> tuple[list[dict], list[Criterion]]:
    """Parts → groups → criteria (with options) of a sheet, in two queries."""
    criteria = list(
        Criterion.objects.filter(part__version=version_id)
        .select_related("part", "group")
        .prefetch_related("options")
        .order_by("part__position", "group__position", "position", "pk")
    )
    parts: list[dict] = []
    for criterion in criteria:
        if not parts or parts[-1]["part"].pk != criterion.part_id:
            parts.append({"part": criterion.part, "groups": []})
        groups = parts[-1]["groups"]
        if not groups or groups[-1]["group"].pk != criterion.group_id:
            groups.append({"group": criterion.group, "criteria": []})
        groups[-1]["criteria"].append(criterion)
    return parts, criteria


def missing_answers(version_id: int, answered: set[int]) -> list[str]:
    """Codes of what a sheet still has to answer: every criterion, except that a group
    of alternative cases needs exactly one of its cases (shown as "8 (…)")."""
    missing, cases = [], defaultdict(list)
    for criterion in Criterion.objects.filter(part__version=version_id).select_related(
        "group"
    ):
        if criterion.group.alternatives:
            cases[criterion.group].append(criterion)
        elif criterion.pk not in answered:
            missing.append(criterion.code)
    for group, criteria in cases.items():
        if not any(criterion.pk in answered for criterion in criteria):
            missing.append(
                _("%(group)s (one of %(cases)s)")
                % {"group": group.code, "cases": ", ".join(c.code for c in criteria)}
            )
    return missing


def check_cases(version_id: int, answered: set[int]) -> None:
    """Refuse answers to two cases of the same group of alternatives."""
    doubled = (
        Criterion.objects.filter(
            part__version=version_id, group__alternatives=True, pk__in=answered
        )
        .values("group__code")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values_list("group__code", flat=True)
    )
    if doubled:
        raise ValidationError(
            _(
                "Group %(groups)s offers alternative cases: score one case only and "
                "leave the other empty."
            )
            % {"groups": ", ".join(doubled)},
            code="two_cases",
        )


def _write_check(sheet: ScoreSheet, check: str | None) -> None:
    if check is not None:
        if check not in ("", *DisqualifierCheck.values):
            raise ValidationError(_("Choose an answer to the disqualification check."))
        sheet.disqualifier_check = check


@transaction.atomic
def save_sheet(
    *,
    sheet: ScoreSheet,
    user: User,
    choices: dict[int, int],
    disqualifier_check: str | None = None,
) -> ScoreSheet:
    """Save a draft: the answers become `choices`; the total is recomputed.

    Raises ValidationError for a submitted sheet or a round not scoring, and
    ConflictOfInterest / PermissionDenied for anyone but the sheet's member.
    """
    sheet = _locked_sheet(sheet)
    _guard_edit(user, sheet)
    before = snapshot(sheet, ["total", "disqualifier_check"])
    _write_answers(sheet, choices)
    _write_check(sheet, disqualifier_check)
    _recompute_total(sheet)
    sheet.save(update_fields=["total", "disqualifier_check", "updated_at"])
    changes = changes_between(before, snapshot(sheet, ["total", "disqualifier_check"]))
    record_event(target=sheet, actor=user, action="updated", changes=changes)
    return sheet


@transaction.atomic
def submit_sheet(
    *,
    sheet: ScoreSheet,
    user: User,
    choices: dict[int, int] | None = None,
    disqualifier_check: str | None = None,
) -> ScoreSheet:
    """Save the answers (when given) and submit: the sheet is locked.

    Every criterion must be answered (one case of a group of alternatives), and the
    disqualification check made when the sheet prints one. A second submit (double click, two tabs) waits
    for the first on the row lock and is refused with a ValidationError.
    """
    sheet = _locked_sheet(sheet)
    _guard_edit(user, sheet)
    before = snapshot(sheet, ["status", "total"])
    if choices is not None:
        _write_answers(sheet, choices)
    _write_check(sheet, disqualifier_check)
    answered = set(sheet.answers.values_list("criterion_id", flat=True))
    missing = missing_answers(sheet.entry.criteria_id, answered)
    if missing:
        raise ValidationError(
            _("Answer every criterion before submitting. Missing: %(codes)s.")
            % {"codes": ", ".join(missing)},
            code="incomplete",
        )
    if sheet.entry.criteria.disqualifier and not sheet.disqualifier_check:
        raise ValidationError(
            _(
                "Say whether the dossier is a case of disqualification (the line "
                "above the sheet) before submitting."
            ),
            code="disqualifier_check",
        )
    _recompute_total(sheet)
    sheet.move_to(SheetStatus.SUBMITTED)
    sheet.submitted_at = clock.now()
    sheet.save(
        update_fields=[
            "status",
            "total",
            "disqualifier_check",
            "submitted_at",
            "updated_at",
        ]
    )
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
