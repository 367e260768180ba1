import io

import pytest
from openpyxl import load_workbook

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import AuditEvent
from products.models import DocumentType, Dossier, DossierStatus, Product
from products.services import add_photo
from tests.producers.factories import ProducerFactory, first_commune
from tests.products.factories import (
    PDF,
    DocumentFactory,
    DossierFactory,
    ProductFactory,
    complete,
    png_bytes,
    product_set,
)
from tests.queries import count_queries

pytestmark = pytest.mark.usefixtures("catalogue")

PRODUCTS = reverse("products:product-list")
DOSSIERS = reverse("products:dossier-list")


def _pks(response) -> list[int]:
    return [obj.pk for obj in response.context["page_obj"]]


# Product list -------------------------------------------------------------------------


def test_product_search_ignores_diacritics_and_searches_the_producer(
    client_for, personas
):
    nam_huy = ProducerFactory(
        name="Công ty TNHH MTV Nam Huy Đồng Tháp", commune=first_commune("877")
    )
    seeds = ProductFactory(name="Hạt sen sấy", producer=nam_huy)
    nem = ProductFactory(name="Nem Lai Vung")
    client = client_for("province")
    assert _pks(client.get(PRODUCTS, {"q": "nem lai vung"})) == [nem.pk]
    assert _pks(client.get(PRODUCTS, {"q": "dong thap"})) == [seeds.pk]
    assert _pks(client.get(PRODUCTS, {"q": "HAT SEN SAY"})) == [seeds.pk]
    assert _pks(client.get(PRODUCTS, {"q": "sen nam huy"})) == [seeds.pk]
    assert _pks(client.get(PRODUCTS, {"q": seeds.code})) == [seeds.pk]


def test_product_filters(client_for, personas):
    old = ProductFactory(product_set=product_set("1048", 7))
    tea = ProductFactory(product_set=product_set("148", 12))
    starred = ProductFactory()
    Product.objects.filter(pk=starred.pk).update(current_stars=4)
    other = ProductFactory(producer=ProducerFactory(commune=first_commune("872")))
    DossierFactory(product=tea, year=2022)
    client = client_for("province")
    assert _pks(client.get(PRODUCTS, {"product_set": tea.product_set.pk})) == [tea.pk]
    group_1048 = old.product_set.group.pk
    assert _pks(client.get(PRODUCTS, {"group": group_1048})) == [old.pk]
    assert _pks(client.get(PRODUCTS, {"stars": "4"})) == [starred.pk]
    assert starred.pk not in _pks(client.get(PRODUCTS, {"stars": "none"}))
    assert _pks(client.get(PRODUCTS, {"year": 2022})) == [tea.pk]
    assert _pks(client.get(PRODUCTS, {"district": other.district.pk})) == [other.pk]
    commune = other.commune.pk
    assert _pks(client.get(PRODUCTS, {"commune": commune})) == [other.pk]
    assert other.pk not in _pks(client_for("laivung").get(PRODUCTS))


def test_product_sorting(client_for, personas):
    cha = ProductFactory(name="Chả lụa")
    banh = ProductFactory(name="Bánh pía")
    nem = ProductFactory(name="Nem chua")
    Product.objects.filter(pk=nem.pk).update(current_stars=4)
    client = client_for("laivung")
    assert _pks(client.get(PRODUCTS)) == [banh.pk, cha.pk, nem.pk]
    assert _pks(client.get(PRODUCTS, {"sort": "-name"})) == [nem.pk, cha.pk, banh.pk]
    assert _pks(client.get(PRODUCTS, {"sort": "code"})) == [cha.pk, banh.pk, nem.pk]
    assert _pks(client.get(PRODUCTS, {"sort": "-stars"}))[0] == nem.pk


