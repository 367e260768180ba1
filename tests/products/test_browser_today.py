"""Today's programme in a real browser (the merged Đồng Tháp, Decision 26/2026/QĐ-TTg):
the commune officer of Xã Lai Vung registers a producer and a product and submits the
dossier to the commune; the commune checks it (Mẫu 03) and proposes it; the province
accepts it; the advisory team reports; the provincial council scores, the chair
finalises and records the decision; the 2026 dashboard by commune shows the product
under Xã Lai Vung. Screenshots under var/screenshots/today-*.png."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from django.core import mail
from django.urls import reverse

from accounts.models import User
from core import clock
from evaluations import services, sheets
from evaluations.catalogue import load_criteria, load_regimes
from evaluations.models import Certificate, DisqualifierCheck, Regime, ScoreSheet
from ocop_portal import demo
from plans import services as plan_services
from products.catalogue import load_catalogue
from products.models import DocumentType, Dossier, DossierStatus, ProductSet
from regions.models import AdministrativeUnit
from regions.services import REFORM_DAY
from tests.conftest import login
from tests.evaluations.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    answer_all,
    pick_index,
)
from tests.producers.factories import give_mandate
from tests.products.factories import PDF, png_bytes

# A Tuesday of 2026, after 26/2026 took effect.
DAY = datetime.date(2026, 9, 15)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.acting_on(DAY),
]


@pytest.fixture
def today(merged_dong_thap, personas, eager):
    load_catalogue()
    load_regimes()
    load_criteria()
    demo.seed_users()
    commune = AdministrativeUnit.objects.valid_on(REFORM_DAY).get(name="Xã Lai Vung")
    officer = give_mandate(
        User.objects.create_user(
            username="xa.laivung",
            password=demo.DEMO_PASSWORD,
            last_name="Võ",
            first_name="Thị Mai",
            email="xa.laivung@example.vn",
        ),
        commune,
    )
    council = CouncilFactory(
        name="Hội đồng đánh giá, phân hạng sản phẩm OCOP tỉnh Đồng Tháp",
        unit=merged_dong_thap,
    )
    chair = CouncilMemberFactory(council=council, chair=True, user__username="chair")
    secretary = CouncilMemberFactory(
        council=council, secretary=True, user__username="secretary"
    )
    members = [
        CouncilMemberFactory(council=council, user__username=f"member{n}")
        for n in range(1, 4)
    ]
    province = User.objects.get(username="province")
    with clock.acting_on(datetime.date(2026, 2, 20)):
        plan = plan_services.create_plan(
            user=province,
            year=2026,
            number="42/KH-UBND",
            issued_on=datetime.date(2026, 2, 20),
            title="Kế hoạch thực hiện Chương trình OCOP tỉnh Đồng Tháp năm 2026",
            lead_agency="Sở Nông nghiệp và Môi trường",
        )
        plan_services.add_target(
            plan=plan,
            user=province,
            indicator="new_products",
            target_value=Decimal(100),
        )
    return {
        "commune": commune,
        "officer": officer,
        "council": council,
        "chair": chair.user,
        "secretary": secretary.user,
        "members": [m.user for m in members],
    }


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


def _status(page) -> str:
    return page.get_by_test_id("dossier-status").inner_text()


def test_a_2026_dossier_from_the_commune_to_the_dashboard(page, today, screenshot):
    page.on("dialog", lambda dialog: dialog.accept())
    page.emulate_media(reduced_motion="reduce")
    # Set 1 (fresh produce): 26/2026's sheet of set 7 is a draft until corrected.
    lotus_set = ProductSet.objects.get(classification__code="148", number=1)

    # 1. The commune officer registers a producer: only today's commune is offered.
    login(page, "xa.laivung")
    expect(page.get_by_test_id("jurisdiction")).to_have_text("Xã Lai Vung")
    page.get_by_role("link", name="Chủ thể").first.click()
    page.get_by_role("link", name="Đăng ký chủ thể").click()
    communes = page.locator("#id_commune option").all_inner_texts()
    assert [c for c in communes if c.strip() and "Chọn" not in c] == ["Xã Lai Vung"]
    page.locator("#id_kind").select_option("cooperative")
    page.locator("#id_name").fill("Hợp tác xã Sen Tân Phước")
    page.locator("#id_registration_number").fill("1402611223")
    page.locator("#id_legal_representative").fill("Nguyễn Văn Phước")
    page.locator("#id_address").fill("Ấp Tân Lợi")
    page.locator("#id_commune").select_option(label="Xã Lai Vung")
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Đã đăng ký chủ thể “Hợp tác xã Sen Tân Phước”.").wait_for()
    screenshot(page, "today-01-producer")

    # 2. Its product gets a code of the new units (province 82, the new commune).
    page.get_by_role("link", name="Đăng ký sản phẩm").click()
    page.locator("#id_name").fill("Hạt sen tươi")
    page.locator("#id_product_set").select_option(value=str(lotus_set.pk))
    page.get_by_role("button", name="Lưu", exact=True).click()
    code = page.get_by_test_id("product-code").inner_text()
    assert code.startswith(f"82-{today['commune'].code}-") and code.endswith("-2026")
    screenshot(page, "today-02-product")

    # 3. The dossier, its documents, and the submission to the commune.
    page.get_by_role("link", name="Lập hồ sơ").click()
    page.get_by_role("button", name="Lập hồ sơ").click()
    page.get_by_text("Danh mục tài liệu").wait_for()
    for document_type in DocumentType.objects.filter(required_for_sets=lotus_set):
        if document_type.code == "product_photos":
            _upload(
                page, document_type.code, "anh.png", png_bytes((60, 40)), "image/png"
            )
        else:
            _upload(page, document_type.code, "tai-lieu.pdf", PDF, "application/pdf")
    assert page.get_by_test_id("missing-documents").count() == 0
    page.get_by_role("button", name="Nộp cho UBND xã").click()
    expect(page.locator(".alert-success")).to_contain_text("06/10/2026")
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.WITH_COMMUNE
    assert dossier.commune_due_on == datetime.date(2026, 10, 6)
    screenshot(page, "today-03-with-the-commune")

    # 4. The commune's check (Mẫu 03): it proposes the dossier to the province.
    page.get_by_test_id("commune-check").click()
    expect(page.get_by_test_id("commune-due")).to_contain_text("06/10/2026")
    page.locator("#id_local_origin").fill("Sen trồng tại xã, thu mua của 40 hộ.")
    page.locator("#id_local_labour").fill("15 lao động địa phương, 9 là phụ nữ.")
    page.locator("#id_idea_origin").fill("Ý tưởng của hợp tác xã từ năm 2019.")
    page.locator("#id_local_identity").fill("Cách sấy truyền thống của vùng sen.")
    page.locator("input[name=conclusion][value=propose]").check()
    screenshot(page, "today-04-commune-check")
    page.get_by_role("button", name="Ghi nhận báo cáo của UBND xã").click()
    page.wait_for_url(f"**{dossier.get_absolute_url()}")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROPOSED

    # 5. The province accepts; the advisory team reports.
    _logout(page)
    login(page, "province")
    page.goto(dossier.get_absolute_url())
    page.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    expect(page.get_by_test_id("dossier-status")).to_have_text("Đã tiếp nhận")
    page.get_by_test_id("advisory-report").click()
    page.locator("#id_team").fill("Tổ tư vấn Hội đồng OCOP tỉnh")
    page.locator("#id_findings").fill("Hồ sơ đầy đủ; cơ sở sản xuất đạt yêu cầu.")
    page.locator("#id_site_visit_on").fill("2026-09-14")
    page.locator("#id_recommendation").fill("Đề nghị Hội đồng đánh giá, phân hạng.")
    screenshot(page, "today-05-advisory-report")
    page.get_by_role("button", name="Ghi nhận báo cáo").click()
    expect(page.get_by_test_id("advisory-reports")).to_contain_text("Tổ tư vấn")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REVIEWED
    screenshot(page, "today-06-reviewed")

    # 6. The provincial council's round under 26/2026; four members have scored.
    round = services.create_round(
        user=User.objects.get(username="province"),
        council=today["council"],
        regime=Regime.objects.get(code="26/2026"),
        name="Đánh giá, phân hạng sản phẩm OCOP cấp tỉnh năm 2026 – đợt 2",
        year=2026,
    )
    entry = services.assign_dossier(
        round=round, dossier=dossier, user=today["secretary"]
    )
    services.open_scoring(round=round, user=today["secretary"])
    for user in [today["chair"], today["secretary"], *today["members"][:2]]:
        sheet = sheets.open_sheet(entry=entry, user=user)
        sheets.submit_sheet(
            sheet=sheet,
            user=user,
            choices=answer_all(sheet, pick_index(2)),
            disqualifier_check=DisqualifierCheck.CLEAR,
        )

    # ... and the last member scores in the browser.
    _logout(page)
    login(page, "member3")
    page.goto(round.get_absolute_url())
    page.get_by_test_id("my-sheets").get_by_role("button", name="Chấm điểm").click()
    page.wait_for_url("**/evaluations/sheets/*/")
    sheet = ScoreSheet.objects.get(entry=entry, member__user__username="member3")
    for option_id in answer_all(sheet, pick_index(2)).values():
        page.locator(f"#o{option_id}").check()
    page.locator("#check-clear").check()  # not a case of disqualification
    screenshot(page, "today-07-sheet")
    page.get_by_role("button", name="Nộp phiếu").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text(re.compile("Đã nộp"))

    # 7. The chair finalises and records the provincial chair's decision.
    _logout(page)
    login(page, "chair")
    page.goto(round.get_absolute_url())
    page.get_by_test_id("finalise").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã chốt kết quả")
    page.get_by_label("Số quyết định").fill("2150/QĐ-UBND")
    page.get_by_label("Ngày quyết định").fill("2026-09-15")
    page.locator("#id_signer").fill("Chủ tịch UBND tỉnh Đồng Tháp")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_test_id("decision")).to_contain_text("2150/QĐ-UBND")
    screenshot(page, "today-08-decision")
    certificate = Certificate.objects.get(product=dossier.product)
    assert certificate.stars == 3 and certificate.province.code == "82"
    assert certificate.address == "Ấp Tân Lợi, Xã Lai Vung, Tỉnh Đồng Tháp"
    # The commune and the producer are notified of the result (Điều 7.3.g).
    assert [m.to for m in mail.outbox if "Hạt sen tươi" in m.subject] == [
        ["xa.laivung@example.vn"]
    ]

    # 8. The certificate reads the units of its date; the 2026 dashboard, by
    # commune, shows the product under Xã Lai Vung.
    _logout(page)
    login(page, "province")
    page.goto(certificate.get_absolute_url())
    body = page.locator(".certificate-body")
    expect(body).to_contain_text("Xã Lai Vung, Tỉnh Đồng Tháp")
    expect(body).not_to_contain_text("Huyện")
    screenshot(page, "today-09-certificate")
    page.goto(reverse("plans:dashboard") + "?year=2026&area_q=lai+vung")
    row = page.get_by_test_id("district-table").locator("tr", has_text="Xã Lai Vung")
    expect(row).to_contain_text("Lai Vung, Lấp Vò (Đồng Tháp)")
    expect(row.locator("td").nth(1)).to_have_text("1")
    screenshot(page, "today-10-dashboard")
    page.select_option("#area-group", "province")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_test_id("area-group")).to_contain_text("Đồng Tháp")
    screenshot(page, "today-11-dashboard-grouped")
    assert page.console_errors == []
