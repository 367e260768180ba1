"""The two-tier reform of 1/7/2025: units by date, and where each former commune went.

The pairs below are those of the Standing Committee's resolution on the communes of Đồng
Tháp (1663/NQ-UBTVQH15), as the vietnamadminunits package carries them.
"""

import datetime

import pytest

from regions.models import AdministrativeUnit, UnitLevel, UnitSuccession
from regions.services import load_two_tier_reform

BEFORE = datetime.date(2025, 6, 30)
AFTER = datetime.date(2025, 7, 1)


def unit(name: str, parent: str, day: datetime.date) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on(day).get(name=name, parent__name=parent)


def test_after_the_reform_the_merged_province_has_102_units(merged_dong_thap):
    units = AdministrativeUnit.objects.valid_on(AFTER)
    assert list(units.provinces().values_list("code", "name")) == [
        ("82", "Tỉnh Đồng Tháp")
    ]
    assert not units.districts().exists()
    communes = units.communes()
    assert communes.count() == 102
    assert set(communes.values_list("parent", flat=True)) == {merged_dong_thap.pk}
    assert communes.filter(kind="Xã").count() == 82
    assert communes.filter(kind="Phường").count() == 20
    assert communes.get(code="28261").name == "Phường Mỹ Tho"


def test_before_the_reform_both_former_provinces_and_their_districts_exist(
    merged_dong_thap,
):
    units = AdministrativeUnit.objects.valid_on(BEFORE)
    provinces = dict(units.provinces().values_list("code", "name"))
    assert provinces == {"87": "Tỉnh Đồng Tháp", "82": "Tỉnh Tiền Giang"}
    for code, districts, communes in [("87", 12, 143), ("82", 11, 164)]:
        province = units.provinces().get(code=code)
        assert units.districts().filter(parent=province).count() == districts
        assert units.communes().filter(parent__parent=province).count() == communes
    # 2021 is the former Đồng Tháp alone.
    in_2021 = AdministrativeUnit.objects.valid_on(datetime.date(2021, 6, 30))
    assert list(in_2021.provinces().values_list("code", flat=True)) == ["87"]


@pytest.mark.parametrize(
    ("former", "district", "successor"),
    [
        ("Xã Tân Phước", "Huyện Lai Vung", "Xã Lai Vung"),
        ("Xã Tân Thành", "Huyện Lai Vung", "Xã Lai Vung"),
        ("Thị trấn Mỹ An", "Huyện Tháp Mười", "Xã Tháp Mười"),
        ("Phường 1", "Thành phố Sa Đéc", "Phường Sa Đéc"),
        ("Thị trấn Sa Rài", "Huyện Tân Hồng", "Xã Tân Hồng"),
        ("Phường 1", "Thành phố Mỹ Tho", "Phường Mỹ Tho"),
        ("Phường Tân Long", "Thành phố Mỹ Tho", "Phường Mỹ Tho"),
        ("Thị trấn Mỹ Phước", "Huyện Tân Phước", "Xã Tân Phước 1"),
    ],
)
def test_a_former_commune_moves_to_its_successor(
    merged_dong_thap, former, district, successor
):
    assert unit(former, district, BEFORE).main_successor() == unit(
        successor, "Tỉnh Đồng Tháp", AFTER
    )


def test_every_former_unit_has_exactly_one_main_successor(merged_dong_thap):
    former = AdministrativeUnit.objects.filter(valid_to=BEFORE).exclude(
        level=UnitLevel.DISTRICT
    )
    assert former.count() == 2 + 143 + 164
    mains = UnitSuccession.objects.filter(main=True)
    assert mains.count() == former.count()
    assert set(mains.values_list("predecessor", flat=True)) == set(
        former.values_list("pk", flat=True)
    )
    assert set(mains.values_list("successor__valid_from", flat=True)) == {AFTER}


def test_a_split_commune_keeps_its_near_successors_only(merged_dong_thap):
    gao_giong = unit("Xã Gáo Giồng", "Huyện Cao Lãnh", BEFORE)
    assert gao_giong.main_successor().name == "Xã Phong Mỹ"
    assert set(gao_giong.succeeded_by.values_list("successor__name", "main")) == {
        ("Xã Phong Mỹ", True),
        ("Xã Phú Cường", False),
    }
    # The package also sends Mỹ Tho's Phường 4 to Phường Cao Lãnh, 80 km away.
    phuong_4 = unit("Phường 4", "Thành phố Mỹ Tho", BEFORE)
    assert list(phuong_4.succeeded_by.values_list("successor__name", flat=True)) == [
        "Phường Đạo Thạnh"
    ]


def test_loading_the_reform_twice_changes_nothing(merged_dong_thap):
    units, links = AdministrativeUnit.objects.count(), UnitSuccession.objects.count()
    counts = load_two_tier_reform()
    assert counts == {"created": 0, "updated": 279, "successions": 0}
    assert (AdministrativeUnit.objects.count(), UnitSuccession.objects.count()) == (
        units,
        links,
    )
