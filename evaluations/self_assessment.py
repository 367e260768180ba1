"""The self-assessment report (báo cáo tự đánh giá, Mẫu 02 of 26/2026/QĐ-TTg): the
producer's or the officer's own scoring of the product, on the sheet the council will
score it on. It is part of the dossier: the local officer who compiles the dossier
records it (producers have no accounts yet, so `assessed_by` says who scored) until
the commune proposes the dossier to the province. The advisory team and the council
read it beside the members' sheets; it never counts in the council's mean.

A report may be partial: every answer given is checked against the sheet, and the
total, band and (capped) star are those of the answers given.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.audit import changes_between, record_created, record_event, snapshot
from accounts.models import User
from core import clock
from products.models import Dossier, DossierStatus
from products.permissions import can_compile_dossier

from . import scoring
from .catalogue import basis_for_dossier, basis_label, version_for_dossier
from .models import (
    CriteriaVersion,
    Criterion,
    CriterionGroup,
    SelfAssessment,
    SelfAssessmentAnswer,
)
from .sheets import check_choices, sync_answers
from .sheets import criteria_tree as _criteria_tree

# While the dossier is with its compiler or its commune: once the commune proposes it
# to the province (or, before the reform, once it is submitted to the province), the
# report is part of what the province received and stays as it was.
OPEN_STATUSES = frozenset(
    {DossierStatus.DRAFT, DossierStatus.RETURNED, DossierStatus.WITH_COMMUNE}
)
MAX_ASSESSED_BY = 200
AUDITED = ["criteria", "assessed_by", "total", "band_stars", "stars", "cap_reason"]


def is_open(dossier: Dossier) -> bool:
    """The dossier's self-assessment may still change."""
    return dossier.status in OPEN_STATUSES


def can_fill(user, dossier: Dossier) -> bool:
    """The local officer who compiles the dossier, while it is open."""
    return is_open(dossier) and can_compile_dossier(user, dossier)


def closed_message(dossier: Dossier) -> str:
    return _(
        "This dossier is %(status)s: its self-assessment is part of what the commune "
        "proposed to the province and can no longer change."
    ) % {"status": dossier.get_status_display().lower()}


def no_sheet_message(dossier: Dossier, *, day=None) -> str:
    basis = basis_for_dossier(dossier, day=day or clock.today())
    return _(
        "There is no published sheet for this product set (%(set)s) under "
        "%(basis)s: the self-assessment can be recorded once the provincial "
        "administrator publishes it."
    ) % {"set": dossier.product.product_set.name, "basis": basis_label(basis)}


def sheet_for(dossier: Dossier) -> CriteriaVersion | None:
    """The published sheet the dossier will be scored on (today's, for a draft)."""
    return version_for_dossier(dossier, day=clock.today())


def _criteria_count(version_field: str = "criteria_id") -> Coalesce:
    """What a sheet asks to answer: each criterion, a group of alternative cases
    once (scoring.totals counts the same way)."""
    single = (
        Criterion.objects.filter(
            part__version=OuterRef(version_field), group__alternatives=False
        )
        .order_by()
        .values("part__version")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    cases = (
        CriterionGroup.objects.filter(
            part__version=OuterRef(version_field), alternatives=True
        )
        .order_by()
        .values("part__version")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(single, output_field=IntegerField()), Value(0)) + Coalesce(
        Subquery(cases, output_field=IntegerField()), Value(0)
    )


def summary_of(dossier_id: int) -> SelfAssessment | None:
    """The dossier's self-assessment for a summary card, in one query: with its
    sheet, who recorded it, `answered` and `criteria_count`."""
    answered = (
        SelfAssessmentAnswer.objects.filter(assessment=OuterRef("pk"))
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        SelfAssessment.objects.filter(dossier_id=dossier_id)
        .select_related("criteria", "recorded_by")
        .annotate(
            answered=Coalesce(
                Subquery(answered, output_field=IntegerField()), Value(0)
            ),
            criteria_count=_criteria_count(),
        )
        .first()
    )


def _check_assessed_by(assessed_by: str) -> str:
    text = (assessed_by or "").strip()
    if not text:
        raise ValidationError(
            {
                "assessed_by": _(
                    "Say who scored: the producer's representative or the officer."
                )
            }
        )
    if len(text) > MAX_ASSESSED_BY:
        raise ValidationError(
            {"assessed_by": _("At most %(max)s characters.") % {"max": MAX_ASSESSED_BY}}
        )
    return text


@transaction.atomic
def save_self_assessment(
    *, dossier: Dossier, user: User, choices: dict[int, int], assessed_by: str
) -> SelfAssessment:
    """Record the dossier's self-assessment: its answers become exactly `choices`
    (criterion id → option id, possibly partial) on the sheet the dossier will be
    scored on, and its total, band and capped star are those scoring.totals gives.

    Raises PermissionDenied for anyone but the dossier's compiling officer, and
    ValidationError when the dossier is past the commune's proposal, its set has no
    published sheet, an answer is not one of the sheet's, two cases of a group of
    alternatives are answered, or `assessed_by` is empty.
    """
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("product__product_set", "process")
        .get(pk=dossier.pk)
    )
    if not can_compile_dossier(user, dossier):
        raise PermissionDenied
    if not is_open(dossier):
        raise ValidationError(closed_message(dossier), code="closed")
    assessed_by = _check_assessed_by(assessed_by)
    version = sheet_for(dossier)
    if version is None:
        raise ValidationError(no_sheet_message(dossier), code="no_sheet")
    parts, criteria = _criteria_tree(version.pk)
    options = {
        option.pk: option
        for criterion in criteria
        for option in criterion.options.all()
    }
    check_choices(version.pk, choices, options)
    totals = scoring.totals(parts, choices)

    assessment = SelfAssessment.objects.filter(dossier=dossier).first()
    created = assessment is None
    if created:
        assessment = SelfAssessment(dossier=dossier)
        before = {}
    else:
        before = snapshot(assessment, AUDITED)
        before["answers"] = str(assessment.answers.count())
    assessment.criteria = version
    assessment.assessed_by = assessed_by
    assessment.total = totals.total
    assessment.band_stars = totals.band
    assessment.stars = totals.stars
    # Stored in the portal's language, as the council's results are.
    with translation.override(settings.LANGUAGE_CODE):
        assessment.cap_reason = scoring.cap_reason(totals.unmet)
    assessment.recorded_by = user
    assessment.save()
    sync_answers(assessment.answers, choices, options)
    after = snapshot(assessment, AUDITED)
    after["answers"] = str(len(choices))
    if created:
        record_created(target=assessment, actor=user, fields=AUDITED)
    else:
        record_event(
            target=assessment,
            actor=user,
            action="updated",
            changes=changes_between(before, after),
        )
    # The dossier's self-assessment score (Mẫu 01's line, shown in lists and to the
    # council) is the report's total from now on: one number, not two.
    if dossier.self_assessment_score != assessment.total:
        score_before = snapshot(dossier, ["self_assessment_score"])
        dossier.self_assessment_score = assessment.total
        dossier.save(update_fields=["self_assessment_score"])
        record_event(
            target=dossier,
            actor=user,
            action="updated",
            changes=changes_between(
                score_before, snapshot(dossier, ["self_assessment_score"])
            ),
        )
    return assessment
