"""Each indicator against hand-counted fixtures (DESIGN §5 table)."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import User
from evaluations.models import Outcome
from ocop_portal import demo
from plans import indicators
from plans.indicators import Period
from plans.models import TrainingAudience
from products.models import EvaluationLevel
from tests.evaluations.factories import CouncilFactory, RoundFactory, certify, result
from tests.plans.factories import SalesPointFactory, TrainingFactory, attend
from tests.producers.factories import ProducerFactory, give_mandate
from tests.products.factories import DossierFactory, ProductFactory

D = datetime.date


def period(as_of: datetime.date, year: int = 2021) -> Period:
    return Period(province_id=demo.unit("87").pk, year=year, as_of=as_of)


def ids(*codes: str) -> list[str]:
    return [str(demo.unit(code).pk) for code in codes]


@pytest.fixture
def recognitions(catalogue):
    """Lai Vung (876) unless said otherwise; dates are decision dates.

    A: 3★ 2020, 4★ 06/2021           → upgrade in 2021, not new
    B: 3★ 03/2021                     → new
    C: 3★ 2020, 3★ 2021 (re-rating)   → neither
    D: 4★ 05/2021, first ever         → new, not an upgrade
    E: 3★ 02/2021, 4★ 10/2021         → new and upgrade
    F: 4★ 2019, 3★ 2021 (lower)       → neither
    G: 3★ 11/2021, Tháp Mười          → new
    H: 3★ 2022                        → not in 2021
    """
    products = {name: ProductFactory() for name in "ABCDEFH"}
    products["G"] = ProductFactory(district_code="872")
    for name, stars, day in [
        ("A", 3, D(2020, 7, 1)),
        ("A", 4, D(2021, 6, 1)),
        ("B", 3, D(2021, 3, 1)),
        ("C", 3, D(2020, 7, 1)),
        ("C", 3, D(2021, 7, 1)),
        ("D", 4, D(2021, 5, 10)),
        ("E", 3, D(2021, 2, 1)),
        ("E", 4, D(2021, 10, 1)),
        ("F", 4, D(2019, 9, 1)),
        ("F", 3, D(2021, 9, 1)),
        ("G", 3, D(2021, 11, 15)),
        ("H", 3, D(2022, 2, 1)),
    ]:
        certify(products[name], stars=stars, on=day)
    return products


def test_new_products_count_first_ever_certificates_of_the_year(recognitions):
    value = indicators.compute("new_products", period(D(2021, 12, 31)))
    assert value.value == 4  # B, D, E, G
    assert value.by_district == dict(zip(ids("876", "872"), [3, 1], strict=True))


def test_new_products_as_of_a_day_counts_decisions_until_that_day(recognitions):
    assert indicators.compute("new_products", period(D(2021, 6, 30))).value == 3
    assert indicators.compute("new_products", period(D(2021, 1, 31))).value == 0
    # A later "as of" day does not count the next year's decisions.
    assert indicators.compute("new_products", period(D(2026, 1, 1))).value == 4


def test_upgrades_count_4_star_certificates_after_a_3_star_one(recognitions):
    value = indicators.compute("upgrades_3_to_4", period(D(2021, 12, 31)))
    assert value.value == 2  # A and E; not D (first ever), not C or F
    assert value.by_district == {ids("876")[0]: 2}
    assert indicators.compute("upgrades_3_to_4", period(D(2021, 6, 30))).value == 1


def test_a_3_star_2020_product_upgraded_in_2021_is_an_upgrade_not_new(catalogue):
    product = ProductFactory()
    certify(product, stars=3, on=D(2020, 5, 5))
    certify(product, stars=4, on=D(2021, 5, 5))
    assert indicators.compute("upgrades_3_to_4", period(D(2021, 12, 31))).value == 1
    assert indicators.compute("new_products", period(D(2021, 12, 31))).value == 0
    assert indicators.compute("new_products", period(D(2020, 12, 31), 2020)).value == 1


def test_a_rerating_at_the_same_star_counts_as_neither(catalogue):
    product = ProductFactory()
    certify(product, stars=4, on=D(2020, 5, 5))
    certify(product, stars=4, on=D(2021, 5, 5))
    assert indicators.compute("upgrades_3_to_4", period(D(2021, 12, 31))).value == 0
    assert indicators.compute("new_products", period(D(2021, 12, 31))).value == 0


@pytest.fixture
def forwarded(evaluation_catalogue):
    """P forwarded to the national council twice in 2021 (two provincial rounds);
    Q forwarded by a district round to the province; R forwarded to national in 2020;
    S recognised 4★ in 2021."""
    p, q, r, s = (ProductFactory(classification="1048") for _ in range(4))
    first = RoundFactory(closed=True)
    second = RoundFactory(
        closed=True, closed_at=datetime.datetime(2021, 11, 20, 9, tzinfo=datetime.UTC)
    )
    dossier = DossierFactory(submitted=True, product=p)
    result(first, dossier, mean="91.50")
    result(second, dossier, mean="92.00")
    district_round = RoundFactory(closed=True, council=CouncilFactory(district=True))
    result(
        district_round,
        DossierFactory(submitted=True, product=q),
        mean="75",
        stars=4,
        target_level=EvaluationLevel.PROVINCE,
    )
    result(
        RoundFactory(closed=True, year=2020),
        DossierFactory(submitted=True, product=r, year=2020),
        mean="93",
    )
    result(
        RoundFactory(closed=True),
        DossierFactory(submitted=True, product=s),
        mean="80",
        stars=4,
        outcome=Outcome.RECOGNISED,
        target_level="",
    )
    return p


def test_a_product_forwarded_to_the_national_council_counts_once(forwarded):
    value = indicators.compute("national_candidates", period(D(2021, 12, 31)))
    assert value.value == 1
    assert value.by_district == {ids("876")[0]: 1}


def test_candidates_count_from_the_day_the_round_closed(forwarded):
    # The first provincial round closed on 15/08/2021.
    assert indicators.compute("national_candidates", period(D(2021, 8, 14))).value == 0
    assert indicators.compute("national_candidates", period(D(2021, 8, 16))).value == 1


def test_officers_trained_is_the_share_of_district_officers(catalogue):
    laivung, thapmuoi, chauthanh = (
        catalogue[name] for name in ("laivung", "thapmuoi", "chauthanh")
    )
    give_mandate(
        User.objects.create_user(username="retired", is_active=False),
        demo.unit("876"),
    )
    may = TrainingFactory(held_on=D(2021, 5, 20))
    october = TrainingFactory(held_on=D(2021, 10, 1))
    last_year = TrainingFactory(held_on=D(2020, 10, 1))
    for_producers = TrainingFactory(
        held_on=D(2021, 3, 1), audience=TrainingAudience.PRODUCERS
    )
    attend(may, laivung)
    attend(october, chauthanh)
    attend(last_year, thapmuoi)
    # Only officers' trainings count, even if an officer is listed at another one.
    attend(for_producers, thapmuoi)

    june = indicators.compute("officers_trained", period(D(2021, 6, 30)))
    assert june.value == Decimal("33.33")
    value = indicators.compute("officers_trained", period(D(2021, 12, 31)))
    assert value.value == Decimal("66.67")
    assert value.by_district == dict(
        zip(ids("876", "872", "877"), [100.0, 0.0, 100.0], strict=True)
    )


def test_producers_trained_is_the_share_of_producers_with_a_dossier(catalogue):
    p1, p2 = ProducerFactory(), ProducerFactory()
    p3 = ProducerFactory(district_code="872")
    p4 = ProducerFactory()
    for producer in (p1, p2, p3):
        DossierFactory(submitted=True, product__producer=producer)
    # A second product of p1 does not count p1 twice; p4 only applied in 2020.
    DossierFactory(submitted=True, product__producer=p1)
    DossierFactory(submitted=True, product__producer=p4, year=2020)
    training = TrainingFactory(
        held_on=D(2021, 7, 1), audience=TrainingAudience.PRODUCERS
    )
    attend(training, p1)
    attend(training, p4)

    value = indicators.compute("producers_trained", period(D(2021, 12, 31)))
    assert value.value == Decimal("33.33")
    assert value.by_district == dict(zip(ids("876", "872"), [50.0, 0.0], strict=True))
    assert indicators.compute("producers_trained", period(D(2021, 6, 30))).value == 0


def test_sales_points_open_at_the_end_of_the_year_or_on_the_day(catalogue):
    SalesPointFactory(opened_on=D(2021, 9, 1))  # Sa Đéc showroom
    SalesPointFactory(opened_on=D(2020, 1, 1), closed_on=D(2021, 3, 31))
    SalesPointFactory(opened_on=D(2022, 2, 1))
    SalesPointFactory(opened_on=D(2021, 5, 1), district_code="872")

    value = indicators.compute("sales_points", period(D(2021, 12, 31)))
    assert value.value == 2
    assert value.by_district == dict(zip(ids("867", "872"), [1, 1], strict=True))
    assert indicators.compute("sales_points", period(D(2021, 3, 15))).value == 1
    assert indicators.compute("sales_points", period(D(2021, 6, 30))).value == 1


def test_empty_data_gives_zero(catalogue):
    for key in indicators.REGISTRY:
        value = indicators.compute(key, period(D(2021, 12, 31)))
        assert value.value == 0
        # Districts with officers show 0 %; counts list only districts with some.
        assert set(value.by_district.values()) <= {0}


@pytest.mark.parametrize("key", list(indicators.REGISTRY))
def test_each_indicator_is_one_query(
    catalogue, recognitions, key, django_assert_num_queries
):
    year = period(D(2021, 12, 31))
    with django_assert_num_queries(1):
        indicators.compute(key, year)


def test_every_indicator_has_a_label_a_description_and_a_unit():
    assert set(indicators.REGISTRY) == {
        "new_products",
        "upgrades_3_to_4",
        "national_candidates",
        "officers_trained",
        "producers_trained",
        "sales_points",
    }
    for item in indicators.REGISTRY.values():
        assert str(item.label) and str(item.description)
        assert item.unit in (indicators.COUNT, indicators.PERCENT)


def test_registering_a_key_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        indicators.indicator("new_products", label="x", description="x")(lambda p: None)
