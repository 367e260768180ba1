"""Services of councils, rounds, assignment, conflicts of interest and score sheets,
against the real database and the real 1048 sheet."""

from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import AuditEvent
from evaluations import services, sheets
from evaluations.models import (
    Answer,
    CriteriaStatus,
    CriteriaVersion,
    Exclusion,
    ExclusionSource,
    Regime,
    RoundEntry,
    RoundStatus,
    ScoreSheet,
    SheetStatus,
)
from evaluations.results import entry_aggregates
from products.models import DossierStatus, EvaluationLevel, ProductSet
from tests.evaluations.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    RoundFactory,
    UserFactory,
    answer_all,
    pick_index,
)
from tests.producers.factories import ProducerFactory
from tests.products.factories import DossierFactory

# Rounds ------------------------------------------------------------------------------


def test_provincial_officer_creates_a_round_at_the_councils_level(board, personas):
    round = services.create_round(
        user=personas["province"],
        council=board.council,
        regime=Regime.objects.get(code="1048"),
        name="Đánh giá cấp tỉnh 2021",
        year=2021,
    )
    assert round.status == RoundStatus.PREPARING
    assert round.level == EvaluationLevel.PROVINCE
    assert round.spread_threshold == Decimal("10")
    assert round.quorum == Decimal("0.75")
    assert AuditEvent.objects.for_object(round).get().action == "created"


def test_secretary_creates_a_round_for_their_council(board):
    round = services.create_round(
        user=board.secretary.user,
        council=board.council,
        regime=Regime.objects.get(code="1048"),
        name="Đợt 2",
        year=2021,
        spread_threshold=Decimal("8"),
        quorum=Decimal("0.8"),
    )
    assert (round.spread_threshold, round.quorum) == (Decimal("8"), Decimal("0.8"))


@pytest.mark.parametrize("who", ["member", "laivung", "other"])
def test_others_cannot_create_a_round(board, personas, who):
    user = {
        "member": board.members[0].user,
        "laivung": personas["laivung"],
        "other": board.other.user,
    }[who]
    with pytest.raises(PermissionDenied):
        services.create_round(
            user=user,
            council=board.council,
            regime=Regime.objects.get(code="1048"),
            name="x",
            year=2021,
        )


def test_district_round_under_1489_is_refused(board, personas):
    district_council = board.other.council
    with pytest.raises(ValidationError, match="1489"):
        services.create_round(
            user=personas["province"],
            council=district_council,
            regime=Regime.objects.get(code="1489"),
            name="x",
            year=2025,
        )


def test_regime_not_in_force_that_year_is_refused(board, personas):
    with pytest.raises(ValidationError):
        services.create_round(
            user=personas["province"],
            council=board.council,
            regime=Regime.objects.get(code="148"),
            name="x",
            year=2021,
        )


def test_opening_scoring_needs_an_entry_and_a_manager(preparing_round, board):
    with pytest.raises(ValidationError):
        services.open_scoring(round=preparing_round, user=board.secretary.user)
    services.assign_dossier(
        round=preparing_round,
        dossier=DossierFactory(accepted=True, classification="1048"),
        user=board.secretary.user,
    )
    with pytest.raises(PermissionDenied):
        services.open_scoring(round=preparing_round, user=board.members[0].user)
    round = services.open_scoring(round=preparing_round, user=board.chair.user)
    assert round.status == RoundStatus.SCORING and round.scoring_opened_at
    with pytest.raises(ValidationError):
        services.open_scoring(round=round, user=board.chair.user)


# Assignment --------------------------------------------------------------------------


def test_assignment_freezes_the_entry_to_the_published_sheet(preparing_round, board):
    dossier = DossierFactory(accepted=True, classification="1048")
    entry = services.assign_dossier(
        round=preparing_round, dossier=dossier, user=board.secretary.user
    )
    published = CriteriaVersion.objects.get(
        product_set=dossier.product.product_set, status=CriteriaStatus.PUBLISHED
    )
    assert entry.criteria == published
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_EVALUATION
    assert dossier.level == EvaluationLevel.PROVINCE
    # A new published version later does not move the entry.
    published.pk = None
    published.version = 2
    published.save()
    entry.refresh_from_db()
    assert entry.criteria_id != published.pk


