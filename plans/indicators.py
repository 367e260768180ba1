"""Plan indicators: how each target is counted (DESIGN §5, "Plans and targets").

Each indicator is one function registered here with `@indicator(...)`. It receives a
`Period` (province, year, "as of" day) and returns the province's value and the value of
each district, counted by the database (one aggregate query, never a loop over
products). Adding an indicator is one function and its decorator: targets store the key,
the progress job and the dashboard read label, unit and function from `REGISTRY`.

"As of" a day means what the indicator showed on that day, from the dates the data
carries (decision dates, training dates, opening dates, round closing times), so that
snapshots can be computed afterwards for any day of the year.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from accounts.jurisdiction import local_mandates
from evaluations.models import Certificate, Outcome, RoundResult
from producers.models import Producer
from products.models import Dossier, EvaluationLevel
from regions.models import UnitSuccession
from regions.services import REFORM_DAY

from .models import Attendance, SalesPoint, TrainingAudience

COUNT = "count"
PERCENT = "percent"
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """The year an indicator counts, cut at `as_of` while the year is running."""

    province_id: int
    year: int
    as_of: datetime.date

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def year_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)

    @property
    def end(self) -> datetime.date:
        """The last day counted: the as-of day, or the year's last day once it is over."""
        return min(self.as_of, self.year_end)

    @property
    def by_commune(self) -> bool:
        """Counted by the communes of the two-tier government (a year since the
        reform of 1/7/2025), not by the districts before it."""
        return self.end >= REFORM_DAY

    @property
    def is_complete(self) -> bool:
        return self.as_of >= self.year_end


@dataclass(frozen=True)
class Value:
    """An indicator's value for the province and per district (keys: district ids as
    strings, as they are stored in a snapshot's JSON)."""

    value: Decimal
    by_district: dict[str, float] = field(default_factory=dict)

    def for_district(self, district_id: int) -> Decimal:
        return Decimal(str(self.by_district.get(str(district_id), 0)))


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    description: str
    unit: str
    compute: Callable[[Period], Value]
    # The label of a year counted by commune, when the words differ (commune
    # officers instead of district officers).
    label_by_commune: str | None = None

    def label_for(self, year: int) -> str:
        """The label as a plan of `year` reads it."""
        if (
            self.label_by_commune
            and Period(0, year, datetime.date(year, 12, 31)).by_commune
        ):
            return str(self.label_by_commune)
        return str(self.label)

    @property
    def is_percent(self) -> bool:
        return self.unit == PERCENT


REGISTRY: dict[str, Indicator] = {}


def indicator(
    key: str, *, label, description, unit: str = COUNT, label_by_commune=None
):
    """Register a counting function under `key` (the value stored on targets)."""

    def register(function: Callable[[Period], Value]) -> Callable[[Period], Value]:
        if key in REGISTRY:
            raise ValueError(f"indicator {key!r} registered twice")
        REGISTRY[key] = Indicator(
            key, label, description, unit, function, label_by_commune
        )
        return function

    return register


def get(key: str) -> Indicator | None:
    return REGISTRY.get(key)


def choices() -> list[tuple[str, str]]:
    return [(item.key, item.label) for item in REGISTRY.values()]


def compute(key: str, period: Period) -> Value:
    return REGISTRY[key].compute(period)


# Shaping aggregate rows into values ----------------------------------------------------


def _counts(rows: Iterable[dict]) -> Value:
    """Rows of {"area": id, "n": count} → total and counts per district (per commune
    since the two-tier reform)."""
    by_district = {str(row["area"]): int(row["n"]) for row in rows if row["n"]}
    return Value(Decimal(sum(by_district.values())), by_district)


def _percent(done: int, total: int) -> Decimal:
    if not total:
        return Decimal(0)
    return (Decimal(100) * done / total).quantize(TWO_PLACES, ROUND_HALF_UP)


def _shares(rows: Iterable[dict]) -> Value:
    """Rows of {"area": id, "done": n, "total": m} → the province's percentage (of
    all people, not a mean of district percentages) and each district's."""
    rows = [row for row in rows if row["total"]]
    done = sum(row["done"] for row in rows)
    total = sum(row["total"] for row in rows)
    by_district = {
        str(row["area"]): float(_percent(row["done"], row["total"])) for row in rows
    }
    return Value(_percent(done, total), by_district)


def _unit(prefix: str, period: Period):
    """The unit a row is counted under (`prefix` leads to the row's district and
    commune, e.g. "product__"): before the two-tier reform its district (its commune
    for a record of the two-tier government); for a year since, its commune of today:
    a record made before the reform counts under the commune that took its commune
    over (the main successor)."""
    if not period.by_commune:
        return Coalesce(F(f"{prefix}district"), F(f"{prefix}commune"))
    successor = UnitSuccession.objects.filter(
        predecessor=OuterRef(f"{prefix}commune"), main=True
    ).values("successor")[:1]
    return Coalesce(
        Subquery(successor), F(f"{prefix}commune"), output_field=BigIntegerField()
    )


