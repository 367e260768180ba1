"""The one rule of who acts where (accounts.jurisdiction), persona by persona and day
by day."""

import datetime

import pytest

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.jurisdiction import jurisdiction_of, local_officers
from accounts.models import Mandate, Role, User
from ocop_portal import demo
from regions.models import AdministrativeUnit
from tests.producers.factories import give_mandate

IN_2021 = datetime.date(2021, 6, 30)
BEFORE = datetime.date(2025, 6, 30)
AFTER = datetime.date(2025, 7, 1)
IN_2026 = datetime.date(2026, 10, 1)


@pytest.fixture
def units(dong_thap):
    return {
        "province": dong_thap,
        "laivung": demo.unit("876"),
        "thapmuoi": demo.unit("872"),
    }


def new_commune(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on(AFTER).get(name=name)


def test_a_district_officer_acts_for_their_district_only(personas, units):
    reach = jurisdiction_of(personas["laivung"])
    assert reach.day == IN_2021
    assert reach.province_id == units["province"].pk
    assert reach.district == units["laivung"]
    assert reach.is_officer and reach.is_district and not reach.is_provincial
    assert reach.acts_for_district(units["laivung"].pk)
    assert not reach.acts_for_district(units["thapmuoi"].pk)
    assert not reach.acts_for_province(units["province"].pk)
    assert reach.works_in_province(units["province"].pk)
    assert not reach.districts().exists()
    assert set(reach.communes()) == set(units["laivung"].children.all())


def test_a_provincial_officer_acts_for_the_province_not_for_a_district(personas, units):
    reach = jurisdiction_of(personas["province"])
    assert reach.is_provincial and not reach.is_local
    assert reach.acts_for_province(units["province"].pk)
    assert not reach.acts_for_province(units["province"].pk + 10_000)
    assert not reach.acts_for_district(units["laivung"].pk)
    assert reach.districts().count() == 12
    assert reach.communes().count() == 143
    assert reach.district is None and reach.province == units["province"]


def test_the_superuser_reads_every_province(personas, units):
    reach = jurisdiction_of(personas["admin"])
    assert reach.everywhere and reach.is_provincial
    assert reach.acts_for_province(units["province"].pk + 10_000)
    assert reach.q(district="district").children == []


@pytest.mark.parametrize("kind", ["council member", "inactive", "anonymous"])
def test_anyone_else_acts_nowhere(personas, units, kind):
    if kind == "council member":
        user = User.objects.create_user(username="member", password="x")
    elif kind == "inactive":
        user = personas["laivung"]
        user.is_active = False
    else:
        user = AnonymousUser()
    reach = jurisdiction_of(user)
    assert not reach.is_officer and not reach.is_provincial
    assert not reach.acts_for_district(units["laivung"].pk)
    assert not reach.acts_for_province(units["province"].pk)
    filtered = AdministrativeUnit.objects.filter(reach.q(district="pk"))
    assert not filtered.exists()
    assert not reach.communes().exists()


def test_q_keeps_the_rows_of_the_user_s_units(personas, units):
    communes = AdministrativeUnit.objects.communes()
    for username, expected in [
        ("laivung", set(units["laivung"].children.all())),
        ("province", set(communes.filter(parent__parent=units["province"]))),
    ]:
        q = jurisdiction_of(personas[username]).q(district="parent")
        assert set(communes.filter(q)) == expected


def test_local_officers_are_found_by_district_and_by_province(personas, units):
    assert list(local_officers(district_id=units["laivung"].pk)) == [
        personas["laivung"]
    ]
    by_province = set(local_officers(province_id=units["province"].pk))
    assert by_province == {
        personas["laivung"],
        personas["thapmuoi"],
        personas["chauthanh"],
    }


# After the two-tier reform -------------------------------------------------------------


@pytest.fixture
def reform(merged_dong_thap, personas):
    """The merged province, the personas again (the provincial ones now continue at
    the merged province), and a commune officer of Xã Lai Vung and Xã Tân Dương."""
    demo.seed_users()
    officer = User.objects.create_user(username="xa.laivung", password="x")
    give_mandate(officer, new_commune("Xã Lai Vung"))
    return merged_dong_thap, officer


def test_a_former_district_officer_only_reads_after_the_reform(reform, personas, units):
    for day, acts in [(BEFORE, True), (AFTER, False), (IN_2026, False)]:
        reach = jurisdiction_of(personas["laivung"], day)
        assert reach.acts_for_district(units["laivung"].pk) is acts
        assert reach.is_local is acts
        assert reach.is_officer
        # The district's records up to 30/6/2025 stay readable, nothing else.
        assert set(
            AdministrativeUnit.objects.communes().filter(reach.q(district="parent"))
        ) == set(units["laivung"].children.all())
        assert not reach.communes().exists() or acts


def test_a_commune_officer_acts_for_their_commune_and_the_communes_it_took_over(
    reform, units
):
    _province, officer = reform
    reach = jurisdiction_of(officer, IN_2026)
    lai_vung = new_commune("Xã Lai Vung")
    tan_phuoc = AdministrativeUnit.objects.valid_on(BEFORE).get(
        name="Xã Tân Phước", parent=units["laivung"]
    )
    assert reach.is_commune and not reach.is_district and not reach.is_provincial
    assert reach.acts_for_place(commune_id=lai_vung.pk, district_id=None)
    # A producer registered in Xã Tân Phước in 2021 is now Xã Lai Vung's.
    assert reach.acts_for_place(
        commune_id=tan_phuoc.pk, district_id=units["laivung"].pk
    )
    assert not reach.acts_for_district(units["laivung"].pk)
    other = new_commune("Xã Tháp Mười")
    assert not reach.acts_for_place(commune_id=other.pk, district_id=None)
    # Registrations go to the communes of today only.
    assert list(reach.communes()) == [lai_vung]
    with translation.override("vi"):
        assert reach.label == "Cán bộ OCOP cấp xã · Xã Lai Vung"
    # Before the reform the mandate did not exist.
    assert not jurisdiction_of(officer, BEFORE).is_officer


def test_the_merged_province_s_officers_act_for_both_former_provinces(
    reform, personas, units
):
    merged, _officer = reform
    reach = jurisdiction_of(personas["province"], IN_2026)
    tien_giang = AdministrativeUnit.objects.valid_on(BEFORE).get(
        code="82", level="province"
    )
    assert reach.province == merged
    for province in (merged, units["province"], tien_giang):
        assert reach.acts_for_province(province.pk)
    assert reach.districts().count() == 12 + 11
    assert reach.communes().count() == 102
    assert not jurisdiction_of(personas["province"], BEFORE).acts_for_province(
        merged.pk
    )


def test_a_mandate_cannot_outlive_its_unit_or_act_at_the_wrong_level(units):
    user = User.objects.create_user(username="someone", password="x")
    beyond = Mandate(
        user=user,
        role=Role.DISTRICT_OFFICER,
        unit=units["laivung"],
        valid_from=IN_2021,
        valid_to=None,
    )
    with pytest.raises(ValidationError, match="30/06/2025"):
        beyond.full_clean()
    wrong_level = Mandate(
        user=user,
        role=Role.COMMUNE_OFFICER,
        unit=units["laivung"],
        valid_from=IN_2021,
        valid_to=BEFORE,
    )
    with pytest.raises(ValidationError):
        wrong_level.full_clean()