def test_forwarded_dossier_of_the_rounds_level_is_assigned(preparing_round, board):
    dossier = DossierFactory(forwarded=True, classification="1048")
    services.assign_dossier(
        round=preparing_round, dossier=dossier, user=board.secretary.user
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.UNDER_EVALUATION


@pytest.mark.parametrize(
    "dossier_kwargs",
    [
        {"status": DossierStatus.SUBMITTED},
        {"status": DossierStatus.DRAFT},
        {"status": DossierStatus.FORWARDED, "level": EvaluationLevel.NATIONAL},
        {"year": 2020},
    ],
    ids=["submitted", "draft", "forwarded-elsewhere", "other-year"],
)
def test_ineligible_dossiers_are_refused(preparing_round, board, dossier_kwargs):
    dossier = DossierFactory(accepted=True, classification="1048", **dossier_kwargs)
    with pytest.raises(ValidationError):
        services.assign_dossier(
            round=preparing_round, dossier=dossier, user=board.secretary.user
        )
    assert not RoundEntry.objects.exists()


def test_district_council_takes_only_its_districts_dossiers(board):
    round = RoundFactory(council=board.other.council)
    manager = CouncilMemberFactory(council=board.other.council, secretary=True)
    thap_muoi = DossierFactory(
        accepted=True,
        classification="1048",
        product__producer=ProducerFactory(
            commune=board.council.unit.children.get(code="872").children.first()
        ),
    )
    with pytest.raises(ValidationError, match=thap_muoi.product.name):
        services.assign_dossier(round=round, dossier=thap_muoi, user=manager.user)
    services.assign_dossier(
        round=round,
        dossier=DossierFactory(accepted=True, classification="1048"),
        user=manager.user,
    )


def test_a_set_without_a_published_sheet_is_refused_naming_the_set(
    preparing_round, board
):
    product_set = ProductSet.objects.get(classification__code="1048", number=13)
    dossier = DossierFactory(accepted=True, product__product_set=product_set)
    with pytest.raises(ValidationError) as error:
        services.assign_dossier(
            round=preparing_round, dossier=dossier, user=board.secretary.user
        )
    assert product_set.name in " ".join(error.value.messages)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.ACCEPTED


def test_a_product_classified_under_148_cannot_enter_a_1048_round(
    preparing_round, board
):
    dossier = DossierFactory(
        accepted=True,
        product__product_set=ProductSet.objects.get(
            classification__code="148", number=7
        ),
    )
    with pytest.raises(ValidationError):
        services.assign_dossier(
            round=preparing_round, dossier=dossier, user=board.secretary.user
        )


def test_only_managers_assign_and_never_to_a_closed_round(preparing_round, board):
    with pytest.raises(PermissionDenied):
        services.assign_dossier(
            round=preparing_round,
            dossier=DossierFactory(accepted=True, classification="1048"),
            user=board.members[0].user,
        )
    preparing_round.status = RoundStatus.CLOSED
    preparing_round.save()
    with pytest.raises(ValidationError):
        services.assign_dossier(
            round=preparing_round,
            dossier=DossierFactory(accepted=True, classification="1048"),
            user=board.chair.user,
        )


def test_the_same_dossier_is_not_assigned_twice(preparing_round, board):
    dossier = DossierFactory(accepted=True, classification="1048")
    services.assign_dossier(
        round=preparing_round, dossier=dossier, user=board.secretary.user
    )
    with pytest.raises(ValidationError):
        services.assign_dossier(
            round=preparing_round, dossier=dossier, user=board.secretary.user
        )
    assert RoundEntry.objects.count() == 1


def test_removing_an_entry_before_any_sheet_gives_the_dossier_back(
    scoring_round, board
):
    entry = scoring_round.entries.first()
    services.remove_entry(entry=entry, user=board.secretary.user)
    assert not RoundEntry.objects.filter(pk=entry.pk).exists()
    entry.dossier.refresh_from_db()
    assert entry.dossier.status == DossierStatus.ACCEPTED
    assert (
        AuditEvent.objects.for_object(scoring_round)
        .filter(action="entry_removed")
        .exists()
    )


def test_an_entry_with_a_sheet_cannot_be_removed(scoring_round, board):
    entry = scoring_round.entries.first()
    sheets.open_sheet(entry=entry, user=board.members[0].user)
    with pytest.raises(ValidationError):
        services.remove_entry(entry=entry, user=board.secretary.user)


# Conflicts of interest ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_kwargs", "producer_kwargs"),
    [
        ({"email": "Sen.Viet@gmail.com"}, {"email": "sen.viet@gmail.com"}),
        ({"phone": "0277 3851 234"}, {"phone": "+84 277 3851 234"}),
        (
            {"last_name": "Nguyễn", "first_name": "Văn Hùng"},
            {"legal_representative": "nguyen van  hung"},
        ),
        (
            {"organisation": "Công ty TNHH MTV Nam Huy"},
            {"name": "CÔNG TY TNHH MTV NAM HUY"},
        ),
    ],
    ids=["email", "phone", "representative", "organisation"],
)
def test_producer_link_recognises_each_tie(user_kwargs, producer_kwargs, catalogue):
    user = UserFactory(**user_kwargs)
    producer = ProducerFactory(**producer_kwargs)
    assert services.producer_link(user, producer)


