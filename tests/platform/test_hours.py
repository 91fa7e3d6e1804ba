"""The one opening-hours rule: when the helpline will call someone who asks for help now.

Worked examples against the default hours (mon-fri 08:00-20:00; sat 08:00-14:00) and the
seeded England bank holidays.
"""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from practitioner_health.hours import UK, call_promise, helpline_next_opening, helpline_open

pytestmark = pytest.mark.django_db


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UK)


@pytest.mark.parametrize(
    ("moment", "open_now", "same_day", "when"),
    [
        # Friday 23:00: shut until Saturday morning.
        (at(2026, 12, 4, 23, 0), False, False, "when the helpline opens at 8am on Saturday 5 December"),
        # Saturday after 2pm: shut until Monday.
        (at(2026, 12, 5, 15, 0), False, False, "when the helpline opens at 8am on Monday 7 December"),
        # Saturday morning: open, closes at 2pm.
        (at(2026, 12, 5, 9, 30), True, True, "today (Saturday 5 December), before the helpline closes at 2pm"),
        # Easter Monday 2027 (a bank holiday, and British Summer Time): shut until Tuesday.
        (at(2027, 3, 29, 10, 0), False, False, "when the helpline opens at 8am on Tuesday 30 March"),
        # A weekday at 10am: today.
        (at(2026, 12, 8, 10, 0), True, True, "today (Tuesday 8 December), before the helpline closes at 8pm"),
        # A weekday at 7:30pm: open, but too late to promise a call today.
        (at(2026, 12, 8, 19, 30), True, False, "when the helpline opens at 8am on Wednesday 9 December"),
        # Christmas Eve evening 2026: Christmas Day is a holiday, Saturday is open.
        (at(2026, 12, 24, 21, 0), False, False, "when the helpline opens at 8am on Saturday 26 December"),
    ],
)
def test_the_call_promise_follows_opening_hours_and_bank_holidays(
    moment: datetime, open_now: bool, same_day: bool, when: str
) -> None:
    promise = call_promise(moment)
    assert (promise.open_now, promise.same_day, promise.when) == (open_now, same_day, when)
    assert (promise.when.startswith("today")) == same_day


def test_out_of_hours_the_line_says_when_it_opens() -> None:
    promise = call_promise(at(2026, 12, 4, 23, 0))
    assert promise.line_now == "Our helpline is closed now. It opens at 8am on Saturday 5 December."
    assert promise.short == "when we open at 8am on Sat 5 Dec"


def test_the_phone_line_uses_the_same_rule() -> None:
    bank_holiday = at(2027, 3, 29, 10, 0)
    assert not helpline_open(bank_holiday)
    assert helpline_next_opening(bank_holiday) == at(2027, 3, 30, 8, 0)
    with time_machine.travel(at(2026, 12, 8, 10, 0), tick=False):
        assert helpline_open()
