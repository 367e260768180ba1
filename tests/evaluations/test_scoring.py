"""The scoring rules: star bands at every edge, the mandatory cap, outcomes per regime
and level, and properties of totals and means."""

import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluations import scoring
from evaluations.scoring import (
    FORWARDED,
    NOT_RECOGNISED,
    RECOGNISED,
    RETURNED,
    LevelRule,
    Requirement,
    decide_outcome,
    mean_of,
    requirement_cap,
    star_band,
)


@pytest.mark.parametrize(
    ("mean", "stars"),
    [
        ("0", 1),
        ("29.99", 1),
        ("30", 2),
        ("49.99", 2),
        ("50", 3),
        ("69.99", 3),
        ("70", 4),
        ("89.99", 4),
        ("90", 5),
        ("100", 5),
    ],
)
def test_star_band_edges(mean, stars):
    assert star_band(Decimal(mean)) == stars


def test_mean_is_truncated_so_it_never_rounds_into_a_higher_band():
    # (89.99 + 89.99 + 90) / 3 = 89.99333…; the band of the stored mean is the exact one.
    mean = mean_of([Decimal("89.99"), Decimal("89.99"), Decimal("90")])
    assert mean == Decimal("89.99")
    assert star_band(mean) == 4
    assert mean_of([Decimal("89.995"), Decimal("89.995")]) == Decimal("89.99")


def test_cap_is_the_star_below_the_lowest_unmet_requirement():
    requirements = [
        Requirement(criterion_id=1, code="1.a", min_points=Decimal(1), stars=3),
        Requirement(criterion_id=2, code="1.b", min_points=Decimal(2), stars=4),
        Requirement(criterion_id=2, code="1.b", min_points=Decimal(3), stars=5),
    ]
    assert requirement_cap({1: Decimal(1), 2: Decimal(3)}, requirements) == (5, [])
    cap, unmet = requirement_cap({1: Decimal(1), 2: Decimal(2)}, requirements)
    assert cap == 4 and [r.stars for r in unmet] == [5]
    cap, unmet = requirement_cap({1: Decimal(1), 2: Decimal("1.5")}, requirements)
    assert cap == 3 and [r.min_points for r in unmet] == [Decimal(2)]
    cap, unmet = requirement_cap({2: Decimal(3)}, requirements)
    assert cap == 2 and unmet[0].code == "1.a"


def test_mandatory_cap_lowers_a_5_star_score_to_4():
    requirements = [
        Requirement(criterion_id=7, code="3.e", min_points=Decimal(3), stars=5)
    ]
    cap, _ = requirement_cap({7: Decimal(2)}, requirements)
    assert min(star_band(Decimal(95)), cap) == 4


REGIMES = {
    "1048": [
        LevelRule("district", None, None, Decimal(50)),
        LevelRule("province", 3, 4, Decimal(90)),
        LevelRule("national", 5, 5, None),
    ],
    "148": [
        LevelRule("district", 3, 3, Decimal(70)),
        LevelRule("province", 4, 4, Decimal(90)),
        LevelRule("national", 5, 5, None),
    ],
    "1489": [
        LevelRule("province", 3, 4, Decimal(90)),
        LevelRule("national", 5, 5, None),
    ],
}


