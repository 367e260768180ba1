"""Progress snapshots: computed per target and day, upserted, idempotent, enqueued on
commit after the changes that move them."""

import datetime
import threading
from decimal import Decimal
from unittest import mock

import pytest

from django.core.management import CommandError, call_command
from django.db import connection

from evaluations.certificates import record_historic_decision
from evaluations.signals import recognition_changed
from ocop_portal import demo
from plans import progress, services, tasks
from plans.models import Plan, PlanStatus, ProgressSnapshot, Target
from tests.evaluations.factories import certify
from tests.plans.factories import (
    PlanFactory,
    SalesPointFactory,
    TargetFactory,
    TrainingFactory,
)
from tests.producers.factories import ProducerFactory
from tests.products.factories import ProductFactory

D = datetime.date


def snapshots(plan, day):
    return {
        (s.target.indicator, s.target.district_id): s
        for s in ProgressSnapshot.objects.filter(
            target__plan=plan, day=day
        ).select_related("target")
    }


def test_one_snapshot_per_target_with_the_counted_values(plan_2021, unit):
    laivung, thapmuoi = unit("876"), unit("872")
    for _ in range(2):
        certify(ProductFactory(), stars=3, on=D(2021, 3, 1))
    certify(ProductFactory(district_code="872"), stars=3, on=D(2021, 4, 1))
    SalesPointFactory(opened_on=D(2021, 9, 1))

    progress.compute_plan_progress(plan_id=plan_2021.pk, day=D(2021, 12, 31))

    rows = snapshots(plan_2021, D(2021, 12, 31))
    assert len(rows) == plan_2021.targets.count() == 7
    province = rows[("new_products", None)]
    assert province.value == 3
    assert province.by_district == {str(laivung.pk): 2, str(thapmuoi.pk): 1}
    lai_vung_only = rows[("new_products", laivung.pk)]
    assert lai_vung_only.value == 2
    assert lai_vung_only.by_district == {str(laivung.pk): 2}
    assert rows[("sales_points", None)].value == 1
    assert rows[("officers_trained", None)].value == 0


def test_rerunning_updates_the_same_rows(plan_2021):
    day = D(2021, 6, 30)
    progress.compute_plan_progress(plan_id=plan_2021.pk, day=day)
    first = {key: (s.pk, s.value) for key, s in snapshots(plan_2021, day).items()}
    certify(ProductFactory(), stars=3, on=D(2021, 5, 1))

    progress.compute_plan_progress(plan_id=plan_2021.pk, day=day)
    progress.compute_plan_progress(plan_id=plan_2021.pk, day=day)

    again = snapshots(plan_2021, day)
    assert ProgressSnapshot.objects.filter(target__plan=plan_2021).count() == 7
    assert {key: s.pk for key, s in again.items()} == {
        k: v[0] for k, v in first.items()
    }
    assert again[("new_products", None)].value == first[("new_products", None)][1] + 1


def test_a_day_after_the_year_is_stored_as_its_last_day(plan_2021):
    rows = progress.compute_plan_progress(plan_id=plan_2021.pk, day=D(2026, 11, 28))
    assert {row.day for row in rows} == {D(2021, 12, 31)}


def test_targets_of_an_unregistered_indicator_are_skipped(plan_2021):
    TargetFactory(plan=plan_2021, indicator="retired_indicator")
    rows = progress.compute_plan_progress(plan_id=plan_2021.pk, day=D(2021, 3, 1))
    assert len(rows) == 7


def test_a_deleted_plan_is_a_no_op(db):
    assert progress.compute_plan_progress(plan_id=987654) == []


