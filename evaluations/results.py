"""Aggregating a round's score sheets, the round's rows as a user may see them, and
finalising its results.

The aggregate is computed by the database in a fixed number of queries, whatever the
number of products and members. Finalising is one transaction under a lock on the
round, and a second call changes nothing.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.audit import record_event
from accounts.models import User
from core import clock
from products import process as dossier_process
from products.models import EvaluationLevel

from . import notices, scoring
from .models import (
    Answer,
    Certificate,
    CouncilMember,
    Criterion,
    DisqualifierCheck,
    Exclusion,
    Outcome,
    Round,
    RoundEntry,
    RoundResult,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from .permissions import RoundAccess, can_see_scores
from .signals import recognition_changed

TWO_PLACES = scoring.TWO_PLACES


@dataclass
class EntryAggregate:
    """The submitted sheets of one entry, summarised. `mean` is None until a sheet is
    submitted; `expected` counts the council's members not excluded from the entry."""

    entry: RoundEntry
    expected: int
    submitted: int
    drafts: int
    mean: Decimal | None = None
    part_means: dict[str, Decimal] = field(default_factory=dict)
    min: Decimal | None = None
    max: Decimal | None = None
    spread: Decimal | None = None
    flagged: bool = False
    band: int | None = None


def _counted_sheets(round: Round):
    """Sheets of the round that count: not those of a member excluded from the entry
    (a conflict declared or found after the member had submitted)."""
    excluded = Exclusion.objects.filter(
        entry=OuterRef("entry"), member=OuterRef("member")
    )
    return ScoreSheet.objects.filter(entry__round=round).exclude(Exists(excluded))


def entry_aggregates(*, round: Round) -> list[EntryAggregate]:
    """Aggregates of every entry of the round (five queries)."""
    entries = list(
        round.entries.select_related(
            "dossier__product__producer",
            "dossier__product__commune",
            "dossier__district",
            "criteria__product_set",
        ).order_by("dossier__product__name", "pk")
    )
    members = CouncilMember.objects.filter(council_id=round.council_id).count()
    excluded = dict(
        Exclusion.objects.filter(entry__round=round)
        .values("entry")
        .annotate(n=Count("pk"))
        .values_list("entry", "n")
    )
    sheets = {
        row["entry"]: row
        for row in _counted_sheets(round)
        .values("entry")
        .annotate(
            submitted=Count("pk", filter=Q(status=SheetStatus.SUBMITTED)),
            drafts=Count("pk", filter=Q(status=SheetStatus.DRAFT)),
            points=Sum("total", filter=Q(status=SheetStatus.SUBMITTED)),
            low=Min("total", filter=Q(status=SheetStatus.SUBMITTED)),
            high=Max("total", filter=Q(status=SheetStatus.SUBMITTED)),
        )
    }
    part_sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        Answer.objects.filter(
            sheet__entry__round=round, sheet__status=SheetStatus.SUBMITTED
        )
        .values("sheet__entry", "criterion__part__code")
        .annotate(points=Sum("points"))
    ):
        part_sums[row["sheet__entry"]][row["criterion__part__code"]] = row["points"]

    aggregates = []
    for entry in entries:
        row = sheets.get(entry.pk, {})
        submitted = row.get("submitted", 0)
        aggregate = EntryAggregate(
            entry=entry,
            expected=members - excluded.get(entry.pk, 0),
            submitted=submitted,
            drafts=row.get("drafts", 0),
        )
        if submitted:
            count = Decimal(submitted)
            aggregate.mean = (Decimal(row["points"]) / count).quantize(
                TWO_PLACES, rounding=ROUND_DOWN
            )
            aggregate.min = Decimal(row["low"])
            aggregate.max = Decimal(row["high"])
            aggregate.spread = aggregate.max - aggregate.min
            aggregate.flagged = aggregate.spread > round.spread_threshold
            aggregate.band = scoring.star_band(aggregate.mean)
            aggregate.part_means = {
                code: (Decimal(points) / count).quantize(
                    TWO_PLACES, rounding=ROUND_DOWN
                )
                for code, points in sorted(part_sums[entry.pk].items())
            }
        aggregates.append(aggregate)
    return aggregates


def quorum_met(*, round: Round, aggregate: EntryAggregate) -> bool:
    """At least the round's quorum (e.g. 3/4) of the members who may score the product
    have submitted; never fewer than one sheet."""
    needed = max(1, math.ceil(Decimal(aggregate.expected) * round.quorum))
    return aggregate.submitted >= needed


def quorum_needed(*, round: Round, aggregate: EntryAggregate) -> int:
    return max(1, math.ceil(Decimal(aggregate.expected) * round.quorum))


