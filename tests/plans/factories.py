"""Factories for the plans tests: plans and their targets, trainings and their
attendance, sales points. Producers, products, dossiers, certificates and evaluation
results come from the factories of their own apps."""

import datetime
from decimal import Decimal

import factory

from accounts.jurisdiction import officer_district
from accounts.models import User
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
from tests.producers.factories import first_commune, province_user


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
            event=training,
            user=who,
            district_id=officer_district(who),
            recorded_by=who,
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
