import datetime

import pytest

from django.utils import timezone

from core import clock


@pytest.mark.acting_on(None)
def test_without_an_acting_day_the_clock_is_the_calendar():
    assert clock.today() == timezone.localdate()
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()


@pytest.mark.acting_on(None)
def test_acting_on_a_day_moves_today_and_the_moment_of_a_step_to_that_day():
    day = datetime.date(2026, 4, 6)
    with clock.acting_on(day):
        assert clock.today() == day
        moment = clock.now()
        assert timezone.localtime(moment).date() == day
        assert moment.tzinfo is not None
        with clock.acting_on(datetime.date(2021, 6, 30)):
            assert clock.today() == datetime.date(2021, 6, 30)
        assert clock.today() == day
    assert clock.today() == timezone.localdate()
