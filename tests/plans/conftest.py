import pytest

from ocop_portal import demo
from products.catalogue import load_catalogue


@pytest.fixture
def catalogue(personas):
    """Units, personas and the product classifications."""
    load_catalogue()
    return personas


@pytest.fixture
def province(dong_thap):
    return dong_thap


@pytest.fixture
def unit():
    return demo.unit


@pytest.fixture
def eager():
    """Run tasks in-process for the test, even when REDIS_URL points at a broker."""
    from ocop_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def plan_2021(catalogue):
    """The 2021 plan with the scenario's targets, Lai Vung's split included."""
    from decimal import Decimal

    from tests.plans import factories as f

    plan = f.PlanFactory(number="122/KH-UBND")
    for indicator, value in [
        ("new_products", 49),
        ("upgrades_3_to_4", 20),
        ("national_candidates", 4),
        ("officers_trained", 100),
        ("producers_trained", 100),
        ("sales_points", 3),
    ]:
        f.TargetFactory(plan=plan, indicator=indicator, target_value=Decimal(value))
    f.TargetFactory(
        plan=plan,
        indicator="new_products",
        target_value=Decimal(6),
        district=demo.unit("876"),
    )
    return plan
