"""The council's journey in a real browser: five members score the same product (the
last one sees nothing of the others before submitting), the secretary sees the
aggregate with a spread flag on another product, the chair reopens a sheet, the round
is finalised, the chair records the decision, and the product has its 4★ certificate
valid for 36 months."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from evaluations import services, sheets
from evaluations.models import Certificate, Criterion, RoundStatus, ScoreSheet
from tests.conftest import login
from tests.evaluations.factories import RoundFactory, answer_all, pick_index
from tests.producers.factories import ProducerFactory, first_commune
from tests.products.factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def picks_for(member_number: int):
    """Option index per criterion position for a member: 70 points, plus a few
    criteria one step higher (members differ by a few points)."""
    return lambda position: 3 if position < member_number * 2 else 2


def chosen_options(entry, picks) -> list:
    """The option each criterion gets, in the order the sheet shows the criteria."""
    criteria = Criterion.objects.filter(part__version=entry.criteria_id).order_by(
        "part__position", "group__position", "position", "pk"
    )
    chosen = []
    for position, criterion in enumerate(criteria.prefetch_related("options")):
        options = sorted(criterion.options.all(), key=lambda o: o.position)
        chosen.append(options[min(picks(position), len(options) - 1)])
    return chosen


def total_of(options) -> str:
    return f"{sum(option.points for option in options).normalize():f}"


def sign_in(page, username):
    page.context.clear_cookies()
    login(page, username)


def score_in_browser(page, options):
    """Tick one option per criterion, as a member does, in page order."""
    for option in options:
        page.locator(f"#o{option.pk}").check()


def open_my_sheet(page, round, entry):
    page.goto(round.get_absolute_url())
    row = page.get_by_test_id("my-sheets").locator(f'tr[data-entry="{entry.pk}"]')
    row.get_by_role("button", name="Chấm điểm").click()
    page.wait_for_url("**/evaluations/sheets/*/")


def submit_sheet(page):
    page.get_by_role("button", name="Nộp phiếu").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text(re.compile("Đã nộp"))


def test_council_scores_finalises_and_records_the_decision(
    page, screenshot, board, personas
):
    page.on("dialog", lambda dialog: dialog.accept())
    secretary, chair = board.secretary, board.chair
    round = RoundFactory(
        council=board.council,
        created_by=secretary.user,
        scoring=True,
        name="Đánh giá, phân hạng sản phẩm OCOP cấp tỉnh năm 2021 – đợt 1",
    )
    nam_huy = ProducerFactory(
        name="Công ty TNHH MTV Nam Huy Đồng Tháp", commune=first_commune("877")
    )
    lotus = services.assign_dossier(
        round=round,
        dossier=DossierFactory(
            accepted=True,
            classification="1048",
            product__producer=nam_huy,
            product__name="Hạt sen sấy",
        ),
        user=secretary.user,
    )
    mango = services.assign_dossier(
        round=round,
        dossier=DossierFactory(
            accepted=True, classification="1048", product__name="Xoài sấy dẻo"
        ),
        user=secretary.user,
    )
    # The mango was scored earlier by six members; member4 is far below the others.
    for member in [chair, secretary, *board.members[:4]]:
        sheet = sheets.open_sheet(entry=mango, user=member.user)
        pick = pick_index(1) if member == board.members[3] else pick_index(2)
        sheets.submit_sheet(
            sheet=sheet, user=member.user, choices=answer_all(sheet, pick)
        )
    # The chair and the secretary scored the lotus seeds too.
    for member in (chair, secretary):
        sheet = sheets.open_sheet(entry=lotus, user=member.user)
        sheets.submit_sheet(
            sheet=sheet, user=member.user, choices=answer_all(sheet, pick_index(2))
        )

    # Four members score the lotus seeds in the browser.
    for number, member in enumerate(board.members[:4], start=1):
        sign_in(page, member.user.username)
        open_my_sheet(page, round, lotus)
        options = chosen_options(lotus, picks_for(number))
        score_in_browser(page, options)
        expect(page.get_by_test_id("sheet-total")).to_have_text(total_of(options))
        submit_sheet(page)

    # The fifth member sees no other score before submitting.
    fifth = board.members[4]
    sign_in(page, fifth.user.username)
    page.goto(round.get_absolute_url())
    lotus_row = page.locator(
        f'tr[data-entry="{lotus.pk}"][data-testid="aggregate-row"]'
    )
    expect(lotus_row.get_by_test_id("scores-hidden")).to_be_visible()
    expect(lotus_row.get_by_test_id("mean")).to_have_count(0)
    screenshot(page, "evaluations-blind-round")
    open_my_sheet(page, round, lotus)
    expect(page.get_by_test_id("sheet-aggregate")).to_have_count(0)
    expect(page.get_by_test_id("others-scores")).to_contain_text("ẩn")
    # The running total follows each tick (htmx), nothing is saved yet.
    options = chosen_options(lotus, picks_for(5))
    score_in_browser(page, options[:3])
    expect(page.get_by_test_id("sheet-total")).to_have_text(total_of(options[:3]))
    assert not ScoreSheet.objects.get(entry=lotus, member=fifth).answers.exists()
    screenshot(page, "evaluations-sheet-scoring")
    score_in_browser(page, options[3:])
    expect(page.get_by_test_id("sheet-total")).to_have_text(total_of(options))
    submit_sheet(page)
    expect(page.get_by_test_id("sheet-aggregate")).to_be_visible()
    expect(page.get_by_test_id("sheet-aggregate")).to_contain_text("7/7")
    screenshot(page, "evaluations-sheet-submitted")

    # The secretary sees the aggregate, the mango flagged for its spread.
    sign_in(page, secretary.user.username)
    page.goto(round.get_absolute_url() + "?sort=spread")
    mango_row = page.locator(
        f'tr[data-entry="{mango.pk}"][data-testid="aggregate-row"]'
    )
    expect(mango_row.get_by_test_id("spread-flag")).to_be_visible()
    expect(lotus_row.get_by_test_id("spread-flag")).to_have_count(0)
    expect(page.get_by_test_id("spread-alert")).to_be_visible()
    screenshot(page, "evaluations-aggregate")

    # The chair reopens member4's mango sheet with a reason.
    sign_in(page, chair.user.username)
    page.goto(f"/evaluations/entries/{mango.pk}/")
    outlier = page.locator(f'tr[data-member="{board.members[3].user.username}"]')
    outlier.get_by_label("Lý do mở lại phiếu").fill(
        "Chênh lệch 29 điểm so với các thành viên khác: đề nghị chấm lại phần C."
    )
    outlier.get_by_role("button", name="Mở lại").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã mở lại phiếu")
    screenshot(page, "evaluations-reopen")

    # Finalising now fails: the mango lacks its quorum.
    page.goto(round.get_absolute_url())
    page.get_by_test_id("finalise").click()
    expect(page.locator(".alert-danger")).to_contain_text("Xoài sấy dẻo")
    round.refresh_from_db()
    assert round.status == RoundStatus.SCORING

    # member4 re-scores, then the chair finalises.
    sheet = ScoreSheet.objects.get(entry=mango, member=board.members[3])
    sheets.submit_sheet(
        sheet=sheet,
        user=board.members[3].user,
        choices=answer_all(sheet, pick_index(2)),
    )
    page.goto(round.get_absolute_url())
    page.get_by_test_id("finalise").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã chốt kết quả")
    expect(lotus_row).to_contain_text("Được công nhận")
    expect(lotus_row.locator(".stars")).to_have_text("★★★★")
    screenshot(page, "evaluations-results")

    # The chair records the decision.
    page.get_by_label("Số quyết định").fill("1196/QĐ-UBND-HC")
    page.get_by_label("Ngày quyết định").fill("2021-09-17")
    page.locator("#id_signer").fill("Huỳnh Minh Tuấn")
    page.get_by_label("Chức vụ người ký").fill("Phó Chủ tịch UBND tỉnh")
    page.get_by_role("button", name="Ghi nhận quyết định").click()
    expect(page.get_by_test_id("decision")).to_contain_text("1196/QĐ-UBND-HC")
    screenshot(page, "evaluations-decision")
    page.get_by_role("link", name="Biên bản").click()
    expect(page.get_by_test_id("minutes-results")).to_contain_text("Hạt sen sấy")
    expect(page.get_by_test_id("minutes")).to_contain_text("1196/QĐ-UBND-HC")
    screenshot(page, "evaluations-minutes")

    # The product has its 4★ certificate, valid 36 months from the decision date.
    certificate = Certificate.objects.get(product=lotus.dossier.product)
    assert certificate.stars == 4
    assert certificate.valid_from == datetime.date(2021, 9, 17)
    assert certificate.valid_until == datetime.date(2024, 9, 16)
    sign_in(page, "province")
    page.goto(lotus.dossier.product.get_absolute_url())
    expect(page.locator("h1 .stars")).to_have_text("★★★★")
    screenshot(page, "evaluations-product")
    page.goto(certificate.get_absolute_url())
    expect(page.locator(".certificate-body")).to_contain_text(
        "từ 17/09/2021 đến 16/09/2024 (36 tháng)"
    )
    screenshot(page, "evaluations-certificate")
    assert not page.console_errors
