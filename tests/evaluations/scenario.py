"""Builders for evaluation scenarios used by the scoring, results and certificate tests:
real producers, products, dossiers, councils, rounds and sheets, made through the same
models the services use."""

import itertools
from decimal import Decimal

from accounts.jurisdiction import local_officers
from accounts.models import User
from evaluations.catalogue import load_criteria, load_regimes, version_for_dossier
from evaluations.models import (
    Answer,
    Council,
    CouncilMember,
    CouncilRole,
    Criterion,
    Regime,
    Round,
    RoundEntry,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from ocop_portal import demo
from ocop_portal.demo.evaluations import criteria_answered
from producers.models import Producer, ProducerKind
from products.catalogue import load_catalogue
from products.models import Dossier, DossierKind, DossierStatus, Product, ProductSet

_numbers = itertools.count(1)


# The sheets most tests score on: 1048's one, 148's first three and its tea sheet (97
# points) and tourism sheet (alternative cases), 26/2026's fresh produce (a yes/no
# criterion), tourism, and two of its drafts. Loading all 53 sheets for every test
# would cost about a second each; `full_catalogue` does, for the tests about them all.
TEST_SHEETS = [
    "1048-che-bien-tu-rau-cu-qua-hat.yaml",
    "148-che-bien-tu-rau-cu-qua-hat.yaml",
    "148-che-bien-tu-thit-thuy-san-trung-sua-mat-ong.yaml",
    "148-rau-cu-qua-hat-tuoi.yaml",
    "148-che-tuoi-che-che-bien.yaml",
    "148-dich-vu-du-lich-cong-dong-du-lich-sinh-thai-va-diem-du-lich.yaml",
    "26-2026-rau-cu-qua-hat-tuoi.yaml",
    "26-2026-dich-vu-du-lich-cong-dong-du-lich-sinh-thai-va-diem-du-lich.yaml",
    "26-2026-che-tuoi-che-che-bien.yaml",
    "26-2026-che-bien-tu-rau-cu-qua-hat.yaml",
]


def load_evaluation_catalogue() -> None:
    load_catalogue()
    load_regimes()
    load_criteria(only=TEST_SHEETS)


def product(
    *,
    district_code: str = "876",
    name: str = "Hạt sen sấy",
    classification: str = "1048",
    set_number: int = 7,
) -> Product:
    n = next(_numbers)
    district = demo.unit(district_code)
    commune = district.children.order_by("code").first()
    officer = local_officers(district_id=district.pk).first() or User.objects.get(
        username="province"
    )
    producer = Producer.objects.create(
        kind=ProducerKind.ENTERPRISE,
        name=f"Công ty TNHH Thử nghiệm {n}",
        registration_number=f"{1400000000 + n:010d}",
        legal_representative=f"Người đại diện {n}",
        commune=commune,
        created_by=officer,
    )
    return Product.objects.create(
        producer=producer,
        name=f"{name} {n}",
        product_set=ProductSet.objects.get(
            classification__code=classification, number=set_number
        ),
        code=f"87-{district.code}-{commune.code}-{n:03d}-2021",
        commune=commune,
        district=district,
        created_by=officer,
    )


def dossier(
    *,
    product: Product,
    year: int = 2021,
    status: str = DossierStatus.UNDER_EVALUATION,
    level: str = "province",
) -> Dossier:
    return Dossier.objects.create(
        product=product,
        year=year,
        kind=DossierKind.NEW,
        status=status,
        level=level,
        district=product.district,
        created_by=product.created_by,
    )


def council(
    *, level: str = "province", unit_code: str = "87", size: int = 5
) -> Council:
    council = Council.objects.create(
        name=f"Hội đồng {level} {next(_numbers)}",
        level=level,
        unit=demo.unit(unit_code),
    )
    for index in range(size):
        user = User.objects.create_user(
            username=f"member{next(_numbers)}",
            password="x",
            first_name=f"Thành viên {index}",
        )
        role = (
            [CouncilRole.CHAIR, CouncilRole.SECRETARY][index]
            if index < 2
            else CouncilRole.MEMBER
        )
        CouncilMember.objects.create(council=council, user=user, role=role)
    return council


def round_(
    *,
    council: Council,
    regime: str = "1048",
    year: int = 2021,
    status: str = RoundStatus.SCORING,
) -> Round:
    return Round.objects.create(
        council=council,
        regime=Regime.objects.get(code=regime),
        year=year,
        level=council.level,
        name=f"Đợt thử nghiệm {next(_numbers)}",
        status=status,
        created_by=council.members.first().user,
    )


def entry(*, round: Round, dossier: Dossier) -> RoundEntry:
    return RoundEntry.objects.create(
        round=round,
        dossier=dossier,
        criteria=version_for_dossier(dossier, regime=round.regime),
        assigned_by=round.created_by,
    )


def chair(council: Council) -> User:
    return council.members.get(role=CouncilRole.CHAIR).user


def secretary(council: Council) -> User:
    return council.members.get(role=CouncilRole.SECRETARY).user


def criteria_of(entry: RoundEntry) -> list[Criterion]:
    """The criteria a complete sheet answers, as the demo's members answer them."""
    return criteria_answered(entry.criteria_id)


def sheet(
    *,
    entry: RoundEntry,
    member: CouncilMember,
    pick=None,
    submitted: bool = True,
    overrides: dict[str, int] | None = None,
) -> ScoreSheet:
    """A sheet answering every criterion. `pick(options)` chooses an option (default: the
    best); `overrides` maps a criterion code to an option index."""
    pick = pick or (lambda options: max(options, key=lambda option: option.points))
    sheet = ScoreSheet.objects.create(entry=entry, member=member)
    total = Decimal(0)
    for criterion in criteria_of(entry):
        options = sorted(criterion.options.all(), key=lambda option: option.position)
        if overrides and criterion.code in overrides:
            option = options[overrides[criterion.code]]
        else:
            option = pick(options)
        Answer.objects.create(
            sheet=sheet, criterion=criterion, option=option, points=option.points
        )
        total += option.points
    sheet.total = total
    if submitted:
        from django.utils import timezone

        sheet.status = SheetStatus.SUBMITTED
        sheet.submitted_at = timezone.now()
    sheet.save()
    return sheet


def pick_index(index: int):
    """Choose the option at `index` (clamped), e.g. 0 = lowest."""
    return lambda options: options[min(index, len(options) - 1)]
