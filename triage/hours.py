"""Helpline opening hours: parsing the configured weekly hours and answering "open now?".

Hours are configured as e.g. ``mon-fri 08:00-20:00; sat 08:00-14:00`` (HELPLINE_OPENING_HOURS)
in UK local time; bank holidays (BankHoliday rows) are closed all day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UK = ZoneInfo("Europe/London")
_PART = re.compile(r"^(?P<days>[a-z]{3}(?:-[a-z]{3})?)\s+(?P<open>\d{2}:\d{2})-(?P<close>\d{2}:\d{2})$")


@dataclass(frozen=True)
class Session:
    weekday: int
    opens: time
    closes: time


def parse_hours(text: str) -> tuple[Session, ...]:
    sessions: list[Session] = []
    for raw in text.split(";"):
        part = raw.strip().lower()
        if not part:
            continue
        match = _PART.match(part)
        if not match:
            raise ImproperlyConfigured(f"Opening hours part {raw.strip()!r} is not like 'mon-fri 08:00-20:00'")
        first, _, last = match["days"].partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ImproperlyConfigured(f"Unknown day in opening hours part {raw.strip()!r}")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise ImproperlyConfigured(f"Days run backwards in {raw.strip()!r}")
        opens, closes = time.fromisoformat(match["open"]), time.fromisoformat(match["close"])
        if closes <= opens:
            raise ImproperlyConfigured(f"Closing time is not after opening time in {raw.strip()!r}")
        sessions.extend(Session(day, opens, closes) for day in range(start, end + 1))
    return tuple(sessions)


def is_open(moment: datetime, sessions: tuple[Session, ...], holidays: set[date]) -> bool:
    local = moment.astimezone(UK)
    if local.date() in holidays:
        return False
    return any(s.weekday == local.weekday() and s.opens <= local.time() < s.closes for s in sessions)


def next_opening(moment: datetime, sessions: tuple[Session, ...], holidays: set[date]) -> datetime:
    """The next time the line opens (or `moment` itself when open now)."""
    if is_open(moment, sessions, holidays):
        return moment
    local = moment.astimezone(UK)
    for offset in range(0, 15):
        day = local.date() + timedelta(days=offset)
        if day in holidays:
            continue
        for session in sorted((s for s in sessions if s.weekday == day.weekday()), key=lambda s: s.opens):
            opening = datetime.combine(day, session.opens, tzinfo=UK)
            if opening > local:
                return opening
    raise ValueError("The helpline has no opening hours in the next two weeks")


def _working_day_close(day: date, sessions: tuple[Session, ...], holidays: set[date]) -> datetime | None:
    """When the line closes for the last time on `day`, or None if it does not open that day."""
    if day in holidays:
        return None
    closes = [s.closes for s in sessions if s.weekday == day.weekday()]
    return datetime.combine(day, max(closes), tzinfo=UK) if closes else None


def end_of_working_day(
    moment: datetime, sessions: tuple[Session, ...], holidays: set[date], *, days_after: int = 0
) -> datetime:
    """The close of the working day `moment` belongs to, or of the `days_after`-th working day after it.

    The working day a moment belongs to is the day it falls on if the line is still to close
    that day, otherwise the next day the line opens: so something arriving at 21:00 on a Friday,
    or on a bank holiday, is due by the close of the next working day, never "today" while
    nobody is there to do it.
    """
    local = moment.astimezone(UK)
    day = local.date()
    remaining = days_after
    for _ in range(15 + 2 * days_after):
        close = _working_day_close(day, sessions, holidays)
        if close is not None and close > local:
            if remaining == 0:
                return close
            remaining -= 1
        day += timedelta(days=1)
    raise ValueError("The helpline has no opening hours in the weeks ahead")
