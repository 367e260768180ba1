"""The numbers on the home page after sign-in: per district (before the two-tier
reform) or commune (since), a fixed number of aggregate queries whatever the amount
of data."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from accounts.jurisdiction import with_predecessors
from evaluations.models import CouncilMember, Round, RoundStatus, SheetStatus
from producers.models import Producer
from products.models import Dossier, DossierStatus, Product
from regions.models import AdministrativeUnit, UnitLevel

WAITING_FOR_PROVINCE = [
    DossierStatus.SUBMITTED,
    DossierStatus.RESUBMITTED,
    DossierStatus.PROPOSED,
]


@dataclass
class AreaNumbers:
    """The numbers of one district (before the two-tier reform) or commune (since,
    with the records made in the communes it took over)."""

    area: AdministrativeUnit
    producers: int = 0
    products: int = 0
    recognised: int = 0
    dossiers: int = 0
    by_status: dict = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return sum(self.by_status.get(status, 0) for status in WAITING_FOR_PROVINCE)

    @property
    def with_commune(self) -> int:
        return self.by_status.get(DossierStatus.WITH_COMMUNE, 0)

    @property
    def returned(self) -> int:
        return self.by_status.get(DossierStatus.RETURNED, 0)

    @property
    def drafts(self) -> int:
        return self.by_status.get(DossierStatus.DRAFT, 0)

    @property
    def is_empty(self) -> bool:
        return not (self.producers or self.products or self.dossiers)


class _Owners:
    """Which area a record belongs to, from its district and commune: a district
    owns the records made in it; a commune those made in it or in the communes it
    took over."""

    def __init__(self, areas: list[AdministrativeUnit]):
        self.districts = {a.pk for a in areas if a.level == UnitLevel.DISTRICT}
        self.communes: dict[int, int] = {}
        for area in areas:
            if area.level == UnitLevel.COMMUNE:
                for unit_id in with_predecessors({area.pk}):
                    self.communes.setdefault(unit_id, area.pk)

    def q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}district__in": self.districts}) | Q(
            **{f"{prefix}commune__in": self.communes}
        )

    def of(self, district_id: int | None, commune_id: int | None) -> int | None:
        if district_id in self.districts:
            return district_id
        return self.communes.get(commune_id)


def latest_dossier_year(areas) -> int | None:
    return Dossier.objects.filter(_Owners(areas).q("product__")).aggregate(
        year=Max("year")
    )["year"]


def area_numbers(
    areas: list[AdministrativeUnit], year: int | None
) -> list[AreaNumbers]:
    """Per area: producers, products, recognised products and the year's dossiers by
    status; a fixed number of queries."""
    owners = _Owners(areas)
    rows = {area.pk: AreaNumbers(area=area) for area in areas}

    def add(area_id, **counts):
        row = rows.get(area_id)
        if row is not None:
            for name, value in counts.items():
                setattr(row, name, getattr(row, name) + value)

    for district_id, commune_id, count in (
        Producer.objects.active()
        .filter(owners.q())
        .values("district", "commune")
        .annotate(n=Count("pk"))
        .values_list("district", "commune", "n")
    ):
        add(owners.of(district_id, commune_id), producers=count)
    for district_id, commune_id, total, recognised in (
        Product.objects.active()
        .filter(owners.q())
        .values("district", "commune")
        .annotate(n=Count("pk"), r=Count("pk", filter=Q(current_stars__isnull=False)))
        .values_list("district", "commune", "n", "r")
    ):
        add(owners.of(district_id, commune_id), products=total, recognised=recognised)
    for district_id, commune_id, status, count in (
        Dossier.objects.filter(owners.q("product__"), year=year)
        .values("product__district", "product__commune", "status")
        .annotate(n=Count("pk"))
        .values_list("product__district", "product__commune", "status", "n")
    ):
        row = rows.get(owners.of(district_id, commune_id))
        if row is not None:
            row.by_status[status] = row.by_status.get(status, 0) + count
            row.dossiers += count
    return list(rows.values())


def council_rounds(user) -> list[dict]:
    """The open rounds of the user's councils, with the user's sheets done and to do."""
    memberships = CouncilMember.objects.filter(user=user).values_list(
        "council", flat=True
    )
    rounds = (
        Round.objects.filter(council__in=memberships)
        .exclude(status=RoundStatus.CLOSED)
        .select_related("council")
        .annotate(
            entry_count=Count("entries", distinct=True),
            submitted=Count(
                "entries__sheets",
                filter=Q(
                    entries__sheets__member__user=user,
                    entries__sheets__status=SheetStatus.SUBMITTED,
                ),
                distinct=True,
            ),
        )
        .order_by("-year", "pk")
    )
    return list(rounds)
