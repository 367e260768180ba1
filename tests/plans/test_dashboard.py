"""The dashboard: targets from snapshots, pace, scope, tables, Excel, query counts."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from django.utils import timezone

from plans import dashboard as board
from plans import progress
from plans.models import TrainingAudience
from products.models import DossierKind, DossierStatus
from tests.evaluations.factories import (
    CertificateFactory,
    CouncilMemberFactory,
    RoundEntryFactory,
    RoundFactory,
    ScoreSheetFactory,
    certify,
)
from tests.plans.factories import (
    SalesPointFactory,
    TargetFactory,
    TrainingFactory,
    attend,
)
from tests.products.factories import DossierFactory, ProductFactory
from tests.queries import count_queries

D = datetime.date
URL = "/dashboard/"


def compute(plan, *days):
    for day in days:
        progress.compute_plan_progress(plan_id=plan.pk, day=day)


@pytest.fixture
def year_2021(plan_2021, personas):
    """Lai Vung: 2 new products; Tháp Mười: 5 new and one upgrade; snapshots for 3
    days and the year end."""
    for _ in range(2):
        certify(ProductFactory(), stars=3, on=D(2021, 3, 10))
    for _ in range(5):
        certify(ProductFactory(district_code="872"), stars=3, on=D(2021, 8, 10))
    upgraded = ProductFactory(district_code="872", name="Mật ong hoa tràm")
    certify(upgraded, stars=3, on=D(2020, 5, 1))
    certify(upgraded, stars=4, on=D(2021, 9, 1))
    attend(TrainingFactory(), personas["laivung"])
    DossierFactory(status=DossierStatus.DRAFT)
    DossierFactory(status=DossierStatus.SUBMITTED, kind=DossierKind.UPGRADE)
    compute(plan_2021, D(2021, 3, 1), D(2021, 6, 1), D(2021, 9, 1), D(2021, 12, 31))
    return plan_2021


def test_province_sees_each_target_achieved_against_target(year_2021, client_for):
    response = client_for("province").get(URL, {"year": 2021})
    assert response.status_code == 200
    rows = {(row.key, row.district_name): row for row in response.context["board"].rows}
    new = rows[("new_products", "")]
    assert (new.target_value, new.achieved) == (Decimal(49), Decimal(7))
    assert new.percent == Decimal("14.3")
    assert new.expected == Decimal(49)  # a past year: the year-end value
    assert rows[("new_products", "Huyện Lai Vung")].achieved == 2
    assert rows[("upgrades_3_to_4", "")].achieved == 1
    assert rows[("officers_trained", "")].achieved == Decimal("33.33")
    html = response.content.decode()
    assert "Sản phẩm mới đạt 3★ trở lên" in html
    assert "Bảng theo dõi OCOP năm 2021" in html
    assert 'id="progress-data"' in html and "<canvas" in html
    assert "chart.umd.min.js" in html and "js/plans.js" in html


def test_the_curve_is_read_from_the_snapshots(year_2021, client_for):
    chart = client_for("province").get(URL, {"year": 2021}).context["board"].chart
    new = next(
        s for s in chart["series"] if s["label"] == "Sản phẩm mới đạt 3★ trở lên"
    )
    # 01/03: nothing yet; 01/06: Lai Vung's 2; 01/09 and 31/12: all 7 (of 49).
    assert [p["y"] for p in new["points"]] == [0.0, 4.1, 14.3, 14.3]
    assert [p["x"] for p in new["points"]] == [60, 152, 244, 365]
    assert chart["pace"] == [{"x": 0, "y": 0}, {"x": 365, "y": 100}]


def test_pace_is_linear_over_the_year():
    assert board.year_fraction(2021, D(2020, 12, 31)) == 0
    assert board.year_fraction(2021, D(2021, 7, 2)) == Decimal(183) / Decimal(365)
    assert board.year_fraction(2021, D(2021, 12, 31)) == 1
    assert board.year_fraction(2021, D(2026, 1, 1)) == 1


def test_the_current_year_expects_the_pace_of_today(plan_2021, client_for):
    plan_2021.year = timezone.localdate().year
    plan_2021.save()
    compute(plan_2021, timezone.localdate())
    response = client_for("province").get(URL, {"year": plan_2021.year})
    row = response.context["board"].rows[0]
    fraction = board.year_fraction(plan_2021.year, timezone.localdate())
    assert row.expected == (Decimal(49) * fraction).quantize(
        Decimal("0.1"), "ROUND_HALF_UP"
    )
    assert "Cần đạt theo tiến độ hôm nay" in response.content.decode()


def test_a_year_without_a_plan_shows_an_empty_state(year_2021, client_for):
    response = client_for("province").get(URL, {"year": 2030})
    html = response.content.decode()
    assert response.context["board"].plan is None
    assert "Chưa có kế hoạch năm 2030" in html
    assert "Tạo kế hoạch" in html
    assert "<canvas" not in html


def test_without_a_year_the_latest_plan_year_is_shown(year_2021, client_for):
    for query in ({}, {"year": "abc"}):
        response = client_for("province").get(URL, query)
        assert response.context["board"].year == 2021


def test_district_officer_sees_only_their_district(year_2021, client_for, personas):
    response = client_for("laivung").get(URL, {"year": 2021})
    data = response.context["board"]
    rows = {row.key: row for row in data.rows}
    # Their own target replaces the province's for new products.
    assert [r.key for r in data.rows].count("new_products") == 1
    assert (rows["new_products"].target_value, rows["new_products"].achieved) == (6, 2)
    # Province-wide targets show the district's share, without the province's target.
    assert rows["upgrades_3_to_4"].achieved == 0
    assert rows["upgrades_3_to_4"].target_value is None
    assert rows["officers_trained"].achieved == 100
    assert [line["district"].code for line in data.districts] == ["876"]
    html = response.content.decode()
    assert "Huyện Tháp Mười" not in html
    assert "Mật ong hoa tràm" not in html
    all_values = {row.achieved for row in data.rows}
    assert Decimal(7) not in all_values  # the province's total


def test_district_officer_export_holds_only_their_district(year_2021, client_for):
    response = client_for("thapmuoi").get(f"{URL}export/", {"year": 2021})
    book = load_workbook(BytesIO(response.content))
    districts = [
        row[0] for row in book["Theo huyện"].iter_rows(min_row=2, values_only=True)
    ]
    assert districts == ["Huyện Tháp Mười"]
    targets = list(book["Chỉ tiêu"].iter_rows(min_row=2, values_only=True))
    # An empty cell reads back as None.
    assert targets[0][:6] == (
        "Sản phẩm mới đạt 3★ trở lên",
        None,
        None,
        5.0,
        None,
        None,
    )


def test_export_holds_every_table_with_the_numbers_shown(year_2021, client_for):
    client = client_for("province")
    data = client.get(URL, {"year": 2021}).context["board"]
    response = client.get(f"{URL}export/", {"year": 2021})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "Chỉ tiêu",
        "Tiến độ",
        "Theo huyện",
        "Hồ sơ đang xử lý",
        "Kết quả tạm tính",
        "Hạng sao",
        "Nhóm sản phẩm",
        "Sắp hết hạn",
        "Hết hạn, chưa đánh giá lại",
    ]
    sheet = list(book["Chỉ tiêu"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in sheet] == [
        (
            row.label,
            row.district_name or None,
            float(row.target_value),
            float(row.achieved),
            float(row.percent),
        )
        for row in data.rows
    ]
    progress = list(book["Tiến độ"].iter_rows(min_row=2, values_only=True))
    assert len(progress) == 4
    pipeline = list(book["Hồ sơ đang xử lý"].iter_rows(min_row=2, values_only=True))
    assert pipeline == [("Nháp", 1, 1, 0, 0), ("Đã nộp", 1, 0, 0, 1)]


def test_one_table_can_be_exported_alone(year_2021, client_for):
    client = client_for("province")
    response = client.get(f"{URL}export/", {"year": 2021, "table": "stars"})
    assert load_workbook(BytesIO(response.content)).sheetnames == ["Hạng sao"]
    assert client.get(f"{URL}export/", {"year": 2021, "table": "x"}).status_code == 404


def test_pipeline_counts_dossiers_by_status_and_kind(plan_2021, client_for):
    DossierFactory(status=DossierStatus.SUBMITTED)
    DossierFactory(status=DossierStatus.SUBMITTED, kind=DossierKind.UPGRADE)
    DossierFactory(status=DossierStatus.DRAFT)
    DossierFactory(status=DossierStatus.SUBMITTED, year=2020)
    data = client_for("province").get(URL, {"year": 2021}).context["board"]
    assert [(r["status"], r["total"], r["kinds"]) for r in data.pipeline] == [
        ("draft", 1, [1, 0, 0]),
        ("submitted", 2, [1, 0, 1]),
    ]


def test_provisional_results_use_the_mean_of_submitted_sheets(
    plan_2021, evaluation_catalogue, client_for
):
    round = RoundFactory(status="scoring", closed_at=None)
    members = [
        CouncilMemberFactory(council=round.council, user__username=f"m{i}")
        for i in range(3)
    ]
    strong = RoundEntryFactory(round=round)
    middling = RoundEntryFactory(round=round)
    ScoreSheetFactory(
        entry=strong, member=members[0], total=Decimal(92), answered=False
    )
    ScoreSheetFactory(
        entry=strong, member=members[1], total=Decimal(90), answered=False
    )
    ScoreSheetFactory(
        entry=middling, member=members[0], total=Decimal(60), answered=False
    )
    # A draft sheet is not counted; an entry without submitted sheets is left out.
    from evaluations.models import ScoreSheet

    ScoreSheet.objects.create(entry=middling, member=members[1], total=Decimal(99))
    RoundEntryFactory(round=round)
    data = client_for("province").get(URL, {"year": 2021}).context["board"]
    assert [(r["band"], r["total"], r["average"]) for r in data.provisional] == [
        (5, 1, Decimal("91.0")),
        (3, 1, Decimal("60.0")),
    ]


def test_stars_in_force_at_the_end_of_a_past_year(plan_2021, client_for):
    product = ProductFactory()
    certify(product, stars=3, on=D(2020, 1, 10))
    certify(product, stars=4, on=D(2021, 6, 1))  # supersedes the 3★ in 2021
    certify(ProductFactory(), stars=3, on=D(2022, 1, 5))  # not yet in 2021
    revoked = certify(ProductFactory(), stars=3, on=D(2021, 2, 1))
    revoked.status = "revoked"
    revoked.status_reason = "Vi phạm"
    revoked.status_changed_at = timezone.make_aware(datetime.datetime(2021, 10, 1))
    revoked.save()
    data = client_for("province").get(URL, {"year": 2021}).context["board"]
    assert data.in_force_on == D(2021, 12, 31)
    assert [(r["stars"], r["count"]) for r in data.stars] == [(3, 0), (4, 1), (5, 0)]
    assert [row["stars"] for row in data.groups] == [[0, 1, 0]]


def test_expiring_and_expired_without_rerating(plan_2021, client_for):
    today = timezone.localdate()
    soon = CertificateFactory(
        valid_from=today - datetime.timedelta(days=1000),
        valid_until=today + datetime.timedelta(days=40),
    )
    CertificateFactory(
        valid_from=today - datetime.timedelta(days=900),
        valid_until=today + datetime.timedelta(days=200),
    )
    lapsed = CertificateFactory(
        valid_from=D(2021, 1, 5), valid_until=D(2024, 1, 4), status="expired", year=2021
    )
    reapplied = CertificateFactory(
        valid_from=D(2021, 1, 5), valid_until=D(2024, 1, 4), status="expired", year=2021
    )
    DossierFactory(
        submitted=True, product=reapplied.product, year=2023, kind=DossierKind.RERATING
    )
    response = client_for("province").get(URL, {"year": 2021})
    assert list(response.context["expiring"]) == [soon]
    assert list(response.context["expired"]) == [lapsed]
    html = response.content.decode()
    assert soon.number in html and lapsed.number in html


def _populate(count: int):
    """`count` of everything the dashboard aggregates, in two districts."""
    today = timezone.localdate()
    round = RoundFactory(status="scoring", closed_at=None)
    member = CouncilMemberFactory(council=round.council, user__username=f"m-{count}")
    training = TrainingFactory(audience=TrainingAudience.PRODUCERS)
    for index in range(count):
        district = "876" if index % 2 else "872"
        product = ProductFactory(district_code=district, classification="1048")
        certify(product, stars=3 + index % 3, on=D(2021, 1 + index % 12, 1))
        ScoreSheetFactory(
            entry=RoundEntryFactory(round=round, dossier__product=product),
            member=member,
            total=Decimal(50 + index % 50),
            answered=False,
        )
        attend(training, product.producer)
        SalesPointFactory(district_code=district)
        CertificateFactory(
            valid_from=today - datetime.timedelta(days=1000),
            valid_until=today + datetime.timedelta(days=10 + index),
        )
        CertificateFactory(
            valid_from=D(2020, 1, 1), valid_until=D(2023, 1, 1), status="expired"
        )


@pytest.mark.parametrize("persona", ["province", "laivung"])
def test_query_count_does_not_grow_with_the_data(
    plan_2021, evaluation_catalogue, client_for, persona
):
    client = client_for(persona)
    _populate(1)
    compute(plan_2021, D(2021, 6, 1), D(2021, 12, 31))
    small = count_queries(client, URL, {"year": 2021})
    _populate(30)
    compute(plan_2021, D(2021, 6, 1), D(2021, 12, 31))
    large = count_queries(client, URL, {"year": 2021})
    assert small == large
    assert small <= 20


def test_every_indicator_added_later_shows_without_changing_the_dashboard(
    plan_2021, client_for
):
    from plans import indicators

    def showroom_visits(period):
        return indicators.Value(Decimal(1234), {})

    # One function and one registry line: the dashboard is not touched.
    indicators.indicator(
        "showroom_visits", label="Lượt khách tham quan", description="x"
    )(showroom_visits)
    try:
        TargetFactory(plan=plan_2021, indicator="showroom_visits", target_value=5000)
        compute(plan_2021, D(2021, 12, 31))
        html = client_for("province").get(URL, {"year": 2021}).content.decode()
        assert "Lượt khách tham quan" in html and "1234" in html
    finally:
        del indicators.REGISTRY["showroom_visits"]
