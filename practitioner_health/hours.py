"""Helpline opening hours: the one rule for "is the helpline open?" and "when will it call?".

Hours are configured as e.g. ``mon-fri 08:00-20:00; sat 08:00-14:00`` (HELPLINE_OPENING_HOURS)
in UK local time; bank holidays are closed all day. The phone line (triage) and every page or
message that tells someone when we will call (referrals) use this module, so a page can never
promise a call "today" on a day the line is shut.

The bank holidays are the helpline's reference data (triage's BankHoliday rows). The platform
imports no domain app, so triage hands this module a function that reads them when it starts
(`bank_holidays_source`); asking before that is a configuration error, never "no holidays".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

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


# -- the helpline's own hours and holidays ----------------------------------------------------------

_holidays_source: Callable[[], set[date]] | None = None

# A promise of a call "today" is made only with at least this long left before the line
# closes: a person who asks at 19:55 is told when the line opens next, not "today".
SAME_DAY_MARGIN = timedelta(hours=1)


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


def bank_holidays_source(source: Callable[[], set[date]]) -> None:
    """Set the function that returns the helpline's bank holidays (called by triage at start-up)."""
    global _holidays_source
    _holidays_source = source


def _bank_holidays() -> set[date]:
    if _holidays_source is None:
        raise ImproperlyConfigured("No bank holiday source: the helpline app (triage) is not installed")
    return _holidays_source()


def helpline_open(moment: datetime | None = None) -> bool:
    moment = moment or timezone.now()
    return is_open(moment, parse_hours(settings.HELPLINE_OPENING_HOURS), _bank_holidays())


def helpline_next_opening(moment: datetime | None = None) -> datetime:
    moment = moment or timezone.now()
    return next_opening(moment, parse_hours(settings.HELPLINE_OPENING_HOURS), _bank_holidays())


def _clock(moment: datetime) -> str:
    """8am, 8:30am, 12 noon, 2pm: the NHS style for times."""
    if moment.hour == 12 and moment.minute == 0:
        return "12 noon"
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def _day(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B}"


@dataclass(frozen=True)
class CallPromise:
    """When the helpline will try to call someone who asks for help now.

    `when` finishes the sentence "We will try to call you ..." and names the day, so an email
    read the next morning is still true; `short` is the same for a text message. `line_now`
    says whether the line is open at this moment and, if not, when it opens.
    """

    open_now: bool
    same_day: bool
    call_from: datetime
    when: str
    short: str
    line_now: str


def call_promise(moment: datetime | None = None) -> CallPromise:
    """What we may promise an urgent person at `moment` (now by default)."""
    moment = moment or timezone.now()
    sessions = parse_hours(settings.HELPLINE_OPENING_HOURS)
    holidays = _bank_holidays()
    local = moment.astimezone(UK)
    open_now = is_open(local, sessions, holidays)
    if open_now:
        closes = next(
            datetime.combine(local.date(), s.closes, tzinfo=UK)
            for s in sessions
            if s.weekday == local.weekday() and s.opens <= local.time() < s.closes
        )
        line_now = f"Our helpline is open now, until {_clock(closes)} today."
        if closes - local >= SAME_DAY_MARGIN:
            return CallPromise(
                open_now=True,
                same_day=True,
                call_from=local,
                when=f"today ({_day(local)}), before the helpline closes at {_clock(closes)}",
                short=f"today ({local:%a} {local.day} {local:%b}) before {_clock(closes)}",
                line_now=line_now,
            )
        opens = next_opening(closes, sessions, holidays)
    else:
        opens = next_opening(local, sessions, holidays)
        line_now = f"Our helpline is closed now. It opens at {_clock(opens)} on {_day(opens)}."
    return CallPromise(
        open_now=open_now,
        same_day=False,
        call_from=opens,
        when=f"when the helpline opens at {_clock(opens)} on {_day(opens)}",
        short=f"when we open at {_clock(opens)} on {opens:%a} {opens.day} {opens:%b}",
        line_now=line_now,
    )
