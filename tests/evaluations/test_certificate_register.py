"""The certificate register (/certificates/): every certificate the user may see, with
search (no diacritics needed), filters by status as of today, year, stars, place and
product set, an Excel export, links to the product and the decision, and a fixed
number of queries."""

import datetime
import io

import openpyxl
import pytest

from django.urls import reverse

from core import clock
from evaluations.certificates import record_decision
from evaluations.models import Certificate, CertificateStatus
from tests.evaluations import scenario
from tests.evaluations.test_certificates import closed_round
from tests.queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/certificates/"


@pytest.fixture
def register(personas):
    """Two 1048 decisions of 2021 in Đồng Tháp: 2 and 3 certificates (4★)."""
    scenario.load_evaluation_catalogue()
    made = []
    for products, number in ((2, "1850/QĐ-UBND-HC"), (3, "1851/QĐ-UBND-HC")):
        council, round = closed_round(products=products)
        made.append(
            record_decision(
                round=round,
                user=scenario.chair(council),
                number=number,
                date=datetime.date(2021, 12, 7),
                signer="Phạm Thiện Nghĩa",
            )
        )
    return made


def _page(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200
    return response


def _numbers(response) -> list[str]:
    return [c.number for c in response.context["page_obj"]]


def test_the_register_lists_filters_and_links(register, client_as, personas):
    client = client_as(personas["province"])
    with clock.acting_on(datetime.date(2022, 6, 1)):
        response = _page(client)
    assert reverse("certificate-register") == URL
    assert len(_numbers(response)) == 5
    first = Certificate.objects.order_by("number").first()
    html = response.text
    assert first.product.get_absolute_url() in html
    assert reverse("evaluations:certificate-detail", args=[first.pk]) in html
    assert reverse("evaluations:round-detail", args=[register[0].round_id]) in html
    # Search by certificate number, and by product name without diacritics.
    with clock.acting_on(datetime.date(2022, 6, 1)):
        assert _numbers(_page(client, q=first.number)) == [first.number]
        plain = "hat sen say"  # "Hạt sen sấy …"
        assert len(_numbers(_page(client, q=plain))) == 5
        assert _numbers(_page(client, stars="5")) == []
        assert len(_numbers(_page(client, stars="4", year="2021"))) == 5


def test_status_reads_the_validity_as_of_today(register, client_as, personas):
    client = client_as(personas["province"])
    revoked = Certificate.objects.order_by("number").last()
    revoked.status = CertificateStatus.REVOKED
    revoked.status_reason = "Vi phạm an toàn thực phẩm"
    revoked.save(update_fields=["status", "status_reason"])
    with clock.acting_on(datetime.date(2023, 1, 1)):
        assert len(_numbers(_page(client, status="in_force"))) == 4
        assert _numbers(_page(client, status="expired")) == []
        assert _numbers(_page(client, status="revoked")) == [revoked.number]
    # Past 6/12/2024 the active ones read "expired" before the nightly job runs.
    with clock.acting_on(datetime.date(2025, 1, 1)):
        response = _page(client, status="expired")
        assert len(_numbers(response)) == 4
        assert response.text.count('text-bg-secondary">Hết hạn<') == 4
        assert _numbers(_page(client, status="in_force")) == []


def test_the_export_has_what_the_list_shows(register, client_as, personas):
    client = client_as(personas["province"])
    with clock.acting_on(datetime.date(2022, 6, 1)):
        response = client.get(URL, {"export": "xlsx", "stars": "4"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 5
    numbers = {row[0] for row in rows[1:]}
    assert numbers == set(Certificate.objects.values_list("number", flat=True))
    assert {row[10] for row in rows[1:]} == {"1850/QĐ-UBND-HC", "1851/QĐ-UBND-HC"}


def test_each_officer_sees_the_certificates_of_their_units(
    register, client_as, personas
):
    lai_vung = client_as(personas["laivung"])
    # scenario.product() registers products in Lai Vung (876).
    assert len(_numbers(_page(lai_vung))) == 5
    other = client_as(personas["thapmuoi"])
    assert _numbers(_page(other)) == []
    assert _page(other).context["page_obj"].paginator.count == 0


def test_people_without_a_programme_role_are_refused(register, client_as):
    from tests.evaluations.factories import UserFactory

    outsider = UserFactory(username="outsider")
    assert client_as(outsider).get(URL).status_code == 403
    anonymous = client_as(None).get(URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.url


def test_bad_filter_values_do_not_fail(register, client_as, personas):
    client = client_as(personas["province"])
    for query in (
        {"year": "²"},
        {"year": "99999999999999999999"},
        {"stars": "9"},
        {"status": "nope"},
        {"product_set": "abc"},
        {"q": "x" * 500},
        {"page": "-1"},
    ):
        assert client.get(URL, query).status_code == 200, query


def test_the_query_count_does_not_grow_with_the_certificates(
    register, client_as, personas
):
    client = client_as(personas["province"])
    client.get(URL)
    many = count_queries(client, URL)
    council, round = closed_round(products=4)
    record_decision(
        round=round,
        user=scenario.chair(council),
        number="1900/QĐ-UBND-HC",
        date=datetime.date(2021, 12, 20),
        signer="Phạm Thiện Nghĩa",
    )
    more = count_queries(client, URL)
    assert Certificate.objects.count() == 9
    assert more == many