@dataclass
class EntryRow:
    """One product of the round as the current user may see it."""

    entry: RoundEntry
    aggregate: EntryAggregate
    my_sheet: ScoreSheet | None
    exclusion: Exclusion | None
    scores_visible: bool
    result: RoundResult | None
    certificate: Certificate | None
    part_values: list = field(default_factory=list)

    @property
    def excluded(self) -> bool:
        return self.exclusion is not None


SORTS = {
    "mean": lambda row: row.aggregate.mean,
    "spread": lambda row: row.aggregate.spread,
}


def entry_rows(
    *, round: Round, member: CouncilMember | None, sort: str = ""
) -> list[EntryRow]:
    """The round's products with aggregates masked by blind scoring, in a fixed number
    of queries."""
    aggregates = entry_aggregates(round=round)
    my_sheets, my_exclusions = {}, {}
    if member is not None:
        my_sheets = {
            sheet.entry_id: sheet
            for sheet in ScoreSheet.objects.filter(entry__round=round, member=member)
        }
        my_exclusions = {
            exclusion.entry_id: exclusion
            for exclusion in Exclusion.objects.filter(entry__round=round, member=member)
        }
    round_results, round_certificates = {}, {}
    if round.status == RoundStatus.CLOSED:
        round_results = {
            result.entry_id: result
            for result in RoundResult.objects.filter(entry__round=round)
        }
        round_certificates = {
            certificate.result_id: certificate
            for certificate in Certificate.objects.filter(result__entry__round=round)
        }
    rows = []
    for aggregate in aggregates:
        entry = aggregate.entry
        my_sheet = my_sheets.get(entry.pk)
        exclusion = my_exclusions.get(entry.pk)
        result = round_results.get(entry.pk)
        rows.append(
            EntryRow(
                entry=entry,
                aggregate=aggregate,
                my_sheet=my_sheet,
                exclusion=exclusion,
                scores_visible=can_see_scores(
                    round=round,
                    member=member,
                    own_status=my_sheet.status if my_sheet else None,
                    excluded=exclusion is not None,
                ),
                result=result,
                certificate=round_certificates.get(result.pk) if result else None,
            )
        )
    key = SORTS.get(sort.lstrip("-"))
    if key is not None:
        # Hidden or empty values sort last whatever the direction.
        shown = [row for row in rows if row.scores_visible and key(row) is not None]
        hidden = [row for row in rows if row not in shown]
        shown.sort(key=key, reverse=not sort.startswith("-"))
        rows = shown + hidden
    return rows


def _criterion_means(round: Round) -> dict[int, dict[int, Decimal]]:
    """Per entry, the mean points of each criterion over the submitted sheets."""
    counted = _counted_sheets(round).filter(status=SheetStatus.SUBMITTED)
    counts = dict(
        counted.values("entry").annotate(n=Count("pk")).values_list("entry", "n")
    )
    means: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for entry_id, criterion_id, points in (
        Answer.objects.filter(
            sheet__entry__round=round, sheet__status=SheetStatus.SUBMITTED
        )
        .values("sheet__entry", "criterion")
        .annotate(points=Sum("points"))
        .values_list("sheet__entry", "criterion", "points")
    ):
        means[entry_id][criterion_id] = Decimal(points) / Decimal(counts[entry_id])
    return means


def _requirements(version_ids: set[int]) -> dict[int, list[scoring.Requirement]]:
    """The star requirements of each criteria version (two queries), by the rule the
    live sheet uses (scoring.requirements_of)."""
    requirements: dict[int, list[scoring.Requirement]] = defaultdict(list)
    for criterion in (
        Criterion.objects.filter(part__version__in=version_ids)
        .select_related("group", "part")
        .prefetch_related("options")
    ):
        requirements[criterion.part.version_id] += scoring.requirements_of(criterion)
    return requirements


def _stored(render, *args) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render(*args)


def _disqualified(round: Round) -> set[int]:
    """Entries most of whose counted, submitted sheets found the dossier disqualified
    ("Hồ sơ bị loại khi…")."""
    rows = (
        _counted_sheets(round)
        .filter(status=SheetStatus.SUBMITTED)
        .values("entry")
        .annotate(
            n=Count("pk"),
            out=Count(
                "pk", filter=Q(disqualifier_check=DisqualifierCheck.DISQUALIFIED)
            ),
        )
    )
    return {row["entry"] for row in rows if row["out"] * 2 > row["n"]}


