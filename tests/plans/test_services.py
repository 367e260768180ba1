"""The plans services called directly, with their fields as keyword arguments."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from plans import services, tasks
from tests.plans.factories import SalesPointFactory, TrainingFactory
from tests.producers.factories import first_commune

D = datetime.date

PLAN = {
    "year": 2022,
    "number": "45/KH-UBND",
    "issued_on": D(2022, 3, 1),
    "title": "Kế hoạch OCOP năm 2022",
    "lead_agency": "Văn phòng Điều phối nông thôn mới tỉnh",
}


def test_a_plan_created_without_a_signer_leaves_it_blank(catalogue):
    plan = services.create_plan(user=catalogue["province"], **PLAN)
    assert (plan.number, plan.signer, plan.province.code) == ("45/KH-UBND", "", "87")
    assert AuditEvent.objects.for_object(plan).get().action == "created"


def test_a_district_officer_may_not_create_a_plan(catalogue):
    with pytest.raises(PermissionDenied):
        services.create_plan(user=catalogue["laivung"], **PLAN)


def test_a_plan_update_is_audited_and_enqueued_only_when_something_changed(
    catalogue, django_capture_on_commit_callbacks
):
    user = catalogue["province"]
    plan = services.create_plan(user=user, **PLAN)
    with django_capture_on_commit_callbacks() as callbacks:
        services.update_plan(plan=plan, user=user, signer="", **PLAN)
    assert callbacks == []
    with (
        mock.patch.object(tasks.compute_plan_progress, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.update_plan(plan=plan, user=user, signer="Huỳnh Minh Tuấn", **PLAN)
    delay.assert_called_once_with(plan.pk)
    plan.refresh_from_db()
    assert plan.signer == "Huỳnh Minh Tuấn"
    actions = AuditEvent.objects.for_object(plan).values_list("action", flat=True)
    assert sorted(actions) == ["created", "updated"]


def test_a_target_moved_onto_another_target_s_indicator_is_refused(
    plan_2021, catalogue
):
    target = plan_2021.targets.get(indicator="sales_points")
    with pytest.raises(ValidationError):
        services.update_target(
            target=target,
            user=catalogue["province"],
            indicator="new_products",
            target_value=Decimal(5),
            district=None,
            note="",
        )
    target.refresh_from_db()
    assert (target.indicator, target.target_value) == ("sales_points", 3)


def test_moving_a_training_to_another_year_refreshes_both_years(
    catalogue, django_capture_on_commit_callbacks
):
    training = TrainingFactory()
    with (
        mock.patch.object(tasks.refresh_progress, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.update_training(
            training=training,
            user=catalogue["province"],
            title=training.title,
            held_on=D(2022, 2, 10),
            place=training.place,
            audience=training.audience,
        )
    delay.assert_called_once_with(training.province_id, [2021, 2022])
    training.refresh_from_db()
    assert training.held_on == D(2022, 2, 10)


def test_a_sales_point_moved_to_another_commune_takes_its_district(catalogue, unit):
    point = SalesPointFactory()
    services.update_sales_point(
        point=point,
        user=catalogue["province"],
        name=point.name,
        kind=point.kind,
        address="",
        commune=first_commune("876"),
        opened_on=point.opened_on,
        closed_on=None,
        note="",
    )
    point.refresh_from_db()
    assert point.district == unit("876")


def test_a_district_officer_may_not_create_a_sales_point(catalogue):
    with pytest.raises(PermissionDenied):
        services.create_sales_point(
            user=catalogue["laivung"],
            name="Điểm bán OCOP Lai Vung",
            kind="sales_point",
            commune=first_commune("876"),
            opened_on=D(2021, 8, 1),
        )


def test_a_note_only_change_of_a_target_is_saved_and_audited(plan_2021, catalogue):
    target = plan_2021.targets.get(indicator="sales_points")
    services.update_target(
        target=target,
        user=catalogue["province"],
        indicator=target.indicator,
        target_value=target.target_value,
        district=None,
        note="Showroom Sa Đéc và 2 điểm bán",
    )
    target.refresh_from_db()
    assert target.note == "Showroom Sa Đéc và 2 điểm bán"
    event = AuditEvent.objects.for_object(plan_2021).get(action="updated")
    before, after = event.changes["targets"]
    assert after == f"{before} (Showroom Sa Đéc và 2 điểm bán)"
