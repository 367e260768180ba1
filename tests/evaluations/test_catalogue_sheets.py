"""Every criteria sheet shipped loads, as published or as a draft, with the parts and
maxima its header states; the sheet a dossier is scored on is the one of its rules'
date; the shapes of the data (a yes/no criterion, alternative cases, the disqualifier
line, a maximum under 100) score as the decisions print them."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from evaluations import scoring, services
from evaluations.catalogue import (
    CRITERIA_DIR,
    basis_for_dossier,
    load_criteria,
    version_for_dossier,
)
from evaluations.forms import ScoreSheetForm
from evaluations.models import CriteriaStatus, CriteriaVersion, Criterion, RoundStatus
from evaluations.sheets import check_cases, missing_answers
from evaluations.sheets import criteria_tree as _criteria_tree
from products.models import DossierProcess, DossierStatus, ProductSet
from tests.evaluations import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages read in English (the source text)."""
    with translation.override("en"):
        yield


SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "criteria"
FILES = sorted(CRITERIA_DIR.rglob("*.yaml"))


def _sheet(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _version_of(path: Path) -> CriteriaVersion:
    sheet = _sheet(path)
    basis = str(sheet["legal_basis"]).split("/QĐ")[0]
    found = CriteriaVersion.objects.filter(basis=basis)
    if sheet.get("product_set_no"):
        return found.get(product_set__number=sheet["product_set_no"])
    return found.get()


def test_the_shipped_sheets_are_the_reference_data_unchanged():
    assert len(FILES) == 53
    if not SHARED.exists():
        pytest.skip("the reference data folder is not beside this checkout")
    shared = sorted(SHARED.rglob("*.yaml"))
    assert [p.relative_to(SHARED) for p in shared] == [
        p.relative_to(CRITERIA_DIR) for p in FILES
    ]
    for ours, theirs in zip(FILES, shared, strict=True):
        assert ours.read_bytes() == theirs.read_bytes(), ours.name


def test_every_sheet_loads_with_the_parts_and_maxima_of_its_header(full_catalogue):
    assert CriteriaVersion.objects.count() == len(FILES)
    for path in FILES:
        sheet = _sheet(path)
        version = _version_of(path)
        incomplete = "incomplete" in path.parent.name
        assert version.status == (
            CriteriaStatus.DRAFT if incomplete else CriteriaStatus.PUBLISHED
        ), path.name
        parts = {p.code: p.max_points for p in version.parts.all()}
        assert parts == {
            p["code"]: Decimal(str(p["max_points"])) for p in sheet["parts"]
        }, path.name
        assert version.parts.count() == len(sheet["parts"])
        criteria = sum(len(g["criteria"]) for p in sheet["parts"] for g in p["groups"])
        assert Criterion.objects.filter(part__version=version).count() == criteria
        validation = sheet.get("validation", {}).get("total")
        if not incomplete and validation:
            # The real maximum, one case per group of alternatives, the yes/no
            # criteria at their points: what the transcriber's check counted.
            assert version.total_points == Decimal(
                str(validation["sum_of_option_maxima"])
            ), path.name


def test_sets_scorable_per_decision(full_catalogue):
    published = CriteriaVersion.objects.filter(status=CriteriaStatus.PUBLISHED)
    by_basis = {
        basis: published.filter(basis=basis).values("product_set").distinct().count()
        for basis in ("1048", "148", "26/2026")
    }
    assert by_basis == {"1048": 1, "148": 24, "26/2026": 21}
    drafts = CriteriaVersion.objects.filter(status=CriteriaStatus.DRAFT)
    assert sorted(
        drafts.filter(basis="26/2026").values_list("product_set__number", flat=True)
    ) == [4, 7, 10, 11, 23]
    assert sorted(
        drafts.filter(basis="148").values_list("product_set__number", flat=True)
    ) == [17, 18]


def test_loading_again_changes_nothing(full_catalogue):
    before = list(CriteriaVersion.objects.values_list("pk", "checksum", "status"))
    assert not any(created for _version, created in load_criteria())
    assert (
        list(CriteriaVersion.objects.values_list("pk", "checksum", "status")) == before
    )


def test_drafts_name_what_is_missing(catalogue):
    from evaluations.catalogue import review

    tea = CriteriaVersion.objects.get(basis="26/2026", product_set__number=11)
    problems = review(tea).blocking
    assert len(problems) == 2
    assert any("1.2" in p and "Không được cấp" in p for p in problems)
    assert any("6.1.1" in p and "11" in p for p in problems)
    load_criteria(only=["26-2026-hoa.yaml"])
    flowers = CriteriaVersion.objects.get(basis="26/2026", product_set__number=23)
    # The group's points cell does not hold one number; its criterion's options do.
    assert [p.split(":")[0] for p in review(flowers).blocking] == ["Group 9"]
    assert "HELD BACK" in tea.notes


def test_disqualifier_line_is_kept_for_the_2026_sheets(full_catalogue):
    # Every 2026 sheet prints the line but the tourism one (set 26).
    without = CriteriaVersion.objects.filter(basis="26/2026", disqualifier="")
    assert list(without.values_list("product_set__number", flat=True)) == [26]
    for version in CriteriaVersion.objects.filter(basis="26/2026").exclude(
        pk__in=without
    ):
        assert "loại khi:" in version.disqualifier, version
    assert not CriteriaVersion.objects.filter(basis="148").exclude(disqualifier="")


def test_a_sheet_under_100_states_its_real_maximum(catalogue):
    tea_148 = CriteriaVersion.objects.get(basis="148", product_set__number=11)
    assert tea_148.total_points == 97 and not tea_148.is_full_marks
    parts, _criteria = _criteria_tree(tea_148.pk)
    assert scoring.totals(parts, {}).maximum == 97


# The sheet of a dossier's date ------------------------------------------------------


def _dossier_submitted(
    day: datetime.date, *, set_number: int = 1, classification="148"
):
    product = scenario.product(classification=classification, set_number=set_number)
    dossier = scenario.dossier(
        product=product, year=day.year, status=DossierStatus.DRAFT
    )
    dossier.submitted_at = timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(9))
    )
    dossier.save(update_fields=["submitted_at"])
    return dossier


