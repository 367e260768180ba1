"""The programme of today (two-tier government, Decision 26/2026/QĐ-TTg): a commune
officer registers and submits, the commune checks within 15 working days and proposes,
the province accepts, the advisory team reports, the provincial council alone rates
3★ and 4★; and the transition rules of Điều 12 by submission date."""

import datetime
from decimal import Decimal

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.models import User
from core import clock
from core.states import InvalidTransition
from evaluations import advisory, certificates, results, services, sheets, tasks
from evaluations.catalogue import load_criteria, load_regimes
from evaluations.models import DisqualifierCheck, Outcome, Regime, RevocationGround
from ocop_portal import demo
from producers.services import create_producer
from products import process
from products.catalogue import load_catalogue
from products.models import (
    AssessmentConclusion,
    DossierKind,
    DossierStatus,
    ProductSet,
)
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
from tests.products.factories import ProducerFactory, ProductFactory, complete

# A Tuesday of 2026, after 26/2026 took effect (22/5/2026).
DAY = datetime.date(2026, 9, 15)

pytestmark = pytest.mark.acting_on(DAY)

REPORT = {
    "local_origin": "Hạt sen trồng tại xã, thu mua của các hộ trong ấp.",
    "local_labour": "12 lao động địa phương, 8 là phụ nữ.",
    "idea_origin": "Ý tưởng của hợp tác xã từ năm 2019.",
    "local_identity": "Cách sấy truyền thống của vùng sen Đồng Tháp.",
}


