"""Draft criteria sheets in the portal: the incomplete sheets load as drafts and list
what is missing; the provincial administrator corrects the blank or misprinted cells
against the printed decision, each correction audited, and publishes; published
versions stay immutable (services, portal and Django admin)."""

from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from accounts.models import AuditEvent, Role
from evaluations import criteria_drafts, services
from evaluations.catalogue import (
    CRITERIA_DIR,
    load_criteria,
    load_regimes,
    load_sheet,
    review,
)
from evaluations.models import (
    CriteriaStatus,
    CriteriaVersion,
    Criterion,
    CriterionGroup,
    CriterionOption,
)
from ocop_portal import demo
from ocop_portal.demo.base import ensure_mandate
from products.catalogue import load_catalogue
from tests.evaluations.factories import UserFactory
from tests.evaluations.scenario import TEST_SHEETS
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

LIST = reverse("evaluations:criteria-list")
REASON = "Đối chiếu bản in Quyết định 26/2026/QĐ-TTg, Phụ lục II, trang 48"
TEA = ("26/2026", 11)  # Chè tươi, chè chế biến
TEA_MISPRINT = ("6.1.1", "Có rất ít tạp chất, chấp nhận được")  # reads 11, max 2
TEA_BLANK = ("1.2", "Không được cấp giấy chứng nhận chất lượng")  # blank


# Helpers ----------------------------------------------------------------------------