@pytest.mark.parametrize(
    ("day", "basis"),
    [
        # 148/QĐ-TTg is dated 24/02/2023 (reference/ocop-domain.md); the issue says
        # 22/02: both days before it still score on 1048.
        (datetime.date(2023, 2, 21), "1048"),
        (datetime.date(2023, 2, 22), "1048"),
        (datetime.date(2023, 2, 23), "1048"),
        (datetime.date(2023, 2, 24), "148"),
        # 1489 (6/7/2025) amended 148's process, not its sheets.
        (datetime.date(2025, 7, 5), "148"),
        (datetime.date(2025, 7, 6), "148"),
        (datetime.date(2026, 5, 21), "148"),
        (datetime.date(2026, 5, 22), "26/2026"),
    ],
)
def test_the_sheet_is_that_of_the_submission_day(catalogue, day, basis):
    dossier = _dossier_submitted(day)
    assert basis_for_dossier(dossier) == basis
    version = version_for_dossier(dossier)
    if basis == "1048":
        # 1048 has one sheet transcribed (set 7 of its own classification): a 148
        # set has none under 1048, and none is guessed.
        assert version is None
    else:
        assert (
            version.basis == basis
            and version.product_set == dossier.product.product_set
        )


def test_dieu_12_a_dossier_submitted_before_22_5_2026_keeps_the_148_sheet(
    full_catalogue,
):
    """Submitted under 1489 on 10/5/2026, scored in a 26/2026 round in June: the sheets
    of 2021–2025 (Điều 12.2), while a dossier submitted on 1/6/2026 takes 26/2026's."""
    council = scenario.council()
    round = scenario.round_(
        council=council, regime="26/2026", year=2026, status=RoundStatus.PREPARING
    )
    pending = _dossier_submitted(datetime.date(2026, 5, 10))
    pending.process = DossierProcess.objects.get(code="1489")
    pending.save(update_fields=["process"])
    new = _dossier_submitted(datetime.date(2026, 6, 1))
    new.process = DossierProcess.objects.get(code="26/2026")
    new.save(update_fields=["process"])
    assert version_for_dossier(pending, regime=round.regime).basis == "148"
    assert version_for_dossier(new, regime=round.regime).basis == "26/2026"


