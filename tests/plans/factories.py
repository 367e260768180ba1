"""Factories for the plans tests: producers, products, dossiers, certificates (each with
its decision), evaluation results, trainings and sales points, built through the models
with the same fields the services write."""

import datetime
from decimal import Decimal

import factory

from accounts.models import User
from evaluations.models import (
    Certificate,
    CertificateStatus,
    Council,
    CouncilMember,
    CriteriaVersion,
    Decision,
    Outcome,
    Regime,
    Round,
    RoundEntry,
    RoundResult,
    RoundStatus,
    ScoreSheet,
)
from ocop_portal import demo
from plans.models import (
    Attendance,
    Plan,
    SalesPoint,
    SalesPointKind,
    Target,
    TrainingAudience,
    TrainingEvent,
)
from producers.models import Producer, ProducerKind
from products.models import (
    Classification,
    Dossier,
    DossierKind,
    DossierStatus,
    EvaluationLevel,
    Product,
    ProductSet,
)


def province_user() -> User:
    return User.objects.get(username="province")


def first_commune(district_code: str):
    return demo.unit(district_code).children.order_by("code").first()


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    class Params:
        district_code = "876"

    kind = ProducerKind.ENTERPRISE
    name = factory.Sequence(lambda n: f"Cơ sở sản xuất {n}")
    registration_number = factory.Sequence(lambda n: f"{1500000000 + n:010d}")
    legal_representative = factory.Sequence(lambda n: f"Nguyễn Văn {n}")
    email = factory.Sequence(lambda n: f"coso{n}@example.vn")
    commune = factory.LazyAttribute(lambda o: first_commune(o.district_code))
    created_by = factory.LazyFunction(province_user)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    class Params:
        district_code = "876"
        group = 1

    producer = factory.SubFactory(
        ProducerFactory, district_code=factory.SelfAttribute("..district_code")
    )
    name = factory.Sequence(lambda n: f"Sản phẩm {n}")
    product_set = factory.LazyAttribute(
        lambda o: (
            ProductSet.objects.filter(classification__code="1048")
            .order_by("number")
            .first()
        )
    )
    code = factory.Sequence(lambda n: f"87-TEST-{n:05d}")
    commune = factory.SelfAttribute("producer.commune")
    district = factory.LazyAttribute(lambda o: o.producer.commune.parent)
    created_by = factory.LazyFunction(province_user)


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    product = factory.SubFactory(ProductFactory)
    year = 2021
    kind = DossierKind.NEW
    status = DossierStatus.SUBMITTED
    district = factory.SelfAttribute("product.district")
    created_by = factory.LazyFunction(province_user)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Decision

    province = factory.LazyFunction(lambda: demo.unit(demo.PROVINCE_CODE))
    number = factory.Sequence(lambda n: f"{n}/QĐ-UBND-HC")
    date = datetime.date(2021, 6, 1)
    signer = "Phạm Thiện Nghĩa"
    level = EvaluationLevel.PROVINCE
    recorded_by = factory.LazyFunction(province_user)


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate and its decision; `valid_from` is the decision's date."""

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


def regime() -> Regime:
    classification = Classification.objects.get(code="1048")
    return Regime.objects.get_or_create(
        code="T1048",
        defaults={
            "name": "1048 (test)",
            "decision": "1048/QĐ-TTg",
            "effective_from": datetime.date(2019, 8, 21),
            "classification": classification,
        },
    )[0]


def criteria_for(product: Product) -> CriteriaVersion:
    return CriteriaVersion.objects.get_or_create(
        product_set=product.product_set,
        version=99,
        defaults={
            "classification": product.product_set.classification,
            "name": "test sheet",
        },
    )[0]


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"Hội đồng tỉnh {n}")
    level = EvaluationLevel.PROVINCE
    unit = factory.LazyFunction(lambda: demo.unit(demo.PROVINCE_CODE))


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    council = factory.SubFactory(CouncilFactory)
    regime = factory.LazyFunction(regime)
    year = 2021
    level = EvaluationLevel.PROVINCE
    name = factory.Sequence(lambda n: f"Đợt {n}")
    status = RoundStatus.CLOSED
    closed_at = factory.LazyFunction(
        lambda: datetime.datetime(2021, 8, 15, 9, tzinfo=datetime.UTC)
    )
    created_by = factory.LazyFunction(province_user)


def entry(round: Round, dossier: Dossier) -> RoundEntry:
    return RoundEntry.objects.create(
        round=round,
        dossier=dossier,
        criteria=criteria_for(dossier.product),
        assigned_by=round.created_by,
    )


def result(
    round: Round,
    dossier: Dossier,
    *,
    mean: str = "91.50",
    stars: int = 5,
    outcome: str = Outcome.FORWARDED,
    target_level: str = EvaluationLevel.NATIONAL,
) -> RoundResult:
    mean = Decimal(mean)
    return RoundResult.objects.create(
        entry=entry(round, dossier),
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


def member(council: Council, username: str) -> CouncilMember:
    user = User.objects.create_user(username=username, password="x")
    return CouncilMember.objects.create(council=council, user=user)


def submitted_sheet(entry: RoundEntry, member: CouncilMember, total: str) -> ScoreSheet:
    return ScoreSheet.objects.create(
        entry=entry,
        member=member,
        status="submitted",
        total=Decimal(total),
        submitted_at=datetime.datetime(2021, 8, 1, tzinfo=datetime.UTC),
    )


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingEvent

    province = factory.LazyFunction(lambda: demo.unit(demo.PROVINCE_CODE))
    title = factory.Sequence(lambda n: f"Tập huấn OCOP {n}")
    held_on = datetime.date(2021, 5, 20)
    place = "Hội trường Sở Công Thương"
    audience = TrainingAudience.OFFICERS
    created_by = factory.LazyFunction(province_user)


def attend(training: TrainingEvent, who) -> Attendance:
    if isinstance(who, User):
        return Attendance.objects.create(
            event=training, user=who, district=who.jurisdiction, recorded_by=who
        )
    return Attendance.objects.create(
        event=training, producer=who, district=who.district, recorded_by=province_user()
    )


class SalesPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesPoint

    class Params:
        district_code = "867"

    name = factory.Sequence(lambda n: f"Điểm bán OCOP {n}")
    kind = SalesPointKind.SALES_POINT
    commune = factory.LazyAttribute(lambda o: first_commune(o.district_code))
    opened_on = datetime.date(2021, 9, 1)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    province = factory.LazyFunction(lambda: demo.unit(demo.PROVINCE_CODE))
    year = 2021
    number = factory.Sequence(lambda n: f"{100 + n}/KH-UBND")
    issued_on = datetime.date(2021, 4, 14)
    title = "Kế hoạch thực hiện Chương trình OCOP năm 2021"
    lead_agency = "Sở Công Thương Đồng Tháp"


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    plan = factory.SubFactory(PlanFactory)
    indicator = "new_products"
    target_value = Decimal(49)
