import io

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from accounts.models import AuditEvent
from producers.models import Producer, ProducerKind
from tests.producers.factories import ProducerFactory, first_commune
from tests.queries import count_queries

LIST = reverse("producers:producer-list")
CREATE = reverse("producers:producer-create")


def _names(response) -> list[str]:
    return [producer.name for producer in response.context["page_obj"]]


def _form_data(commune, **overrides):
    data = {
        "kind": ProducerKind.ENTERPRISE,
        "name": "Công ty TNHH Nem Lai Vung Út Hiền",
        "registration_number": "1401112223",
        "registration_issuer": "Sở Kế hoạch và Đầu tư tỉnh Đồng Tháp",
        "registration_date": "2015-03-02",
        "legal_representative": "Trần Thị Út Hiền",
        "phone": "0277 3650 111",
        "email": "uthien@example.vn",
        "address": "Ấp Hòa Định",
        "commune": commune.pk,
    }
    data.update(overrides)
    return data


# Lists --------------------------------------------------------------------------------


def test_district_officer_sees_only_their_district(client_for, personas):
    ProducerFactory(name="Nem Lai Vung Út Hiền")
    ProducerFactory(name="Sen Đại Việt", commune=first_commune("872"))
    assert _names(client_for("laivung").get(LIST)) == ["Nem Lai Vung Út Hiền"]
    assert _names(client_for("thapmuoi").get(LIST)) == ["Sen Đại Việt"]
    assert sorted(_names(client_for("province").get(LIST))) == [
        "Nem Lai Vung Út Hiền",
        "Sen Đại Việt",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nem lai vung", ["Nem Lai Vung Út Hiền"]),
        ("NEM LAI VUNG", ["Nem Lai Vung Út Hiền"]),
        ("dong thap", ["Công ty TNHH MTV Nam Huy Đồng Tháp"]),
        ("Đồng Tháp", ["Công ty TNHH MTV Nam Huy Đồng Tháp"]),
        ("ĐỒNG THÁP", ["Công ty TNHH MTV Nam Huy Đồng Tháp"]),
        ("huy dong", ["Công ty TNHH MTV Nam Huy Đồng Tháp"]),
        ("1400999888", ["Công ty TNHH MTV Nam Huy Đồng Tháp"]),
        ("sen", []),
    ],
)
def test_search_ignores_diacritics_and_case(client_for, personas, query, expected):
    ProducerFactory(name="Nem Lai Vung Út Hiền")
    ProducerFactory(
        name="Công ty TNHH MTV Nam Huy Đồng Tháp", registration_number="1400999888"
    )
    response = client_for("province").get(LIST, {"q": query})
    assert _names(response) == expected


def test_filters_by_district_commune_and_kind(client_for, personas):
    lai_vung_1 = first_commune("876")
    lai_vung_2 = lai_vung_1.parent.children.order_by("code")[1]
    ProducerFactory(name="A", commune=lai_vung_1, kind=ProducerKind.HOUSEHOLD)
    ProducerFactory(name="B", commune=lai_vung_2, kind=ProducerKind.COOPERATIVE)
    ProducerFactory(name="C", commune=first_commune("872"))
    province = client_for("province")
    district = lai_vung_1.parent.pk
    assert _names(province.get(LIST, {"district": district})) == ["A", "B"]
    assert _names(province.get(LIST, {"commune": lai_vung_2.pk})) == ["B"]
    assert _names(province.get(LIST, {"kind": "household"})) == ["A"]
    # A district officer has no district filter: the parameter is ignored.
    assert _names(client_for("laivung").get(LIST, {"district": 1})) == ["A", "B"]


def test_bad_filter_values_are_ignored_not_errors(client_for, personas):
    ProducerFactory(name="A")
    response = client_for("province").get(
        LIST, {"district": "x", "commune": "999999", "kind": "nope", "sort": "evil"}
    )
    assert response.status_code == 200
    assert _names(response) == ["A"]


def test_sorting_and_archived_toggle(client_for, personas):
    ProducerFactory(name="Bánh phồng Sơn Đốc")
    ProducerFactory(name="Anh Đào")
    archived = ProducerFactory(name="Cũ")
    Producer.objects.filter(pk=archived.pk).update(archived_at="2021-01-01T00:00Z")
    client = client_for("laivung")
    assert _names(client.get(LIST)) == ["Anh Đào", "Bánh phồng Sơn Đốc"]
    assert _names(client.get(LIST, {"sort": "-name"})) == [
        "Bánh phồng Sơn Đốc",
        "Anh Đào",
    ]
    assert "Cũ" in _names(client.get(LIST, {"archived": "on"}))


def test_list_paginates_by_25(client_for, personas):
    ProducerFactory.create_batch(30)
    client = client_for("laivung")
    first = client.get(LIST)
    assert len(first.context["page_obj"]) == 25
    second = client.get(LIST, {"page": 2})
    assert len(second.context["page_obj"]) == 5
    assert "Trang 1 / 2" in first.content.decode()


def test_empty_list_shows_an_empty_state(client_for, personas):
    html = client_for("laivung").get(LIST).content.decode()
    assert "Chưa có chủ thể nào" in html


