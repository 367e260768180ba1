import time
from collections import Counter

import pytest

from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from ocop_portal.demo.products import PRODUCTS, pdf_bytes, seed_products, tax_code
from producers.models import Producer, registration_number_validator
from products import uploads
from products.models import Dossier, DossierStatus, Product
from products.services import missing_documents

pytestmark = pytest.mark.usefixtures("catalogue")


def test_demo_is_realistic_complete_and_idempotent(personas):
    started = time.monotonic()
    seed_products(lambda message: None)
    elapsed = time.monotonic() - started
    assert elapsed < 20

    dossiers = Dossier.objects.filter(year=2021).select_related(
        "product__product_set__classification", "district"
    )
    assert dossiers.count() == len(PRODUCTS)
    assert {d.product.product_set.classification.code for d in dossiers} == {"1048"}
    statuses = Counter(dossiers.values_list("status", flat=True))
    for status in ("draft", "submitted", "returned", "resubmitted", "accepted"):
        assert statuses[status] >= 1, status
    for returned in dossiers.filter(status=DossierStatus.RETURNED):
        assert returned.return_reason

    # The evaluations demo scores accepted 2021 dossiers of 1048 set 7.
    set7 = [
        d
        for d in dossiers.filter(status=DossierStatus.ACCEPTED)
        if d.product.product_set.number == 7
    ]
    assert len(set7) >= 30
    districts = Counter(d.district.name for d in set7)
    for name in ("Huyện Lai Vung", "Huyện Tháp Mười", "Huyện Châu Thành"):
        assert districts[name] >= 1
    assert len(districts) >= 6
    assert all(missing_documents(d) == [] for d in set7)
    names = {(d.product.producer.name, d.product.name) for d in set7}
    assert ("Công ty TNHH MTV Nam Huy Đồng Tháp", "Hạt sen sấy") in names
    assert ("Công ty TNHH Công nghệ thực phẩm Việt Đức", "Xoài sấy dẻo") in names

    # Real names in the right places, by the right officer.
    hoang_khanh = Producer.objects.get(name="Cơ sở sản xuất nem Hoàng Khánh")
    assert hoang_khanh.commune.name == "Xã Tân Thành"
    assert hoang_khanh.district.name == "Huyện Lai Vung"
    assert hoang_khanh.created_by == personas["laivung"]
    assert hoang_khanh.products.count() == 8
    nam_huy = Producer.objects.get(name="Công ty TNHH MTV Nam Huy Đồng Tháp")
    assert nam_huy.created_by == personas["chauthanh"]
    seeds = nam_huy.products.get(name="Hạt sen sấy")
    assert seeds.code.endswith("-2020")
    assert seeds.dossiers.get().kind == "upgrade"
    viet_duc = Producer.objects.get(name="Công ty TNHH Công nghệ thực phẩm Việt Đức")
    assert viet_duc.district.name == "Huyện Thanh Bình"
    assert AuditEvent.objects.for_object(viet_duc).get().action == "imported"
    sen_dai_viet = Producer.objects.get(name__contains="Sen Đại Việt")
    assert sen_dai_viet.registration_number.endswith("-001")  # a branch

    producers = list(Producer.objects.select_related("commune"))
    for producer in producers:
        registration_number_validator(producer.registration_number)
        assert producer.commune.parent_id == producer.district_id
    assert len({p.registration_number for p in producers}) == len(producers)
    for product in Product.objects.all():
        assert product.district_id == product.producer.district_id

    # Every officer-made record has a history; photos exist.
    accepted = dossiers.filter(district__code="876", status="accepted").first()
    actions = [e.action for e in AuditEvent.objects.for_object(accepted)]
    assert actions[0] == "status" and actions[-1] == "created"
    assert Product.objects.filter(photos__isnull=False).distinct().count() >= 30

    counts = (
        Producer.objects.count(),
        Product.objects.count(),
        Dossier.objects.count(),
    )
    seed_products(lambda message: None)
    assert (
        Producer.objects.count(),
        Product.objects.count(),
        Dossier.objects.count(),
    ) == counts


def test_generated_tax_codes_carry_a_valid_check_digit():
    weights = (31, 29, 23, 19, 17, 13, 7, 5, 3)
    for number in range(100, 140):
        code = tax_code(number)
        assert len(code) == 10 and code.startswith("14")
        total = sum(int(d) * w for d, w in zip(code[:9], weights, strict=True))
        assert int(code[9]) == 10 - total % 11


def test_generated_pdf_passes_the_upload_check():
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = pdf_bytes("Phiếu đăng ký (Mẫu 01)", ["Sản phẩm: Hạt sen sấy"])
    checked = uploads.check_document(SimpleUploadedFile("a.pdf", content))
    assert checked.content_type == "application/pdf"
    assert b"(Phieu dang ky \\(Mau 01\\))" in content
    with pytest.raises(ValidationError):
        uploads.check_document(SimpleUploadedFile("a.pdf", b"not a pdf"))
