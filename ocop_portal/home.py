"""The numbers on the home page after sign-in: per district, a fixed number of
aggregate queries whatever the amount of data."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from evaluations.models import CouncilMember, Round, RoundStatus, SheetStatus
from producers.models import Producer
from products.models import Dossier, DossierStatus, Product
from regions.models import AdministrativeUnit

WAITING_FOR_PROVINCE = [DossierStatus.SUBMITTED, DossierStatus.RESUBMITTED]


@dataclass
class DistrictNumbers:
    district: AdministrativeUnit
    producers: int = 0
    products: int = 0
    recognised: int = 0
    dossiers: int = 0
    by_status: dict = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        return sum(self.by_status.get(status, 0) for status in WAITING_FOR_PROVINCE)

    @property
    def returned(self) -> int:
        return self.by_status.get(DossierStatus.RETURNED, 0)

    @property
    def drafts(self) -> int:
        return self.by_status.get(DossierStatus.DRAFT, 0)


def latest_dossier_year(districts) -> int | None:
    return Dossier.objects.filter(district__in=districts).aggregate(year=Max("year"))[
        "year"
    ]


def district_numbers(
    districts: list[AdministrativeUnit], year: int | None
) -> list[DistrictNumbers]:
    rows = {district.pk: DistrictNumbers(district=district) for district in districts}
    for district_id, count in (
        Producer.objects.active()
        .filter(district__in=rows)
        .values("district")
        .annotate(n=Count("pk"))
        .values_list("district", "n")
    ):
        rows[district_id].producers = count
    for district_id, total, recognised in (
        Product.objects.active()
        .filter(district__in=rows)
        .values("district")
        .annotate(n=Count("pk"), r=Count("pk", filter=Q(current_stars__isnull=False)))
        .values_list("district", "n", "r")
    ):
        rows[district_id].products = total
        rows[district_id].recognised = recognised
    statuses: dict[int, dict] = defaultdict(dict)
    for district_id, status, count in (
        Dossier.objects.filter(district__in=rows, year=year)
        .values("district", "status")
        .annotate(n=Count("pk"))
        .values_list("district", "status", "n")
    ):
        statuses[district_id][status] = count
    for district_id, by_status in statuses.items():
        rows[district_id].by_status = by_status
        rows[district_id].dossiers = sum(by_status.values())
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
