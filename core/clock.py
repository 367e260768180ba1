"""The day the portal's rules of who acts where are read for.

Who may act, which units are current and which year a new registration belongs to
depend on the day. In use that day is today. The demo and the tests record the
programme's history with the rules of its own day (a 2021 registration by the officer
of a district that ended in 2025), by acting on another day for a while:

    with clock.acting_on(datetime.date(2021, 4, 1)):
        create_producer(...)

The day is the process's, not the request's: the test server's threads see it too.
Reports ("as of today", expiring certificates, progress) read the calendar, not this.
The moments a step of the programme is stamped with (submitted, accepted, scored,
closed) are `now()`: the acting day at the present time of day, so that a dossier the
demo submits "on 6/4/2026" reads as submitted then. Technical times (audit entries,
job runs, reminders sent) stay `timezone.now()`.
"""

import contextlib
import datetime

from django.utils import timezone

_acting_day: datetime.date | None = None


def today() -> datetime.date:
    return _acting_day or timezone.localdate()


def now() -> datetime.datetime:
    """The moment of a programme step: the present, or the acting day at the present
    time of day."""
    present = timezone.now()
    if _acting_day is None:
        return present
    local = timezone.localtime(present)
    return local.replace(
        year=_acting_day.year, month=_acting_day.month, day=_acting_day.day
    )


@contextlib.contextmanager
def acting_on(day: datetime.date):
    """Act on `day` until the block ends (nested blocks restore the outer day)."""
    global _acting_day
    before = _acting_day
    _acting_day = day
    try:
        yield day
    finally:
        _acting_day = before