def test_export_holds_the_filtered_list(client_for, personas):
    ProducerFactory(name="Nem Lai Vung Út Hiền")
    ProducerFactory(name="Bánh tráng Sa Đéc", commune=first_commune("867"))
    response = client_for("province").get(
        reverse("producers:producer-export"), {"q": "nem"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Tên"
    assert [row[0] for row in rows[1:]] == ["Nem Lai Vung Út Hiền"]
    assert rows[1][10] == "Huyện Lai Vung"


def test_list_query_count_does_not_grow_with_rows(client_for, personas):
    client = client_for("province")
    ProducerFactory()
    one = count_queries(client, LIST)
    ProducerFactory.create_batch(49)
    many = count_queries(client, LIST)
    assert one == many
    assert count_queries(client, reverse("producers:producer-export")) < 15


def test_council_member_without_role_gets_403_on_the_list(client, council_member):
    client.force_login(council_member)
    assert client.get(LIST).status_code == 403


# Create and edit ----------------------------------------------------------------------


def test_officer_registers_a_producer(client_for, personas):
    commune = first_commune("876")
    response = client_for("laivung").post(CREATE, _form_data(commune))
    producer = Producer.objects.get()
    assert response.status_code == 302
    assert response.url == producer.get_absolute_url()
    assert producer.district.code == "876"


def test_commune_choices_are_limited_to_the_officers_district(client_for, personas):
    form = client_for("laivung").get(CREATE).context["form"]
    districts = {commune.parent.code for commune in form.fields["commune"].queryset}
    assert districts == {"876"}
    assert form.fields["commune"].queryset.count() == 12


def test_bad_tax_code_keeps_everything_typed(client_for, personas):
    commune = first_commune("876")
    response = client_for("laivung").post(
        CREATE, _form_data(commune, registration_number="14011122")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nhập 10 chữ số, hoặc 10 chữ số, dấu gạch ngang và 3 chữ số" in html
    for typed in (
        'value="Công ty TNHH Nem Lai Vung Út Hiền"',
        'value="14011122"',
        'value="Trần Thị Út Hiền"',
        'value="0277 3650 111"',
        'value="uthien@example.vn"',
        'value="Ấp Hòa Định"',
        'value="2015-03-02"',
        f'value="{commune.pk}" selected',
    ):
        assert typed in html
    assert not Producer.objects.exists()


def test_duplicate_tax_code_keeps_everything_typed(client_for, personas):
    ProducerFactory(registration_number="1401112223", name="Khác hẳn")
    response = client_for("laivung").post(CREATE, _form_data(first_commune("876")))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đã có chủ thể với mã số thuế này." in html
    assert 'value="Công ty TNHH Nem Lai Vung Út Hiền"' in html
    assert Producer.objects.count() == 1


def test_similar_name_warns_without_blocking(client_for, personas):
    commune = first_commune("876")
    existing = ProducerFactory(name="Cty Nem Lai Vung Út Hiền", commune=commune)
    client = client_for("laivung")
    warned = client.post(CREATE, _form_data(commune))
    assert warned.status_code == 200
    html = warned.content.decode()
    assert 'data-testid="similar-warning"' in html
    assert existing.get_absolute_url() in html
    assert 'value="Trần Thị Út Hiền"' in html
    assert Producer.objects.count() == 1
    saved = client.post(CREATE, {**_form_data(commune), "confirm_similar": "1"})
    assert saved.status_code == 302
    assert Producer.objects.count() == 2


def test_similar_name_in_another_commune_does_not_warn(client_for, personas):
    ProducerFactory(name="Cty Nem Lai Vung Út Hiền", commune=first_commune("872"))
    response = client_for("laivung").post(CREATE, _form_data(first_commune("876")))
    assert response.status_code == 302


def test_edit_saves_and_records_history(client_for, personas):
    producer = ProducerFactory(name="Nem Út Hiền")
    client = client_for("laivung")
    url = reverse("producers:producer-edit", args=[producer.pk])
    form = client.get(url).context["form"]
    data = {
        name: ("" if value is None else getattr(value, "pk", value))
        for name, value in form.initial.items()
    }
    data["phone"] = "0911 222 333"
    response = client.post(url, data)
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.phone == "0911 222 333"
    detail = client.get(producer.get_absolute_url()).content.decode()
    assert "0911 222 333" in detail
    assert "Lịch sử" in detail and "Cập nhật" in detail


def test_edit_warns_only_when_name_or_commune_changes(client_for, personas):
    commune = first_commune("876")
    ProducerFactory(name="Nem Út Hiền", commune=commune)
    twin = ProducerFactory(name="Nem Út Hiền", commune=commune)
    other = ProducerFactory(name="Bánh pía Lai Vung", commune=commune)
    client = client_for("laivung")
    same_name = _form_data(
        commune, name="Nem Út Hiền", registration_number=twin.registration_number
    )
    url = reverse("producers:producer-edit", args=[twin.pk])
    assert client.post(url, same_name).status_code == 302
    renamed = _form_data(
        commune, name="NEM UT HIEN", registration_number=other.registration_number
    )
    url = reverse("producers:producer-edit", args=[other.pk])
    response = client.post(url, renamed)
    assert response.status_code == 200
    assert 'data-testid="similar-warning"' in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Bánh pía Lai Vung"


def test_archive_through_the_page(client_for, personas):
    producer = ProducerFactory()
    client = client_for("laivung")
    url = reverse("producers:producer-archive", args=[producer.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert "Nhập lý do lưu trữ." in refused.content.decode()
    done = client.post(url, {"reason": "Trùng hồ sơ"})
    assert done.status_code == 302
    producer.refresh_from_db()
    assert producer.archived_at is not None
    assert AuditEvent.objects.for_object(producer).first().reason == "Trùng hồ sơ"


def test_other_district_gets_404_on_detail_edit_and_archive(client_for, personas):
    producer = ProducerFactory()
    client = client_for("thapmuoi")
    assert client.get(producer.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("producers:producer-edit", args=[producer.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("producers:producer-archive", args=[producer.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
