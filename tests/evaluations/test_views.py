"""The council's pages through the test client: rounds, assignment, sheets, blind
scoring, re-scoring, finalising, the decision, exports and query counts."""

import datetime
import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from django.urls import reverse

from evaluations import services, sheets
from evaluations.models import (
    Certificate,
    CriteriaStatus,
    CriteriaVersion,
    Decision,
    Exclusion,
    Regime,
    Round,
    RoundEntry,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from products.models import DossierStatus, ProductSet
from tests.evaluations.factories import (
    RoundEntryFactory,
    RoundFactory,
    ScoreSheetFactory,
    UserFactory,
    answer_all,
    pick_index,
)
from tests.products.factories import DossierFactory
from tests.queries import count_queries


def entries(round):
    return list(round.entries.order_by("dossier__product__name"))


def row_html(html: str, entry) -> str:
    """The <tr> of an entry in the aggregate table."""
    match = re.search(
        rf'<tr data-entry="{entry.pk}" data-testid="aggregate-row".*?</tr>', html, re.S
    )
    assert match, f"no aggregate row for entry {entry.pk}"
    return match.group(0)


def submit(entry, member, pick=None):
    sheet = sheets.open_sheet(entry=entry, user=member.user)
    choices = answer_all(sheet, pick) if pick else answer_all(sheet)
    return sheets.submit_sheet(sheet=sheet, user=member.user, choices=choices)


# Round list and creation ---------------------------------------------------------------


def test_round_list_shows_the_rounds_a_user_may_see(
    scoring_round, board, client_as, personas
):
    url = reverse("evaluations:round-list")
    assert scoring_round.name in client_as(board.members[0].user).get(url).text
    assert scoring_round.name in client_as(personas["province"]).get(url).text
    other = client_as(board.other.user).get(url).text
    assert scoring_round.name not in other
    laivung = client_as(personas["laivung"]).get(url)
    assert laivung.status_code == 200 and 'data-testid="empty-state"' in laivung.text


def test_round_list_filters_and_exports(
    scoring_round, preparing_round, client_as, personas
):
    client = client_as(personas["province"])
    page = client.get(reverse("evaluations:round-list"), {"status": "scoring"}).text
    assert scoring_round.name in page and preparing_round.name not in page
    response = client.get(
        reverse("evaluations:round-list"), {"export": "xlsx", "status": "scoring"}
    )
    sheet = load_workbook(BytesIO(response.content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [scoring_round.name]


def test_provincial_officer_creates_a_round_through_the_form(
    board, client_as, personas
):
    client = client_as(personas["province"])
    page = client.get(reverse("evaluations:round-create"))
    assert page.status_code == 200
    data = {
        "name": "Đánh giá cấp tỉnh năm 2021 – đợt 1",
        "council": board.council.pk,
        "year": 2021,
        "regime": page.context["form"].fields["regime"].queryset.get(code="1048").pk,
        "spread_threshold": "10",
        "quorum": "0.75",
    }
    response = client.post(reverse("evaluations:round-create"), data)
    round = Round.objects.get(name=data["name"])
    assert response.status_code == 302 and response.url == round.get_absolute_url()
    assert round.level == "province" and round.created_by == personas["province"]


def test_round_form_keeps_what_was_typed_on_error(board, client_as, personas):
    client = client_as(personas["province"])
    response = client.post(
        reverse("evaluations:round-create"),
        {"name": "Đợt thiếu năm", "council": board.council.pk, "quorum": "2"},
    )
    assert response.status_code == 200
    assert "Đợt thiếu năm" in response.text
    assert response.context["form"].errors
    assert not Round.objects.exists()


# Assignment ----------------------------------------------------------------------------


def test_secretary_assigns_from_the_list_of_eligible_dossiers(
    preparing_round, board, client_as
):
    good = DossierFactory(
        accepted=True, classification="1048", product__name="Hạt sen sấy giòn"
    )
    no_sheet = DossierFactory(
        accepted=True,
        product__name="Cà phê hạt",
        product__product_set=ProductSet.objects.get(
            classification__code="1048", number=13
        ),
    )
    DossierFactory(
        classification="1048",
        product__name="Hồ sơ nháp",
        status=DossierStatus.DRAFT,
    )
    client = client_as(board.secretary.user)
    url = reverse("evaluations:round-assign", args=[preparing_round.pk])
    page = client.get(url).text
    assert "Hạt sen sấy giòn" in page and "Cà phê hạt" in page
    assert "Hồ sơ nháp" not in page
    response = client.post(url, {"dossier": [good.pk, no_sheet.pk]}, follow=True)
    assert RoundEntry.objects.filter(round=preparing_round).count() == 1
    text = response.content.decode()
    assert no_sheet.product.product_set.name in text  # the refusal names the set
    good.refresh_from_db()
    assert good.status == DossierStatus.UNDER_EVALUATION


def test_secretary_opens_scoring_from_the_round_page(preparing_round, board, client_as):
    services.assign_dossier(
        round=preparing_round,
        dossier=DossierFactory(accepted=True, classification="1048"),
        user=board.secretary.user,
    )
    client = client_as(board.secretary.user)
    assert "Mở chấm điểm" in client.get(preparing_round.get_absolute_url()).text
    client.post(reverse("evaluations:round-open-scoring", args=[preparing_round.pk]))
    preparing_round.refresh_from_db()
    assert preparing_round.status == RoundStatus.SCORING


def test_removing_an_entry_through_the_entry_page(scoring_round, board, client_as):
    entry = entries(scoring_round)[0]
    client = client_as(board.secretary.user)
    response = client.post(reverse("evaluations:entry-remove", args=[entry.pk]))
    assert response.status_code == 302
    assert not RoundEntry.objects.filter(pk=entry.pk).exists()


# Blind scoring -------------------------------------------------------------------------


def test_member_sees_no_other_scores_before_submitting(scoring_round, board, client_as):
    first, second = entries(scoring_round)
    submit(first, board.members[0], pick_index(0))
    submit(first, board.members[1], pick_index(2))
    client = client_as(board.members[2].user)

    round_page = client.get(scoring_round.get_absolute_url()).text
    row = row_html(round_page, first)
    assert 'data-testid="mean"' not in row and 'data-testid="scores-hidden"' in row

    sheet = sheets.open_sheet(entry=first, user=board.members[2].user)
    sheet_page = client.get(sheet.get_absolute_url()).text
    assert 'data-testid="sheet-aggregate"' not in sheet_page
    totals = {
        str(s.total) for s in ScoreSheet.objects.filter(status=SheetStatus.SUBMITTED)
    }
    entry_page = client.get(reverse("evaluations:entry-detail", args=[first.pk])).text
    assert 'data-testid="entry-aggregate"' not in entry_page
    for total in totals:
        assert f">{Decimal(total):.2f}".replace(".", ",") not in entry_page

    # After submitting: that product's aggregate, not the other's.
    sheets.submit_sheet(
        sheet=sheet, user=board.members[2].user, choices=answer_all(sheet)
    )
    round_page = client.get(scoring_round.get_absolute_url()).text
    assert 'data-testid="mean"' in row_html(round_page, first)
    assert 'data-testid="mean"' not in row_html(round_page, second)
    assert 'data-testid="sheet-aggregate"' in client.get(sheet.get_absolute_url()).text
    assert (
        'data-testid="entry-aggregate"'
        in client.get(reverse("evaluations:entry-detail", args=[first.pk])).text
    )


def test_secretary_sees_the_aggregate_of_products_they_scored(
    scoring_round, board, client_as
):
    first, _second = entries(scoring_round)
    client = client_as(board.secretary.user)
    submit(first, board.members[0], pick_index(0))
    assert 'data-testid="mean"' not in row_html(
        client.get(scoring_round.get_absolute_url()).text, first
    )
    submit(first, board.secretary, pick_index(3))
    assert 'data-testid="mean"' in row_html(
        client.get(scoring_round.get_absolute_url()).text, first
    )


def test_provincial_officer_sees_progress_but_not_scores_until_closed(
    scoring_round, board, client_as, personas
):
    first, _ = entries(scoring_round)
    submit(first, board.members[0])
    page = client_as(personas["province"]).get(scoring_round.get_absolute_url()).text
    row = row_html(page, first)
    assert "1/7" in row and 'data-testid="mean"' not in row


def test_spread_over_the_threshold_is_flagged_and_sortable(
    scoring_round, board, client_as
):
    first, second = entries(scoring_round)
    for member, pick in zip(board.everyone[:4], [0, 0, 0, 0], strict=True):
        submit(first, member, pick_index(pick))
    for member, pick in zip(board.everyone[:4], [0, 3, 3, 3], strict=True):
        submit(second, member, pick_index(pick))
    page = (
        client_as(board.chair.user)
        .get(scoring_round.get_absolute_url(), {"sort": "spread"})
        .text
    )
    assert 'data-testid="spread-flag"' in row_html(page, second)
    assert 'data-testid="spread-flag"' not in row_html(page, first)
    assert 'data-testid="spread-alert"' in page
    assert page.index(f'data-entry="{second.pk}" data-testid') < page.index(
        f'data-entry="{first.pk}" data-testid'
    )


# The score sheet -----------------------------------------------------------------------


def test_sheet_page_shows_the_dossier_and_one_radio_group_per_criterion(
    scoring_round, board, client_as
):
    entry = entries(scoring_round)[0]
    client = client_as(board.members[0].user)
    response = client.post(reverse("evaluations:sheet-open", args=[entry.pk]))
    sheet = ScoreSheet.objects.get(entry=entry, member=board.members[0])
    assert response.url == sheet.get_absolute_url()
    page = client.get(sheet.get_absolute_url()).text
    criteria = entry.criteria.parts.values_list("criteria", flat=True)
    assert page.count('class="form-check-input" type="radio"') == sum(
        len(c.options.all())
        for c in entry.criteria.parts.first().criteria.model.objects.filter(
            part__version=entry.criteria
        )
    )
    assert len(set(re.findall(r'name="c(\d+)"', page))) == criteria.count()
    assert entry.dossier.product.name in page and 'data-testid="dossier-panel"' in page
    assert 'hx-post="' + reverse("evaluations:sheet-totals", args=[sheet.pk]) in page


def test_totals_fragment_adds_up_without_saving(scoring_round, board, client_as):
    entry = entries(scoring_round)[0]
    sheet = sheets.open_sheet(entry=entry, user=board.members[0].user)
    choices = answer_all(sheet)
    data = {f"c{criterion}": option for criterion, option in choices.items()}
    response = client_as(board.members[0].user).post(
        reverse("evaluations:sheet-totals", args=[sheet.pk]),
        data,
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert re.search(r'data-testid="sheet-total">100<', response.text)
    assert 'aria-label="5 sao"' in response.text or "★★★★★" in response.text
    assert not sheet.answers.exists()


def test_saving_and_submitting_through_the_page(scoring_round, board, client_as):
    entry = entries(scoring_round)[0]
    user = board.members[0].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    client = client_as(user)
    choices = answer_all(sheet, pick_index(0))
    data = {f"c{criterion}": option for criterion, option in choices.items()}
    partial = dict(list(data.items())[:-1])
    url = reverse("evaluations:sheet-save", args=[sheet.pk])

    assert client.post(url, {**partial, "action": "save"}).status_code == 302
    assert sheet.answers.count() == len(partial)

    refused = client.post(url, {**partial, "action": "submit"})
    assert refused.status_code == 200  # shown again with the message, answers kept
    assert refused.text.count(" checked") == len(partial)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT

    assert client.post(url, {**data, "action": "submit"}).status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    assert sheet.total == sum(a.points for a in sheet.answers.all())

    again = client.post(url, {**data, "action": "save"})
    assert again.status_code == 200 and "khóa" in again.text
    page = client.get(sheet.get_absolute_url()).text
    assert " disabled" in page and "Lưu nháp" not in page


def test_members_read_the_documents_of_the_dossier_they_score(
    scoring_round, board, client_as
):
    from tests.products.factories import PDF, DocumentFactory

    first, second = entries(scoring_round)
    document = DocumentFactory(
        dossier=first.dossier, original_name="ket-qua-kiem-nghiem.pdf"
    )
    client = client_as(board.members[0].user)
    sheet = sheets.open_sheet(entry=first, user=board.members[0].user)
    assert "ket-qua-kiem-nghiem.pdf" in client.get(sheet.get_absolute_url()).text
    url = reverse("evaluations:entry-document", args=[first.pk, document.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    # A document of another entry's dossier is not reachable through this entry.
    wrong = reverse("evaluations:entry-document", args=[second.pk, document.pk])
    assert client.get(wrong).status_code == 404


def test_another_members_sheet_is_forbidden(scoring_round, board, client_as):
    sheet = sheets.open_sheet(
        entry=entries(scoring_round)[0], user=board.members[0].user
    )
    response = client_as(board.members[1].user).get(sheet.get_absolute_url())
    assert response.status_code == 403


def test_excluded_member_gets_403_with_the_reason(scoring_round, board, client_as):
    entry = entries(scoring_round)[0]
    user = board.members[3].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    client = client_as(user)
    response = client.post(
        reverse("evaluations:entry-conflict", args=[entry.pk]),
        {"reason": "Em ruột là giám đốc công ty"},
    )
    assert response.status_code == 302
    for response in (
        client.get(sheet.get_absolute_url()),
        client.post(reverse("evaluations:sheet-open", args=[entry.pk])),
        client.post(
            reverse("evaluations:sheet-save", args=[sheet.pk]), {"action": "save"}
        ),
        client.post(reverse("evaluations:sheet-totals", args=[sheet.pk])),
    ):
        assert response.status_code == 403
        assert "Em ruột là giám đốc công ty" in response.text


def test_declaring_without_a_reason_shows_the_form_again(
    scoring_round, board, client_as
):
    entry = entries(scoring_round)[0]
    response = client_as(board.members[3].user).post(
        reverse("evaluations:entry-conflict", args=[entry.pk]), {"reason": ""}
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Exclusion.objects.exists()


# Re-scoring, finalising and the decision ---------------------------------------------


def test_chair_reopens_a_sheet_with_a_reason_from_the_entry_page(
    scoring_round, board, client_as
):
    entry = entries(scoring_round)[0]
    sheet = submit(entry, board.members[0])
    client = client_as(board.chair.user)
    url = reverse("evaluations:sheet-reopen", args=[sheet.pk])
    empty = client.post(url, {"reason": ""})
    assert empty.status_code == 200 and "is-invalid" in empty.text
    response = client.post(url, {"reason": "Chênh lệch quá 10 điểm"})
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.DRAFT and sheet.reopened_count == 1
    history = client.get(scoring_round.get_absolute_url()).text
    assert "Chênh lệch quá 10 điểm" in history


def test_finalising_without_quorum_says_so(scoring_round, board, client_as):
    first, _ = entries(scoring_round)
    submit(first, board.members[0])
    response = client_as(board.secretary.user).post(
        reverse("evaluations:round-finalise", args=[scoring_round.pk]), follow=True
    )
    scoring_round.refresh_from_db()
    assert scoring_round.status == RoundStatus.SCORING
    assert "alert-danger" in response.text


@pytest.fixture
def closed_round(scoring_round, board):
    first, second = entries(scoring_round)
    for member in board.everyone:
        submit(first, member, pick_index(1))
        submit(second, member, pick_index(2))
    from evaluations.results import finalise_round

    finalise_round(round=scoring_round, user=board.secretary.user)
    scoring_round.refresh_from_db()
    return scoring_round


def test_finalise_button_closes_the_round_and_shows_results(
    scoring_round, board, client_as
):
    first, second = entries(scoring_round)
    for member in board.everyone:
        submit(first, member, pick_index(1))
        submit(second, member, pick_index(2))
    client = client_as(board.secretary.user)
    page = client.post(
        reverse("evaluations:round-finalise", args=[scoring_round.pk]), follow=True
    ).text
    scoring_round.refresh_from_db()
    assert scoring_round.status == RoundStatus.CLOSED
    assert 'data-testid="decision"' in page and "Kết quả" in page


def test_chair_records_the_decision_and_certificates_are_issued(
    closed_round, board, client_as, personas
):
    client = client_as(board.chair.user)
    data = {
        "number": "1580/QĐ-UBND-HC",
        "date": "2021-12-20",
        "signer": "Huỳnh Minh Tuấn",
        "signer_title": "Phó Chủ tịch UBND tỉnh",
    }
    response = client.post(
        reverse("evaluations:round-decision", args=[closed_round.pk]), data
    )
    assert response.status_code == 302
    decision = Decision.objects.get(round=closed_round)
    assert decision.date == datetime.date(2021, 12, 20)
    certificates = Certificate.objects.filter(decision=decision)
    assert certificates.exists()
    # 36 months from the decision date, the last day included.
    assert all(c.valid_until == datetime.date(2024, 12, 19) for c in certificates)
    page = client.get(closed_round.get_absolute_url()).text
    certificate = certificates.first()
    assert "1580/QĐ-UBND-HC" in page and certificate.number in page
    # The chair has no programme role: the number shows without a link that would
    # answer 404; the provincial officer gets the link.
    link = f'href="{certificate.get_absolute_url()}"'
    assert link not in page
    assert (
        link
        in client_as(personas["province"]).get(closed_round.get_absolute_url()).text
    )


def test_decision_form_errors_keep_what_was_typed(closed_round, board, client_as):
    client = client_as(board.chair.user)
    response = client.post(
        reverse("evaluations:round-decision", args=[closed_round.pk]),
        {"number": "99/QĐ-UBND", "date": "2021-12-20", "signer": ""},
    )
    assert response.status_code == 200 and "99/QĐ-UBND" in response.text
    assert not Decision.objects.exists()


def test_secretary_cannot_record_the_decision(closed_round, board, client_as):
    response = client_as(board.secretary.user).post(
        reverse("evaluations:round-decision", args=[closed_round.pk]),
        {"number": "1/QĐ", "date": "2021-12-20", "signer": "X"},
    )
    assert response.status_code == 403


# Exports -------------------------------------------------------------------------------


def workbook(response):
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content))


def test_export_before_closing_respects_blind_scoring(scoring_round, board, client_as):
    first, second = entries(scoring_round)
    submit(first, board.secretary)
    submit(first, board.members[0])
    submit(second, board.members[0])
    book = workbook(
        client_as(board.secretary.user).get(
            reverse("evaluations:round-export", args=[scoring_round.pk])
        )
    )
    assert book.sheetnames == ["Tổng hợp"]  # no raw points before closing
    rows = {row[1]: row for row in book.active.iter_rows(min_row=2, values_only=True)}
    headers = [cell.value for cell in book.active[1]]
    mean = headers.index("Điểm trung bình")
    assert rows[first.dossier.product.name][mean] == 100
    assert rows[second.dossier.product.name][mean] is None


def test_export_after_closing_has_every_members_raw_points(
    closed_round, board, client_as, personas
):
    book = workbook(
        client_as(personas["province"]).get(
            reverse("evaluations:round-export", args=[closed_round.pk])
        )
    )
    aggregate = book["Tổng hợp"]
    headers = [cell.value for cell in aggregate[1]]
    assert {"Hạng theo điểm", "Hạng sao", "Lý do giới hạn hạng sao"} <= set(headers)
    raw = book["Điểm từng tiêu chí"]
    criteria = entries(closed_round)[0].criteria.parts.model.objects.filter(
        version=entries(closed_round)[0].criteria
    )
    count = sum(part.criteria.count() for part in criteria)
    assert raw.max_row - 1 == count * len(board.everyone) * 2
    assert book["Tổng điểm từng thành viên"].max_row - 1 == len(board.everyone) * 2


def test_minutes_list_members_results_and_signatures(closed_round, board, client_as):
    page = (
        client_as(board.secretary.user)
        .get(reverse("evaluations:round-minutes", args=[closed_round.pk]))
        .text
    )
    assert 'data-testid="minutes-results"' in page
    for member in board.everyone:
        assert str(member.user) in page
    assert "CHỦ TỊCH HỘI ĐỒNG" in page and "THƯ KÝ" in page


# Query counts --------------------------------------------------------------------------


def test_round_list_queries_do_not_grow_with_rounds(board, client_as):
    client = client_as(board.secretary.user)
    url = reverse("evaluations:round-list")
    RoundFactory(council=board.council)
    one = count_queries(client, url)
    for _ in range(49):
        RoundFactory(council=board.council)
    assert count_queries(client, url) == one


@pytest.mark.parametrize("who", ["secretary", "member", "province"])
def test_round_page_queries_do_not_grow_with_entries(board, client_as, personas, who):
    user = {
        "secretary": board.secretary.user,
        "member": board.members[0].user,
        "province": personas["province"],
    }[who]
    round = RoundFactory(council=board.council, scoring=True)
    client = client_as(user)

    def add_entry():
        entry = RoundEntryFactory(round=round)
        ScoreSheetFactory(entry=entry, member=board.secretary)
        ScoreSheetFactory(entry=entry, member=board.members[0], answers=pick_index(0))
        ScoreSheetFactory(entry=entry, member=board.members[1], draft=True)

    add_entry()
    one = count_queries(client, round.get_absolute_url())
    for _ in range(49):
        add_entry()
    assert count_queries(client, round.get_absolute_url()) == one


# Admin ---------------------------------------------------------------------------------


def test_published_criteria_are_read_only_in_the_admin(catalogue, client_as, personas):
    published = CriteriaVersion.objects.filter(status=CriteriaStatus.PUBLISHED).first()
    client = client_as(personas["admin"])
    url = reverse("admin:evaluations_criteriaversion_change", args=[published.pk])
    assert client.get(url).status_code == 200  # view only
    response = client.post(url, {"name": "Sửa tên"})
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.name != "Sửa tên"
    regime = Regime.objects.get(code="1048")
    url = reverse("admin:evaluations_regime_change", args=[regime.pk])
    assert client.post(url, {}).status_code == 403


def test_adding_a_linked_member_in_the_admin_excludes_them(
    scoring_round, board, client_as, personas
):
    entry = entries(scoring_round)[0]
    linked = UserFactory(email="giamdoc@namhuy.vn")
    producer = entry.dossier.product.producer
    producer.email = linked.email
    producer.save()
    council = board.council
    members = list(council.members.order_by("pk"))
    data = {
        "name": council.name,
        "level": council.level,
        "unit": council.unit_id,
        "active": "on",
        "members-TOTAL_FORMS": len(members) + 1,
        "members-INITIAL_FORMS": len(members),
        "members-MIN_NUM_FORMS": 0,
        "members-MAX_NUM_FORMS": 1000,
    }
    for index, member in enumerate([*members, None]):
        prefix = f"members-{index}"
        data[f"{prefix}-council"] = council.pk
        data[f"{prefix}-id"] = member.pk if member else ""
        data[f"{prefix}-user"] = member.user_id if member else linked.pk
        data[f"{prefix}-role"] = member.role if member else "member"
        data[f"{prefix}-title"] = member.title if member else "Chuyên gia tư vấn"
    response = client_as(personas["admin"]).post(
        reverse("admin:evaluations_council_change", args=[council.pk]), data
    )
    assert response.status_code == 302, response.content[:2000]
    exclusion = Exclusion.objects.get(member__user=linked)
    assert exclusion.entry == entry and linked.email in exclusion.reason
