"""Factories for councils, rounds, entries, sheets, decisions and certificates
(factory_boy), and the User factory of council members.

They need the Đồng Tháp units and, for rounds and entries, the evaluation catalogue
(products.catalogue.load_catalogue, evaluations.catalogue.load_regimes/load_criteria):
the `catalogue` fixture of tests/evaluations/conftest.py loads all three. Entries
default to a dossier of the one transcribed 1048 sheet: set 7 "Chế biến từ rau, củ,
quả, hạt" (`DossierFactory(accepted=True, classification="1048")`).
"""

import datetime
from decimal import Decimal

import factory

from django.utils import timezone

from accounts.models import User
from evaluations.catalogue import version_for_dossier
from evaluations.models import (
    Answer,
    Certificate,
    CertificateStatus,
    Council,
    CouncilMember,
    CouncilRole,
    Criterion,
    CriterionOption,
    Decision,
    Exclusion,
    ExclusionSource,
    Outcome,
    Regime,
    Round,
    RoundEntry,
    RoundResult,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from ocop_portal import demo
from products.models import Dossier, EvaluationLevel, Product
from tests.producers.factories import province_user
from tests.products.factories import DossierFactory, ProductFactory


class UserFactory(factory.django.DjangoModelFactory):
    """A person without a programme role, e.g. a council member from a department."""

    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"councillor{n}")
    first_name = factory.Sequence(lambda n: f"Văn Thành {n}")
    last_name = "Nguyễn"
    email = factory.LazyAttribute(lambda o: f"{o.username}@so-nn.dongthap.example")
    organisation = "Sở Nông nghiệp và Phát triển nông thôn"
    password = factory.django.Password("ocop2021")


class CouncilFactory(factory.django.DjangoModelFactory):
    """The provincial council of Đồng Tháp; `district=True` for Lai Vung's."""

    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Hội đồng đánh giá, phân hạng sản phẩm OCOP {n}")
    level = EvaluationLevel.PROVINCE
    unit = factory.LazyFunction(lambda: demo.unit(demo.PROVINCE_CODE))

    class Params:
        district = factory.Trait(
            level=EvaluationLevel.DISTRICT,
            unit=factory.LazyFunction(lambda: demo.unit("876")),
        )


class CouncilMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CouncilMember

    council = factory.SubFactory(CouncilFactory)
    user = factory.SubFactory(UserFactory)
    role = CouncilRole.MEMBER
    title = "Phó Giám đốc Sở"

    class Params:
        chair = factory.Trait(role=CouncilRole.CHAIR, title="Phó Chủ tịch UBND tỉnh")
        secretary = factory.Trait(
            role=CouncilRole.SECRETARY, title="Chánh Văn phòng Điều phối NTM tỉnh"
        )


class RoundFactory(factory.django.DjangoModelFactory):
    """A 2021 round under 1048 at the council's level, in preparation; traits
    `scoring`, `closed` (closed on 15/08/2021)."""

    class Meta:
        model = Round

    council = factory.SubFactory(CouncilFactory)
    regime = factory.LazyFunction(lambda: Regime.objects.get(code="1048"))
    year = 2021
    level = factory.LazyAttribute(lambda o: o.council.level)
    name = factory.Sequence(
        lambda n: f"Đánh giá, phân hạng sản phẩm OCOP năm 2021 – đợt {n}"
    )
    status = RoundStatus.PREPARING
    created_by = factory.LazyAttribute(
        lambda o: (
            o.council.members.order_by("pk").first().user
            if o.council.members.exists()
            else UserFactory()
        )
    )

    class Params:
        scoring = factory.Trait(
            status=RoundStatus.SCORING,
            scoring_opened_at=factory.LazyFunction(timezone.now),
        )
        closed = factory.Trait(
            status=RoundStatus.CLOSED,
            closed_at=datetime.datetime(2021, 8, 15, 9, tzinfo=datetime.UTC),
        )


class RoundEntryFactory(factory.django.DjangoModelFactory):
    """A dossier already in the round (under evaluation), frozen to its published
    sheet. Tests of assignment itself call services.assign_dossier instead."""

    class Meta:
        model = RoundEntry

    round = factory.SubFactory(RoundFactory)
    dossier = factory.SubFactory(
        DossierFactory,
        under_evaluation=True,
        classification="1048",
        level=factory.SelfAttribute("..round.level"),
    )
    criteria = factory.LazyAttribute(
        lambda o: version_for_dossier(o.dossier, regime=o.round.regime)
    )
    assigned_by = factory.LazyAttribute(lambda o: o.round.created_by)


class ExclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exclusion

    entry = factory.SubFactory(RoundEntryFactory)
    member = factory.SubFactory(
        CouncilMemberFactory, council=factory.SelfAttribute("..entry.round.council")
    )
    source = ExclusionSource.DECLARED
    reason = "Người thân làm việc tại cơ sở sản xuất."


