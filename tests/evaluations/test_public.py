"""Public catalogue, product page, QR code, certificate verification, and the
printable certificate."""

import datetime

import pytest

from evaluations.certificates import record_historic_decision
from evaluations.models import CertificateStatus
from ocop_portal import demo
from tests.evaluations import scenario
from tests.queries import count_queries

# Recent enough that the certificate is still valid today.
DAY = datetime.date.today() - datetime.timedelta(days=100)
NUMBER = f"87-{DAY.year}-0001"


@pytest.fixture
def recognised(personas):
    scenario.load_evaluation_catalogue()
    product = scenario.product(name="Hạt sen sấy Đồng Tháp")
    decision = record_historic_decision(
        province=demo.unit("87"),
        user=personas["province"],
        number="1850/QĐ-UBND-HC",
        date=DAY,
        signer="Huỳnh Minh Tuấn",
        level="province",
        recognitions=[(product, 4)],
    )
    return product, decision.certificates.get()


def test_catalogue_lists_recognised_products_only(client, recognised):
    product, _ = recognised
    unrecognised = scenario.product(name="Bánh chưa công nhận")
    html = client.get("/").content.decode()
    assert product.name in html
    assert unrecognised.name not in html
    assert NUMBER in html


def test_catalogue_search_ignores_diacritics(client, recognised):
    product, _ = recognised
    assert product.name in client.get("/?q=hat sen say dong thap").content.decode()
    assert product.name not in client.get("/?q=nem chua").content.decode()


def test_catalogue_filters_by_stars(client, recognised):
    product, _ = recognised
    assert product.name in client.get("/?stars=4").content.decode()
    assert product.name not in client.get("/?stars=3").content.decode()


def test_catalogue_query_count_does_not_grow(client, recognised, personas):
    def count():
        return count_queries(client, "/")

    one = count()
    record_historic_decision(
        province=demo.unit("87"),
        user=personas["province"],
        number="2/QĐ",
        date=DAY,
        signer="A",
        level="province",
        recognitions=[(scenario.product(), 3) for _ in range(30)],
    )
    assert count() == one


def test_public_product_page_and_qr(client, recognised):
    product, certificate = recognised
    response = client.get(f"/p/{product.code}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Được công nhận 4★" in html and certificate.number in html
    qr = client.get(f"/p/{product.code}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert qr.content.startswith(b"<svg")


def test_never_recognised_product_is_404(client, recognised):
    other = scenario.product()
    assert client.get(f"/p/{other.code}/").status_code == 404
    assert client.get(f"/p/{other.code}/qr.svg").status_code == 404


def test_verify_valid_expired_and_unknown(client, recognised):
    product, certificate = recognised
    assert client.get(f"/verify/?number={NUMBER}").url == f"/verify/{NUMBER}/"
    response = client.get(f"/verify/{NUMBER}/")
    assert response.status_code == 200
    assert "Giấy chứng nhận còn hiệu lực" in response.content.decode()
    certificate.status = CertificateStatus.EXPIRED
    certificate.save()
    assert "không còn hiệu lực" in client.get(f"/verify/{NUMBER}/").content.decode()
    missing = client.get("/verify/87-2021-9999/")
    assert missing.status_code == 404
    assert "Không có giấy chứng nhận số" in missing.content.decode()


def test_certificate_page_is_scoped(client_for, recognised):
    product, certificate = recognised
    url = f"/evaluations/certificates/{certificate.pk}/"
    html = client_for("laivung").get(url).content.decode()
    assert "GIẤY CHỨNG NHẬN SẢN PHẨM OCOP" in html and product.name in html
    assert client_for("province").get(url).status_code == 200
    assert client_for("thapmuoi").get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302


def test_revoke_from_the_certificate_page(client_for, recognised):
    product, certificate = recognised
    url = f"/evaluations/certificates/{certificate.pk}/revoke/"
    assert client_for("province").get(url).status_code == 405
    assert client_for("laivung").post(url, {"reason": "x"}).status_code == 403
    assert client_for("thapmuoi").post(url, {"reason": "x"}).status_code == 404
    response = client_for("province").post(url, {"reason": ""}, follow=True)
    assert "Nhập lý do thu hồi" in response.content.decode()
    client_for("province").post(url, {"reason": "Vi phạm tiêu chí bắt buộc"})
    certificate.refresh_from_db()
    product.refresh_from_db()
    assert (
        certificate.status == CertificateStatus.REVOKED
        and product.current_stars is None
    )
