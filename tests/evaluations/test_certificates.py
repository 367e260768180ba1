"""Decisions and certificates: issue, validity, numbering without gaps or races,
supersede, revoke, expire."""

import datetime
import threading

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from accounts.models import AuditEvent
from evaluations.certificates import (
    add_months,
    expire_certificates,
    record_decision,
    record_historic_decision,
    revoke_certificate,
    validity_end,
)
from evaluations.models import Certificate, CertificateStatus, Decision, Outcome
from evaluations.results import finalise_round
from evaluations.signals import recognition_changed
from ocop_portal import demo
from products.models import DossierStatus
from tests.evaluations import scenario

DAY = datetime.date(2021, 12, 7)


@pytest.fixture
def catalogue(personas):
    scenario.load_evaluation_catalogue()


def closed_round(*, products: int = 2, pick=None):
    """A provincial 1048 round, finalised, whose products are all recognised (4★ with
    the second-best options)."""
    council = scenario.council(size=4)
    round = scenario.round_(council=council)
    pick = pick or scenario.pick_index(2)
    for _ in range(products):
        entry = scenario.entry(
            round=round, dossier=scenario.dossier(product=scenario.product())
        )
        for member in council.members.all():
            scenario.sheet(entry=entry, member=member, pick=pick)
    results = finalise_round(round=round, user=scenario.secretary(council))
    assert all(result.outcome == Outcome.RECOGNISED for result in results), results
    return council, round


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2021-12-07", 36, "2024-12-07"),
        ("2020-02-29", 36, "2023-02-28"),
        ("2021-01-31", 1, "2021-02-28"),
        ("2021-11-30", 2, "2022-01-30"),
    ],
)
def test_add_months(start, months, end):
    assert add_months(
        datetime.date.fromisoformat(start), months
    ) == datetime.date.fromisoformat(end)


def test_a_certificate_is_valid_36_months_from_the_decision():
    assert validity_end(DAY) == datetime.date(2024, 12, 6)


def test_chair_records_the_decision_and_products_get_certificates(catalogue):
    council, round = closed_round()
    sent = []
    recognition_changed.connect(
        lambda **kw: sent.append(kw), weak=False, dispatch_uid="t1"
    )
    try:
        decision = record_decision(
            round=round,
            user=scenario.chair(council),
            number="1850/QĐ-UBND-HC",
            date=DAY,
            signer="Phạm Thiện Nghĩa",
            signer_title="Phó Chủ tịch UBND tỉnh",
        )
    finally:
        recognition_changed.disconnect(dispatch_uid="t1")
    certificates = list(decision.certificates.order_by("sequence"))
    assert [c.number for c in certificates] == ["87-2021-0001", "87-2021-0002"]
    for certificate in certificates:
        assert certificate.status == CertificateStatus.ACTIVE
        assert certificate.valid_from == DAY
        assert certificate.valid_until == datetime.date(2024, 12, 6)
        certificate.product.refresh_from_db()
        assert (
            certificate.product.current_stars
            == certificate.stars
            == certificate.result.stars
        )
        dossier = certificate.result.entry.dossier
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.DECIDED
    assert AuditEvent.objects.filter(action="certified").count() == 2


def test_decision_is_sent_on_commit_only(catalogue, django_capture_on_commit_callbacks):
    council, round = closed_round(products=1)
    sent = []
    recognition_changed.connect(
        lambda **kw: sent.append(kw), weak=False, dispatch_uid="t2"
    )
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            record_decision(
                round=round,
                user=scenario.chair(council),
                number="1/QĐ",
                date=DAY,
                signer="A",
            )
        assert sent == []
        for callback in callbacks:
            callback()
    finally:
        recognition_changed.disconnect(dispatch_uid="t2")
    assert (
        sent
        and sent[0]["year"] == 2021
        and sent[0]["province_id"] == demo.unit("87").pk
    )


def test_only_the_chair_records_and_only_once(catalogue, personas):
    council, round = closed_round(products=1)
    with pytest.raises(PermissionDenied):
        record_decision(
            round=round,
            user=scenario.secretary(council),
            number="1/QĐ",
            date=DAY,
            signer="A",
        )
    with pytest.raises(PermissionDenied):
        record_decision(
            round=round, user=personas["province"], number="1/QĐ", date=DAY, signer="A"
        )
    record_decision(
        round=round, user=scenario.chair(council), number="1/QĐ", date=DAY, signer="A"
    )
    with pytest.raises(ValidationError, match="đã được ghi nhận"):
        record_decision(
            round=round,
            user=scenario.chair(council),
            number="2/QĐ",
            date=DAY,
            signer="A",
        )
    assert Decision.objects.count() == 1 and Certificate.objects.count() == 1