def test_a_set_without_a_published_sheet_is_refused_by_name(catalogue):
    council = scenario.council()
    round = scenario.round_(
        council=council, regime="26/2026", year=2026, status=RoundStatus.PREPARING
    )
    dossier = _dossier_submitted(
        datetime.date(2026, 6, 1), set_number=11
    )  # draft sheet
    dossier.process = DossierProcess.objects.get(code="26/2026")
    dossier.status = DossierStatus.REVIEWED
    dossier.save()
    with pytest.raises(ValidationError) as refused:
        services.assign_dossier(
            round=round, dossier=dossier, user=scenario.secretary(council)
        )
    message = " ".join(refused.value.messages)
    assert "26/2026" in message and "Chè tươi, chè chế biến" in message


# Shapes of the sheets ---------------------------------------------------------------


def _tree(basis: str, set_number: int):
    version = CriteriaVersion.objects.get(
        basis=basis, product_set__number=set_number, status=CriteriaStatus.PUBLISHED
    )
    parts, criteria = _criteria_tree(version.pk)
    return version, parts, {c.code: c for c in criteria}


def _best(criteria, skip=()):
    choices = {}
    for code, criterion in criteria.items():
        if code in skip or (criterion.group.alternatives and not code.endswith(".a")):
            continue
        choices[criterion.pk] = max(criterion.options.all(), key=lambda o: o.points).pk
    return choices


def test_a_criterion_with_points_and_no_options_is_met_or_not(catalogue):
    version, parts, criteria = _tree("26/2026", 1)
    bilingual = criteria["2.4"]
    assert bilingual.yes_no and bilingual.max_points == 1
    no, yes = sorted(bilingual.options.all(), key=lambda o: o.position)
    assert (no.text, no.points, yes.text, yes.points) == ("Không đạt", 0, "Đạt", 1)
    choices = _best(criteria)
    assert scoring.totals(parts, choices).total == 100
    choices[bilingual.pk] = no.pk
    assert scoring.totals(parts, choices).total == 99


def test_alternative_cases_score_one_case(catalogue):
    version, parts, criteria = _tree("26/2026", 26)
    groups = {c.group.code for c in criteria.values() if c.group.alternatives}
    assert groups == {"8", "9", "15"}
    choices = _best(criteria)
    totals = scoring.totals(parts, choices)
    assert totals.total == 100 and totals.maximum == 100
    assert totals.answered == totals.count
    answered = set(choices)
    assert missing_answers(version.pk, answered) == []
    # Both cases of group 8 answered: refused.
    case_b = criteria["8.b"]
    with pytest.raises(ValidationError):
        check_cases(version.pk, answered | {case_b.pk})
    # Neither case: the group is missing, named with its cases.
    assert missing_answers(version.pk, answered - {criteria["8.a"].pk}) == [
        "8 (one of 8.a, 8.b)"
    ]


def test_the_form_drops_the_case_not_chosen(catalogue):
    version, parts, criteria = _tree("26/2026", 26)
    case_a, case_b = criteria["8.a"], criteria["8.b"]
    data = {
        f"c{case_a.pk}": case_a.options.all()[0].pk,
        f"c{case_b.pk}": case_b.options.all()[1].pk,
        f"case{case_a.group_id}": case_b.pk,
    }
    form = ScoreSheetForm(data, criteria=list(criteria.values()))
    assert form.is_valid(), form.errors
    assert form.choices() == {case_b.pk: case_b.options.all()[1].pk}


def test_the_live_sheet_shows_band_capped_star_and_reason(catalogue):
    version, parts, criteria = _tree("148", 1)
    choices = _best(criteria)
    totals = scoring.totals(parts, choices)
    assert (totals.band, totals.stars, totals.cap_reason) == (5, 5, "")
    # The lowest answer of a criterion marked for 3★ caps the star at 2★ whatever the
    # total, and says which criterion and how many points.
    marked = next(
        c
        for c in criteria.values()
        if any(o.required_for_stars == 3 for o in c.options.all())
    )
    lowest = min(marked.options.all(), key=lambda o: o.points)
    choices[marked.pk] = lowest.pk
    totals = scoring.totals(parts, choices)
    needed = min(o.points for o in marked.options.all() if o.required_for_stars == 3)
    assert totals.band >= 4 and totals.stars == 2
    assert (
        totals.cap_reason
        == f"3★ needs criterion {marked.code} ≥ {needed.normalize():f} points"
    )


def test_every_published_set_matches_its_product_set(full_catalogue):
    for version in CriteriaVersion.objects.select_related(
        "product_set__classification"
    ):
        expected = "1048" if version.basis == "1048" else "148"
        assert version.product_set.classification.code == expected
    assert ProductSet.objects.filter(classification__code="148").count() == 26
