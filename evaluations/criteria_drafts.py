"""Correcting a draft criteria sheet in the portal.

A sheet whose printed points cell is blank or misprinted loads as a draft
(catalogue.load_sheet). The provincial administrator checks the cell against the
printed decision, corrects it here, then publishes (services.publish_criteria). Each
correction locks the version row (the same lock publishing takes, so a correction and
a publication never interleave), refuses published versions, needs a reason and is
recorded on the version's audit trail with the old and new values.
"""

from collections import Counter
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from accounts.audit import record_event
from accounts.models import User

from .catalogue import review
from .models import CriteriaVersion, Criterion, CriterionGroup, CriterionOption
from .permissions import can_correct_criteria

# The highest points one cell can hold: a whole sheet is worth 100.
MAX_CELL_POINTS = Decimal(100)
CENT = Decimal("0.01")
OPTION_TEXT_LENGTH = 60


def parse_points(value) -> Decimal:
    """The points typed for a cell: a number ≥ 0 and ≤ 100 with at most two decimals
    ("1,5" is read as 1.5). Raises ValidationError keyed "points"."""
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        raise ValidationError(
            {"points": _("Enter the points printed in the decision.")}
        )
    try:
        points = Decimal(text)
    except InvalidOperation:
        points = None
    if points is None or not points.is_finite():
        raise ValidationError(
            {"points": _("Enter the points as a number, e.g. 2 or 1.5.")}
        )
    if points < 0:
        raise ValidationError({"points": _("The points cannot be negative.")})
    if points > MAX_CELL_POINTS:
        raise ValidationError(
            {"points": _("The points cannot be more than 100: a sheet is worth 100.")}
        )
    if points != points.quantize(CENT):
        raise ValidationError(
            {"points": _("The points have at most 2 decimals, e.g. 1.25.")}
        )
    return points.quantize(CENT)


def _inputs(points, reason: str) -> tuple[Decimal, str]:
    """The parsed points and the stripped reason; a ValidationError names every field
    that is wrong."""
    errors = {}
    try:
        points = parse_points(points)
    except ValidationError as error:
        errors.update(error.message_dict)
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [
            _(
                "Say what the correction was checked against, e.g. “checked against "
                "the printed decision, page 12”."
            )
        ]
    if errors:
        raise ValidationError(errors)
    return points, reason


def _fmt(value: Decimal | None) -> str:
    """A cell's points as the audit trail shows them: "" when blank, "1.5", "100"."""
    return "" if value is None else f"{value.normalize():f}"


def _locked_draft(version_id: int, user: User) -> CriteriaVersion:
    if not can_correct_criteria(user):
        raise PermissionDenied
    version = CriteriaVersion.objects.select_for_update().get(pk=version_id)
    if version.is_published:
        raise ValidationError(
            _(
                "Published versions cannot be changed: rounds are scored on them. "
                "A corrected sheet is loaded as a new version."
            ),
            code="published",
        )
    return version


def _record(
    *,
    version: CriteriaVersion,
    user: User,
    changes: dict[str, list[str]],
    reason: str,
) -> CriteriaVersion:
    """Refresh the version's real maximum and record the correction on it."""
    if not changes:
        raise ValidationError(
            {"points": _("The cell already holds these points: nothing to correct.")}
        )
    old_total = version.total_points
    version.total_points = review(version).total
    version.save(update_fields=["total_points"])
    if version.total_points != old_total:
        changes["total_points"] = [_fmt(old_total), _fmt(version.total_points)]
    record_event(
        target=version, actor=user, action="corrected", changes=changes, reason=reason
    )
    return version


def option_label(criterion: Criterion, option: CriterionOption) -> str:
    text = Truncator(option.text).chars(OPTION_TEXT_LENGTH)
    return f"{criterion.code} · {text}"