def test_refresh_computes_only_open_plans_of_the_years(plan_2021):
    other = PlanFactory(year=2022)
    TargetFactory(plan=other)
    closed = PlanFactory(status=PlanStatus.CLOSED)
    TargetFactory(plan=closed)
    count = progress.refresh_progress(province_id=plan_2021.province_id, years=[2021])
    assert count == 1
    assert ProgressSnapshot.objects.filter(target__plan=plan_2021).count() == 7
    assert not ProgressSnapshot.objects.filter(
        target__plan__in=[other, closed]
    ).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency needs PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_leave_one_row_per_target_and_day(dong_thap, personas):
    from products.catalogue import load_catalogue

    load_catalogue()
    plan = PlanFactory()
    for key in ("new_products", "upgrades_3_to_4", "sales_points", "officers_trained"):
        TargetFactory(plan=plan, indicator=key)
    for _ in range(3):
        certify(ProductFactory(), stars=3, on=D(2021, 2, 1))
    day = D(2021, 12, 31)
    errors = []

    def run(barrier):
        try:
            barrier.wait()
            progress.compute_plan_progress(plan_id=plan.pk, day=day)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    for _trial in range(5):
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=run, args=(barrier,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    rows = ProgressSnapshot.objects.filter(target__plan=plan)
    assert rows.count() == 4
    assert rows.filter(day=day, target__indicator="new_products").get().value == 3


def test_the_receiver_enqueues_a_refresh_only_on_commit(
    plan_2021, django_capture_on_commit_callbacks
):
    with mock.patch.object(tasks.refresh_progress, "delay") as delay:
        with django_capture_on_commit_callbacks() as callbacks:
            recognition_changed.send(
                sender=None, province_id=plan_2021.province_id, year=2021
            )
            assert not delay.called
        assert len(callbacks) == 1
        callbacks[0]()
    delay.assert_called_once_with(plan_2021.province_id, [2021])


def test_a_recorded_decision_refreshes_the_plan(
    plan_2021, catalogue, eager, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record_historic_decision(
            province=plan_2021.province,
            user=catalogue["province"],
            number="999/QĐ-UBND-HC",
            date=D(2021, 7, 1),
            signer="Phạm Thiện Nghĩa",
            level="province",
            recognitions=[(product, 4)],
        )
    latest = ProgressSnapshot.objects.get(
        target__plan=plan_2021, target__indicator="new_products", target__district=None
    )
    assert latest.value == 1


def test_nightly_job_queues_every_open_plan(plan_2021):
    PlanFactory(status=PlanStatus.CLOSED)
    with mock.patch.object(tasks.compute_plan_progress, "delay") as delay:
        tasks.nightly_progress()
    delay.assert_called_once_with(plan_2021.pk)


def test_the_task_takes_ids_and_an_iso_day(plan_2021):
    tasks.compute_plan_progress(plan_2021.pk, "2021-03-31")
    assert ProgressSnapshot.objects.filter(day=D(2021, 3, 31)).count() == 7


def test_beat_runs_the_nightly_and_daily_jobs(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"plans.nightly_progress", "evaluations.daily_certificates"} <= scheduled
    assert settings.OCOP_EXPIRY_REMINDER_DAYS == 30


def test_command_computes_a_plan_as_of_a_day(plan_2021, capsys):
    call_command(
        "compute_progress", "--plan", str(plan_2021.pk), "--date", "2021-06-30"
    )
    assert ProgressSnapshot.objects.filter(day=D(2021, 6, 30)).count() == 7
    assert "122/KH-UBND (2021): 7 snapshots for 2021-06-30" in capsys.readouterr().out


def test_command_without_a_plan_computes_every_open_plan(plan_2021):
    call_command("compute_progress", "--date", "2021-01-31")
    assert ProgressSnapshot.objects.filter(day=D(2021, 1, 31)).count() == 7


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--date", "31/12/2021"], "YYYY-MM-DD"), (["--plan", "999999"], "No plan")],
)
def test_command_refuses_bad_arguments(plan_2021, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("compute_progress", *args)


# Changes made in plans enqueue their own refresh --------------------------------------


def test_recording_attendance_enqueues_a_refresh_on_commit(
    plan_2021, catalogue, django_capture_on_commit_callbacks
):
    training = TrainingFactory()
    with (
        mock.patch.object(tasks.refresh_progress, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.add_attendance(
            training=training,
            user=catalogue["laivung"],
            officers=[catalogue["laivung"]],
        )
    delay.assert_called_once_with(plan_2021.province_id, [2021])


def test_a_sales_point_enqueues_the_years_it_counts_in(
    plan_2021, catalogue, unit, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(tasks.refresh_progress, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.create_sales_point(
            user=catalogue["province"],
            name="Điểm bán OCOP Lấp Vò",
            kind="sales_point",
            address="",
            commune=unit("875").children.first(),
            opened_on=D(2021, 8, 1),
            closed_on=None,
            note="",
        )
    province_id, years = delay.call_args.args
    assert province_id == plan_2021.province_id
    assert years[0] == 2021 and datetime.date.today().year in years


def test_a_new_target_enqueues_its_plan(
    plan_2021, catalogue, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(tasks.compute_plan_progress, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.add_target(
            plan=plan_2021,
            user=catalogue["province"],
            indicator="new_products",
            target_value=Decimal(3),
            district=demo.unit("872"),
            note="",
        )
    delay.assert_called_once_with(plan_2021.pk)
    assert Target.objects.filter(plan=plan_2021).count() == 8
    assert Plan.objects.get(pk=plan_2021.pk).status == PlanStatus.OPEN


def test_attendance_is_refused_outside_the_officer_s_district_or_audience(
    catalogue, unit
):
    from django.core.exceptions import ValidationError

    officers = TrainingFactory()
    producers = TrainingFactory(audience="producers")
    other = ProducerFactory(district_code="872")
    laivung = catalogue["laivung"]
    with pytest.raises(ValidationError, match="không thuộc địa bàn"):
        services.add_attendance(training=producers, user=laivung, producers=[other])
    with pytest.raises(ValidationError, match="dành cho cán bộ OCOP"):
        services.add_attendance(training=officers, user=laivung, producers=[other])
    with pytest.raises(ValidationError, match="không thuộc địa bàn"):
        # A provincial officer is not a district OCOP officer: never an attendee.
        services.add_attendance(
            training=officers,
            user=catalogue["province"],
            officers=[catalogue["province"]],
        )
    assert not officers.attendance.exists() and not producers.attendance.exists()