def pick_best(options):
    return max(options, key=lambda option: option.points)


def pick_index(index: int):
    """Choose the option at `index` of each criterion (clamped): 0 is the lowest."""
    return lambda options: options[min(index, len(options) - 1)]


def answer_all(sheet: ScoreSheet, pick=pick_best) -> dict[int, int]:
    """Choices (criterion id → option id) answering every criterion of the sheet."""
    criteria = Criterion.objects.filter(part__version=sheet.entry.criteria_id)
    return {
        criterion.pk: pick(sorted(criterion.options.all(), key=lambda o: o.position)).pk
        for criterion in criteria.prefetch_related("options")
    }


def _answer(sheet, create, extracted, **kwargs):
    """Answer every criterion of the sheet (`extracted` picks the options) and total it."""
    if not create:
        return
    choices = answer_all(sheet, extracted or pick_best)
    points = dict(
        CriterionOption.objects.filter(pk__in=choices.values()).values_list(
            "pk", "points"
        )
    )
    Answer.objects.bulk_create(
        Answer(
            sheet=sheet,
            criterion_id=criterion_id,
            option_id=option_id,
            points=points[option_id],
        )
        for criterion_id, option_id in choices.items()
    )
    sheet.total = sum((points[o] for o in choices.values()), Decimal(0))
    sheet.save(update_fields=["total"])


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    """A submitted sheet answering every criterion; `answers=pick_index(0)` chooses
    the options (default: the best). Trait `draft` keeps it unsubmitted;
    `answered=False, total=Decimal(92)` records a total without answers."""

    class Meta:
        model = ScoreSheet
        skip_postgeneration_save = True

    entry = factory.SubFactory(RoundEntryFactory)
    member = factory.SubFactory(
        CouncilMemberFactory, council=factory.SelfAttribute("..entry.round.council")
    )
    status = SheetStatus.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=SheetStatus.DRAFT, submitted_at=None)
        answered = True

    answers = factory.Maybe("answered", factory.PostGeneration(_answer))


def result(
    round: Round,
    dossier: Dossier,
    *,
    mean: str = "91.50",
    stars: int = 5,
    outcome: str = Outcome.FORWARDED,
    target_level: str = EvaluationLevel.NATIONAL,
) -> RoundResult:
    """The dossier's entry in the round and its finalised result (three sheets, mean
    `mean`), without the sheets themselves."""
    mean = Decimal(mean)
    return RoundResult.objects.create(
        entry=RoundEntryFactory(round=round, dossier=dossier),
        sheet_count=3,
        mean_total=mean,
        min_total=mean - 2,
        max_total=mean + 2,
        band_stars=stars,
        stars=stars,
        outcome=outcome,
        target_level=target_level,
        finalised_by=round.created_by,
    )


class DecisionFactory(factory.django.DjangoModelFactory):
    """A provincial recognition decision of 01/06/2021, recorded by the province."""

    class Meta:
        model = Decision

    province = factory.LazyFunction(lambda: demo.unit(demo.PROVINCE_CODE))
    number = factory.Sequence(lambda n: f"{n}/QĐ-UBND-HC")
    date = datetime.date(2021, 6, 1)
    signer = "Phạm Thiện Nghĩa"
    level = EvaluationLevel.PROVINCE
    recorded_by = factory.LazyFunction(province_user)


class CertificateFactory(factory.django.DjangoModelFactory):
    """An active 3★ certificate and its decision; `valid_from` is the decision's date,
    and it is valid for three years."""

    class Meta:
        model = Certificate

    product = factory.SubFactory(ProductFactory)
    valid_from = datetime.date(2021, 6, 1)
    decision = factory.SubFactory(
        DecisionFactory, date=factory.SelfAttribute("..valid_from")
    )
    province = factory.LazyFunction(lambda: demo.unit(demo.PROVINCE_CODE))
    year = factory.LazyAttribute(lambda o: o.valid_from.year)
    sequence = factory.Sequence(lambda n: n + 1)
    number = factory.Sequence(lambda n: f"87-TEST-{n:05d}")
    stars = 3
    valid_until = factory.LazyAttribute(
        lambda o: (
            o.valid_from.replace(year=o.valid_from.year + 3)
            - datetime.timedelta(days=1)
        )
    )
    status = CertificateStatus.ACTIVE


def certify(product: Product, *, stars: int, on: datetime.date) -> Certificate:
    """Issue a certificate the way the evaluations service does: the product's active
    certificate becomes superseded and the product carries the new star."""
    previous = Certificate.objects.filter(product=product, status="active").first()
    if previous is not None:
        previous.status = CertificateStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    certificate = CertificateFactory(product=product, stars=stars, valid_from=on)
    if previous is not None:
        previous.superseded_by = certificate
        previous.save(update_fields=["superseded_by"])
    Product.objects.filter(pk=product.pk).update(current_stars=stars)
    return certificate