@transaction.atomic
def correct_option_points(
    *, option: CriterionOption, points, user: User, reason: str
) -> CriterionOption:
    """Set the points of one answer of a draft sheet, as printed in the decision.

    The criterion's maximum is left as it is (a yes/no criterion's maximum is corrected
    with correct_criterion_max, which sets its "Đạt" answer too).
    """
    version_id = (
        CriterionOption.objects.filter(pk=option.pk)
        .values_list("criterion__part__version_id", flat=True)
        .get()
    )
    version = _locked_draft(version_id, user)
    points, reason = _inputs(points, reason)
    option = CriterionOption.objects.select_related("criterion").get(pk=option.pk)
    changes = {}
    if option.points != points:
        changes[option_label(option.criterion, option)] = [
            _fmt(option.points),
            _fmt(points),
        ]
        option.points = points
        option.save(update_fields=["points"])
    _record(version=version, user=user, changes=changes, reason=reason)
    return option


@transaction.atomic
def correct_criterion_max(
    *, criterion: Criterion, points, user: User, reason: str
) -> Criterion:
    """Set a criterion's maximum points; for a criterion printed with points and no
    answers (met / not met), its "Đạt" answer (the last one) gets the same points."""
    version_id = (
        Criterion.objects.filter(pk=criterion.pk)
        .values_list("part__version_id", flat=True)
        .get()
    )
    version = _locked_draft(version_id, user)
    points, reason = _inputs(points, reason)
    criterion = Criterion.objects.get(pk=criterion.pk)
    changes = {}
    if criterion.max_points != points:
        changes[f"{criterion.code} (max)"] = [
            _fmt(criterion.max_points),
            _fmt(points),
        ]
        criterion.max_points = points
        criterion.save(update_fields=["max_points"])
    if criterion.yes_no:
        met = criterion.options.order_by("-position").first()
        if met is not None and met.points != points:
            changes[option_label(criterion, met)] = [_fmt(met.points), _fmt(points)]
            met.points = points
            met.save(update_fields=["points"])
    _record(version=version, user=user, changes=changes, reason=reason)
    return criterion


@transaction.atomic
def correct_group_max(
    *, group: CriterionGroup, points, user: User, reason: str
) -> CriterionGroup:
    """Set a criterion group's maximum points."""
    version_id = (
        CriterionGroup.objects.filter(pk=group.pk)
        .values_list("part__version_id", flat=True)
        .get()
    )
    version = _locked_draft(version_id, user)
    points, reason = _inputs(points, reason)
    group = CriterionGroup.objects.get(pk=group.pk)
    changes = {}
    if group.max_points != points:
        changes[f"{group.code} (max)"] = [_fmt(group.max_points), _fmt(points)]
        group.max_points = points
        group.save(update_fields=["max_points"])
    _record(version=version, user=user, changes=changes, reason=reason)
    return group


# The list of sheets -------------------------------------------------------------------


def blocking_counts(version_ids) -> Counter:
    """The number of blocking problems of each version, as catalogue.review counts
    them, in three queries whatever the number of versions (review asks four per
    version)."""
    version_ids = list(version_ids)
    counts: Counter = Counter()
    if not version_ids:
        return counts
    options = (
        CriterionOption.objects.filter(criterion__part__version_id__in=version_ids)
        .filter(
            Q(points__isnull=True)
            | Q(
                criterion__max_points__isnull=False,
                points__gt=F("criterion__max_points"),
            )
        )
        .values("criterion__part__version_id")
        .annotate(n=Count("pk"))
    )
    for row in options:
        counts[row["criterion__part__version_id"]] += row["n"]
    criteria = (
        Criterion.objects.filter(part__version_id__in=version_ids, max_points=None)
        .values("part__version_id")
        .annotate(n=Count("pk"))
    )
    for row in criteria:
        counts[row["part__version_id"]] += row["n"]
    # review() reports a group that has criteria; an alternative group only when one
    # of its cases has a maximum.
    groups = (
        CriterionGroup.objects.filter(part__version_id__in=version_ids, max_points=None)
        .filter(
            Q(alternatives=False, criteria__isnull=False)
            | Q(alternatives=True, criteria__max_points__isnull=False)
        )
        .values("part__version_id")
        .annotate(n=Count("pk", distinct=True))
    )
    for row in groups:
        counts[row["part__version_id"]] += row["n"]
    return counts