@pytest.mark.parametrize(
    ("regime", "level", "mean", "stars", "expected"),
    [
        # 1048: the district scores everything and forwards from 50.
        ("1048", "district", "49.99", 2, (NOT_RECOGNISED, "")),
        ("1048", "district", "50", 3, (FORWARDED, "province")),
        ("1048", "district", "75", 4, (FORWARDED, "province")),
        ("1048", "district", "60", 2, (NOT_RECOGNISED, "")),  # capped below 3★
        # 1048 province: recognises 3★ and 4★, forwards from 90 (national 5★ candidate).
        ("1048", "province", "55", 3, (RECOGNISED, "province")),
        ("1048", "province", "80", 4, (RECOGNISED, "province")),
        ("1048", "province", "92", 5, (FORWARDED, "national")),
        ("1048", "province", "92", 4, (RECOGNISED, "province")),  # capped: no 5★ path
        ("1048", "province", "40", 2, (NOT_RECOGNISED, "")),
        ("1048", "national", "95", 5, (RECOGNISED, "national")),
        ("1048", "national", "85", 4, (RETURNED, "province")),
        # 148: the district recognises 3★ and forwards from 70.
        ("148", "district", "60", 3, (RECOGNISED, "district")),
        ("148", "district", "72", 4, (FORWARDED, "province")),
        ("148", "district", "72", 3, (RECOGNISED, "district")),  # capped at 3★
        ("148", "district", "45", 2, (NOT_RECOGNISED, "")),
        ("148", "province", "80", 4, (RECOGNISED, "province")),
        ("148", "province", "65", 3, (RETURNED, "district")),  # Đồng Tháp 2023
        ("148", "province", "91", 5, (FORWARDED, "national")),
        ("148", "national", "93", 5, (RECOGNISED, "national")),
        ("148", "national", "88", 4, (RETURNED, "province")),
        # 1489: no district level; the province recognises 3★ and 4★.
        ("1489", "province", "60", 3, (RECOGNISED, "province")),
        ("1489", "province", "85", 4, (RECOGNISED, "province")),
        ("1489", "province", "90", 5, (FORWARDED, "national")),
        ("1489", "province", "20", 1, (NOT_RECOGNISED, "")),
        ("1489", "national", "75", 4, (RETURNED, "province")),
    ],
)
def test_outcome_for_each_regime_and_level(regime, level, mean, stars, expected):
    assert (
        decide_outcome(
            levels=REGIMES[regime], level=level, mean=Decimal(mean), stars=stars
        )
        == expected
    )


totals = st.decimals(min_value=0, max_value=100, places=2)


@given(st.lists(totals, min_size=1, max_size=12), st.randoms())
def test_mean_does_not_depend_on_member_order(values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert mean_of(values) == mean_of(shuffled)
    assert min(values) <= mean_of(values) <= max(values)


@given(totals, totals)
def test_band_is_monotone(a, b):
    low, high = sorted([a, b])
    assert star_band(low) <= star_band(high)


@given(totals)
def test_band_floor_is_within_its_band(mean):
    assert scoring.band_floor(star_band(mean)) <= mean


def test_random_member_orders_give_the_same_star():
    rng = random.Random(2021)
    values = [Decimal(rng.randint(4000, 9500)) / 100 for _ in range(7)]
    stars = {star_band(mean_of(rng.sample(values, len(values)))) for _ in range(50)}
    assert len(stars) == 1


def _criterion(pk: int, *points: str) -> SimpleNamespace:
    """A criterion as the sheet's tree holds it: option ids pk*10, pk*10+1, …"""
    options = [
        SimpleNamespace(
            pk=pk * 10 + index, points=Decimal(value), required_for_stars=None
        )
        for index, value in enumerate(points)
    ]
    return SimpleNamespace(
        pk=pk,
        code=str(pk),
        max_points=max(option.points for option in options),
        required_for_stars=None,
        group=SimpleNamespace(alternatives=False),
        options=SimpleNamespace(all=lambda: options),
    )


def test_sheet_totals_add_the_chosen_points_per_part_and_in_all():
    parts = [
        {"part": "A", "groups": [{"criteria": [_criterion(1, "0", "5", "10")]}]},
        {
            "part": "B",
            "groups": [
                {"criteria": [_criterion(2, "0", "2.5")]},
                {"criteria": [_criterion(3, "0", "20")]},
            ],
        },
    ]
    # 99 is not an option of criterion 3: it counts as unanswered.
    result = scoring.totals(parts, {1: 12, 2: 21, 3: 99})
    assert [(row.part, row.subtotal) for row in result.parts] == [
        ("A", Decimal(10)),
        ("B", Decimal("2.5")),
    ]
    assert result.total == scoring.sheet_total([Decimal(10), Decimal("2.5")])
    assert result.total == Decimal("12.5")
    assert (result.answered, result.count, result.band) == (2, 3, 1)
    nothing = scoring.totals(parts, {})
    assert (nothing.total, nothing.answered, nothing.band) == (0, 0, None)
