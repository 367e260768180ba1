"""The criteria catalogue in the portal: every sheet by legal basis, one sheet read-only,
and for the provincial administrator the correction of a draft's blank or misprinted
points cells against the printed decision, then its publication."""

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from products.models import ProductSet

from .. import criteria_drafts, services
from ..catalogue import basis_label, review
from ..models import (
    CriteriaStatus,
    CriteriaVersion,
    Criterion,
    CriterionGroup,
    CriterionOption,
)
from ..permissions import can_correct_criteria, can_read_criteria
from . import error_messages, evaluation_history

# The decisions in the order they came: 1048 (2019), 148 (2023), 26/2026.
BASIS_ORDER = ["1048", "148", "26/2026"]
CORRECTION_LABEL = gettext_lazy("Cell corrected against the printed decision")


def _readable(user) -> None:
    if not can_read_criteria(user):
        raise PermissionDenied


def _basis_key(basis: str) -> tuple[int, str]:
    return (
        BASIS_ORDER.index(basis) if basis in BASIS_ORDER else len(BASIS_ORDER),
        basis,
    )


# The list ---------------------------------------------------------------------------


@require_GET
def criteria_list(request):
    """Every version, grouped by legal basis, with how many product sets have a
    published sheet under it. Filters: ?basis=148&status=draft."""
    _readable(request.user)
    versions = list(
        CriteriaVersion.objects.select_related("product_set").order_by(
            "product_set__number", "-version"
        )
    )
    bases = sorted({version.basis for version in versions}, key=_basis_key)
    labels = {code: basis_label(code) for code in bases}
    basis = request.GET.get("basis", "")
    if basis not in bases:
        basis = ""
    status = request.GET.get("status", "")
    if status not in CriteriaStatus.values:
        status = ""
    set_counts = dict(
        ProductSet.objects.filter(
            classification_id__in={version.classification_id for version in versions}
        )
        .values_list("classification_id")
        .annotate(n=Count("pk"))
    )
    problems = criteria_drafts.blocking_counts(
        version.pk for version in versions if not version.is_published
    )
    by_basis = defaultdict(list)
    for version in versions:
        version.problem_count = problems.get(version.pk, 0)
        by_basis[version.basis].append(version)
    sections = []
    for code in bases:
        if basis and code != basis:
            continue
        rows = by_basis[code]
        classifications = {version.classification_id for version in rows}
        shown = [version for version in rows if not status or version.status == status]
        sections.append(
            {
                "basis": code,
                "label": labels[code],
                "versions": shown,
                "published_sets": len(
                    {version.product_set_id for version in rows if version.is_published}
                ),
                "total_sets": sum(set_counts.get(pk, 0) for pk in classifications),
                "drafts": sum(1 for version in rows if not version.is_published),
            }
        )
    return render(
        request,
        "evaluations/criteria_list.html",
        {
            "sections": sections,
            "bases": list(labels.items()),
            "basis": basis,
            "status": status,
            "statuses": CriteriaStatus.choices,
        },
    )


# One sheet ---------------------------------------------------------------------------


def _version(pk: int) -> CriteriaVersion:
    return get_object_or_404(
        CriteriaVersion.objects.select_related("product_set", "classification"), pk=pk
    )


def _parts(version: CriteriaVersion) -> list:
    """Parts → groups → criteria → options in four queries."""
    options = CriterionOption.objects.order_by("position")
    criteria = Criterion.objects.order_by("position").prefetch_related(
        Prefetch("options", queryset=options)
    )
    groups = CriterionGroup.objects.order_by("position").prefetch_related(
        Prefetch("criteria", queryset=criteria)
    )
    return list(
        version.parts.order_by("position").prefetch_related(
            Prefetch("groups", queryset=groups)
        )
    )


