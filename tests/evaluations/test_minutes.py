"""The round's minutes say what happened: who took part and who declared a conflict,
the products whose totals were too far apart and the sheets re-scored, why a star is
capped or a dossier disqualified, and a round decided on written opinions; in a fixed
number of queries."""

import html
import re

import pytest

from django.test import Client
from django.urls import reverse

from evaluations import services, sheets
from evaluations.models import (
    CriteriaVersion,
    DisqualifierCheck,
    Exclusion,
    ExclusionSource,
    RoundResult,
    ScoreSheet,
)
from evaluations.results import finalise_round
from tests.evaluations import scenario
from tests.evaluations.factories import answer_all
from tests.queries import count_queries


@pytest.fixture
def catalogue(personas):
    scenario.load_evaluation_catalogue()


def members(council):
    return list(council.members.order_by("pk"))


def url(round) -> str:
    return reverse("evaluations:round-minutes", args=[round.pk])


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def minutes(round) -> str:
    """The minutes as the round's secretary reads them, in English."""
    response = signed_in(scenario.secretary(round.council)).get(url(round))
    assert response.status_code == 200
    return html.unescape(response.text)


def text(fragment: str) -> str:
    """The fragment's words without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def member_cell(page: str, member) -> str:
    match = re.search(
        rf'<tr data-testid="minutes-member" data-member="{member.pk}">(.*?)</tr>',
        page,
        re.S,
    )
    assert match, f"no line for member {member.pk}"
    return text(match.group(1))


def spread_item(page: str, entry) -> str | None:
    match = re.search(
        rf'<li data-testid="minutes-spread-product" data-entry="{entry.pk}">(.*?)</li>',
        page,
        re.S,
    )
    return text(match.group(1)) if match else None


def new_entry(round, *, name: str = "Hạt sen sấy", classification: str = "1048"):
    product = scenario.product(name=name, classification=classification)
    return scenario.entry(
        round=round,
        dossier=scenario.dossier(product=product, year=round.year),
    )


def score(entry, team, pick=None):
    for member in team:
        scenario.sheet(entry=entry, member=member, pick=pick)


def reopen_and_rescore(sheet, *, reason: str, pick) -> None:
    """The chair reopens the sheet; its member submits it again with `pick`."""
    council = sheet.entry.round.council
    sheets.reopen_sheet(sheet=sheet, user=scenario.chair(council), reason=reason)
    sheet.refresh_from_db()
    choices = answer_all(sheet, pick) if pick else answer_all(sheet)
    sheets.submit_sheet(sheet=sheet, user=sheet.member.user, choices=choices)


def finalise(round):
    finalise_round(round=round, user=scenario.chair(round.council))
    round.refresh_from_db()


# Attendance ----------------------------------------------------------------------------


def test_a_declared_conflict_is_shown_as_such_not_as_absence(catalogue):
    council = scenario.council(size=6)
    chair, secretary, both_ways, declared_all, linked, absent = members(council)
    round = scenario.round_(council=council)
    lotus = new_entry(round, name="Hạt sen sấy")
    mango = new_entry(round, name="Xoài sấy dẻo")
    services.declare_conflict(entry=lotus, user=both_ways.user, reason="Con rể")
    for entry in (lotus, mango):
        services.declare_conflict(entry=entry, user=declared_all.user, reason="Vợ")
    Exclusion.objects.create(
        entry=mango,
        member=linked,
        source=ExclusionSource.AUTOMATIC,
        reason="Đại diện pháp luật của cơ sở",
    )
    score(lotus, [chair, secretary, linked])
    score(mango, [chair, secretary, both_ways])
    finalise(round)
    lotus_name = lotus.dossier.product.name
    mango_name = mango.dossier.product.name

    page = minutes(round)

    assert "Members present: 4 of 6." in page
    # Scored the other product: present, and the conflict is said.
    cell = member_cell(page, both_ways)
    assert "present" in cell and f"declared a conflict for: {lotus_name}" in cell
    # Excluded from every product by declaration: not absent.
    cell = member_cell(page, declared_all)
    assert f"declared a conflict for: {lotus_name}; {mango_name}" in cell
    assert "absent" not in cell and "present" not in cell
    cell = member_cell(page, linked)
    assert "present" in cell
    assert f"excluded (linked to the producer): {mango_name}" in cell
    assert "declared" not in cell
    assert member_cell(page, absent) == f"6 {absent.user} Member absent"


def test_a_member_who_declared_one_conflict_and_scored_nothing_else_is_absent_too(
    catalogue,
):
    council = scenario.council(size=5)
    *team, idle = members(council)
    round = scenario.round_(council=council)
    lotus, mango = new_entry(round), new_entry(round, name="Xoài sấy dẻo")
    services.declare_conflict(entry=lotus, user=idle.user, reason="Anh ruột")
    score(lotus, team)
    score(mango, team)
    finalise(round)

    cell = member_cell(minutes(round), idle)

    assert "absent" in cell
    assert f"declared a conflict for: {lotus.dossier.product.name}" in cell
    assert mango.dossier.product.name not in cell


def test_the_minutes_of_a_round_still_scoring_show_the_declared_conflicts(catalogue):
    council = scenario.council(size=4)
    *team, careful = members(council)
    round = scenario.round_(council=council)
    lotus = new_entry(round)
    services.declare_conflict(entry=lotus, user=careful.user, reason="Em gái")
    score(lotus, team[:1])

    page = minutes(round)

    assert 'data-testid="minutes-not-closed"' in page
    assert "declared a conflict for" in member_cell(page, careful)
    assert "points apart" not in page


# Spread and re-scoring -----------------------------------------------------------------


def test_no_spread_sentence_when_no_product_was_flagged_or_reopened(catalogue):
    council = scenario.council(size=4)
    round = scenario.round_(council=council)
    entry = new_entry(round)
    score(entry, members(council))
    finalise(round)

    page = minutes(round)

    assert 'data-testid="minutes-spread"' not in page
    assert "discussed and re-scored" not in page
    assert "No product's totals were more than 10 points apart" in page


def test_flagged_products_and_reopened_sheets_are_listed_with_the_reasons(catalogue):
    council = scenario.council(size=5)
    team = members(council)
    chair, secretary, first, second, third = team
    round = scenario.round_(council=council)
    apart = new_entry(round, name="Hạt sen sấy")
    settled = new_entry(round, name="Khô cá lóc")
    clean = new_entry(round, name="Xoài sấy dẻo")
    low = scenario.pick_index(0)
    # Still more than 10 points apart after re-scoring.
    score(apart, team[:4])
    scenario.sheet(entry=apart, member=third, pick=low)
    reopen_and_rescore(
        ScoreSheet.objects.get(entry=apart, member=third),
        reason="Chênh lệch trên 10 điểm so với các thành viên khác",
        pick=low,
    )
    # Re-scored twice and now in line.
    score(settled, [chair, secretary, first, third])
    scenario.sheet(entry=settled, member=second, pick=low)
    sheet = ScoreSheet.objects.get(entry=settled, member=second)
    reopen_and_rescore(sheet, reason="Chấm nhầm tiêu chí 1.a", pick=low)
    reopen_and_rescore(sheet, reason="Xem lại phần B", pick=None)
    score(clean, team)
    finalise(round)
    apart_result = RoundResult.objects.get(entry=apart)
    assert apart_result.spread > round.spread_threshold

    page = minutes(round)

    assert "No product's totals" not in page
    item = spread_item(page, apart)
    assert item.startswith(apart.dossier.product.name)
    assert (
        f"lowest {apart_result.min_total:.2f}, highest {apart_result.max_total:.2f} "
        f"({apart_result.spread:.2f} points apart), more than 10 points." in item
    )
    assert (
        f"{third.user} (reopened once; reason: Chênh lệch trên 10 điểm so với các "
        "thành viên khác)" in item
    )
    item = spread_item(page, settled)
    assert "lowest 100.00, highest 100.00 (0.00 points apart)." in item
    assert "more than" not in item
    assert (
        f"{second.user} (reopened 2 times; reason: Chấm nhầm tiêu chí 1.a; "
        "Xem lại phần B)" in item
    )
    assert spread_item(page, clean) is None


def test_a_flagged_product_without_a_reopened_sheet_says_so(catalogue):
    council = scenario.council(size=4)
    team = members(council)
    round = scenario.round_(council=council)
    entry = new_entry(round)
    score(entry, team[:3])
    scenario.sheet(entry=entry, member=team[3], pick=scenario.pick_index(0))
    finalise(round)

    item = spread_item(minutes(round), entry)

    assert "more than 10 points" in item and "No sheet was reopened." in item


def test_a_sheet_reopened_and_not_submitted_again_is_said(catalogue):
    council = scenario.council(size=5)
    *team, late = members(council)
    round = scenario.round_(council=council)
    entry = new_entry(round)
    score(entry, team)
    sheet = scenario.sheet(entry=entry, member=late, pick=scenario.pick_index(0))
    sheets.reopen_sheet(sheet=sheet, user=scenario.chair(council), reason="Lệch")
    finalise(round)

    item = spread_item(minutes(round), entry)

    assert "(0.00 points apart)." in item
    assert f"{late.user} (reopened once; reason: Lệch; not submitted again)" in item


# Capped and disqualified ---------------------------------------------------------------


def test_a_capped_result_gives_the_caps_reason(catalogue):
    council = scenario.council(size=4)
    round = scenario.round_(council=council, regime="148", year=2024)
    entry = new_entry(round, classification="148")
    for member in members(council):
        scenario.sheet(entry=entry, member=member, overrides={"1.c": 0})
    finalise(round)
    result = RoundResult.objects.get(entry=entry)
    assert (result.band_stars, result.stars) == (5, 3)

    page = minutes(round)

    cap = text(re.search(r'data-testid="minutes-cap">(.*?)</div>', page).group(1))
    assert cap == f"Band 5★ → 3★: {result.cap_reason}"
    assert "1.c" in cap


def test_a_disqualified_result_quotes_the_sheets_line(catalogue):
    council = scenario.council(size=4)
    round = scenario.round_(council=council)
    entry = new_entry(round)
    line = "Hồ sơ bị loại khi: sản phẩm bị xử phạt về an toàn thực phẩm."
    CriteriaVersion.objects.filter(pk=entry.criteria_id).update(disqualifier=line)
    score(entry, members(council))
    ScoreSheet.objects.filter(entry=entry).update(
        disqualifier_check=DisqualifierCheck.DISQUALIFIED
    )
    finalise(round)
    assert RoundResult.objects.get(entry=entry).disqualified

    page = minutes(round)

    found = re.search(r'data-testid="minutes-disqualified">(.*?)</div>', page)
    assert text(found.group(1)) == f"Disqualified: {line}"
    assert 'data-testid="minutes-cap"' not in page


# Written opinions ----------------------------------------------------------------------


def test_a_round_decided_on_written_opinions_says_so(catalogue):
    council = scenario.council(size=4)
    *team, silent = members(council)
    round = scenario.round_(council=council)
    round.by_written_opinions = True
    round.save(update_fields=["by_written_opinions"])
    entry = new_entry(round)
    score(entry, team)
    finalise(round)

    page = minutes(round)

    assert "by written opinions" in text(re.search(r"<h1.*?</h1>", page, re.S)[0])
    assert "Written opinions received: 3 of 4 members." in page
    assert "sent a written opinion" in member_cell(page, team[0])
    assert "sent no written opinion" in member_cell(page, silent)
    sentence = text(
        re.search(r'data-testid="minutes-written-opinions">(.*?)</p>', page, re.S)[1]
    )
    assert sentence == (
        "The round was decided on the members' written opinions, without a meeting "
        "of the council (Điều 7.6 of Decision 26/2026/QĐ-TTg)."
    )


def test_written_opinions_that_diverged_are_named(catalogue):
    council = scenario.council(size=4)
    team = members(council)
    round = scenario.round_(council=council)
    round.by_written_opinions = True
    round.save(update_fields=["by_written_opinions"])
    apart, agreed = new_entry(round), new_entry(round, name="Xoài sấy dẻo")
    score(apart, team[:3])
    scenario.sheet(entry=apart, member=team[3], pick=scenario.pick_index(0))
    score(agreed, team)
    finalise(round)

    page = minutes(round)

    sentence = text(
        re.search(r'data-testid="minutes-written-opinions">(.*?)</p>', page, re.S)[1]
    )
    assert "Điều 7.6" in sentence and "without a meeting" not in sentence
    assert f"The opinions diverged for: {apart.dossier.product.name}." in sentence
    assert agreed.dossier.product.name not in sentence


def test_a_meeting_round_does_not_mention_written_opinions(catalogue):
    council = scenario.council(size=4)
    round = scenario.round_(council=council)
    score(new_entry(round), members(council))
    finalise(round)

    page = minutes(round)

    assert "written opinion" not in page
    assert "Members present: 4 of 4." in page


# Queries -------------------------------------------------------------------------------


def _busy_round(products: int):
    """A closed round of `products` products, each with a declared conflict, an
    automatic exclusion and a reopened, re-scored sheet."""
    council = scenario.council(size=6)
    chair, secretary, a, b, declarer, linked = members(council)
    round = scenario.round_(council=council)
    round.by_written_opinions = True
    round.save(update_fields=["by_written_opinions"])
    for index in range(products):
        entry = new_entry(round, name=f"Sản phẩm {index}")
        services.declare_conflict(entry=entry, user=declarer.user, reason="Họ hàng")
        Exclusion.objects.create(
            entry=entry, member=linked, source=ExclusionSource.AUTOMATIC, reason="x"
        )
        score(entry, [chair, secretary, a])
        scenario.sheet(entry=entry, member=b, pick=scenario.pick_index(0))
        reopen_and_rescore(
            ScoreSheet.objects.get(entry=entry, member=b),
            reason="Chênh lệch",
            pick=scenario.pick_index(0),
        )
    finalise(round)
    return round


def test_the_minutes_queries_do_not_grow_with_products(catalogue):
    one, three = _busy_round(1), _busy_round(3)
    counts = []
    for round in (one, three):
        client = signed_in(scenario.secretary(round.council))
        count_queries(client, url(round))  # warm the caches
        counts.append(count_queries(client, url(round)))
    assert counts[0] == counts[1]
    page = minutes(three)
    assert page.count('data-testid="minutes-spread-product"') == 3
    assert page.count("declared a conflict for:") == 1


# The round form ------------------------------------------------------------------------


def test_the_round_form_offers_the_written_opinions_checkbox(catalogue, personas):
    scenario.council(size=3)
    page = signed_in(personas["province"]).get(reverse("evaluations:round-create"))
    assert page.status_code == 200
    field = re.search(r"<input[^>]*name=\"by_written_opinions\"[^>]*>", page.text)
    assert field and 'type="checkbox"' in field[0]
    assert "Điều 7.6 of 26/2026/QĐ-TTg" in html.unescape(page.text)
