"""The self-assessment report (báo cáo tự đánh giá, Mẫu 02 of 26/2026/QĐ-TTg): the
commune officer records the producer's own scoring of a 2026 dossier on the sheet the
council will use; the advisory team and the council read it beside the members'
sheets, and it never counts in the mean."""

import datetime
from types import SimpleNamespace

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts.models import AuditEvent, User
from evaluations import advisory, results, scoring, services, sheets
from evaluations.catalogue import load_criteria, load_regimes, version_for_dossier
from evaluations.models import (
    CriterionOption,
    DisqualifierCheck,
    Regime,
    SelfAssessment,
)
from evaluations.self_assessment import save_self_assessment
from evaluations.sheets import criteria_tree as _criteria_tree
from ocop_portal import demo
from producers.services import create_producer
from products import process
from products.catalogue import load_catalogue
from products.models import AssessmentConclusion, DossierKind, ProductSet
from products.services import create_dossier, create_product
from regions.models import AdministrativeUnit
from regions.services import REFORM_DAY
from tests.evaluations.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    answer_all,
    pick_index,
)
from tests.producers.factories import give_mandate
from tests.products.factories import complete

# A Tuesday of 2026, under 26/2026/QĐ-TTg (from 22/5/2026).
DAY = datetime.date(2026, 9, 15)

pytestmark = pytest.mark.acting_on(DAY)

# Set 1 (Rau, củ, quả, hạt tươi) has a published 26/2026 sheet; set 7 (Chế biến từ
# rau, củ, quả, hạt) only a draft; set 26 (tourism) has groups of alternative cases.
FRESH, PROCESSED, TOURISM = 1, 7, 26

COMMUNE_REPORT = {
    "local_origin": "Rau trồng tại xã.",
    "local_labour": "10 lao động địa phương.",
    "idea_origin": "Ý tưởng của hợp tác xã.",
    "local_identity": "Giống rau truyền thống của vùng.",
}


