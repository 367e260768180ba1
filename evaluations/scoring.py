"""The scoring rules as pure functions: a sheet's total, star bands, the
mandatory-criteria cap, the mean of members' totals and the outcome of a level. No
database access here (the tree of a sheet comes loaded), so the rules are tested directly (including property tests)."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.utils.translation import gettext as _

# Star bands on the mean total (148/QĐ-TTg khoản 2 Điều 1; the same in 1048), half-open:
# 90–100 → 5★, 70–<90 → 4★, 50–<70 → 3★, 30–<50 → 2★, <30 → 1★. 89.99 is 4★.
STAR_BANDS: tuple[tuple[Decimal, int], ...] = (
    (Decimal(90), 5),
    (Decimal(70), 4),
    (Decimal(50), 3),
    (Decimal(30), 2),
)
CERTIFIED_STARS = range(3, 6)
TWO_PLACES = Decimal("0.01")


def star_band(mean: Decimal) -> int:
    for lower, stars in STAR_BANDS:
        if mean >= lower:
            return stars
    return 1


def sheet_total(points: Iterable[Decimal]) -> Decimal:
    """A sheet's total: the sum of the points of the options chosen (0 with none).

    The one rule for the total shown live while scoring and the total saved with the
    answers (sheets.save_sheet, sheets.submit_sheet).
    """
    return sum(points, Decimal(0))


@dataclass(frozen=True)
class PartTotal:
    part: Any  # the criteria part, as given in the tree; templates read it
    subtotal: Decimal


@dataclass(frozen=True)
class SheetTotals:
    """The running total of a sheet, its subtotal per part, its star band and the star
    it gets once the required criteria cap it (None until a criterion is answered),
    with the requirements that hold it back."""

    parts: list[PartTotal]
    total: Decimal
    answered: int
    count: int
    band: int | None
    stars: int | None = None
    unmet: list["Requirement"] = field(default_factory=list)
    maximum: Decimal = Decimal(100)

    @property
    def capped(self) -> bool:
        return (
            self.stars is not None and self.band is not None and self.stars < self.band
        )

    @property
    def cap_reason(self) -> str:
        return cap_reason(self.unmet) if self.capped else ""


def _is_case(criterion) -> bool:
    return criterion.group.alternatives


def totals(parts: Sequence[Mapping], choices: Mapping[int, int]) -> SheetTotals:
    """The totals of the options `choices` picks (criterion id → option id), and the
    star they give with the sheet's required criteria.

    `parts` is a sheet's tree: each part a {"part", "groups"} mapping, each group a
    {"group", "criteria"} mapping, each criterion with its group and options already
    loaded. A choice that is not one of its criterion's options counts as unanswered.
    A group of alternative cases counts once, whichever case is answered.
    """
    part_totals, chosen, count = [], [], 0
    reached: dict[int, Decimal] = {}
    requirements: list[Requirement] = []
    maximum = Decimal(0)
    for part in parts:
        points = []
        for group in part["groups"]:
            cases = [c for c in group["criteria"] if _is_case(c)]
            if cases:
                count += 1
                maximum += max((c.max_points or 0) for c in cases)
            for criterion in group["criteria"]:
                if not _is_case(criterion):
                    count += 1
                    maximum += criterion.max_points or 0
                requirements += requirements_of(criterion)
                option_id = choices.get(criterion.pk)
                option = next(
                    (o for o in criterion.options.all() if o.pk == option_id), None
                )
                if option is not None:
                    points.append(option.points)
                    reached[criterion.pk] = option.points
        part_totals.append(PartTotal(part=part["part"], subtotal=sheet_total(points)))
        chosen += points
    total = sheet_total(chosen)
    band = star_band(total) if chosen else None
    stars, unmet = None, []
    if band is not None:
        cap, unmet = requirement_cap(reached, requirements)
        stars = min(band, cap)
    return SheetTotals(
        parts=part_totals,
        total=total,
        answered=len(chosen),
        count=count,
        band=band,
        stars=stars,
        unmet=unmet if stars is not None and stars < band else [],
        maximum=maximum,
    )


def band_floor(stars: int) -> Decimal:
    """The lowest mean of a star band (0 for 1★)."""
    return next((lower for lower, band in STAR_BANDS if band == stars), Decimal(0))


def mean_of(totals: Iterable[Decimal]) -> Decimal:
    """The mean of members' totals, truncated to 2 decimals.

    Truncating (never rounding up) keeps the stored mean in the same band as the exact
    mean: 89.996 is stored as 89.99 and stays 4★.
    """
    values = list(totals)
    if not values:
        raise ValueError("no totals")
    exact = sum(values, Decimal(0)) / Decimal(len(values))
    return exact.quantize(TWO_PLACES, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class Requirement:
    """A criterion must reach `min_points` for the product to rank at `stars` or above."""

    criterion_id: int
    code: str
    min_points: Decimal
    stars: int
    # A requirement on one case of a group of alternatives applies only when that
    # case is the one scored.
    case: bool = False


def requirements_of(criterion) -> list[Requirement]:
    """The star requirements a criterion carries: each marked option asks for its
    points, a marked criterion for its full points. `criterion.options` and
    `criterion.group` must be loaded."""
    case = criterion.group.alternatives
    found = [
        Requirement(
            criterion_id=criterion.pk,
            code=criterion.code,
            min_points=option.points,
            stars=option.required_for_stars,
            case=case,
        )
        for option in criterion.options.all()
        if option.required_for_stars
    ]
    if criterion.required_for_stars:
        found.append(
            Requirement(
                criterion_id=criterion.pk,
                code=criterion.code,
                min_points=criterion.max_points,
                stars=criterion.required_for_stars,
                case=case,
            )
        )
    return found


def cap_reason(unmet: Iterable[Requirement]) -> str:
    """ "4★ needs criterion 3.e ≥ 2 points; …": why the star is capped, the same words
    on the live sheet, the result, the minutes and the dossier's pages."""
    return "; ".join(
        _("%(stars)s★ needs criterion %(code)s ≥ %(points)s points")
        % {"stars": r.stars, "code": r.code, "points": f"{r.min_points.normalize():f}"}
        for r in unmet
    )


