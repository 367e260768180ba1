"""The plans demo step works on whatever earlier steps left, and twice."""

import datetime

from ocop_portal.demo.plans import seed_plans, snapshot_days
from plans.models import (
    Attendance,
    Plan,
    ProgressSnapshot,
    SalesPoint,
    TrainingEvent,
)


def counts():
    return (
        Plan.objects.count(),
        ProgressSnapshot.objects.count(),
        TrainingEvent.objects.count(),
        Attendance.objects.count(),
        SalesPoint.objects.count(),
    )


def test_the_2021_plan_is_seeded_once_with_a_real_curve(catalogue):
    seed_plans(lambda message: None)
    first = counts()
    seed_plans(lambda message: None)
    assert counts() == first == (1, 53 * 7, 4, 3, 3)
    plan = Plan.objects.get()
    assert (plan.number, plan.issued_on, plan.signer) == (
        "122/KH-UBND",
        datetime.date(2021, 4, 14),
        "Huỳnh Minh Tuấn",
    )
    assert plan.lead_agency == "Sở Công Thương Đồng Tháp"
    assert sorted(
        (t.indicator, int(t.target_value), t.district.code if t.district else None)
        for t in plan.targets.all()
    ) == sorted(
        [
            ("new_products", 49, None),
            ("upgrades_3_to_4", 20, None),
            ("national_candidates", 4, None),
            ("officers_trained", 100, None),
            ("producers_trained", 100, None),
            ("sales_points", 3, None),
            ("new_products", 6, "876"),
        ]
    )
    # Sales points counted as of each day: none before July, all three at year end.
    sales = ProgressSnapshot.objects.filter(target__indicator="sales_points")
    assert sales.get(day=datetime.date(2021, 6, 28)).value == 0
    assert sales.get(day=datetime.date(2021, 12, 31)).value == 3
    officers = ProgressSnapshot.objects.filter(target__indicator="officers_trained")
    assert officers.get(day=datetime.date(2021, 12, 31)).value == 100


def test_snapshot_days_are_the_mondays_and_the_last_day():
    days = snapshot_days(2021)
    assert days[0] == datetime.date(2021, 1, 4) and days[-1] == datetime.date(
        2021, 12, 31
    )
    assert all(day.weekday() == 0 for day in days[:-1]) and len(days) == 53
