from decimal import Decimal

import pytest

from evaluations.catalogue import load_criteria, load_regimes
from ocop_portal import demo
from products.catalogue import load_catalogue
from tests.evaluations.scenario import TEST_SHEETS
from tests.plans.factories import PlanFactory, TargetFactory


@pytest.fixture
def catalogue(personas):
    """Units, personas and the product classifications."""
    load_catalogue()
    return personas


@pytest.fixture
def evaluation_catalogue(catalogue):
    """The catalogue with the regimes and the published criteria sheets, for tests
    with evaluation rounds."""
    load_regimes()
    load_criteria(only=TEST_SHEETS)
    return catalogue


@pytest.fixture
def province(dong_thap):
    return dong_thap


@pytest.fixture
def unit():
    return demo.unit


@pytest.fixture
def plan_2021(catalogue):
    """The 2021 plan with the scenario's targets, Lai Vung's split included."""
    plan = PlanFactory(number="122/KH-UBND")
    for indicator, value in [
        ("new_products", 49),
        ("upgrades_3_to_4", 20),
        ("national_candidates", 4),
        ("officers_trained", 100),
        ("producers_trained", 100),
        ("sales_points", 3),
    ]:
        TargetFactory(plan=plan, indicator=indicator, target_value=Decimal(value))
    TargetFactory(
        plan=plan,
        indicator="new_products",
        target_value=Decimal(6),
        district=demo.unit("876"),
    )
    return plan