def _in_province(prefix: str, period: Period) -> Q:
    """Records of the province: through their district, or their commune since the
    reform; for a year since the reform, also the records made before it in the
    communes the province's communes took over."""
    province_id = period.province_id
    condition = Q(**{f"{prefix}district__parent_id": province_id}) | Q(
        **{
            f"{prefix}district__isnull": True,
            f"{prefix}commune__parent_id": province_id,
        }
    )
    if period.by_commune:
        condition |= Q(
            **{
                f"{prefix}commune__succeeded_by__main": True,
                f"{prefix}commune__succeeded_by__successor__parent_id": province_id,
            }
        )
    return condition


def _certificates_dated(period: Period):
    return Certificate.objects.filter(
        province_id=period.province_id,
        valid_from__gte=period.start,
        valid_from__lte=period.end,
    )


def _earlier_certificates():
    """Certificates of the outer certificate's product issued before it."""
    return Certificate.objects.filter(product=OuterRef("product")).filter(
        Q(valid_from__lt=OuterRef("valid_from"))
        | Q(valid_from=OuterRef("valid_from"), pk__lt=OuterRef("pk"))
    )


# The indicators of DESIGN §5 -----------------------------------------------------------


@indicator(
    "new_products",
    label=_("New 3★+ products"),
    description=_(
        "Products whose first-ever certificate (3★ or more) is dated in the year."
    ),
)
def new_products(period: Period) -> Value:
    firsts = _certificates_dated(period).exclude(Exists(_earlier_certificates()))
    return _counts(
        firsts.values(area=_unit("product__", period))
        .annotate(n=Count("product", distinct=True))
        .order_by()
    )


@indicator(
    "upgrades_3_to_4",
    label=_("Upgrades 3★ → 4★"),
    description=_(
        "4★ certificates dated in the year whose product's previous certificate was 3★."
    ),
)
def upgrades_3_to_4(period: Period) -> Value:
    previous_stars = Subquery(
        _earlier_certificates().order_by("-valid_from", "-pk").values("stars")[:1]
    )
    upgrades = (
        _certificates_dated(period)
        .filter(stars=4)
        .annotate(previous_stars=previous_stars)
        .filter(previous_stars=3)
    )
    return _counts(
        upgrades.values(area=_unit("product__", period))
        .annotate(n=Count("product", distinct=True))
        .order_by()
    )


@indicator(
    "national_candidates",
    label=_("National 5★ candidates"),
    description=_(
        "Products a provincial council forwarded to the national council in the year "
        "(mean of 90 points or more), each counted once."
    ),
)
def national_candidates(period: Period) -> Value:
    forwarded = RoundResult.objects.filter(
        _in_province("entry__dossier__product__", period),
        outcome=Outcome.FORWARDED,
        target_level=EvaluationLevel.NATIONAL,
        entry__round__level=EvaluationLevel.PROVINCE,
        entry__round__year=period.year,
    )
    if not period.is_complete:
        # While the year runs, a product counts from the day its round was closed.
        forwarded = forwarded.annotate(
            on=TruncDate(Coalesce("entry__round__closed_at", "finalised_at"))
        ).filter(on__lte=period.end)
    return _counts(
        forwarded.values(area=_unit("entry__dossier__product__", period))
        .annotate(n=Count("entry__dossier__product", distinct=True))
        .order_by()
    )


def _attended(audience: str, period: Period, **attendee) -> Exists:
    return Exists(
        Attendance.objects.filter(
            event__province_id=period.province_id,
            event__audience=audience,
            event__held_on__gte=period.start,
            event__held_on__lte=period.end,
            **attendee,
        )
    )


@indicator(
    "officers_trained",
    label=_("District OCOP officers trained"),
    label_by_commune=_("Commune OCOP officers trained"),
    description=_(
        "Share of the local OCOP officers of the province (district officers until "
        "30/6/2025, commune officers since) who attended an officers' training in the "
        "year."
    ),
    unit=PERCENT,
)
def officers_trained(period: Period) -> Value:
    # The officers in office at the end of the period, by the unit they act for.
    mandates = local_mandates(province_id=period.province_id, on=period.end)
    trained = _attended(TrainingAudience.OFFICERS, period, user=OuterRef("user"))
    return _shares(
        mandates.values(area=F("unit"))
        .annotate(
            total=Count("user", distinct=True),
            done=Count("user", filter=Q(trained), distinct=True),
        )
        .order_by()
    )


@indicator(
    "producers_trained",
    label=_("Producers trained"),
    description=_(
        "Share of the producers with a dossier in the year who attended a producers' "
        "training in the year."
    ),
    unit=PERCENT,
)
def producers_trained(period: Period) -> Value:
    participating = Producer.objects.filter(
        Exists(
            Dossier.objects.filter(product__producer=OuterRef("pk"), year=period.year)
        ),
        _in_province("", period),
    )
    trained = _attended(TrainingAudience.PRODUCERS, period, producer=OuterRef("pk"))
    return _shares(
        participating.values(area=_unit("", period))
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(trained)))
        .order_by()
    )


@indicator(
    "sales_points",
    label=_("OCOP showrooms and sales points"),
    description=_(
        "Showrooms, sales points and design and display centres open at the end of the "
        "year (or on the day, while the year runs)."
    ),
)
def sales_points(period: Period) -> Value:
    day = period.end
    open_points = SalesPoint.objects.filter(
        Q(closed_on__isnull=True) | Q(closed_on__gt=day),
        _in_province("", period),
        opened_on__lte=day,
    )
    return _counts(
        open_points.values(area=_unit("", period)).annotate(n=Count("pk")).order_by()
    )