def english_client(user) -> Client:
    """A signed-in client reading the pages in English (the source messages), so the
    assertions hold whatever the Vietnamese catalogue says."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def version_of(basis: str, number: int) -> CriteriaVersion:
    return (
        CriteriaVersion.objects.filter(basis=basis, product_set__number=number)
        .order_by("-version")
        .first()
    )


def option_of(version, code: str, text: str) -> CriterionOption:
    return CriterionOption.objects.get(
        criterion__part__version=version, criterion__code=code, text=text
    )


def blocking_of(version) -> list[str]:
    with translation.override("en"):
        return review(version).blocking


def correct(client, version, *, kind, target, points, reason=REASON, follow=False):
    return client.post(
        reverse("evaluations:criteria-correct", args=[version.pk]),
        {"kind": kind, "target": target, "points": points, "reason": reason},
        follow=follow,
    )


def corrections(version) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_object(version).filter(action="corrected"))


def incomplete_paths():
    return sorted(
        path
        for path in CRITERIA_DIR.rglob("*.yaml")
        if any(
            "incomplete" in part for part in path.relative_to(CRITERIA_DIR).parts[:-1]
        )
    )


DRAFT_SHEETS = [
    path.name
    for path in CRITERIA_DIR.rglob("*.yaml")
    if "incomplete" in path.parent.name
]


@pytest.fixture
def all_sheets(personas):
    """The test sheets and every incomplete sheet shipped (loading all 53 for each
    test would cost seconds); the personas by username."""
    load_catalogue()
    load_regimes()
    load_criteria(only={*TEST_SHEETS, *DRAFT_SHEETS})
    return personas


@pytest.fixture
def administrator(all_sheets):
    """A provincial administrator who is not a superuser: the role alone lets them
    correct and publish."""
    user = UserFactory(username="provadmin", organisation="Sở Nông nghiệp")
    ensure_mandate(
        user=user, role=Role.ADMINISTRATOR, unit=demo.unit(demo.PROVINCE_CODE)
    )
    return user


@pytest.fixture
def officer(all_sheets):
    """The provincial officer persona: reads the sheets, corrects nothing."""
    return all_sheets["province"]


@pytest.fixture
def tea(all_sheets) -> CriteriaVersion:
    version = version_of(*TEA)
    assert version.status == CriteriaStatus.DRAFT
    return version


# Incomplete sheets load as drafts and say what is missing ---------------------------


def test_every_incomplete_file_loads_as_a_draft_with_its_problems_on_the_page(
    administrator,
):
    client = english_client(administrator)
    paths = incomplete_paths()
    assert len(paths) >= 7
    listing = client.get(LIST).text
    for path in paths:
        version, created = load_sheet(path, draft=True)
        assert not created, f"{path.name} was not loaded by load_criteria"
        assert version.status == CriteriaStatus.DRAFT, path.name
        blocking = blocking_of(version)
        assert blocking, f"{path.name} loads as a draft with nothing missing"
        page = client.get(version.get_absolute_url())
        assert page.status_code == 200
        html = page.text
        assert 'data-testid="missing-list"' in html
        for message in blocking:
            assert escape(message) in html, (path.name, message)
        # Each item links to the anchor of its cell, which carries a correction form.
        anchors = _anchors(html)
        assert len(anchors) == len(blocking), path.name
        for anchor in anchors:
            kind, pk = anchor.split("-")
            assert f'id="{anchor}"' in html
            assert f'data-testid="correct-{kind}-{pk}"' in html
        assert 'data-testid="publish"' in html and "disabled" in _publish_button(html)
        row = _list_row(listing, version)
        assert 'data-status="draft"' in row
        assert f"{len(blocking)} problem" in row


def test_the_list_counts_problems_as_review_does_for_every_draft(all_sheets):
    drafts = CriteriaVersion.objects.filter(status=CriteriaStatus.DRAFT)
    counts = criteria_drafts.blocking_counts(drafts.values_list("pk", flat=True))
    assert drafts.count() >= 7
    for version in drafts:
        assert counts[version.pk] == len(review(version).blocking), version


def test_the_list_groups_the_sheets_by_basis_with_the_published_sets(
    officer, full_catalogue
):
    client = english_client(officer)
    response = client.get(LIST)
    assert response.status_code == 200
    sections = response.context["sections"]
    assert [s["basis"] for s in sections] == ["1048", "148", "26/2026"]
    by_basis = {s["basis"]: s for s in sections}
    assert by_basis["148"]["total_sets"] == 26
    assert by_basis["26/2026"]["total_sets"] == 26
    published_2026 = (
        CriteriaVersion.objects.filter(basis="26/2026", status="published")
        .values("product_set")
        .distinct()
        .count()
    )
    assert by_basis["26/2026"]["published_sets"] == published_2026 < 26
    assert f"{published_2026} of 26 sets have a published sheet" in response.text
    # 148's set 7 adds up to 99: badge "not 100".
    row = _list_row(response.text, version_of("148", 7))
    assert "not 100" in row and "99" in row

    drafts = client.get(LIST, {"basis": "26/2026", "status": "draft"})
    (section,) = drafts.context["sections"]
    assert section["basis"] == "26/2026"
    assert {v.status for v in section["versions"]} == {"draft"}
    assert version_of(*TEA) in section["versions"]
    # Unknown filter values are ignored.
    assert len(client.get(LIST, {"basis": "x", "status": "y"}).context["sections"]) == 3


def test_council_members_read_a_published_sheet_in_full(all_sheets, board):
    tourism = version_of("26/2026", 26)
    assert tourism.is_published
    client = english_client(board.members[0].user)
    assert 'data-testid="nav-criteria"' in client.get(LIST).text
    page = client.get(tourism.get_absolute_url()).text
    assert "choose one case" in page
    assert not tourism.disqualifier and 'data-testid="disqualifier"' not in page
    assert 'data-testid="missing"' not in page
    assert 'data-testid="correct-' not in page and 'data-testid="publish"' not in page
    criteria = Criterion.objects.filter(part__version=tourism)
    assert page.count('data-criterion="') == criteria.count()
    options = CriterionOption.objects.filter(criterion__part__version=tourism)
    assert (
        page.count('data-option="') == options.filter(criterion__yes_no=False).count()
    )
    assert page.count('data-testid="yes-no"') == criteria.filter(yes_no=True).count()
    # The tea sheet prints when a dossier is disqualified above its table.
    tea = version_of(*TEA)
    page = client.get(tea.get_absolute_url()).text
    assert tea.disqualifier.startswith("Hồ sơ bị loại khi")
    assert escape(tea.disqualifier) in page


def test_a_sheet_under_100_warns_of_its_real_maximum(officer):
    tea_148 = version_of("148", 11)
    assert tea_148.total_points == 97
    page = english_client(officer).get(tea_148.get_absolute_url()).text
    assert 'data-testid="not-100-warning"' in page
    assert "add up to 97 points, not 100" in page


# Correcting and publishing ----------------------------------------------------------


def test_administrator_corrects_the_tea_sheet_and_publishes_it(administrator, tea):
    client = english_client(administrator)
    misprint = option_of(tea, *TEA_MISPRINT)
    blank = option_of(tea, *TEA_BLANK)
    assert (misprint.points, blank.points) == (Decimal("11"), None)
    assert misprint.criterion.max_points == Decimal("2")
    page = client.get(tea.get_absolute_url()).text
    assert f'data-testid="correct-option-{misprint.pk}"' in page
    assert f'data-testid="correct-option-{blank.pk}"' in page
    assert f'href="#option-{misprint.pk}"' in page
    assert f'href="#option-{blank.pk}"' in page

    response = correct(client, tea, kind="option", target=misprint.pk, points="1")
    assert response.status_code == 302
    assert response.url == f"{tea.get_absolute_url()}#option-{misprint.pk}"
    followed = client.get(response.url)
    assert "The cell is corrected: 1 points." in followed.text
    response = correct(
        client, tea, kind="option", target=blank.pk, points="0", follow=True
    )
    assert response.status_code == 200

    misprint.refresh_from_db()
    blank.refresh_from_db()
    assert (misprint.points, blank.points) == (Decimal("1"), Decimal("0"))
    tea.refresh_from_db()
    assert tea.total_points == 100 and tea.status == CriteriaStatus.DRAFT
    page = client.get(tea.get_absolute_url()).text
    assert 'data-testid="nothing-missing"' in page
    assert 'data-testid="missing-list"' not in page
    assert 'data-testid="not-100-warning"' not in page
    assert '<span data-testid="version-total">100</span>' in page
    assert "disabled" not in _publish_button(page)
    assert "data-confirm=" in page

    events = corrections(tea)
    assert len(events) == 2
    by_key = {key: value for event in events for key, value in event.changes.items()}
    assert by_key["6.1.1 · Có rất ít tạp chất, chấp nhận được"] == ["11", "1"]
    assert by_key["1.2 · Không được cấp giấy chứng nhận chất lượng"] == ["", "0"]
    assert {event.reason for event in events} == {REASON}
    assert {event.actor for event in events} == {administrator}
    # The history at the bottom of the page shows them.
    assert "Cell corrected against the printed decision" in page
    assert escape(REASON) in page

    response = client.post(
        reverse("evaluations:criteria-publish", args=[tea.pk]), follow=True
    )
    assert "is published" in response.text
    tea.refresh_from_db()
    assert tea.status == CriteriaStatus.PUBLISHED and tea.published_at is not None
    assert tea.total_points == 100
    assert AuditEvent.objects.for_object(tea).filter(action="status").exists()
    page = client.get(tea.get_absolute_url()).text
    assert 'data-testid="correct-option-' not in page
    assert 'data-testid="publish"' not in page


def test_published_versions_refuse_corrections_everywhere(administrator, tea):
    translation.activate("en")  # the services' messages, in their source words
    option = option_of(tea, *TEA_MISPRINT)
    blank = option_of(tea, *TEA_BLANK)
    criteria_drafts.correct_option_points(
        option=option, points="1", user=administrator, reason=REASON
    )
    criteria_drafts.correct_option_points(
        option=blank, points="0", user=administrator, reason=REASON
    )
    services.publish_criteria(version=tea, user=administrator)
    events = AuditEvent.objects.for_object(tea).count()

    # The services.
    with pytest.raises(ValidationError, match="Published versions cannot be changed"):
        criteria_drafts.correct_option_points(
            option=option, points="2", user=administrator, reason=REASON
        )
    with pytest.raises(ValidationError, match="Published versions cannot be changed"):
        criteria_drafts.correct_criterion_max(
            criterion=option.criterion, points="3", user=administrator, reason=REASON
        )
    with pytest.raises(ValidationError, match="Published versions cannot be changed"):
        criteria_drafts.correct_group_max(
            group=option.criterion.group, points="3", user=administrator, reason=REASON
        )

    # The portal.
    client = english_client(administrator)
    response = correct(client, tea, kind="option", target=option.pk, points="2")
    assert response.status_code == 200
    assert "Published versions cannot be changed" in response.text
    response = client.post(
        reverse("evaluations:criteria-publish", args=[tea.pk]), follow=True
    )
    assert "This version is already published." in response.text
    option.refresh_from_db()
    assert option.points == Decimal("1")
    assert option.criterion.max_points == Decimal("2")
    assert AuditEvent.objects.for_object(tea).count() == events

    # The Django admin: the change pages are read-only, a POST is refused.
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(administrator.__class__.objects.get(username="admin"))
    criterion_url = reverse(
        "admin:evaluations_criterion_change", args=[option.criterion_id]
    )
    page = admin.get(criterion_url)
    assert page.status_code == 200 and 'name="_save"' not in page.text
    response = admin.post(
        criterion_url,
        {"code": "6.1.1", "name": "x", "max_points": "5", "position": "0"},
    )
    assert response.status_code == 403
    version_url = reverse("admin:evaluations_criteriaversion_change", args=[tea.pk])
    assert 'name="_save"' not in admin.get(version_url).text
    assert admin.post(version_url, {"name": "x"}).status_code == 403
    option.criterion.refresh_from_db()
    assert option.criterion.max_points == Decimal("2")
    # A draft stays editable in the admin.
    draft = version_of("26/2026", 23)
    draft_url = reverse("admin:evaluations_criteriaversion_change", args=[draft.pk])
    assert 'name="_save"' in admin.get(draft_url).text


def test_publishing_is_refused_while_a_problem_remains(administrator, tea):
    client = english_client(administrator)
    option = option_of(tea, *TEA_MISPRINT)
    correct(client, tea, kind="option", target=option.pk, points="1")
    (remaining,) = blocking_of(tea)
    assert "1.2" in remaining
    page = client.get(tea.get_absolute_url()).text
    assert "disabled" in _publish_button(page)
    assert 'data-testid="publish-help"' in page
    response = client.post(
        reverse("evaluations:criteria-publish", args=[tea.pk]), follow=True
    )
    assert "The sheet is not published" in response.text
    assert escape(remaining) in response.text
    tea.refresh_from_db()
    assert tea.status == CriteriaStatus.DRAFT and tea.published_at is None


def test_provincial_officer_reads_but_cannot_correct_or_publish(officer, tea):
    client = english_client(officer)
    option = option_of(tea, *TEA_MISPRINT)
    assert client.get(LIST).status_code == 200
    page = client.get(tea.get_absolute_url())
    assert page.status_code == 200
    assert escape(blocking_of(tea)[0]) in page.text
    assert 'data-testid="correct-option-' not in page.text
    assert 'data-testid="publish"' not in page.text
    assert 'data-testid="nav-criteria"' in page.text

    assert (
        correct(client, tea, kind="option", target=option.pk, points="1").status_code
        == 403
    )
    publish = client.post(reverse("evaluations:criteria-publish", args=[tea.pk]))
    assert publish.status_code == 403
    with pytest.raises(PermissionDenied):
        criteria_drafts.correct_option_points(
            option=option, points="1", user=officer, reason=REASON
        )
    option.refresh_from_db()
    tea.refresh_from_db()
    assert option.points == Decimal("11") and tea.status == CriteriaStatus.DRAFT
    assert corrections(tea) == []


def test_people_without_a_programme_role_cannot_read_the_sheets(all_sheets, tea):
    outsider = english_client(UserFactory(username="outsider"))
    assert outsider.get(LIST).status_code == 403
    assert outsider.get(tea.get_absolute_url()).status_code == 403
    assert 'data-testid="nav-criteria"' not in outsider.get("/portal/").text
    anonymous = english_client(None).get(tea.get_absolute_url())
    assert anonymous.status_code == 302 and "login" in anonymous.url
    admin = english_client(all_sheets["admin"])
    assert (
        admin.get(reverse("evaluations:criteria-detail", args=[999999])).status_code
        == 404
    )


@pytest.mark.parametrize(
    "points, reason, message",
    [
        ("abc", REASON, "Enter the points as a number"),
        ("-1", REASON, "The points cannot be negative."),
        ("1.234", REASON, "The points have at most 2 decimals"),
        ("", REASON, "Enter the points printed in the decision."),
        ("101", REASON, "The points cannot be more than 100"),
        ("NaN", REASON, "Enter the points as a number"),
        ("1", "   ", "Say what the correction was checked against"),
        ("11", REASON, "The cell already holds these points"),
    ],
)
def test_bad_input_gives_a_clear_message_and_changes_nothing(
    administrator, tea, points, reason, message
):
    client = english_client(administrator)
    option = option_of(tea, *TEA_MISPRINT)
    response = correct(
        client, tea, kind="option", target=option.pk, points=points, reason=reason
    )
    assert response.status_code == 200
    assert escape(message) in response.text
    # What was typed is still in the form, next to the cell.
    form = response.text.split(f'data-testid="correct-option-{option.pk}"')[1]
    form = form.split("</form>")[0]
    assert f'value="{escape(points)}"' in form
    assert f'<div class="invalid-feedback">{escape(message)}' in form
    option.refresh_from_db()
    assert option.points == Decimal("11")
    assert corrections(tea) == []


def test_cells_of_another_version_or_unknown_cells_are_not_found(administrator, tea):
    client = english_client(administrator)
    other = version_of("26/2026", 4)  # another draft
    other_option = option_of(other, "1.2", TEA_BLANK[1])
    criterion = Criterion.objects.filter(part__version=other).first()
    group = CriterionGroup.objects.filter(part__version=other).first()
    for kind, target in [
        ("option", other_option.pk),
        ("criterion", criterion.pk),
        ("group", group.pk),
        ("option", "999999"),
        ("option", "abc"),
        ("option", "²"),
        ("option", "9" * 30),
        ("cell", option_of(tea, *TEA_MISPRINT).pk),
    ]:
        response = correct(client, tea, kind=kind, target=target, points="0")
        assert response.status_code == 404, (kind, target)
    other_option.refresh_from_db()
    assert other_option.points is None
    assert corrections(tea) == [] and corrections(other) == []
    assert (
        client.get(reverse("evaluations:criteria-correct", args=[tea.pk])).status_code
        == 405
    )


# The other corrections ---------------------------------------------------------------


def test_group_maximum_correction_lets_the_flowers_sheet_publish(administrator):
    flowers = version_of("26/2026", 23)
    group = CriterionGroup.objects.get(part__version=flowers, code="9")
    assert group.max_points is None and len(blocking_of(flowers)) == 1
    client = english_client(administrator)
    page = client.get(flowers.get_absolute_url()).text
    assert f'href="#group-{group.pk}"' in page
    assert f'data-testid="correct-group-{group.pk}"' in page
    response = correct(client, flowers, kind="group", target=group.pk, points="4")
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.max_points == Decimal("4")
    (event,) = corrections(flowers)
    assert event.changes == {"9 (max)": ["", "4"]}
    services.publish_criteria(version=flowers, user=administrator)
    flowers.refresh_from_db()
    assert flowers.is_published and flowers.total_points == 100


def test_a_met_not_met_criterion_maximum_sets_its_met_answer(administrator, tea):
    criterion = (
        Criterion.objects.filter(part__version=tea, yes_no=True)
        .exclude(max_points=None)
        .first()
    )
    assert criterion is not None, "the tea sheet has a met / not met criterion"
    old = criterion.max_points
    new = old + Decimal("0.5")
    criteria_drafts.correct_criterion_max(
        criterion=criterion, points=str(new), user=administrator, reason=REASON
    )
    criterion.refresh_from_db()
    met, not_met = criterion.options.order_by("-position")
    assert criterion.max_points == new and met.points == new
    assert not_met.points == 0
    (event,) = corrections(tea)
    fmt = f"{new.normalize():f}"
    assert event.changes[f"{criterion.code} (max)"] == [f"{old.normalize():f}", fmt]
    assert event.changes[f"{criterion.code} · {met.text}"] == [
        f"{old.normalize():f}",
        fmt,
    ]
    tea.refresh_from_db()
    assert tea.total_points == Decimal("100.5")
    assert event.changes["total_points"] == ["100", "100.5"]
    # Corrected back: the option still above its maximum keeps the sheet a draft.
    criteria_drafts.correct_criterion_max(
        criterion=criterion, points=str(old), user=administrator, reason=REASON
    )
    tea.refresh_from_db()
    assert tea.total_points == 100 and len(blocking_of(tea)) == 2


def test_option_correction_leaves_the_criterion_maximum(administrator, tea):
    option = option_of(tea, *TEA_MISPRINT)
    criteria_drafts.correct_option_points(
        option=option, points="1,5", user=administrator, reason=REASON
    )
    option.refresh_from_db()
    option.criterion.refresh_from_db()
    assert option.points == Decimal("1.5")
    assert option.criterion.max_points == Decimal("2")


# Query counts -------------------------------------------------------------------------


def test_pages_make_a_fixed_number_of_queries(administrator, tea):
    client = english_client(administrator)
    small = version_of("26/2026", 23)
    assert Criterion.objects.filter(part__version=small).count() != (
        Criterion.objects.filter(part__version=tea).count()
    )
    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, tea.get_absolute_url()
    )
    before = count_queries(client, LIST)
    for code, text in (TEA_MISPRINT, TEA_BLANK):
        criteria_drafts.correct_option_points(
            option=option_of(tea, code, text),
            points="1" if code == "6.1.1" else "0",
            user=administrator,
            reason=REASON,
        )
    services.publish_criteria(version=tea, user=administrator)
    assert count_queries(client, LIST) == before


# Page helpers --------------------------------------------------------------------------


def _anchors(html: str) -> list[str]:
    section = html.split('data-testid="missing-list"')[1].split("</ul>")[0]
    return [part.split('"')[0] for part in section.split('href="#')[1:]]


def _publish_button(html: str) -> str:
    return html.split('data-testid="publish"')[1].split(">")[0]


def _list_row(html: str, version) -> str:
    return html.split(f'<tr data-version="{version.pk}">')[1].split("</tr>")[0]
