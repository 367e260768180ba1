"""The Đồng Tháp 2021 demo, one module per stage of the programme, then today's
programme of the merged province (demo.today), run in order by `seed_demo`. Every step is idempotent: running
it twice leaves the same data."""

from django.db import transaction

from core import clock

from .base import (
    DEMO_DAY,
    DEMO_PASSWORD,
    PROVINCE_CODE,
    report_logins,
    seed_base,
    seed_users,
    unit,
)
from .evaluations import seed_evaluations
from .history import seed_history
from .plans import seed_plans
from .products import seed_products
from .today import seed_today

__all__ = ["DEMO_PASSWORD", "PROVINCE_CODE", "seed", "seed_users", "unit"]


@transaction.atomic
def seed(log=print) -> None:
    seed_base(log)
    # The 2021 programme is recorded as its officers acted then: the district
    # officers' mandates ended with their districts on 30/6/2025.
    with clock.acting_on(DEMO_DAY):
        seed_products(log)
        seed_history(log)
        seed_evaluations(log)
        seed_plans(log)
    # Today's programme: the merged province, its communes, the process of 26/2026.
    seed_today(log)
    report_logins(log)
