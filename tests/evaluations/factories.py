"""Factories for councils, rounds, entries and sheets (factory_boy).

They need the Đồng Tháp units and, for rounds and entries, the evaluation catalogue
(products.catalogue.load_catalogue, evaluations.catalogue.load_regimes/load_criteria):
the `catalogue` fixture of tests/evaluations/conftest.py loads all three. Products
default to the one transcribed 1048 sheet: set 7 "Chế biến từ rau, củ, quả, hạt".
"""

from decimal import Decimal

import factory

from django.utils import timezone

from accounts.models import User
from evaluations.catalogue import published_version_for
from evaluations.models import (
    Answer,
    Council,
    CouncilMember,
    CouncilRole,
    Criterion,
    CriterionOption,
    Exclusion,
    ExclusionSource,
    Regime,
    Round,
    RoundEntry,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from ocop_portal import demo
from products.models import DossierStatus, EvaluationLevel
from tests.producers.factories import ProducerFactory
from tests.products.factories import DossierFactory as BaseDossierFactory
from tests.products.factories import ProductFactory as BaseProductFactory
from tests.products.factories import product_set

__all__ = [
    "CouncilFactory",
    "CouncilMemberFactory",
    "DossierFactory",
    "ExclusionFactory",
    "ProducerFactory",
    "ProductFactory",
    "RoundEntryFactory",
    "RoundFactory",
    "ScoreSheetFactory",
    "UserFactory",
    "answer_all",
    "pick_best",
    "pick_index",
]


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


class ProductFactory(BaseProductFactory):
    product_set = factory.LazyFunction(lambda: product_set("1048", 7))


class DossierFactory(BaseDossierFactory):
    """An accepted 2021 dossier of a 1048 set-7 product, ready to be assigned."""

    product = factory.SubFactory(ProductFactory)
    status = DossierStatus.ACCEPTED
    submitted_at = factory.LazyFunction(timezone.now)
    accepted_at = factory.LazyFunction(timezone.now)

    class Params:
        forwarded = factory.Trait(
            status=DossierStatus.FORWARDED, level=EvaluationLevel.PROVINCE
        )
        under_evaluation = factory.Trait(
            status=DossierStatus.UNDER_EVALUATION, level=EvaluationLevel.PROVINCE
        )


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
    """A 2021 round under 1048 at the council's level; traits `scoring`, `closed`."""

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


class RoundEntryFactory(factory.django.DjangoModelFactory):
    """A dossier already in the round (under evaluation), frozen to its published
    sheet. Tests of assignment itself call services.assign_dossier instead."""

    class Meta:
        model = RoundEntry

    round = factory.SubFactory(RoundFactory)
    dossier = factory.SubFactory(
        DossierFactory,
        status=DossierStatus.UNDER_EVALUATION,
        level=factory.SelfAttribute("..round.level"),
    )
    criteria = factory.LazyAttribute(
        lambda o: published_version_for(product_set=o.dossier.product.product_set)
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


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    """A submitted sheet answering every criterion; `answers=pick_index(0)` chooses
    the options (default: the best). Trait `draft` keeps it unsubmitted."""

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

    @factory.post_generation
    def answers(sheet, create, extracted, **kwargs):
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
