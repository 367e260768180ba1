"""A member scores a 26/2026 sheet in a real browser: the band and the capped star
appear side by side while ticking, with the criterion that holds the star back; the
chair finalises; the minutes, the product's and the producer's pages give the same
star and the same reason."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from django.utils import translation

from evaluations import scoring
from evaluations.models import DisqualifierCheck, RoundResult, SheetStatus
from evaluations.sheets import save_sheet, submit_sheet
from products.models import DossierProcess
from tests.conftest import login
from tests.evaluations import scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _plan(entry):
    """The ticks of every member: the best answer everywhere (the first case of a
    group of alternatives), "Đạt" on the yes/no criterion, and, on one criterion
    marked for 4★, the answer just below the mark: 5★ by the band, 3★ given."""
    criteria = scenario.criteria_of(entry)
    marked = next(
        c
        for c in criteria
        if any(o.required_for_stars == 4 for o in c.options.all())
        and min(o.points for o in c.options.all())
        < min(o.points for o in c.options.all() if o.required_for_stars == 4)
    )
    needed = min(o.points for o in marked.options.all() if o.required_for_stars == 4)
    below = max(
        (o for o in marked.options.all() if o.points < needed), key=lambda o: o.points
    )
    choices = {
        c.pk: max(c.options.all(), key=lambda o: (o.points, o.position)).pk
        for c in criteria
    }
    choices[marked.pk] = below.pk
    return criteria, marked, choices


def test_a_member_sees_the_capped_star_and_the_minutes_give_the_same(
    page, screenshot, board, personas
):
    page.on("dialog", lambda dialog: dialog.accept())
    page.emulate_media(reduced_motion="reduce")
    round = scenario.round_(council=board.council, regime="26/2026", year=2026)
    round.name = "Đánh giá, phân hạng sản phẩm OCOP cấp tỉnh năm 2026 – đợt 2"
    round.save(update_fields=["name"])
    product = scenario.product(
        classification="148", set_number=1, name="Bưởi da xanh Cái Mơn"
    )
    dossier = scenario.dossier(product=product, year=2026)
    dossier.process = DossierProcess.objects.get(code="26/2026")
    dossier.save(update_fields=["process"])
    entry = scenario.entry(round=round, dossier=dossier)
    assert entry.criteria.basis == "26/2026"
    criteria, marked, choices = _plan(entry)
    # Every other member has sent the same sheet.
    members = list(board.council.members.select_related("user"))
    scorer = next(m for m in members if m.user.username == "member1")
    for member in members:
        if member == scorer:
            continue
        sheet = scenario.sheet(entry=entry, member=member, submitted=False)
        save_sheet(sheet=sheet, user=member.user, choices=choices)
        submit_sheet(
            sheet=sheet,
            user=member.user,
            disqualifier_check=DisqualifierCheck.CLEAR,
        )
    parts_tree = _tree(entry)
    live = scoring.totals(parts_tree, choices)
    assert (live.band, live.stars) == (5, 3)
    with translation.override("vi"):
        reason = scoring.cap_reason(live.unmet)
    assert marked.code in reason

    # 1. The member opens the sheet: the disqualifier line is above it.
    login(page, "member1")
    page.goto(round.get_absolute_url())
    row = page.get_by_test_id("my-sheets").locator(f'tr[data-entry="{entry.pk}"]')
    row.get_by_role("button", name="Chấm điểm").click()
    page.wait_for_url("**/evaluations/sheets/*/")
    expect(page.get_by_test_id("disqualifier")).to_contain_text("loại khi")
    screenshot(page, "sheet-2026-01-open")

    # 2. Ticking: the best answers first; the yes/no criterion reads "Đạt".
    by_pk = {c.pk: c for c in criteria}
    for criterion_id, option_id in choices.items():
        if criterion_id != marked.pk:
            page.locator(f"#o{option_id}").check()
    best_marked = max(by_pk[marked.pk].options.all(), key=lambda o: o.points)
    page.locator(f"#o{best_marked.pk}").check()
    expect(page.get_by_test_id("sheet-total")).to_have_text("100")
    expect(page.get_by_test_id("sheet-stars")).to_contain_text("★★★★★")
    expect(page.get_by_test_id("sheet-cap-reason")).to_have_count(0)

    # 3. One answer below the 4★ mark: band 5★ and 3★ side by side, with the reason.
    page.locator(f"#o{choices[marked.pk]}").check()
    expect(page.get_by_test_id("sheet-cap-reason")).to_contain_text(reason)
    expect(page.get_by_test_id("sheet-band")).to_contain_text("★★★★★")
    stars = page.get_by_test_id("sheet-stars").locator(".stars")
    expect(stars).to_have_text("★★★")
    screenshot(page, "sheet-2026-02-capped-live")

    # 4. Submitting without the disqualification check is refused, nothing lost.
    page.get_by_role("button", name="Nộp phiếu").click()
    expect(page.locator(".alert-danger, .alert-error").first).to_contain_text("loại")
    expect(page.locator(f"#o{choices[marked.pk]}")).to_be_checked()
    page.locator("#check-clear").check()
    page.get_by_role("button", name="Nộp phiếu").click()
    expect(page.get_by_test_id("sheet-status")).to_have_text(re.compile("Đã nộp"))
    scorer_sheet = entry.sheets.get(member=scorer)
    assert scorer_sheet.status == SheetStatus.SUBMITTED
    assert scorer_sheet.disqualifier_check == DisqualifierCheck.CLEAR
    assert scorer_sheet.total == live.total

    # 5. The chair finalises: 3★ with the reason.
    page.context.clear_cookies()
    login(page, "chair")
    page.goto(round.get_absolute_url())
    page.get_by_test_id("finalise").click()
    result = RoundResult.objects.get(entry=entry)
    assert (result.band_stars, result.stars, result.cap_reason) == (5, 3, reason)
    assert result.mean_total == live.total.quantize(Decimal("0.01"))
    screenshot(page, "sheet-2026-03-finalised")

    # 6. The minutes say the same.
    page.get_by_role("link", name="Biên bản").click()
    minutes = page.get_by_test_id("minutes-results")
    expect(minutes).to_contain_text("Bưởi da xanh Cái Mơn")
    expect(minutes).to_contain_text(reason)
    screenshot(page, "sheet-2026-04-minutes")

    # 7. The product's and the producer's pages, as the provincial office reads them.
    page.context.clear_cookies()
    login(page, "province")
    page.goto(product.get_absolute_url())
    line = page.get_by_test_id("result-line").first
    expect(line.locator(".stars").first).to_have_text("★★★")
    expect(page.get_by_test_id("result-cap").first).to_contain_text(reason)
    screenshot(page, "sheet-2026-05-product")
    page.goto(product.producer.get_absolute_url())
    expect(page.get_by_test_id("result-cap").first).to_contain_text(reason)
    screenshot(page, "sheet-2026-06-producer")


def _tree(entry):
    from evaluations.sheets import criteria_tree as _criteria_tree

    parts, _criteria = _criteria_tree(entry.criteria_id)
    return parts