def level_rules(round: Round) -> list[scoring.LevelRule]:
    order = {level: index for index, level in enumerate(EvaluationLevel.values)}
    return sorted(
        (
            scoring.LevelRule(
                level=level.level,
                min_stars=level.min_recognised_stars,
                max_stars=level.max_recognised_stars,
                forward_threshold=level.forward_threshold,
            )
            for level in round.regime.levels.all()
        ),
        key=lambda rule: order[rule.level],
    )


@transaction.atomic
def finalise_round(*, round: Round, user: User) -> list[RoundResult]:
    """Compute every entry's result and close the round.

    Star = the band of the mean, capped at the highest level whose required criteria
    are met; outcome from the regime's level rules. Dossiers move on (forwarded, sent
    back, or decided when not recognised; recognised ones are decided by the decision).
    Raises PermissionDenied unless the user is the round's secretary or chair, and
    ValidationError when scoring is not open or a product lacks its quorum. Calling it
    again on a closed round returns the stored results and changes nothing.
    """
    round = Round.objects.select_for_update().select_related("regime").get(pk=round.pk)
    if not RoundAccess.of(user, round).is_manager:
        raise PermissionDenied
    if round.status == RoundStatus.CLOSED:
        return list(RoundResult.objects.filter(entry__round=round).order_by("entry"))
    if round.status != RoundStatus.SCORING:
        raise ValidationError(_("Scoring has not been opened in this round."))
    aggregates = entry_aggregates(round=round)
    if not aggregates:
        raise ValidationError(_("The round has no products to finalise."))
    short = [a for a in aggregates if not quorum_met(round=round, aggregate=a)]
    if short:
        raise ValidationError(
            _("Quorum not reached for: %(products)s.")
            % {
                "products": "; ".join(
                    f"{a.entry.dossier.product.name} ({a.submitted}/"
                    f"{quorum_needed(round=round, aggregate=a)})"
                    for a in short
                )
            },
            code="quorum",
        )
    rules = level_rules(round)
    criterion_means = _criterion_means(round)
    requirements = _requirements({a.entry.criteria_id for a in aggregates})
    disqualified = _disqualified(round)
    results = []
    for aggregate in aggregates:
        entry = aggregate.entry
        band = scoring.star_band(aggregate.mean)
        cap, unmet = scoring.requirement_cap(
            criterion_means[entry.pk], requirements[entry.criteria_id]
        )
        stars = min(band, cap)
        outcome, target_level = scoring.decide_outcome(
            levels=rules, level=round.level, mean=aggregate.mean, stars=stars
        )
        if entry.pk in disqualified:
            outcome, target_level = Outcome.NOT_RECOGNISED, ""
        result = RoundResult.objects.create(
            entry=entry,
            sheet_count=aggregate.submitted,
            mean_total=aggregate.mean,
            part_means={
                code: f"{value:f}" for code, value in aggregate.part_means.items()
            },
            min_total=aggregate.min,
            max_total=aggregate.max,
            band_stars=band,
            stars=stars,
            # Stored in the portal's language, whatever the finaliser's choice.
            cap_reason=_stored(scoring.cap_reason, unmet) if stars < band else "",
            disqualified=entry.pk in disqualified,
            outcome=outcome,
            target_level=target_level,
            finalised_by=user,
        )
        results.append(result)
        reason = _("%(round)s: mean %(mean)s, %(stars)s★, %(outcome)s") % {
            "round": round.name,
            "mean": f"{aggregate.mean:f}",
            "stars": stars,
            "outcome": result.get_outcome_display(),
        }
        if outcome == Outcome.FORWARDED:
            dossier_process.forward_dossier(
                dossier=entry.dossier, to_level=target_level, actor=user, reason=reason
            )
        elif outcome == Outcome.RETURNED:
            dossier_process.send_back_dossier(
                dossier=entry.dossier, to_level=target_level, actor=user, reason=reason
            )
        elif outcome == Outcome.NOT_RECOGNISED:
            dossier_process.decide_dossier(
                dossier=entry.dossier, actor=user, reason=reason
            )
    round.move_to(RoundStatus.CLOSED)
    round.closed_at = clock.now()
    round.save(update_fields=["status", "closed_at"])
    record_event(
        target=round,
        actor=user,
        action="finalised",
        changes={
            "status": [str(RoundStatus.SCORING.label), str(RoundStatus.CLOSED.label)]
        },
    )
    province_id = round.council.province.pk
    transaction.on_commit(
        lambda: recognition_changed.send(
            sender=Round, province_id=province_id, year=round.year
        )
    )
    # Products not recognised are decided now; the recognised ones with the decision.
    notices.notify_results_on_commit(round.pk)
    return results