def _fmt(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _mark_cells(parts: list) -> None:
    """Mark the blank or misprinted cells (`needs_points`) and give each its anchor;
    catalogue.review names the anchor of each problem."""
    for part in parts:
        for group in part.groups.all():
            group.anchor = f"group-{group.pk}"
            group.needs_points = group.max_points is None
            for criterion in group.criteria.all():
                criterion.anchor = f"criterion-{criterion.pk}"
                criterion.needs_points = criterion.max_points is None
                criterion.option_list = list(criterion.options.all())
                for option in criterion.option_list:
                    option.anchor = (
                        criterion.anchor if criterion.yes_no else f"option-{option.pk}"
                    )
                    option.needs_points = option.points is None or (
                        criterion.max_points is not None
                        and option.points > criterion.max_points
                    )
                    # A met / not met criterion is corrected through its maximum.
                    if option.needs_points and criterion.yes_no:
                        criterion.needs_points = True


def _history(version: CriteriaVersion) -> list[dict]:
    rows = evaluation_history(version)
    for row in rows:
        if row["event"].action == "corrected":
            row["action_label"] = CORRECTION_LABEL
    return rows


def _detail_context(request, version: CriteriaVersion, correction=None) -> dict:
    parts = _parts(version)
    _mark_cells(parts)
    check = review(version)
    return {
        "version": version,
        "basis_label": basis_label(version.basis),
        "parts": parts,
        "check": check,
        "missing": [
            {"message": message, "anchor": check.anchors.get(message)}
            for message in check.blocking
        ],
        "can_correct": can_correct_criteria(request.user) and not version.is_published,
        "can_publish": not check.blocking and check.total <= 100,
        "over_100": check.total > 100,
        "correction": correction or {},
        "history": _history(version),
    }


@require_GET
def criteria_detail(request, pk: int):
    _readable(request.user)
    version = _version(pk)
    return render(
        request,
        "evaluations/criteria_detail.html",
        _detail_context(request, version),
    )


# Correcting and publishing -----------------------------------------------------------

CORRECTIONS = {
    "option": (
        CriterionOption,
        "criterion__part__version",
        criteria_drafts.correct_option_points,
        "option",
    ),
    "criterion": (
        Criterion,
        "part__version",
        criteria_drafts.correct_criterion_max,
        "criterion",
    ),
    "group": (
        CriterionGroup,
        "part__version",
        criteria_drafts.correct_group_max,
        "group",
    ),
}


@require_POST
def criteria_correct(request, pk: int):
    """Correct one cell of a draft: `kind` (option, criterion or group), `target` (its
    id, in this version), `points` and `reason`."""
    if not can_correct_criteria(request.user):
        raise PermissionDenied
    version = _version(pk)
    kind = request.POST.get("kind", "")
    target = request.POST.get("target", "")
    if kind not in CORRECTIONS or not (
        target.isascii() and target.isdigit() and len(target) < 10
    ):
        raise Http404
    model, version_path, correct, argument = CORRECTIONS[kind]
    cell = get_object_or_404(
        model.objects.select_related(*(["criterion"] if kind == "option" else [])),
        pk=int(target),
        **{version_path: version},
    )
    points = request.POST.get("points", "")
    reason = request.POST.get("reason", "")
    try:
        correct(**{argument: cell}, points=points, user=request.user, reason=reason)
    except ValidationError as error:
        version.refresh_from_db()
        fields = error.message_dict if hasattr(error, "error_dict") else {}
        correction = {
            "kind": kind,
            "target": cell.pk,
            "points": points,
            "reason": reason,
            "errors": error_messages(error),
            "points_errors": fields.get("points", []),
            "reason_errors": fields.get("reason", []),
        }
        for message in correction["errors"]:
            messages.error(request, message)
        return render(
            request,
            "evaluations/criteria_detail.html",
            _detail_context(request, version, correction=correction),
        )
    messages.success(
        request,
        _("The cell is corrected: %(points)s points. The correction is recorded.")
        % {"points": _fmt(criteria_drafts.parse_points(points))},
    )
    return redirect(f"{version.get_absolute_url()}#{_anchor(kind, cell)}")


def _anchor(kind: str, cell) -> str:
    if kind == "option" and cell.criterion.yes_no:
        return f"criterion-{cell.criterion_id}"
    return f"{kind}-{cell.pk}"


@require_POST
def criteria_publish(request, pk: int):
    if not can_correct_criteria(request.user):
        raise PermissionDenied
    version = _version(pk)
    try:
        services.publish_criteria(version=version, user=request.user)
    except ValidationError as error:
        problems = error_messages(error)
        messages.error(
            request,
            _("The sheet is not published: %(problems)s")
            % {"problems": " ".join(problems)},
        )
    else:
        messages.success(
            request,
            _("%(name)s is published: dossiers of this set are now scored on it.")
            % {"name": version.name},
        )
    return redirect(version)