def test_duplicate_decision_number_is_refused(catalogue):
    council, round = closed_round(products=1)
    other_council, other = closed_round(products=1)
    record_decision(
        round=round, user=scenario.chair(council), number="9/QĐ", date=DAY, signer="A"
    )
    with pytest.raises(ValidationError) as error:
        record_decision(
            round=other,
            user=scenario.chair(other_council),
            number="9/QĐ",
            date=DAY,
            signer="A",
        )
    assert "number" in error.value.message_dict


def test_upgrade_supersedes_the_previous_certificate(catalogue, personas):
    province = demo.unit("87")
    product = scenario.product()
    first = record_historic_decision(
        province=province,
        user=personas["province"],
        number="1580/QĐ-UBND-HC",
        date=datetime.date(2019, 12, 20),
        signer="Huỳnh Minh Tuấn",
        level="province",
        recognitions=[(product, 3)],
    )
    second = record_historic_decision(
        province=province,
        user=personas["province"],
        number="100/QĐ-UBND-HC",
        date=datetime.date(2021, 12, 7),
        signer="Huỳnh Minh Tuấn",
        level="province",
        recognitions=[(product, 4)],
    )
    old = first.certificates.get()
    new = second.certificates.get()
    assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by == new
    assert new.status == CertificateStatus.ACTIVE and new.stars == 4
    product.refresh_from_db()
    assert product.current_stars == 4
    assert Certificate.objects.filter(product=product, status="active").count() == 1


def test_revoke_needs_a_reason_and_a_provincial_officer(catalogue, personas):
    product = scenario.product()
    decision = record_historic_decision(
        province=demo.unit("87"),
        user=personas["province"],
        number="1/QĐ",
        date=DAY,
        signer="A",
        level="province",
        recognitions=[(product, 3)],
    )
    certificate = decision.certificates.get()
    with pytest.raises(PermissionDenied):
        revoke_certificate(
            certificate=certificate, user=personas["laivung"], reason="x"
        )
    with pytest.raises(ValidationError):
        revoke_certificate(
            certificate=certificate, user=personas["province"], reason="  "
        )
    revoke_certificate(
        certificate=certificate,
        user=personas["province"],
        reason="Không đánh giá lại đúng hạn (QĐ 58/QĐ-UBND-HC)",
    )
    certificate.refresh_from_db()
    product.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert product.current_stars is None


def test_expiry_flips_active_certificates_past_their_validity(catalogue, personas):
    product = scenario.product()
    record_historic_decision(
        province=demo.unit("87"),
        user=personas["province"],
        number="1580/QĐ-UBND-HC",
        date=datetime.date(2019, 12, 20),
        signer="A",
        level="province",
        recognitions=[(product, 3)],
    )
    assert expire_certificates(today=datetime.date(2022, 12, 19)) == 0
    assert expire_certificates(today=datetime.date(2022, 12, 20)) == 1
    assert expire_certificates(today=datetime.date(2022, 12, 20)) == 0
    product.refresh_from_db()
    assert product.current_stars is None
    assert Certificate.objects.get().status == CertificateStatus.EXPIRED


def test_historic_decisions_refuse_uncertified_stars(catalogue, personas):
    with pytest.raises(ValidationError):
        record_historic_decision(
            province=demo.unit("87"),
            user=personas["province"],
            number="1/QĐ",
            date=DAY,
            signer="A",
            level="province",
            recognitions=[(scenario.product(), 2)],
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_decisions_number_certificates_without_gaps_or_duplicates(personas):
    scenario.load_evaluation_catalogue()
    rounds = [closed_round(products=3) for _ in range(4)]
    barrier = threading.Barrier(len(rounds))
    errors = []

    def decide(index, council, round):
        try:
            barrier.wait(timeout=10)
            record_decision(
                round=round,
                user=scenario.chair(council),
                number=f"{index}/QĐ",
                date=DAY,
                signer="A",
            )
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(index, council, round))
        for index, (council, round) in enumerate(rounds)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    sequences = sorted(Certificate.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 13))
    assert Certificate.objects.values("number").distinct().count() == 12


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)"
)
@pytest.mark.django_db(transaction=True)
def test_a_failed_decision_leaves_no_gap(personas):
    scenario.load_evaluation_catalogue()
    council, round = closed_round(products=1)
    other_council, other = closed_round(products=1)
    record_decision(
        round=round, user=scenario.chair(council), number="5/QĐ", date=DAY, signer="A"
    )
    with pytest.raises(ValidationError):
        record_decision(
            round=other,
            user=scenario.chair(other_council),
            number="5/QĐ",
            date=DAY,
            signer="A",
        )
    record_decision(
        round=other,
        user=scenario.chair(other_council),
        number="6/QĐ",
        date=DAY,
        signer="A",
    )
    assert sorted(Certificate.objects.values_list("sequence", flat=True)) == [1, 2]
