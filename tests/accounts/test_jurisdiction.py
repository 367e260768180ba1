"""The one rule of who acts where (accounts.jurisdiction), persona by persona."""

import pytest

from accounts.jurisdiction import district_officers, jurisdiction_of
from accounts.models import User
from ocop_portal import demo
from regions.models import AdministrativeUnit


@pytest.fixture
def units(dong_thap):
    return {
        "province": dong_thap,
        "laivung": demo.unit("876"),
        "thapmuoi": demo.unit("872"),
    }


def test_a_district_officer_acts_for_their_district_only(personas, units):
    reach = jurisdiction_of(personas["laivung"])
    assert (reach.province_id, reach.district_id) == (
        units["province"].pk,
        units["laivung"].pk,
    )
    assert reach.is_officer and reach.is_district and not reach.is_provincial
    assert reach.acts_for_district(units["laivung"].pk)
    assert not reach.acts_for_district(units["thapmuoi"].pk)
    assert not reach.acts_for_province(units["province"].pk)
    assert reach.works_in_province(units["province"].pk)
    assert reach.province == units["province"]
    assert reach.district == units["laivung"]
    assert not reach.districts().exists()
    assert set(reach.communes()) == set(units["laivung"].children.all())


def test_a_provincial_officer_acts_for_the_province_not_for_a_district(personas, units):
    reach = jurisdiction_of(personas["province"])
    assert reach.is_provincial and not reach.is_district
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
    assert reach.q(district="district", province="district__parent").children == []


@pytest.mark.parametrize("kind", ["council member", "inactive", "anonymous"])
def test_anyone_else_acts_nowhere(personas, units, kind):
    from django.contrib.auth.models import AnonymousUser

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
    filtered = AdministrativeUnit.objects.filter(
        reach.q(district="pk", province="parent")
    )
    assert not filtered.exists()
    assert not reach.communes().exists()


def test_q_keeps_the_rows_of_the_user_s_units(personas, units):
    communes = AdministrativeUnit.objects.communes()
    for username, expected in [
        ("laivung", set(units["laivung"].children.all())),
        ("province", set(communes.filter(parent__parent=units["province"]))),
    ]:
        q = jurisdiction_of(personas[username]).q(
            district="parent", province="parent__parent"
        )
        assert set(communes.filter(q)) == expected


def test_district_officers_are_found_by_district_and_by_province(personas, units):
    assert list(district_officers(district_id=units["laivung"].pk)) == [
        personas["laivung"]
    ]
    by_province = set(district_officers(province_id=units["province"].pk))
    assert by_province == {
        personas["laivung"],
        personas["thapmuoi"],
        personas["chauthanh"],
    }
