import datetime

import pytest

from accounts.models import User
from ocop_portal import demo
from regions.models import AdministrativeUnit
from regions.services import REFORM_DAY
from tests.queries import count_queries


@pytest.mark.parametrize(
    ("username", "own", "foreign"),
    [
        (
            "laivung",
            "Huyện Lai Vung",
            ["Huyện Tháp Mười", "Huyện Châu Thành", "Thị trấn Mỹ An"],
        ),
        ("thapmuoi", "Huyện Tháp Mười", ["Huyện Lai Vung", "Thị trấn Lai Vung"]),
        ("chauthanh", "Huyện Châu Thành", ["Huyện Lai Vung", "Huyện Tháp Mười"]),
    ],
)
def test_district_officer_home_shows_only_their_district(
    client_for, username, own, foreign
):
    html = client_for(username).get("/portal/").content.decode()
    assert own in html
    for name in foreign:
        assert name not in html


def test_lai_vung_officer_sees_the_communes_of_lai_vung(client_for):
    html = client_for("laivung").get("/portal/").content.decode()
    assert "Thị trấn Lai Vung" in html
    assert "Huyện Lai Vung: 12 xã, phường, thị trấn" in html


def test_provincial_officer_home_shows_every_district(client_for):
    response = client_for("province").get("/portal/")
    rows = response.context["rows"]
    assert len(rows) == 12
    html = response.content.decode()
    assert "Tỉnh Đồng Tháp theo huyện" in html
    assert "Huyện Lai Vung" in html and "Thành phố Sa Đéc" in html


def test_home_numbers_count_only_the_district(client_for, personas):
    from producers.models import Producer

    lai_vung = demo.unit("876")
    Producer.objects.create(
        kind="household",
        name="Cơ sở nem Hoàng Khánh",
        registration_number="1400000001",
        legal_representative="Nguyễn Hoàng Khánh",
        commune=lai_vung.children.first(),
        created_by=personas["laivung"],
    )
    (own,) = client_for("laivung").get("/portal/").context["rows"]
    assert (own.area, own.producers) == (lai_vung, 1)
    (other,) = client_for("thapmuoi").get("/portal/").context["rows"]
    assert other.producers == 0
    rows = client_for("province").get("/portal/").context["rows"]
    assert sum(row.producers for row in rows) == 1


def test_home_query_count_does_not_grow_with_data(client_for, personas):
    from producers.models import Producer

    client = client_for("province")

    def count():
        return count_queries(client, "/portal/")

    empty = count()
    for index, district in enumerate(demo.unit("87").children.all()):
        for n in range(3):
            Producer.objects.create(
                kind="household",
                name=f"Cơ sở {index}-{n}",
                registration_number=f"{1400000100 + index * 10 + n}",
                legal_representative="A",
                commune=district.children.first(),
                created_by=personas["province"],
            )
    assert count() == empty


def test_navigation_depends_on_the_role(client_for):
    assert "Quản trị" in client_for("admin").get("/portal/").content.decode()
    assert "Quản trị" not in client_for("laivung").get("/portal/").content.decode()


def test_admin_is_for_administrators_only(client_for):
    assert client_for("admin").get("/admin/").status_code == 200
    response = client_for("province").get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_public_home_needs_no_login(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "Sản phẩm OCOP tỉnh Đồng Tháp" in response.content.decode()


def test_unknown_page_is_a_vietnamese_404(client_for):
    response = client_for("laivung").get("/portal/no-such-page/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.acting_on(datetime.date(2026, 9, 15))
def test_since_the_reform_homes_count_by_commune_with_the_communes_taken_over(
    merged_dong_thap, client_for, personas, client
):
    from producers.models import Producer
    from tests.producers.factories import give_mandate

    demo.seed_users()  # the provincial personas continue at the merged province
    xa_lai_vung = AdministrativeUnit.objects.valid_on(REFORM_DAY).get(
        name="Xã Lai Vung"
    )
    tan_phuoc = AdministrativeUnit.objects.get(
        name="Xã Tân Phước", parent__name="Huyện Lai Vung"
    )
    assert tan_phuoc.main_successor() == xa_lai_vung
    for commune, number in [(tan_phuoc, "1400000001"), (xa_lai_vung, "1402600001")]:
        Producer.objects.create(
            kind="household",
            name=f"Cơ sở {number}",
            registration_number=number,
            legal_representative="A",
            commune=commune,
            created_by=personas["province"],
        )
    officer = give_mandate(
        User.objects.create_user(username="xa.laivung", password="x"), xa_lai_vung
    )
    client.force_login(officer)
    response = client.get("/portal/")
    (own,) = response.context["rows"]
    # The 2021 producer of Xã Tân Phước is read under Xã Lai Vung, which took it over.
    assert (own.area, own.producers) == (xa_lai_vung, 2)
    assert response.context["place"] == "Xã Lai Vung"
    rows = client_for("province").get("/portal/").context["rows"]
    assert [(row.area.name, row.producers) for row in rows] == [("Xã Lai Vung", 2)]