def today_unit(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on(REFORM_DAY).get(name=name)


def english(user: User | None) -> Client:
    """A client signed in as `user`, reading the pages in English."""
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def world(merged_dong_thap, personas):
    """The catalogue and sheets; the officers of Xã Lai Vung and of another commune;
    the province's officer; the provincial council (chair, secretary, three members)
    and a member of another council."""
    load_catalogue()
    load_regimes()
    load_criteria()
    demo.seed_users()
    laivung = today_unit("Xã Lai Vung")
    other = (
        AdministrativeUnit.objects.filter(parent=merged_dong_thap)
        .exclude(pk=laivung.pk)
        .order_by("code")
        .first()
    )
    council = CouncilFactory(name="Hội đồng OCOP tỉnh Đồng Tháp", unit=merged_dong_thap)
    chair = CouncilMemberFactory(council=council, chair=True)
    secretary = CouncilMemberFactory(council=council, secretary=True)
    members = [CouncilMemberFactory(council=council) for _ in range(3)]
    return SimpleNamespace(
        officer=give_mandate(
            User.objects.create_user(username="xa.laivung", last_name="Trần"),
            laivung,
        ),
        other_officer=give_mandate(
            User.objects.create_user(username="xa.khac", last_name="Lê"), other
        ),
        province=User.objects.get(username="province"),
        council=council,
        chair=chair.user,
        secretary=secretary.user,
        scorers=[chair.user, secretary.user, *[m.user for m in members]],
        outsider=CouncilMemberFactory(
            council=CouncilFactory(name="Hội đồng khác", unit=merged_dong_thap)
        ).user,
    )


_registrations = iter(range(1402345600, 1402345700))


def new_dossier(world, set_number: int = FRESH):
    """A 2026 draft dossier of a product of Xã Lai Vung in set `set_number` (148's
    classification, which 26/2026 keeps)."""
    producer = create_producer(
        user=world.officer,
        kind="cooperative",
        name=f"Hợp tác xã Rau Lai Vung {set_number}",
        registration_number=str(next(_registrations)),
        legal_representative="Trần Văn Rau",
        commune=today_unit("Xã Lai Vung"),
    )
    product = create_product(
        user=world.officer,
        producer=producer,
        name=f"Rau sạch Lai Vung {set_number}",
        product_set=ProductSet.objects.get(
            classification__code="148", number=set_number
        ),
    )
    return create_dossier(
        user=world.officer, product=product, year=2026, kind=DossierKind.NEW
    )


def by_position(criterion):
    return sorted(criterion.options.all(), key=lambda o: o.position)


def capped_choices(criteria) -> dict[int, int]:
    """The best answer everywhere except the lowest on the first criterion that a star
    level requires: a high band, a star capped below it."""
    choices = {c.pk: max(by_position(c), key=lambda o: o.points).pk for c in criteria}
    required = next(
        c
        for c in criteria
        if c.required_for_stars or any(o.required_for_stars for o in c.options.all())
    )
    choices[required.pk] = by_position(required)[0].pk
    return choices


def form_data(choices: dict[int, int], assessed_by="Trần Văn Rau, Giám đốc HTX"):
    return {
        "assessed_by": assessed_by,
        **{f"c{criterion}": str(option) for criterion, option in choices.items()},
    }


def url(dossier) -> str:
    return f"/evaluations/dossiers/{dossier.pk}/self-assessment/"


def stored(dossier):
    assessment = SelfAssessment.objects.filter(dossier=dossier).first()
    if assessment is None:
        return None
    return (
        assessment.total,
        assessment.stars,
        assessment.assessed_by,
        dict(assessment.answers.values_list("criterion_id", "option_id")),
    )


# Filling it in ---------------------------------------------------------------------------


def test_the_officer_fills_a_partial_then_a_full_report_scored_as_the_council_would(
    world,
):
    dossier = new_dossier(world)
    version = version_for_dossier(dossier, day=DAY)
    assert version.basis == "26/2026" and version.is_published
    parts, criteria = _criteria_tree(version.pk)
    client = english(world.officer)

    page = client.get(url(dossier))
    html = page.content.decode()
    assert page.status_code == 200 and page.context["editable"]
    assert version.name in html and "Quyết định 26/2026/QĐ-TTg" in html
    assert 'name="assessed_by"' in html
    assert f'hx-post="{url(dossier)}totals/"' in html
    assert "js/evaluations.js" in html
    assert 'name="disqualifier_check"' not in html

    # A partial report: five criteria answered.
    partial = {c.pk: by_position(c)[-1].pk for c in criteria[:5]}
    response = client.post(url(dossier), form_data(partial))
    assert response.status_code == 302
    assessment = dossier.self_assessment
    expected = scoring.totals(parts, partial)
    assert assessment.criteria == version
    assert assessment.total == expected.total
    assert (assessment.band_stars, assessment.stars) == (expected.band, expected.stars)
    page = client.get(url(dossier))
    assert page.context["totals"].answered == 5
    assert f"5/{expected.count} criteria answered" in page.content.decode()

    # Completed: the star is capped by a criterion the 4★ or 5★ level requires.
    full = capped_choices(criteria)
    response = client.post(url(dossier), form_data(full, "Cán bộ xã Trần"))
    assert response.status_code == 302
    expected = scoring.totals(parts, full)
    assert expected.capped and expected.answered == expected.count
    assessment.refresh_from_db()
    assert assessment.total == expected.total
    assert assessment.band_stars == expected.band
    assert assessment.stars == expected.stars < expected.band
    with translation.override("vi"):  # stored in the portal's language
        assert assessment.cap_reason == expected.cap_reason != ""
    assert assessment.assessed_by == "Cán bộ xã Trần"
    assert assessment.recorded_by == world.officer
    assert stored(dossier)[3] == full
    assert {
        (a.criterion_id, a.points)
        for a in assessment.answers.all()
        if a.points != CriterionOption.objects.get(pk=a.option_id).points
    } == set()
    actions = list(
        AuditEvent.objects.for_object(assessment).values_list("action", flat=True)
    )
    assert sorted(actions) == ["created", "updated"]

    # Answering fewer again removes the answers dropped.
    client.post(url(dossier), form_data(partial))
    assert stored(dossier)[3] == partial


def test_the_live_totals_follow_the_ticks_without_saving(world):
    dossier = new_dossier(world)
    parts, criteria = _criteria_tree(version_for_dossier(dossier, day=DAY).pk)
    choices = {c.pk: by_position(c)[-1].pk for c in criteria[:3]}
    client = english(world.officer)
    response = client.post(f"{url(dossier)}totals/", form_data(choices))
    assert response.status_code == 200
    assert response.context["totals"].total == scoring.totals(parts, choices).total
    assert 'data-testid="sheet-totals"' in response.content.decode()
    # Garbage is ignored, never a 500.
    garbage = {"c999999": "x", f"c{criteria[0].pk}": "abc", "case1": "y"}
    response = client.post(f"{url(dossier)}totals/", garbage)
    assert response.status_code == 200 and response.context["totals"].total == 0
    assert not SelfAssessment.objects.exists()


# On the dossier, the advisory team's and the council's pages -----------------------------


def test_the_report_goes_with_the_dossier_to_the_advisory_team_and_the_council(world):
    dossier = new_dossier(world)
    parts, criteria = _criteria_tree(version_for_dossier(dossier, day=DAY).pk)
    officer = english(world.officer)

    # The dossier's page: the officer's button to fill it.
    page = officer.get(dossier.get_absolute_url())
    html = page.content.decode()
    assert page.context["can_self_assess"] and page.context["self_assessment"] is None
    assert 'data-testid="self-assessment-fill"' in html

    # Still open while the commune checks it.
    dossier = process.submit_dossier(dossier=complete(dossier), user=world.officer)
    assert dossier.status == "with_commune"
    choices = capped_choices(criteria)
    assert officer.post(url(dossier), form_data(choices)).status_code == 302
    own = scoring.totals(parts, choices)

    page = officer.get(dossier.get_absolute_url())
    html = page.content.decode()
    assert 'data-testid="self-assessment-summary"' in html
    assert "Not counted in the council's mean" in html
    assert f'href="{url(dossier)}"' in html
    assert page.context["self_assessment"].total == own.total
    assert page.context["self_assessment"].answered == own.count

    # Proposed by the commune: the report is kept as it was.
    process.assess_at_commune(
        dossier=dossier,
        user=world.officer,
        conclusion=AssessmentConclusion.PROPOSE,
        **COMMUNE_REPORT,
    )
    before = stored(dossier)
    page = officer.get(url(dossier))
    assert page.status_code == 200 and not page.context["editable"]
    assert 'name="assessed_by"' not in page.content.decode()
    assert 'data-testid="self-assessment-closed"' in page.content.decode()
    response = officer.post(url(dossier), form_data({}), follow=True)
    assert "can no longer change" in response.content.decode()
    assert stored(dossier) == before
    with pytest.raises(ValidationError):
        save_self_assessment(
            dossier=dossier, user=world.officer, choices={}, assessed_by="x"
        )
    assert not officer.get(dossier.get_absolute_url()).context["can_self_assess"]

    # The province accepts; its officer reads the report beside the advisory form.
    dossier = process.accept_dossier(dossier=dossier, user=world.province)
    province = english(world.province)
    page = province.get(f"/evaluations/dossiers/{dossier.pk}/advisory-report/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="self-assessment-summary"' in html
    assert "Not counted in the council's mean" in html
    assert page.context["self_assessment"].total == own.total
    # Read-only for the province; nobody but the compiling officer writes it.
    page = province.get(url(dossier))
    assert page.status_code == 200 and not page.context["editable"]
    assert province.post(url(dossier), form_data({})).status_code == 403
    assert province.post(f"{url(dossier)}totals/", {}).status_code == 403

    advisory.record_advisory_report(
        dossier=dossier,
        user=world.province,
        team="Tổ tư vấn Hội đồng OCOP tỉnh",
        findings="Hồ sơ đầy đủ.",
        recommendation="Đề nghị Hội đồng đánh giá.",
    )
    round = services.create_round(
        user=world.province,
        council=world.council,
        regime=Regime.objects.get(code="26/2026"),
        name="Đánh giá, phân hạng sản phẩm OCOP tỉnh năm 2026 – đợt 2",
        year=2026,
    )
    # A member reads it only once a round of their council holds the dossier.
    member = english(world.scorers[-1])
    assert member.get(url(dossier)).status_code == 404
    dossier.refresh_from_db()
    entry = services.assign_dossier(round=round, dossier=dossier, user=world.secretary)
    services.open_scoring(round=round, user=world.secretary)
    page = member.get(url(dossier))
    assert page.status_code == 200 and not page.context["editable"]
    assert page.context["totals"].total == own.total
    assert not page.context["dossier_visible"]
    assert english(world.outsider).get(url(dossier)).status_code == 404

    totals = []
    for index, user in enumerate(world.scorers):
        sheet = sheets.open_sheet(entry=entry, user=user)
        sheet = sheets.submit_sheet(
            sheet=sheet,
            user=user,
            choices=answer_all(sheet, pick_index(1 + index % 2)),
            disqualifier_check=DisqualifierCheck.CLEAR,
        )
        totals.append(sheet.total)
    assert own.total not in totals

    # Beside the members' totals on the entry page, marked as not counted.
    page = english(world.secretary).get(f"/evaluations/entries/{entry.pk}/")
    html = page.content.decode()
    assert 'data-testid="self-assessment-row"' in html
    assert "Not counted in the mean" in html
    assert 'data-testid="self-assessment-summary"' in html
    assert page.context["aggregate"].mean == scoring.mean_of(totals)

    # Never counted: the mean is the members' alone.
    (result,) = results.finalise_round(round=round, user=world.secretary)
    assert result.mean_total == scoring.mean_of(totals)
    assert result.mean_total != scoring.mean_of([*totals, own.total])

    # The entry page reads the report in a fixed number of queries.
    secretary = english(world.secretary)
    entry_page = f"/evaluations/entries/{entry.pk}/"
    with CaptureQueriesContext(connection) as queries:
        assert secretary.get(entry_page).status_code == 200
    with_report = len(queries)
    SelfAssessment.objects.filter(dossier=dossier).delete()
    with CaptureQueriesContext(connection) as queries:
        html = secretary.get(entry_page).content.decode()
    assert len(queries) == with_report
    assert 'data-testid="self-assessment-row"' not in html


# Who may fill or read it -------------------------------------------------------------------


def test_another_communes_officer_neither_reads_nor_writes_it(world):
    dossier = new_dossier(world)
    _parts, criteria = _criteria_tree(version_for_dossier(dossier, day=DAY).pk)
    choices = {criteria[0].pk: by_position(criteria[0])[-1].pk}
    english(world.officer).post(url(dossier), form_data(choices))
    before = stored(dossier)
    other = english(world.other_officer)
    assert other.get(url(dossier)).status_code == 404
    assert other.post(url(dossier), form_data({})).status_code == 404
    assert other.post(f"{url(dossier)}totals/", {}).status_code == 404
    with pytest.raises(PermissionDenied):
        save_self_assessment(
            dossier=dossier, user=world.other_officer, choices={}, assessed_by="x"
        )
    assert stored(dossier) == before


# Bad input ------------------------------------------------------------------------------------


def test_answers_that_are_not_the_sheets_give_a_message_and_change_nothing(world):
    dossier = new_dossier(world)
    version = version_for_dossier(dossier, day=DAY)
    _parts, criteria = _criteria_tree(version.pk)
    client = english(world.officer)
    good = {c.pk: by_position(c)[-1].pk for c in criteria[:4]}
    assert client.post(url(dossier), form_data(good)).status_code == 302
    before = stored(dossier)

    first, second = criteria[0], criteria[1]
    elsewhere = CriterionOption.objects.exclude(
        criterion__part__version=version
    ).first()
    for data in (
        # Another criterion's option, another sheet's, garbage, a criterion of no sheet.
        {**form_data(good), f"c{first.pk}": str(by_position(second)[0].pk)},
        {**form_data(good), f"c{first.pk}": str(elsewhere.pk)},
        {**form_data(good), f"c{first.pk}": "abc"},
        {**form_data(good), f"c{first.pk}": "1e9"},
    ):
        response = client.post(url(dossier), data)
        assert response.status_code == 200
        html = response.content.decode()
        assert "An answer does not belong to this sheet&#x27;s criteria." in html
        assert 'name="assessed_by"' in html
        assert stored(dossier) == before
    # Unknown fields are ignored.
    response = client.post(url(dossier), {**form_data(good), "c999999999": "1"})
    assert response.status_code == 302 and stored(dossier) == before

    # Who scored must be said; what was ticked stays on the page.
    response = client.post(url(dossier), form_data(good, assessed_by="  "))
    assert response.status_code == 200
    assert response.context["form"].errors["assessed_by"]
    assert response.context["totals"].answered == 4
    assert stored(dossier) == before

    with pytest.raises(ValidationError):
        save_self_assessment(
            dossier=dossier,
            user=world.officer,
            choices={first.pk: by_position(second)[0].pk},
            assessed_by="x",
        )
    assert stored(dossier) == before


def test_two_cases_of_a_group_of_alternatives_are_refused(world):
    dossier = new_dossier(world, TOURISM)
    version = version_for_dossier(dossier, day=DAY)
    _parts, criteria = _criteria_tree(version.pk)
    cases = [c for c in criteria if c.group.alternatives]
    group = cases[0].group_id
    one, two = [c for c in cases if c.group_id == group][:2]
    choices = {one.pk: by_position(one)[-1].pk, two.pk: by_position(two)[-1].pk}
    client = english(world.officer)
    response = client.post(url(dossier), form_data(choices))
    assert response.status_code == 200
    assert "alternative cases" in response.content.decode()
    assert stored(dossier) is None
    with pytest.raises(ValidationError), translation.override("en"):
        save_self_assessment(
            dossier=dossier, user=world.officer, choices=choices, assessed_by="x"
        )
    # One case is fine; the case chosen on the page drops the other's answers.
    response = client.post(url(dossier), {**form_data(choices), f"case{group}": one.pk})
    assert response.status_code == 302
    assert stored(dossier)[3] == {one.pk: by_position(one)[-1].pk}


def test_a_set_without_a_published_sheet_says_so_and_offers_no_form(world):
    dossier = new_dossier(world, PROCESSED)
    assert version_for_dossier(dossier, day=DAY) is None
    client = english(world.officer)
    page = client.get(url(dossier))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="self-assessment-no-sheet"' in html
    assert "There is no published sheet for this product set" in html
    assert "Quyết định 26/2026/QĐ-TTg" in html
    assert 'name="assessed_by"' not in html and 'id="sheet-form"' not in html
    response = client.post(url(dossier), {"assessed_by": "x"}, follow=True)
    assert "There is no published sheet" in response.content.decode()
    assert client.post(f"{url(dossier)}totals/", {}).status_code == 404
    with pytest.raises(ValidationError):
        save_self_assessment(
            dossier=dossier, user=world.officer, choices={}, assessed_by="x"
        )
    assert not SelfAssessment.objects.exists()


# Queries -------------------------------------------------------------------------------------


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_pages_show_it_with_a_fixed_number_of_queries(world):
    dossier = new_dossier(world)
    _parts, criteria = _criteria_tree(version_for_dossier(dossier, day=DAY).pk)
    dossier = process.submit_dossier(dossier=complete(dossier), user=world.officer)
    officer = english(world.officer)
    dossier_page = dossier.get_absolute_url()
    without = _count(officer, dossier_page)
    save_self_assessment(
        dossier=dossier,
        user=world.officer,
        choices=capped_choices(criteria),
        assessed_by="Trần Văn Rau",
    )
    assert _count(officer, dossier_page) == without

    process.assess_at_commune(
        dossier=dossier,
        user=world.officer,
        conclusion=AssessmentConclusion.PROPOSE,
        **COMMUNE_REPORT,
    )
    dossier = process.accept_dossier(dossier=dossier, user=world.province)
    province = english(world.province)
    advisory_page = f"/evaluations/dossiers/{dossier.pk}/advisory-report/"
    with_report = _count(province, advisory_page)
    SelfAssessment.objects.filter(dossier=dossier).delete()
    assert _count(province, advisory_page) == with_report


# The permission matrix's rows (tests/evaluations/test_permissions.py) ---------------------

PERSONA_STATUSES = {
    # persona: (GET page, empty POST page, GET totals, empty POST totals)
    "anonymous": (302, 302, 302, 302),
    "laivung": (200, 200, 405, 200),
    "member": (404, 404, 405, 404),
    "other": (404, 404, 405, 404),
    "secretary": (404, 404, 405, 404),
    "chair": (404, 404, 405, 404),
    "province": (200, 403, 405, 403),
}


@pytest.mark.acting_on(demo.DEMO_DAY)
def test_who_reaches_the_pages_of_a_2021_draft(board, personas):
    from tests.products.factories import DossierFactory

    dossier = DossierFactory(classification="1048")
    users = {
        "anonymous": None,
        "laivung": personas["laivung"],
        "member": board.members[0].user,
        "other": board.other.user,
        "secretary": board.secretary.user,
        "chair": board.chair.user,
        "province": personas["province"],
    }
    seen = {}
    for persona, user in users.items():
        client = english(user)
        seen[persona] = (
            client.get(url(dossier)).status_code,
            client.post(url(dossier)).status_code,
            client.get(f"{url(dossier)}totals/").status_code,
            client.post(f"{url(dossier)}totals/").status_code,
        )
    assert seen == PERSONA_STATUSES
    assert not SelfAssessment.objects.exists()
