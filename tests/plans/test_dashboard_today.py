"""The dashboard and the lists of the merged Đồng Tháp, read on 1/12/2026 from the demo:
2026 by the 102 communes (sorted, searched, grouped by former district or province),
the certificates the former provinces issued still in force, the 2021 plan still
readable by today's officers, and places that read across the reform."""

import datetime

import pytest

from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from plans import dashboard as board
from products.models import Product
from regions.models import AdministrativeUnit
from regions.services import REFORM_DAY

TODAY = datetime.date(2026, 12, 1)

pytestmark = [pytest.mark.acting_on(TODAY), pytest.mark.django_db]


@pytest.fixture
def seeded(capsys):
    call_command("seed_demo", "--force")
    capsys.readouterr()
    return {user.username: user for user in User.objects.all()}


def _today(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on(REFORM_DAY).get(name=name)


def _dashboard(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("plans:dashboard"), params)
    assert response.status_code == 200
    return response.context


def test_the_2026_dashboard_reads_by_commune_and_the_2021_one_by_district(
    seeded, client
):
    province = seeded["province"]
    context = _dashboard(client, province, year=2026)
    data, areas = context["board"], context["areas"]
    assert data.by_commune and data.scope.province.code == "82"
    assert areas.total == areas.shown == 102
    new_products = [c.key for c in data.columns].index("new_products")
    lines = {line["district"].name: line for line in data.districts}
    # Round 1 recognised products of Xã Lai Vung, Xã Tháp Mười and Phường Đạo Thạnh.
    for name in ("Xã Lai Vung", "Xã Tháp Mười", "Phường Đạo Thạnh"):
        assert lines[name]["cells"][new_products]["value"] == 1
    assert lines["Phường Đạo Thạnh"]["former"] == ("Mỹ Tho", "Tiền Giang")
    assert lines["Xã Lai Vung"]["former"][1] == "Đồng Tháp"

    # Sorted by an indicator, highest first; ties in name order.
    areas = _dashboard(client, province, year=2026, area_sort="-new_products")["areas"]
    first = [line["district"].name for line in areas.groups[0].lines[:3]]
    assert first == ["Phường Đạo Thạnh", "Xã Lai Vung", "Xã Tháp Mười"]

    # Grouped by former province: every commune once, the sums per group.
    areas = _dashboard(client, province, year=2026, area_group="province")["areas"]
    groups = {group.name: group for group in areas.groups}
    assert set(groups) == {"Đồng Tháp", "Tiền Giang"}
    assert sum(len(group.lines) for group in groups.values()) == 102
    assert groups["Đồng Tháp"].totals[new_products] == 2
    assert groups["Tiền Giang"].totals[new_products] == 1

    # Searched without diacritics, by commune or former district.
    areas = _dashboard(client, province, year=2026, area_q="my tho")["areas"]
    assert "Phường Đạo Thạnh" in {
        line["district"].name for group in areas.groups for line in group.lines
    }
    assert areas.shown < 102
    areas = _dashboard(client, province, year=2026, area_q="zzz")["areas"]
    assert areas.groups == [] and areas.shown == 0

    # The 2021 plan of the former Đồng Tháp, read today by the merged province's
    # officer: the 12 districts of 2021, no grouping.
    context = _dashboard(client, province, year=2021, area_group="province")
    assert context["board"].plan.number == "122/KH-UBND"
    assert not context["board"].by_commune
    assert len(context["board"].districts) == 12
    assert context["areas"].group == ""


def test_a_former_district_officer_reads_their_2021_numbers_only(seeded, client):
    laivung = seeded["laivung"]
    context = _dashboard(client, laivung)
    assert context["board"].year == 2021
    assert context["board"].scope.district.name == "Huyện Lai Vung"
    client.force_login(laivung)
    response = client.get(reverse("plans:dashboard"), {"year": 2026})
    assert response.status_code == 403


def test_certificates_of_the_former_provinces_stay_in_force_in_the_merged_one(seeded):
    scope = board.Scope.for_user(seeded["province"], 2026)
    data = board.build(scope=scope, year=2026, today=TODAY)
    numbers = set(
        board.certificates_in_force(scope, TODAY).values_list("number", flat=True)
    )
    # The merged province's 2026 certificates and the former Đồng Tháp's of 2023.
    assert {"82-2026-0001", "87-2023-0001", "87-2023-0009"} <= numbers
    assert sum(row["count"] for row in data.stars) == len(numbers) == 12
    assert "87-2023-0001" in {c.number for c in data.expiring}


def test_places_read_across_the_reform(seeded, client):
    client.force_login(seeded["province"])
    lai_vung_today = _today("Xã Lai Vung")
    response = client.get(
        reverse("products:product-list"), {"commune": lai_vung_today.pk}
    )
    names = {product.name for product in response.context["page_obj"]}
    # A 2021 product of Xã Tân Phước (Lai Vung) under its successor, beside 2026 ones.
    assert "Quýt hồng sấy dẻo" in names
    old = Product.objects.get(code="87-876-30226-001-2021")
    assert old.district.name == "Huyện Lai Vung" and old.name in names
    assert "Hạt sen sấy giòn" not in names  # Xã Tháp Mười's

    former = AdministrativeUnit.objects.get(name="Huyện Lai Vung")
    response = client.get(
        reverse("products:product-list"), {"district": former.pk, "q": "quyt"}
    )
    names = {product.name for product in response.context["page_obj"]}
    assert "Quýt hồng sấy dẻo" in names
    response = client.get(
        reverse("products:product-list"), {"district": former.pk, "q": old.code}
    )
    assert [product.name for product in response.context["page_obj"]] == [old.name]

    response = client.get(
        reverse("products:dossier-list"), {"commune": lai_vung_today.pk, "year": 2026}
    )
    assert response.status_code == 200
    assert {dossier.product.name for dossier in response.context["page_obj"]} == {
        "Quýt hồng sấy dẻo",
        "Mứt quýt hồng",
        "Chả lụa quế",
    }