def test_producer_link_is_empty_for_a_stranger(catalogue):
    assert services.producer_link(UserFactory(), ProducerFactory()) == ""


def test_a_linked_member_is_excluded_at_assignment(preparing_round, board):
    linked = board.members[0].user
    dossier = DossierFactory(
        accepted=True, classification="1048", product__producer__email=linked.email
    )
    entry = services.assign_dossier(
        round=preparing_round, dossier=dossier, user=board.secretary.user
    )
    exclusion = Exclusion.objects.get(entry=entry)
    assert exclusion.member == board.members[0]
    assert exclusion.source == ExclusionSource.AUTOMATIC
    assert linked.email in exclusion.reason


def test_a_member_added_later_is_excluded_when_members_change(scoring_round, board):
    entry = scoring_round.entries.first()
    producer = entry.dossier.product.producer
    newcomer = CouncilMemberFactory(
        council=board.council,
        user__organisation=producer.name.upper(),
    )
    assert services.refresh_automatic_exclusions(council=board.council, actor=None) == 1
    assert Exclusion.objects.get(member=newcomer).entry == entry
    # Running it again changes nothing.
    assert services.refresh_automatic_exclusions(council=board.council, actor=None) == 0


def test_declared_conflict_needs_a_reason_and_blocks_scoring(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[1].user
    with pytest.raises(ValidationError):
        services.declare_conflict(entry=entry, user=user, reason="  ")
    services.declare_conflict(entry=entry, user=user, reason="Vợ tôi là kế toán.")
    with pytest.raises(sheets.ConflictOfInterest):
        sheets.open_sheet(entry=entry, user=user)
    with pytest.raises(ValidationError):
        services.declare_conflict(entry=entry, user=user, reason="lần hai")


def test_excluded_member_is_not_expected_to_score(scoring_round, board):
    entry = scoring_round.entries.first()
    services.declare_conflict(entry=entry, user=board.members[1].user, reason="Họ hàng")
    aggregate = next(
        a for a in entry_aggregates(round=scoring_round) if a.entry == entry
    )
    assert aggregate.expected == len(board.everyone) - 1


def test_an_excluded_member_cannot_save_a_draft_started_before(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[1].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    services.declare_conflict(entry=entry, user=user, reason="Phát hiện sau")
    with pytest.raises(sheets.ConflictOfInterest):
        sheets.save_sheet(sheet=sheet, user=user, choices={})
    with pytest.raises(sheets.ConflictOfInterest):
        sheets.submit_sheet(sheet=sheet, user=user, choices=answer_all(sheet))


def test_conflict_after_submitting_needs_the_chair_to_reopen(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[1].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    sheets.submit_sheet(sheet=sheet, user=user, choices=answer_all(sheet))
    with pytest.raises(ValidationError):
        services.declare_conflict(entry=entry, user=user, reason="Họ hàng")


def test_non_members_cannot_declare_or_open(scoring_round, board, personas):
    entry = scoring_round.entries.first()
    for user in (board.other.user, personas["province"]):
        with pytest.raises(PermissionDenied):
            services.declare_conflict(entry=entry, user=user, reason="x")
        with pytest.raises(PermissionDenied):
            sheets.open_sheet(entry=entry, user=user)


# Score sheets ------------------------------------------------------------------------


def test_a_sheet_is_created_once_on_first_open(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[0].user
    first = sheets.open_sheet(entry=entry, user=user)
    second = sheets.open_sheet(entry=entry, user=user)
    assert first == second
    assert ScoreSheet.objects.filter(entry=entry).count() == 1


def test_no_sheet_before_scoring_opens(preparing_round, board):
    entry = services.assign_dossier(
        round=preparing_round,
        dossier=DossierFactory(accepted=True, classification="1048"),
        user=board.secretary.user,
    )
    with pytest.raises(ValidationError):
        sheets.open_sheet(entry=entry, user=board.members[0].user)


def test_saving_a_draft_recomputes_the_total_from_answers(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[0].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    choices = answer_all(sheet, pick_index(0))
    partial = dict(list(choices.items())[:5])
    sheet = sheets.save_sheet(sheet=sheet, user=user, choices=partial)
    assert sheet.status == SheetStatus.DRAFT
    assert sheet.answers.count() == 5
    expected = sum(a.option.points for a in sheet.answers.select_related("option"))
    assert sheet.total == expected
    # Changing and dropping answers keeps the total in step.
    best = answer_all(sheet)
    changed = {criterion: best[criterion] for criterion in list(partial)[:3]}
    sheet = sheets.save_sheet(sheet=sheet, user=user, choices=changed)
    assert sheet.answers.count() == 3
    assert sheet.total == sum(a.points for a in Answer.objects.filter(sheet=sheet))


def test_an_option_of_another_criterion_is_refused(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[0].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    choices = answer_all(sheet)
    first, second = list(choices)[:2]
    with pytest.raises(ValidationError):
        sheets.save_sheet(sheet=sheet, user=user, choices={first: choices[second]})


def test_submitting_needs_every_criterion_then_locks(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[0].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    choices = answer_all(sheet)
    missing_one = dict(list(choices.items())[1:])
    with pytest.raises(ValidationError, match="1.1"):
        sheets.submit_sheet(sheet=sheet, user=user, choices=missing_one)
    sheet = sheets.submit_sheet(sheet=sheet, user=user, choices=choices)
    assert sheet.status == SheetStatus.SUBMITTED and sheet.submitted_at
    assert sheet.total == Decimal("100")
    with pytest.raises(ValidationError):
        sheets.save_sheet(sheet=sheet, user=user, choices=choices)
    with pytest.raises(ValidationError):
        sheets.submit_sheet(sheet=sheet, user=user)


def test_only_the_sheets_member_edits_it(scoring_round, board):
    entry = scoring_round.entries.first()
    sheet = sheets.open_sheet(entry=entry, user=board.members[0].user)
    with pytest.raises(PermissionDenied):
        sheets.save_sheet(sheet=sheet, user=board.chair.user, choices={})


def test_chair_reopens_a_submitted_sheet_with_a_reason(scoring_round, board):
    entry = scoring_round.entries.first()
    user = board.members[0].user
    sheet = sheets.open_sheet(entry=entry, user=user)
    sheets.submit_sheet(sheet=sheet, user=user, choices=answer_all(sheet))
    with pytest.raises(PermissionDenied):
        sheets.reopen_sheet(sheet=sheet, user=board.secretary.user, reason="x")
    with pytest.raises(ValidationError):
        sheets.reopen_sheet(sheet=sheet, user=board.chair.user, reason=" ")
    reason = "Chênh lệch 14 điểm so với các thành viên khác"
    sheet = sheets.reopen_sheet(sheet=sheet, user=board.chair.user, reason=reason)
    assert sheet.status == SheetStatus.DRAFT and sheet.submitted_at is None
    assert sheet.reopened_count == 1
    event = AuditEvent.objects.for_object(sheet).filter(action="reopened").get()
    assert event.reason == reason and event.actor == board.chair.user
    with pytest.raises(ValidationError):
        sheets.reopen_sheet(sheet=sheet, user=board.chair.user, reason=reason)
    # The member re-scores and submits again.
    sheet = sheets.submit_sheet(
        sheet=sheet, user=user, choices=answer_all(sheet, pick_index(1))
    )
    assert sheet.is_submitted and sheet.total < Decimal("100")


def test_publishing_a_draft_sheet_computes_its_total(catalogue, personas):
    version = CriteriaVersion.objects.filter(status=CriteriaStatus.PUBLISHED).first()
    draft = CriteriaVersion.objects.create(
        classification=version.classification,
        product_set=version.product_set,
        basis=version.basis,
        version=99,
        name="Bản nháp",
    )
    with pytest.raises(ValidationError):
        services.publish_criteria(version=draft, user=personas["admin"])
    part = draft.parts.create(code="A", name="Phần A", max_points=10)
    group = part.groups.create(code="1", name="Nhóm 1", max_points=10)
    criterion = group.criteria.create(
        part=part, code="1.1", name="Tiêu chí", max_points=10
    )
    criterion.options.create(text="Thấp", points=2)
    criterion.options.create(text="Cao", points=10)
    with pytest.raises(PermissionDenied):
        services.publish_criteria(version=draft, user=personas["province"])
    draft = services.publish_criteria(version=draft, user=personas["admin"])
    assert draft.is_published and draft.total_points == Decimal("10")
    with pytest.raises(ValidationError):
        services.publish_criteria(version=draft, user=personas["admin"])


def test_a_district_council_is_created_by_the_factory_with_its_unit(catalogue):
    council = CouncilFactory(district=True)
    assert council.unit.code == "876" and council.level == EvaluationLevel.DISTRICT


# The demo step -----------------------------------------------------------------------


def test_demo_seeds_councils_and_rounds_in_every_state_idempotently(catalogue):
    from evaluations.models import Certificate, Council, Outcome, Round, RoundResult
    from ocop_portal.demo.evaluations import seed_evaluations
    from tests.producers.factories import first_commune

    # What the products demo step provides: accepted 2021 dossiers of 1048 set 7.
    products = [
        ("876", "Công ty TNHH Bưởi Lai Vung", "Bưởi non sấy dẻo"),
        ("876", "Cơ sở Tắc Lai Vung", "Tắc chưng đường phèn sấy dẻo"),
        ("872", "Cơ sở Sen Hồng Tháp Mười", "Củ sen cắt lát sấy"),
        ("872", "HTX Sen Tháp Mười", "Trà tim sen"),
        ("877", "Công ty TNHH MTV Nam Huy Đồng Tháp", "Hạt sen sấy"),
        ("877", "Công ty TNHH MTV Nam Huy Đồng Tháp", "Mít sấy"),
        ("874", "Công ty TNHH CNTP Việt Đức", "Xoài sấy dẻo"),
        ("873", "HTX Xoài Mỹ Xương", "Xoài sấy lạnh"),
        ("866", "Cơ sở Khô Cao Lãnh", "Chuối sấy giòn"),
        ("868", "Cơ sở Hồng Ngự", "Khoai lang sấy"),
    ]
    producers = {}
    for index, (district, producer, product) in enumerate(products):
        if producer not in producers:
            producers[producer] = ProducerFactory(
                name=producer, commune=first_commune(district)
            )
        DossierFactory(
            accepted=True,
            classification="1048",
            product__producer=producers[producer],
            product__name=product,
            product__code=f"87-{district}-DEMO-{index:03d}-2021",
        )
    log = []
    seed_evaluations(log.append)
    assert Council.objects.count() == 4
    rounds = {r.name: r for r in Round.objects.all()}
    districts = [r for r in rounds.values() if r.level == EvaluationLevel.DISTRICT]
    assert len(districts) == 3
    assert all(r.status == RoundStatus.CLOSED for r in districts)
    statuses = sorted(r.status for r in rounds.values() if r.level == "province")
    assert statuses == ["closed", "preparing", "scoring"]

    nam_huy = RoundResult.objects.get(
        entry__round__level="province", entry__dossier__product__name="Hạt sen sấy"
    )
    assert nam_huy.mean_total >= 90 and nam_huy.outcome == Outcome.FORWARDED
    closed = next(
        r for r in rounds.values() if r.level == "province" and r.status == "closed"
    )
    assert Certificate.objects.filter(decision__round=closed).exists()
    scoring = next(r for r in rounds.values() if r.status == "scoring")
    aggregates = entry_aggregates(round=scoring)
    assert any(a.flagged for a in aggregates)
    assert any(a.drafts for a in aggregates)
    assert any(a.submitted < a.expected for a in aggregates)
    assert Exclusion.objects.filter(entry__round=scoring).exists()
    results = RoundResult.objects.filter(entry__round__level="province")
    assert all(Decimal(40) <= r.mean_total <= Decimal(95) for r in results)
    assert {3, 4, 5} <= {r.stars for r in results}  # a few 4★ and the 5★ candidates

    counts = (
        Round.objects.count(),
        ScoreSheet.objects.count(),
        Answer.objects.count(),
        Certificate.objects.count(),
    )
    seed_evaluations(log.append)
    assert (
        Round.objects.count(),
        ScoreSheet.objects.count(),
        Answer.objects.count(),
        Certificate.objects.count(),
    ) == counts
