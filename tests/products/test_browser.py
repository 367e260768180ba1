"""The district officer's journey in a real browser: register a producer and a
product, compile and submit the dossier; the province returns it, the district adds a
document and resubmits, the province accepts."""

import pytest

from products.models import Dossier, DossierStatus
from tests.conftest import login
from tests.products.factories import PDF, png_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalogue"),
]

REQUIRED = [
    "registration_form",
    "business_plan",
    "organisation_description",
    "business_registration",
    "food_safety",
    "standard_declaration",
    "test_results",
    "product_photos",
]


def _logout(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/accounts/login/")


def _upload(page, code, name, content, mime):
    row = page.get_by_test_id(f"checklist-{code}")
    row.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": content}]
    )
    row.get_by_role("button", name="Tải lên").click()
    page.wait_for_load_state()


def test_register_submit_return_resubmit_accept(page, personas, screenshot):
    page.on("dialog", lambda dialog: dialog.accept())
    # Bootstrap scrolls smoothly; Playwright would wait for every scroll to settle.
    page.emulate_media(reduced_motion="reduce")

    # 1. Lai Vung registers a producer.
    login(page, "laivung")
    page.get_by_role("link", name="Chủ thể").first.click()
    page.get_by_role("link", name="Đăng ký chủ thể").click()
    page.locator("#id_kind").select_option("household")
    page.locator("#id_name").fill("Cơ sở nem Sáu Có")
    page.locator("#id_registration_number").fill("1401888999")
    page.locator("#id_legal_representative").fill("Võ Văn Có")
    page.locator("#id_phone").fill("0277 3847 123")
    page.locator("#id_address").fill("Ấp Tân Hòa")
    page.locator("#id_commune").select_option(label="Xã Tân Thành")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Đã đăng ký chủ thể “Cơ sở nem Sáu Có”.").wait_for()
    screenshot(page, "products-01-producer")

    # 2. ... and its product, which gets its code.
    page.get_by_role("link", name="Đăng ký sản phẩm").click()
    page.locator("#id_name").fill("Nem chua Sáu Có")
    page.locator("#id_product_set").select_option(
        label="8. Chế biến từ thịt, thủy sản, trứng, sữa, các sản phẩm từ mật ong"
    )
    page.locator("#id_description").fill("Nem chua gói lá chuối, lên men tự nhiên.")
    screenshot(page, "products-02-product-form")
    page.get_by_role("button", name="Lưu", exact=True).click()
    code = page.get_by_test_id("product-code").inner_text()
    assert code.startswith("87-876-")
    screenshot(page, "products-03-product")

    # 3. Open the dossier and upload the documents; a renamed .exe is refused.
    page.get_by_role("link", name="Lập hồ sơ").click()
    page.get_by_role("button", name="Lập hồ sơ").click()
    page.get_by_text("Danh mục tài liệu").wait_for()
    _upload(
        page,
        "test_results",
        "ket-qua.pdf",
        b"MZ\x90\x00" + b"\0" * 64,
        "application/pdf",
    )
    page.get_by_text("“ket-qua.pdf” không thuộc loại tệp được chấp nhận.").wait_for()
    screenshot(page, "products-04-wrong-file")
    for code_name in REQUIRED:
        if code_name == "product_photos":
            _upload(
                page, code_name, "anh-san-pham.png", png_bytes((60, 40)), "image/png"
            )
        else:
            _upload(page, code_name, f"{code_name}.pdf", PDF, "application/pdf")
    assert page.get_by_test_id("missing-documents").count() == 0
    page.get_by_role("button", name="Nộp lên tỉnh").click()
    page.get_by_text("Đã nộp hồ sơ lên tỉnh.").wait_for()
    screenshot(page, "products-05-submitted")
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.SUBMITTED

    # 4. The province returns it for supplement, with a reason.
    _logout(page)
    login(page, "province")
    page.goto(dossier.get_absolute_url())
    page.get_by_label("Huyện cần bổ sung hoặc chỉnh sửa nội dung gì?").fill(
        "Bổ sung giấy chứng nhận nhãn hiệu đã được cấp."
    )
    page.get_by_role("button", name="Trả lại để bổ sung").click()
    page.get_by_text("Đã trả hồ sơ về huyện để bổ sung.").wait_for()
    screenshot(page, "products-06-returned")

    # 5. Lai Vung sees the reason, adds the document and resubmits.
    _logout(page)
    login(page, "laivung")
    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    page.get_by_role("link", name="Nem chua Sáu Có").click()
    reason = page.get_by_test_id("return-reason")
    assert "Bổ sung giấy chứng nhận nhãn hiệu đã được cấp." in reason.inner_text()
    screenshot(page, "products-07-reason-seen")
    _upload(page, "trademark", "nhan-hieu.pdf", PDF, "application/pdf")
    page.get_by_role("button", name="Nộp lại lên tỉnh").click()
    page.get_by_text("Đã nộp lại hồ sơ lên tỉnh.").wait_for()
    screenshot(page, "products-08-resubmitted")

    # 6. The province accepts.
    _logout(page)
    login(page, "province")
    page.goto(dossier.get_absolute_url())
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    page.get_by_text("Đã tiếp nhận hồ sơ").first.wait_for()
    assert page.get_by_test_id("dossier-status").inner_text() == "Đã tiếp nhận"
    screenshot(page, "products-09-accepted")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACCEPTED
    assert dossier.documents.filter(removed_at__isnull=True).count() == 9
    assert page.console_errors == []