def requirement_cap(
    points: Mapping[int, Decimal], requirements: Iterable[Requirement]
) -> tuple[int, list[Requirement]]:
    """The highest star whose required criteria are all met, and the unmet requirements
    that cap it. `points` maps a criterion id to the points it reached (the mean of the
    submitted sheets). With nothing unmet the cap is 5."""
    unmet = [
        r
        for r in requirements
        if not (r.case and r.criterion_id not in points)
        and points.get(r.criterion_id, Decimal(0)) < r.min_points
    ]
    if not unmet:
        return 5, []
    lowest = min(r.stars for r in unmet)
    return max(lowest - 1, 1), sorted(
        (r for r in unmet if r.stars == lowest), key=lambda r: r.code
    )


@dataclass(frozen=True)
class LevelRule:
    """What one level of a regime recognises and from which mean it forwards."""

    level: str
    min_stars: int | None
    max_stars: int | None
    forward_threshold: Decimal | None

    def recognises(self, stars: int) -> bool:
        return self.min_stars is not None and self.min_stars <= stars <= self.max_stars


RECOGNISED = "recognised"
FORWARDED = "forwarded"
NOT_RECOGNISED = "not_recognised"
RETURNED = "returned"


def decide_outcome(
    *, levels: Sequence[LevelRule], level: str, mean: Decimal, stars: int
) -> tuple[str, str]:
    """(outcome, level it goes to) for a product finalised at `level`.

    `levels` are the regime's levels from lowest to highest. In order: forward when the
    mean reaches the level's threshold and the (capped) star allows it; recognise when
    the level recognises the star; below 3★ nothing is certified; otherwise send it to
    the nearest lower level that recognises the star (e.g. a 148 provincial council
    returning a 3★ product to the district), else to the nearest higher one.
    """
    index = next(i for i, rule in enumerate(levels) if rule.level == level)
    rule = levels[index]
    higher, lower = levels[index + 1 :], list(reversed(levels[:index]))
    if (
        rule.forward_threshold is not None
        and higher
        and mean >= rule.forward_threshold
        and stars >= star_band(rule.forward_threshold)
    ):
        return FORWARDED, higher[0].level
    if rule.recognises(stars):
        return RECOGNISED, rule.level
    if stars not in CERTIFIED_STARS:
        return NOT_RECOGNISED, ""
    for other in lower:
        if other.recognises(stars):
            return RETURNED, other.level
    for other in higher:
        if other.recognises(stars):
            return FORWARDED, other.level
    return NOT_RECOGNISED, ""