def test_product_export(client_for, personas):
    ProductFactory(name="Nem Lai Vung")
    ProductFactory(
        name="Hạt sen", producer=ProducerFactory(commune=first_commune("872"))
    )
    response = client_for("laivung").get(reverse("products:product-export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][:2] == ("Mã sản phẩm", "Tên sản phẩm")
    assert [row[1] for row in rows[1:]] == ["Nem Lai Vung"]


def test_product_list_query_count_does_not_grow(client_for, personas):
    client = client_for("province")
    ProductFactory()
    one = count_queries(client, PRODUCTS)
    ProductFactory.create_batch(49)
    assert count_queries(client, PRODUCTS) == one


# Product create, edit, photos ---------------------------------------------------------


def test_product_form_offers_the_148_sets_grouped(client_for, personas):
    producer = ProducerFactory()
    response = client_for("laivung").get(
        reverse("products:product-create", args=[producer.pk])
    )
    field = response.context["form"].fields["product_set"]
    groups = [label for label, options in field.choices if isinstance(options, list)]
    assert groups[0] == "I. Thực phẩm"
    assert len(groups) == 6
    assert field.queryset.count() == 26
    assert set(field.queryset.values_list("classification__code", flat=True)) == {"148"}
    html = response.content.decode()
    assert '<optgroup label="I. Thực phẩm">' in html


def test_officer_registers_a_product_and_gets_a_code(client_for, personas):
    producer = ProducerFactory()
    response = client_for("laivung").post(
        reverse("products:product-create", args=[producer.pk]),
        {"name": "Nem  chua quế", "product_set": product_set().pk, "description": ""},
    )
    product = Product.objects.get()
    assert response.status_code == 302
    assert product.name == "Nem chua quế"
    assert product.code.startswith(f"87-876-{producer.commune.code}-001-")


def test_a_1048_set_is_refused_for_a_new_product(client_for, personas):
    producer = ProducerFactory()
    response = client_for("laivung").post(
        reverse("products:product-create", args=[producer.pk]),
        {"name": "Nem", "product_set": product_set("1048", 8).pk, "description": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["product_set"]
    assert 'value="Nem"' in response.content.decode()


def test_an_older_product_keeps_its_1048_set_when_edited(client_for, personas):
    product = ProductFactory(product_set=product_set("1048", 7))
    client = client_for("laivung")
    url = reverse("products:product-edit", args=[product.pk])
    field = client.get(url).context["form"].fields["product_set"]
    assert field.queryset.count() == 52
    response = client.post(
        url,
        {"name": "Hạt sen sấy bơ", "product_set": product.product_set.pk},
    )
    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "Hạt sen sấy bơ"
    assert AuditEvent.objects.for_object(product).get().action == "updated"


def test_archived_producer_gets_no_new_products(client_for, personas):
    producer = ProducerFactory(archived_at="2021-01-01T00:00Z")
    url = reverse("products:product-create", args=[producer.pk])
    assert client_for("laivung").get(url).status_code == 403


def test_photo_upload_and_permission_checked_view(client_for, personas):
    product = ProductFactory()
    client = client_for("laivung")
    response = client.post(
        reverse("products:photo-add", args=[product.pk]),
        {"image": SimpleUploadedFile("a.png", png_bytes()), "caption": "Hộp"},
    )
    assert response.status_code == 302
    photo = product.photos.get()
    url = reverse("products:photo", args=[photo.pk])
    detail = client.get(product.get_absolute_url()).content.decode()
    assert url in detail
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "private, no-store"
    assert client_for("thapmuoi").get(url).status_code == 404
    assert client_for("province").get(url).status_code == 200


def test_wrong_photo_type_keeps_the_caption(client_for, personas):
    product = ProductFactory()
    response = client_for("laivung").post(
        reverse("products:photo-add", args=[product.pk]),
        {"image": SimpleUploadedFile("a.png", PDF), "caption": "Hộp quà Tết"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ảnh phải ở định dạng JPEG hoặc PNG." in html
    assert 'value="Hộp quà Tết"' in html
    assert not product.photos.exists()


# Dossier list -------------------------------------------------------------------------


def test_dossier_list_filters_and_search(client_for, personas):
    draft = DossierFactory(product=ProductFactory(name="Nem Lai Vung"))
    accepted = DossierFactory(accepted=True, year=2022)
    elsewhere = DossierFactory(
        product=ProductFactory(producer=ProducerFactory(commune=first_commune("872")))
    )
    province = client_for("province")
    assert _pks(province.get(DOSSIERS, {"q": "nem lai vung"})) == [draft.pk]
    assert _pks(province.get(DOSSIERS, {"status": "accepted"})) == [accepted.pk]
    assert _pks(province.get(DOSSIERS, {"year": 2022})) == [accepted.pk]
    assert _pks(province.get(DOSSIERS, {"kind": "upgrade"})) == []
    assert _pks(province.get(DOSSIERS, {"district": elsewhere.district.pk})) == [
        elsewhere.pk
    ]
    assert set(_pks(client_for("laivung").get(DOSSIERS))) == {draft.pk, accepted.pk}


def test_dossier_export(client_for, personas):
    complete(DossierFactory(returned=True))
    response = client_for("province").get(reverse("products:dossier-export"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][0] == 2021
    assert rows[1][7] == "Trả lại để bổ sung"
    assert rows[1][8] == 8
    assert rows[1][12] == "Bổ sung phiếu kết quả kiểm nghiệm còn hiệu lực."


def test_dossier_list_query_count_does_not_grow(client_for, personas):
    client = client_for("province")
    complete(DossierFactory())
    one = count_queries(client, DOSSIERS)
    for _ in range(49):
        DocumentFactory(dossier=DossierFactory())
    assert count_queries(client, DOSSIERS) == one


def test_council_member_gets_403_on_the_lists(client, council_member):
    client.force_login(council_member)
    assert client.get(PRODUCTS).status_code == 403
    assert client.get(DOSSIERS).status_code == 403


# Dossier create and detail ------------------------------------------------------------


def test_dossier_create_and_checklist(client_for, personas):
    product = ProductFactory(product_set=product_set("148", 7))
    client = client_for("laivung")
    response = client.post(
        reverse("products:dossier-create", args=[product.pk]),
        {"kind": "new", "year": 2026, "self_assessment_score": "68.5"},
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    page = client.get(dossier.get_absolute_url())
    checklist = page.context["checklist"]
    assert len(checklist) == DocumentType.objects.count()
    required = [row["type"].code for row in checklist if row["required"]]
    assert required == [
        "registration_form",
        "business_plan",
        "organisation_description",
        "business_registration",
        "food_safety",
        "standard_declaration",
        "test_results",
        "product_photos",
    ]
    html = page.content.decode()
    assert "Danh mục tài liệu" in html and "Bắt buộc" in html
    assert "Nộp lên tỉnh" in html


def test_upgrade_page_says_documents_were_taken_over(client_for, personas):
    previous = complete(DossierFactory(accepted=True, year=2021))
    client = client_for("laivung")
    url = reverse("products:dossier-create", args=[previous.product.pk])
    assert 'data-testid="previous-dossier"' in client.get(url).content.decode()
    response = client.post(url, {"kind": "upgrade", "year": 2024}, follow=True)
    html = response.content.decode()
    assert "Đã lập hồ sơ với 8 tài liệu của hồ sơ năm 2021" in html
    assert "8 tài liệu được kế thừa từ hồ sơ năm 2021" in html
    assert "từ năm 2021" in html


def test_duplicate_year_keeps_the_typed_score(client_for, personas):
    dossier = DossierFactory()
    response = client_for("laivung").post(
        reverse("products:dossier-create", args=[dossier.product.pk]),
        {"kind": "new", "year": 2021, "self_assessment_score": "71"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sản phẩm này đã có hồ sơ năm 2021." in html
    assert 'value="71"' in html


def _upload(client, dossier, code, content, name, note="Bản scan"):
    document_type = DocumentType.objects.get(code=code)
    return client.post(
        reverse("products:document-add", args=[dossier.pk]),
        {
            "document_type": document_type.pk,
            "file": SimpleUploadedFile(name, content),
            "note": note,
        },
    )


def test_upload_a_document_then_download_it(client_for, personas):
    dossier = DossierFactory()
    client = client_for("laivung")
    response = _upload(client, dossier, "registration_form", PDF, "Phiếu đăng ký.pdf")
    assert response.status_code == 302
    document = dossier.documents.get()
    assert document.original_name == "Phiếu đăng ký.pdf"
    download = client.get(reverse("products:document-download", args=[document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Phi%E1%BA%BFu" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == PDF


def test_renamed_exe_is_refused_with_a_clear_message_and_note_kept(
    client_for, personas
):
    dossier = DossierFactory()
    exe = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200
    response = _upload(
        client_for("laivung"),
        dossier,
        "test_results",
        exe,
        "ket-qua-kiem-nghiem.pdf",
        note="Kết quả kiểm nghiệm tháng 5",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "“ket-qua-kiem-nghiem.pdf” không thuộc loại tệp được chấp nhận. "
        "Chấp nhận: PDF, JPEG, PNG, DOCX, XLSX." in html
    )
    assert 'value="Kết quả kiểm nghiệm tháng 5"' in html
    assert not dossier.documents.exists()


def test_oversize_file_is_refused(client_for, personas, settings):
    settings.OCOP_UPLOAD_MAX_BYTES = 100
    dossier = DossierFactory()
    content = PDF + b" " * 200
    response = _upload(
        client_for("laivung"), dossier, "test_results", content, "kq.pdf"
    )
    assert response.status_code == 200
    message = f"Tệp có dung lượng {len(content)}\xa0byte; giới hạn là 100\xa0byte."
    assert message in response.content.decode()
    assert 'value="Bản scan"' in response.content.decode()
    assert not dossier.documents.exists()


def test_missing_file_is_reported_on_its_row(client_for, personas):
    dossier = DossierFactory()
    document_type = DocumentType.objects.get(code="business_plan")
    response = client_for("laivung").post(
        reverse("products:document-add", args=[dossier.pk]),
        {"document_type": document_type.pk, "note": "Mẫu 03"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trường này là bắt buộc." in html
    assert f'id="id_doc{document_type.pk}_note"' in html
    assert 'value="Mẫu 03"' in html


def test_remove_document(client_for, personas):
    document = DocumentFactory()
    response = client_for("laivung").post(
        reverse("products:document-remove", args=[document.pk])
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.removed_at is not None


def test_submit_refused_lists_missing_documents(client_for, personas):
    dossier = DossierFactory()
    client = client_for("laivung")
    response = client.post(
        reverse("products:dossier-submit", args=[dossier.pk]), follow=True
    )
    html = response.content.decode()
    assert "Còn thiếu tài liệu bắt buộc: Phiếu đăng ký sản phẩm OCOP;" in html
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.DRAFT


def test_upload_after_submission_gives_a_message_not_an_error(client_for, personas):
    dossier = complete(DossierFactory(submitted=True))
    response = _upload(client_for("laivung"), dossier, "trademark", PDF, "nh.pdf")
    assert response.status_code == 302
    page = client_for("laivung").get(dossier.get_absolute_url())
    assert page.context["can_edit"] is False


def test_return_without_reason_keeps_the_page_with_an_error(client_for, personas):
    dossier = complete(DossierFactory(submitted=True))
    response = client_for("province").post(
        reverse("products:dossier-return", args=[dossier.pk]), {"reason": ""}
    )
    assert response.status_code == 200
    assert "Nêu rõ huyện cần bổ sung hoặc chỉnh sửa nội dung gì." in (
        response.content.decode()
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED


def test_returned_dossier_shows_the_reason_to_the_district(client_for, personas):
    dossier = complete(DossierFactory(submitted=True))
    client_for("province").post(
        reverse("products:dossier-return", args=[dossier.pk]),
        {"reason": "Phiếu kiểm nghiệm đã hết hạn, bổ sung phiếu mới."},
    )
    html = client_for("laivung").get(dossier.get_absolute_url()).content.decode()
    assert 'data-testid="return-reason"' in html
    assert "Phiếu kiểm nghiệm đã hết hạn, bổ sung phiếu mới." in html
    assert "Nộp lại lên tỉnh" in html


@pytest.mark.parametrize(
    ("status", "district_buttons", "province_buttons"),
    [
        ("draft", {"submit"}, set()),
        ("submitted", set(), {"return", "accept"}),
        ("returned", {"submit"}, set()),
        ("resubmitted", set(), {"return", "accept"}),
        # Until a round takes it, the province may still ask to complete a dossier.
        ("accepted", set(), {"return"}),
        ("with_commune", set(), set()),
        ("proposed", set(), {"return", "accept"}),
        ("reviewed", set(), {"return"}),
        ("under_evaluation", set(), set()),
        ("forwarded", set(), set()),
        ("decided", set(), set()),
    ],
)
def test_only_legal_transition_buttons_are_shown(
    client_for, personas, status, district_buttons, province_buttons
):
    dossier = complete(DossierFactory(status=status))

    def buttons(username):
        html = client_for(username).get(dossier.get_absolute_url()).content.decode()
        return {
            action
            for action in ("submit", "return", "accept")
            if reverse(f"products:dossier-{action}", args=[dossier.pk]) in html
        }

    assert buttons("laivung") == district_buttons
    assert buttons("province") == province_buttons


def test_illegal_transition_from_a_stale_page_gives_a_message(client_for, personas):
    dossier = complete(DossierFactory(accepted=True))
    response = client_for("province").post(
        reverse("products:dossier-accept", args=[dossier.pk]), follow=True
    )
    assert (
        "Không thể thực hiện thao tác này: hồ sơ hiện ở trạng thái “đã tiếp nhận”."
        in (response.content.decode())
    )


def test_history_is_shown_on_the_dossier_page(client_for, personas):
    dossier = complete(DossierFactory())
    client_for("laivung").post(reverse("products:dossier-submit", args=[dossier.pk]))
    html = client_for("province").get(dossier.get_absolute_url()).content.decode()
    assert "Lịch sử" in html
    assert "Nháp</span> → Đã nộp" in html


def test_edit_self_assessment(client_for, personas):
    dossier = DossierFactory()
    client = client_for("laivung")
    url = reverse("products:dossier-edit", args=[dossier.pk])
    bad = client.post(url, {"self_assessment_score": "120"})
    assert bad.status_code == 200
    assert 'value="120"' in bad.content.decode()
    assert client.post(url, {"self_assessment_score": "75.5"}).status_code == 302
    dossier.refresh_from_db()
    assert str(dossier.self_assessment_score) == "75.50"


def test_other_district_gets_404_on_product_dossier_and_download(client_for, personas):
    document = DocumentFactory()
    dossier = document.dossier
    product = dossier.product
    add_photo(
        product=product,
        user=personas["laivung"],
        upload=SimpleUploadedFile("a.png", png_bytes()),
    )
    client = client_for("thapmuoi")
    for url in (
        product.get_absolute_url(),
        reverse("products:product-edit", args=[product.pk]),
        dossier.get_absolute_url(),
        reverse("products:dossier-edit", args=[dossier.pk]),
        reverse("products:document-download", args=[document.pk]),
        reverse("products:photo", args=[product.photos.get().pk]),
    ):
        assert client.get(url).status_code == 404, url


def test_download_of_a_missing_file_is_404_not_500(client_for, personas):
    document = DocumentFactory()
    document.file.storage.delete(document.file.name)
    url = reverse("products:document-download", args=[document.pk])
    assert client_for("laivung").get(url).status_code == 404
