"""Working days, for the legal deadlines counted in them (the commune's 15 working days
to check a dossier, Điều 7.2 of 26/2026/QĐ-TTg)."""

import datetime

SATURDAY = 5


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """The day `days` working days after `day` (Monday to Friday). Public holidays are
    not known to the portal: a deadline that spans Tết is shown a few days early."""
    current = day
    left = days
    while left > 0:
        current += datetime.timedelta(days=1)
        if current.weekday() < SATURDAY:
            left -= 1
    return current
