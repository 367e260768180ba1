"""The provincial officer opens the 2021 dashboard in Chromium, sees the targets and
the chart, and downloads the Excel file holding the numbers shown."""

import datetime

import pytest
from openpyxl import load_workbook

from plans import progress
from tests.conftest import login
from tests.evaluations.factories import certify
from tests.plans.factories import SalesPointFactory, TrainingFactory, attend
from tests.products.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.date


def number(text: str) -> float | None:
    """ "14,3 %" → 14.3; "—" → None (Vietnamese decimal comma)."""
    text = text.replace("%", "").replace(".", "").replace(",", ".").strip()
    return float(text) if text and text != "—" else None


@pytest.fixture
def year_2021(plan_2021, personas):
    for month in (2, 3, 5, 6, 8, 9, 10, 11):
        certify(ProductFactory(), stars=3, on=D(2021, month, 12))
    for month in (4, 7, 9):
        certify(ProductFactory(district_code="872"), stars=3, on=D(2021, month, 3))
    upgraded = ProductFactory(district_code="877")
    certify(upgraded, stars=3, on=D(2020, 5, 1))
    certify(upgraded, stars=4, on=D(2021, 9, 1))
    attend(TrainingFactory(held_on=D(2021, 5, 25)), personas["laivung"])
    attend(TrainingFactory(held_on=D(2021, 9, 14)), personas["thapmuoi"])
    SalesPointFactory(opened_on=D(2021, 10, 15))
    for day in [D(2021, month, 1) for month in range(1, 13)] + [D(2021, 12, 31)]:
        progress.compute_plan_progress(plan_id=plan_2021.pk, day=day)
    return plan_2021


def test_province_sees_the_2021_targets_and_chart_and_exports_excel(
    page, year_2021, screenshot, tmp_path
):
    login(page, "province")
    page.goto("/dashboard/?year=2021")
    page.get_by_role("heading", name="Bảng theo dõi OCOP năm 2021").wait_for()
    rows = page.get_by_test_id("target-row")
    assert rows.count() == 7
    assert "Sản phẩm mới đạt 3★ trở lên" in rows.nth(0).inner_text()

    # Chart.js drew the curve on the canvas (local file, no inline script).
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('progress-chart'))"
    )
    drawn = page.evaluate(
        """() => {
            const chart = Chart.getChart(document.getElementById('progress-chart'));
            return {width: chart.width, datasets: chart.data.datasets.length};
        }"""
    )
    assert drawn["width"] > 300
    assert drawn["datasets"] == 8  # 7 targets and the pace line
    screenshot(page, "plans-dashboard")

    shown = []
    for index in range(rows.count()):
        row = rows.nth(index)
        shown.append(
            (
                row.locator("th").inner_text().strip(),
                number(row.get_by_test_id("target-value").inner_text()),
                number(row.get_by_test_id("achieved").inner_text()),
                number(row.get_by_test_id("percent").inner_text()),
            )
        )
    assert shown[0][1:] == (49, 11, 22.4)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-all").click()
    path = tmp_path / "dashboard.xlsx"
    download_info.value.save_as(path)
    book = load_workbook(path)
    exported = [
        (
            f"{label} {district}" if district else label,
            target,
            achieved,
            percent,
        )
        for label, district, target, achieved, percent, *_ in book[
            "Chỉ tiêu"
        ].iter_rows(min_row=2, values_only=True)
    ]
    assert exported == shown
    assert page.console_errors == []
