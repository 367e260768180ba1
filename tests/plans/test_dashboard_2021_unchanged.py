"""The 2021 dashboard reads exactly as it did before the portal learnt the two-tier
reform: every table of the demo's 2021 dashboard (targets, progress, districts,
pipeline, provisional results, stars, groups, expiring and expired certificates).

data/dashboard_2021_before_the_reform.json was written by the code of commit a8dbfbb
(before the reform's units, mandates and dated rules) from the same demo, with the same
day and language; the computation times are left out.
"""

import datetime
import json
import re
from pathlib import Path

import pytest

from django.core.management import call_command
from django.utils import translation

from accounts.models import User
from core import clock
from ocop_portal import demo
from plans import dashboard as board
from plans import exports

BEFORE = Path(__file__).parent / "data" / "dashboard_2021_before_the_reform.json"
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00:00$")


def _tables(scope: board.Scope) -> dict:
    with translation.override("en"):
        data = board.build(
            scope=scope, year=2021, today=datetime.date(2026, 12, 1), plan_id=None
        )
        return {
            key: [[str(header) for header in sheet.headers]]
            + [
                ["<time>" if STAMP.match(str(cell)) else str(cell) for cell in row]
                for row in sheet.rows
            ]
            for key, sheet in exports.dashboard_sheets(data).items()
        }


@pytest.mark.django_db
def test_the_2021_dashboard_is_identical_to_before_the_reform(capsys):
    call_command("seed_demo", "--force")
    capsys.readouterr()
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    # As the dashboard is built for the former province, and as the merged province's
    # officer opens it on 1/12/2026 (their province then was the former Đồng Tháp).
    with clock.acting_on(datetime.date(2026, 12, 1)):
        province = User.objects.get(username="province")
        for scope in [
            board.Scope(province=demo.unit(demo.PROVINCE_CODE)),
            board.Scope.for_user(province, 2021),
        ]:
            after = _tables(scope)
            assert after.keys() == before.keys()
            for key in before:
                assert after[key] == before[key], key
            assert len(after["districts"]) == 13  # the header and 12 districts