def today_unit(name: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.valid_on(REFORM_DAY).get(name=name)


@pytest.fixture
def reform(merged_dong_thap, personas):
    """The merged province, the catalogue, regimes and sheets; the personas again (the
    provincial ones continue at the merged province); the commune officer of Xã Lai
    Vung; the provincial council of the merged province."""
    load_catalogue()
    load_regimes()
    load_criteria()
    demo.seed_users()
    officer = give_mandate(
        User.objects.create_user(username="xa.laivung", password="x"),
        today_unit("Xã Lai Vung"),
    )
    council = CouncilFactory(name="Hội đồng OCOP tỉnh Đồng Tháp", unit=merged_dong_thap)
    chair = CouncilMemberFactory(council=council, chair=True)
    secretary = CouncilMemberFactory(council=council, secretary=True)
    members = [CouncilMemberFactory(council=council) for _ in range(3)]
    return {
        **{name: User.objects.get(username=name) for name in personas},
        "commune": officer,
        "council": council,
        "chair": chair.user,
        "secretary": secretary.user,
        "scorers": [chair.user, secretary.user, *[m.user for m in members]],
    }


def new_product(officer: User):
    producer = create_producer(
        user=officer,
        kind="cooperative",
        name="Hợp tác xã Sen Lai Vung",
        registration_number="1402345678",
        legal_representative="Trần Văn Sen",
        commune=today_unit("Xã Lai Vung"),
    )
    return create_product(
        user=officer,
        producer=producer,
        name="Hạt sen tươi",
        # 26/2026's sheet of set 7 (processed fruit and seeds) is a draft until the
        # administrator corrects it: set 1 has a published one.
        product_set=ProductSet.objects.get(classification__code="148", number=1),
    )


def submitted_dossier(reform):
    product = new_product(reform["commune"])
    dossier = complete(
        create_dossier(
            user=reform["commune"], product=product, year=2026, kind=DossierKind.NEW
        )
    )
    return process.submit_dossier(dossier=dossier, user=reform["commune"])


# Units of today, codes of today -------------------------------------------------------


def test_a_commune_officer_registers_in_a_commune_of_today_with_the_new_code(reform):
    product = new_product(reform["commune"])
    assert product.district is None
    assert product.code == f"82-{today_unit('Xã Lai Vung').code}-001-2026"
    assert product.commune.place_name == "Xã Lai Vung"
    tan_phuoc = AdministrativeUnit.objects.get(name="Xã Tân Phước", parent__code="876")
    with pytest.raises(ValidationError, match="không còn tồn tại|no longer exists"):
        create_producer(
            user=reform["commune"],
            kind="household",
            name="Hộ kinh doanh Bảy Sen",
            registration_number="1402345679",
            legal_representative="Nguyễn Thị Bảy",
            commune=tan_phuoc,
        )
    with pytest.raises(ValidationError):
        create_producer(
            user=reform["commune"],
            kind="household",
            name="Hộ kinh doanh Ba Xoài",
            registration_number="1402345670",
            legal_representative="Lê Văn Ba",
            commune=today_unit("Xã Tháp Mười"),
        )


def test_a_2021_producer_moves_to_the_successor_commune_and_keeps_its_history(reform):
    with clock.acting_on(demo.DEMO_DAY):
        old = ProductFactory(producer=ProducerFactory(), code="87-876-30208-001-2021")
    producer = old.producer
    # Registered in 2021 in a commune of Lai Vung, read today by Xã Lai Vung's officer.
    assert producer.district.name == "Huyện Lai Vung"
    successor = producer.commune.current_on(DAY)
    officer = give_mandate(
        User.objects.create_user(username="xa.successor", password="x"), successor
    )
    product = create_product(
        user=officer,
        producer=producer,
        name="Nem chua",
        product_set=ProductSet.objects.get(classification__code="148", number=8),
    )
    assert product.commune == successor and product.district is None
    assert product.code.startswith(f"82-{successor.code}-")
    old.refresh_from_db()
    assert old.code == "87-876-30208-001-2021" and old.district.name == "Huyện Lai Vung"


def test_an_officer_of_a_former_district_cannot_act_on_a_2026_dossier(reform):
    dossier = submitted_dossier(reform)
    laivung = reform["laivung"]
    from products.models import Dossier

    assert not Dossier.objects.visible_to(laivung).filter(pk=dossier.pk).exists()
    with pytest.raises(PermissionDenied):
        process.assess_at_commune(
            dossier=dossier,
            user=laivung,
            conclusion=AssessmentConclusion.PROPOSE,
            **REPORT,
        )


# The commune's check --------------------------------------------------------------------


def test_the_dossier_reaches_the_commune_with_15_working_days_to_check(reform):
    dossier = submitted_dossier(reform)
    assert dossier.status == DossierStatus.WITH_COMMUNE
    assert dossier.process.code == "26/2026"
    assert dossier.commune == today_unit("Xã Lai Vung")
    assert dossier.received_by_commune_on == DAY
    assert timezone.localtime(dossier.submitted_at).date() == DAY
    # Tuesday 15/9 + 15 working days (three weekends) = Tuesday 6/10.
    assert dossier.commune_due_on == datetime.date(2026, 10, 6)


def test_the_commune_writes_its_report_and_proposes_or_returns(reform):
    dossier = submitted_dossier(reform)
    officer = reform["commune"]
    with pytest.raises(ValidationError) as error:
        process.assess_at_commune(
            dossier=dossier,
            user=officer,
            conclusion=AssessmentConclusion.RETURN,
            **{**REPORT, "local_labour": " "},
        )
    assert set(error.value.error_dict) == {"local_labour", "reason"}
    returned = process.assess_at_commune(
        dossier=dossier,
        user=officer,
        conclusion=AssessmentConclusion.RETURN,
        reason="Bổ sung phiếu kiểm nghiệm.",
        **REPORT,
    )
    dossier.refresh_from_db()
    assert (returned.conclusion, dossier.status) == ("return", DossierStatus.RETURNED)
    dossier = process.submit_dossier(dossier=dossier, user=officer)
    assert dossier.status == DossierStatus.WITH_COMMUNE
    process.assess_at_commune(
        dossier=dossier, user=officer, conclusion=AssessmentConclusion.PROPOSE, **REPORT
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROPOSED and dossier.proposed_on == DAY
    assert dossier.commune_assessments.count() == 2
    # Nobody but the commune checks it; the province cannot return it to itself.
    with pytest.raises(InvalidTransition):
        process.assess_at_commune(
            dossier=dossier,
            user=officer,
            conclusion=AssessmentConclusion.PROPOSE,
            **REPORT,
        )


# The province, the advisory team, the council -------------------------------------------


def test_a_2026_dossier_reaches_3_stars_through_the_provincial_council_alone(
    reform, eager, mailoutbox, django_capture_on_commit_callbacks
):
    reform["commune"].email = "xa.laivung@example.vn"
    reform["commune"].save(update_fields=["email"])
    dossier = submitted_dossier(reform)
    dossier.product.producer.email = "htx.sen@example.vn"
    dossier.product.producer.save(update_fields=["email"])
    process.assess_at_commune(
        dossier=dossier,
        user=reform["commune"],
        conclusion=AssessmentConclusion.PROPOSE,
        **REPORT,
    )
    province = reform["province"]
    dossier = process.accept_dossier(dossier=dossier, user=province)
    round = services.create_round(
        user=province,
        council=reform["council"],
        regime=Regime.objects.get(code="26/2026"),
        name="Đánh giá, phân hạng sản phẩm OCOP tỉnh năm 2026 – đợt 2",
        year=2026,
    )
    # Under 26/2026 a round takes a dossier only after the advisory team's report.
    with pytest.raises(ValidationError, match="Tổ tư vấn|advisory team"):
        services.assign_dossier(round=round, dossier=dossier, user=reform["secretary"])
    advisory.record_advisory_report(
        dossier=dossier,
        user=province,
        team="Tổ tư vấn Hội đồng OCOP tỉnh",
        findings="Hồ sơ đầy đủ; cơ sở sản xuất đạt yêu cầu.",
        recommendation="Đề nghị Hội đồng đánh giá.",
        site_visit_on=datetime.date(2026, 9, 10),
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REVIEWED
    entry = services.assign_dossier(
        round=round, dossier=dossier, user=reform["secretary"]
    )
    services.open_scoring(round=round, user=reform["secretary"])
    for user in reform["scorers"]:
        sheet = sheets.open_sheet(entry=entry, user=user)
        sheets.submit_sheet(
            sheet=sheet,
            user=user,
            choices=answer_all(sheet, pick_index(2)),
            disqualifier_check=DisqualifierCheck.CLEAR,
        )
    (result,) = results.finalise_round(round=round, user=reform["secretary"])
    # 81 points on 26/2026 set 1: the 4★ band, held at 3★ by the required criteria.
    assert (result.mean_total, result.band_stars, result.stars) == (Decimal(81), 4, 3)
    assert entry.criteria.basis == "26/2026"
    assert result.cap_reason
    assert (result.outcome, result.target_level) == (Outcome.RECOGNISED, "province")
    # A recognised product is notified with the decision, not when the round closes.
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        decision = certificates.record_decision(
            round=round,
            user=reform["chair"],
            number="2150/QĐ-UBND",
            date=datetime.date(2026, 10, 20),
            signer="Chủ tịch UBND tỉnh Đồng Tháp",
        )
    certificate = decision.certificates.get()
    assert certificate.stars == 3 and certificate.province.code == "82"
    assert certificate.address == "Xã Lai Vung, Tỉnh Đồng Tháp"
    # Điều 7.3.g: the commune and the producer are notified of the result, once.
    (mail,) = mailoutbox
    assert set(mail.to) == {"htx.sen@example.vn", "xa.laivung@example.vn"}
    assert "Hạt sen tươi" in mail.subject
    assert "2150/QĐ-UBND" in mail.body and certificate.number in mail.body
    assert "Xã Lai Vung" in mail.body
    tasks.notify_results(round.pk)
    assert len(mailoutbox) == 1


def test_no_district_council_or_district_round_after_the_reform(reform):
    district_council = CouncilFactory(district=True)
    CouncilMemberFactory(council=district_council, secretary=True)
    with pytest.raises(ValidationError) as error:
        services.create_round(
            user=reform["province"],
            council=district_council,
            regime=Regime.objects.get(code="1489"),
            name="Đợt huyện 2026",
            year=2026,
        )
    assert "council" in error.value.error_dict
    with pytest.raises(ValidationError):
        CouncilFactory.build(district=True).full_clean()


# Điều 12: the rules of the submission day ------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "kind", "process_code", "due"),
    [
        # Submitted under 1489 before 22/5/2026: finish under it, within 60 days (30
        # for a re-rating) of 22/5/2026.
        (
            datetime.date(2026, 5, 4),
            DossierKind.NEW,
            "1489",
            datetime.date(2026, 7, 21),
        ),
        (
            datetime.date(2026, 5, 4),
            DossierKind.RERATING,
            "1489",
            datetime.date(2026, 6, 21),
        ),
        # Under 26/2026: a re-rating is decided within 45 days of a complete dossier;
        # a new product has no such deadline.
        (datetime.date(2026, 6, 1), DossierKind.NEW, "26/2026", None),
        (
            datetime.date(2026, 6, 1),
            DossierKind.RERATING,
            "26/2026",
            datetime.date(2026, 9, 29),
        ),
    ],
)
def test_a_dossier_keeps_the_rules_of_its_submission_day(
    reform, submitted, kind, process_code, due
):
    with clock.acting_on(submitted):
        product = new_product(reform["commune"])
        dossier = complete(
            create_dossier(
                user=reform["commune"], product=product, year=2026, kind=DossierKind.NEW
            )
        )
        dossier.kind = kind
        dossier.save(update_fields=["kind"])
        dossier = process.submit_dossier(dossier=dossier, user=reform["commune"])
    assert dossier.process.code == process_code
    # The commune proposes and the province accepts on 15/8/2026, after 26/2026 began:
    # the dossier still follows its own process.
    with clock.acting_on(datetime.date(2026, 8, 15)):
        process.assess_at_commune(
            dossier=dossier,
            user=reform["commune"],
            conclusion=AssessmentConclusion.PROPOSE,
            **REPORT,
        )
        dossier = process.accept_dossier(dossier=dossier, user=reform["province"])
    assert dossier.process.code == process_code
    assert timezone.localtime(dossier.submitted_at).date() == submitted
    assert timezone.localtime(dossier.accepted_at).date() == datetime.date(2026, 8, 15)
    assert dossier.rating_due_on == due
    assert dossier.ready_for_a_round is (process_code == "1489")


def test_revocation_records_its_ground_and_decision_under_26_2026(reform):
    from tests.evaluations.factories import certify

    with clock.acting_on(demo.DEMO_DAY):
        product = ProductFactory()
    certificate = certify(product, stars=3, on=datetime.date(2025, 1, 10))
    with pytest.raises(ValidationError) as error:
        certificates.revoke_certificate(
            certificate=certificate, user=reform["province"], reason="Ngừng sản xuất"
        )
    assert set(error.value.error_dict) == {"ground", "decided_by"}
    certificates.revoke_certificate(
        certificate=certificate,
        user=reform["province"],
        reason="Cơ sở đã ngừng sản xuất từ tháng 3/2026.",
        ground=RevocationGround.PRODUCTION_STOPPED,
        decided_by="1234/QĐ-UBND ngày 15/9/2026, Chủ tịch UBND tỉnh",
    )
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    with translation.override("vi"):
        assert certificate.get_revocation_ground_display().startswith("đ)")


def test_the_product_page_says_when_the_rerating_window_opens_and_closes(
    reform, client
):
    from tests.evaluations.factories import certify

    product = new_product(reform["commune"])
    # Valid until 31/1/2027: the window runs from 4/8/2026 to 3/10/2026.
    certify(product, stars=3, on=datetime.date(2024, 2, 1))
    window = process.rerating_window(valid_until=datetime.date(2027, 1, 31), on=DAY)
    assert (window.opens, window.closes) == (
        datetime.date(2026, 8, 4),
        datetime.date(2026, 10, 3),
    )
    assert window.state_on(DAY) == "open"
    assert window.late_until == datetime.date(2027, 7, 30)
    client.force_login(reform["commune"])
    with translation.override("vi"):
        html = client.get(product.get_absolute_url()).content.decode()
    assert "04/08/2026" in html and "03/10/2026" in html


def test_a_late_rerating_keeps_the_certificate_valid_until_the_result(reform):
    from evaluations.models import CertificateStatus
    from tests.evaluations.factories import certify

    product = new_product(reform["commune"])
    certificate = certify(product, stars=3, on=datetime.date(2023, 10, 1))
    # Valid until 30/9/2026; the window closed on 2/6/2026. A re-rating submitted on
    # 15/9/2026 is late.
    dossier = complete(
        create_dossier(
            user=reform["commune"], product=product, year=2026, kind=DossierKind.NEW
        )
    )
    dossier.kind = DossierKind.RERATING
    dossier.save(update_fields=["kind"])
    process.submit_dossier(dossier=dossier, user=reform["commune"])
    assert certificates.expire_certificates(today=datetime.date(2026, 10, 1)) == 0
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE
    # 180 days after its end the grace is over, result or not.
    assert certificates.expire_certificates(today=datetime.date(2027, 3, 30)) == 1


def test_the_rounds_page_shows_the_calendar_of_dieu_5(reform, client):
    client.force_login(reform["province"])
    response = client.get("/evaluations/rounds/")
    calendar = response.context["calendar"]
    assert calendar["regime"].code == "26/2026"
    assert [
        (r["proposed_by"], r["held_by"], r["next"]) for r in calendar["rounds"]
    ] == [
        (datetime.date(2026, 4, 30), datetime.date(2026, 6, 30), False),
        (datetime.date(2026, 10, 30), datetime.date(2026, 12, 30), True),
    ]
    assert 'data-testid="rounds-calendar"' in response.content.decode()
