"""A commissioner turned attacker: the dashboard's page, its charts and its CSV for December 2024,
its quarter, its financial year and a range of months, each alone and with every single filter
(region, profession, career stage), and December with every pair of them, read as published
and combined to recover a count of 1 to 7.

The attacker knows the disclosure rule (docs/reporting.md) and so reads each published count
as the range of true counts it could stand for: 0 is 0; a multiple of 5 from 10 up is within
2 of the truth (and at least 8); any other number is exact; `*` is 1 to 7 for a total or a
figure that is not part of a breakdown, at least 1 in a breakdown whose total is shown, and
anything in a breakdown that is withheld whole. They also know how the figures add up: a total
is the sum of its breakdown by channel, by eligibility, by region, by profession and by career
stage; a breakdown row on one view is the total of another view; a period is the sum of its
months, on the referrals line as anywhere. Each sum narrows the ranges of the others (a total
less the rest of its breakdown, one view less another), again and again until nothing moves.

The attack succeeds if it pins any count, shown or not, to one value from 1 to 7: for example
"one referral about gambling in December, a dentist in the South West who also asked about
relationships". It must fail on every view of a month with exactly one referral, and of a
month with 3 and 9 referrals in different categories.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from html import unescape
from itertools import combinations, product
from xml.etree import ElementTree

import pytest
from django.test import Client

from practitioner_health.accounts.models import User
from referrals.models import Eligibility

from . import factories as f
from .factories import at
from .helpers import page_tables, refresh

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_august_2025")]

NOVEMBER, DECEMBER = date(2024, 11, 1), date(2024, 12, 1)
INF = math.inf
DIMENSIONS = ("region", "profession", "career_stage")
# Periods the attacker tries around December 2024: the month, its quarter, its financial year,
# and a range with the month before it (the months of each, as the attacker chose them).
PERIODS: list[tuple[dict[str, str], tuple[date, ...]]] = [
    ({"period": "month-2024-12"}, (DECEMBER,)),
    ({"period": "quarter-2024-q3"}, (date(2024, 10, 1), NOVEMBER, DECEMBER)),
    ({"period": "year-2024"}, tuple(date(2024 + (m < 4), m, 1) for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3))),
    ({"period": "custom", "start": "2024-11", "end": "2024-12"}, (NOVEMBER, DECEMBER)),
]
SVG = "{http://www.w3.org/2000/svg}"

# Breakdowns of the referrals received, by table caption, and the measure each row stands for.
BY_TOTAL = {
    "Referrals by how they were made": "channel",
    "Referrals by what people want help with": "need",
}
BY_FILTER = {
    "Referrals by NHS England region of work": "region",
    "Referrals by profession": "profession",
    "Referrals by career stage": "career_stage",
}
ELIGIBILITY = "Referrals received and their eligibility"
RECEIVED = "Referrals received"
TREND = "Referrals received per month"
# Breakdowns whose total is their sum: the months of the line, and the reasons.
BY_SUM = ("Discharges by reason", "Referrals closed before care, by reason")
PARTITIONS = ("channel", "eligibility")  # each referral is in exactly one row of these


# --- The service --------------------------------------------------------------------------


def _background() -> None:
    """November 2024: 20 GPs in London, so quarters and ranges have something to hide behind."""
    for n in range(20):
        f.ReferralFactory(work_region="london", needs=["anxiety"], submitted_at=at(2024, 11, 2 + n))


def _dentists_in_the_south_west(count: int) -> None:
    for n in range(count):
        f.ReferralFactory(
            channel="phone",
            profession="dentist",
            register="GDC",
            career_stage="general-dental",
            work_region="south-west",
            needs=["gambling", "relationships"],
            submitted_at=at(2024, 12, 3 + n),
        )


def one_referral() -> None:
    _background()
    _dentists_in_the_south_west(1)


def three_and_nine() -> None:
    _background()
    _dentists_in_the_south_west(3)
    for n in range(9):
        f.ReferralFactory(
            work_region="london",
            career_stage="gp" if n < 5 else "consultant",
            eligibility=Eligibility.ELIGIBLE if n < 7 else Eligibility.INELIGIBLE,
            needs=["anxiety", "low-mood"] if n % 2 else ["stress"],
            submitted_at=at(2024, 12, 2 + n),
        )


# --- Reading what is published --------------------------------------------------------------


def options(html: str, name: str) -> dict[str, str]:
    """A filter's choices from the page's own <select>, as {value: label}, without "all"."""
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select is not None, name
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    return {unescape(value): unescape(label) for value, label in found if value}


def csv_tables(content: str) -> dict[str, dict[str, list[tuple[str, str, str]]]]:
    """{table: {row: [(column, value, unit)]}} from the export."""
    tables: dict[str, dict[str, list[tuple[str, str, str]]]] = {}
    for row in csv.DictReader(io.StringIO(content)):
        tables.setdefault(row["Table"], {}).setdefault(row["Row"], []).append(
            (row["Column"], row["Value"], row["Unit"])
        )
    return tables


def as_screen(value: str, unit: str) -> str:
    """A CSV value as the page prints it."""
    if value in ("", "*"):
        return value or "No data"
    if unit == "percent":
        return f"{float(value):.1f}%"
    if unit == "days":
        days = float(value)
        return f"{days:g} {'day' if days == 1 else 'days'}"
    return f"{int(value):,}"


def number(text: str) -> float | None:
    cleaned = text.replace(",", "").removesuffix("%").removesuffix(" days").removesuffix(" day")
    try:
        return float(cleaned)
    except ValueError:
        return None


def svgs(html: str) -> dict[str, ElementTree.Element]:
    found = {}
    for svg in re.findall(r"<svg .*?</svg>", html, re.S):
        root = ElementTree.fromstring(svg)
        title = root.find(f"{SVG}title")
        assert title is not None and title.text
        found[title.text] = root
    return found


def texts(root: ElementTree.Element) -> list[ElementTree.Element]:
    return list(root.iter(f"{SVG}text"))


# --- The attacker's reasoning --------------------------------------------------------------

# A quantity: (months, region, profession, career stage, measure); None is "all".
Key = tuple[tuple[date, ...], str | None, str | None, str | None, str]


@dataclass
class Interval:
    lo: float = 0
    hi: float = INF


def reading(shown: str, *, star: tuple[float, float]) -> tuple[float, float]:
    """The true counts a published count could stand for."""
    if shown == "*":
        return star
    value = number(shown)
    assert value is not None and value == int(value), f"not a count: {shown!r}"
    n = int(value)
    if n >= 10 and n % 5 == 0:
        return (max(8, n - 2), n + 2)
    return (n, n)  # 0, or a figure published as counted


class Attacker:
    def __init__(self) -> None:
        self.ranges: dict[Key, Interval] = defaultdict(Interval)
        self.seen: dict[Key, list[str]] = defaultdict(list)
        self.equations: set[tuple[Key, tuple[Key, ...]]] = set()
        self.published_small: list[str] = []

    def observe(self, key: Key, shown: str, star: tuple[float, float], where: str) -> None:
        lo, hi = reading(shown, star=star)
        if shown != "*" and 1 <= lo == hi <= 7:
            self.published_small.append(f"{where}: {shown}")
        interval = self.ranges[key]
        interval.lo, interval.hi = max(interval.lo, lo), min(interval.hi, hi)
        self.seen[key].append(f"{where}={shown}")

    def adds_up(self, total: Key, parts: Iterable[Key]) -> None:
        self.equations.add((total, tuple(parts)))

    def solve(self) -> None:
        """Narrow every range by every sum until nothing moves."""
        equations = sorted(self.equations, key=repr)
        involving: dict[Key, list[int]] = defaultdict(list)
        for index, (total, parts) in enumerate(equations):
            for key in (total, *parts):
                involving[key].append(index)
        queue, queued = deque(range(len(equations))), set(range(len(equations)))
        while queue:
            index = queue.popleft()
            queued.discard(index)
            for key in self._narrow(*equations[index]):
                for other in involving[key]:
                    if other not in queued:
                        queue.append(other)
                        queued.add(other)

    def _narrow(self, total: Key, parts: tuple[Key, ...]) -> list[Key]:
        ranges = self.ranges
        los = [ranges[p].lo for p in parts]
        his = [ranges[p].hi for p in parts]
        sum_lo = sum(los)
        unbounded = sum(1 for hi in his if hi == INF)
        sum_hi = sum(hi for hi in his if hi != INF)
        changed = []
        whole = ranges[total]
        new_lo, new_hi = max(whole.lo, sum_lo), min(whole.hi, INF if unbounded else sum_hi)
        if (new_lo, new_hi) != (whole.lo, whole.hi):
            whole.lo, whole.hi = new_lo, new_hi
            changed.append(total)
        for part, lo, hi in zip(parts, los, his, strict=True):
            if hi == INF:
                rest_hi = INF if unbounded > 1 else sum_hi
            else:
                rest_hi = INF if unbounded else sum_hi - hi
            rest_lo = sum_lo - lo
            interval = ranges[part]
            part_lo = max(interval.lo, whole.lo - rest_hi) if rest_hi != INF else interval.lo
            part_hi = min(interval.hi, whole.hi - rest_lo)
            if (part_lo, part_hi) != (interval.lo, interval.hi):
                interval.lo, interval.hi = part_lo, part_hi
                changed.append(part)
        for key in (total, *parts):
            assert ranges[key].lo <= ranges[key].hi, f"published figures contradict the rule at {key}: {self.seen[key]}"
        return changed

    def worked_out(self) -> list[str]:
        """Counts of 1 to 7 pinned down although never published as such: hidden behind `*` on
        every view that shows them, or shown on none."""
        return [
            f"{_describe(key)} is exactly {int(interval.lo)} (shown as {self.seen.get(key, ['nothing'])[:3]})"
            for key, interval in self.ranges.items()
            if interval.lo == interval.hi
            and 1 <= interval.lo <= 7
            and all(seen.endswith("=*") for seen in self.seen.get(key, []))
        ]


def _describe(key: Key) -> str:
    months, region, profession, stage, measure = key
    span = f"{months[0]:%b %Y}" + (f" to {months[-1]:%b %Y}" if len(months) > 1 else "")
    cell = ", ".join(value for value in (region, profession, stage) if value) or "national"
    return f"{measure} in {span} ({cell})"


@dataclass(frozen=True)
class View:
    params: dict[str, str]
    months: tuple[date, ...]
    cell: dict[str, str]

    def key(self, measure: str, **changes: str | tuple[date, ...]) -> Key:
        cell = {**self.cell, **changes}
        months = changes.get("months", self.months)
        assert isinstance(months, tuple)
        return (months, *(cell.get(d) for d in DIMENSIONS), measure)  # type: ignore[return-value]


def views(choices: dict[str, dict[str, str]]) -> Iterator[View]:
    """Every single filter and every pair of filters: each period alone and with each region,
    profession and career stage; and December with each pair of those."""
    for index, (period, months) in enumerate(PERIODS):
        for size in (0, 1, 2) if index == 0 else (0, 1):
            for dimensions in combinations(DIMENSIONS, size):
                for values in product(*(choices[d] for d in dimensions)):
                    cell = dict(zip(dimensions, values, strict=True))
                    yield View({**period, **cell}, months, cell)


def read_view(attacker: Attacker, view: View, html: str, export: str, labels: dict[str, dict[str, str]]) -> None:
    """Everything on one view: the page's tables, its charts and its CSV, checked against each
    other and added to what the attacker knows."""
    where = "&".join(f"{k}={v}" for k, v in view.params.items())
    screen = page_tables(html)
    exported = csv_tables(export)
    # The CSV and the page must agree figure for figure: a more exact copy is a leak.
    assert {
        table: {row: [as_screen(v, u) for _, v, u in cells] for row, cells in rows.items()}
        for table, rows in exported.items()
    } == screen, where
    charts_agree(html, screen, where)

    received = exported[ELIGIBILITY][RECEIVED][0][1]
    total_shown = received not in ("*", "0")

    def star_in_breakdown(shown_total: bool) -> tuple[float, float]:
        # Shown total: a `*` is a small cell or the second one hidden with it, so at least 1.
        return (1, INF) if shown_total else (0, INF)

    for caption, rows in exported.items():
        counts = [(row, cells) for row, cells in rows.items()]
        if caption.startswith(TREND):
            shown_total = any(cells[0][1] not in ("*", "0") for _, cells in counts)
            for row, cells in counts:
                month = datetime.strptime(row.removesuffix(" (so far)"), "%b %Y").date()
                attacker.observe(
                    view.key("referrals", months=(month,)), cells[0][1], star_in_breakdown(shown_total), where
                )
            continue
        for row, cells in counts:
            for column, value, unit in cells:
                if unit != "count" or value == "":
                    # A rate, or "No data" (the Friends and Family Test under a career stage).
                    continue
                if caption == ELIGIBILITY and row == RECEIVED:
                    attacker.observe(view.key("referrals"), value, (1, 7), where)
                elif caption == ELIGIBILITY:
                    attacker.observe(view.key(f"eligibility:{row}"), value, star_in_breakdown(total_shown), where)
                elif caption in BY_TOTAL:
                    attacker.observe(
                        view.key(f"{BY_TOTAL[caption]}:{row}"), value, star_in_breakdown(total_shown), where
                    )
                elif caption in BY_FILTER:
                    dimension = BY_FILTER[caption]
                    chosen = labels[dimension][row]
                    if view.cell.get(dimension, chosen) == chosen:  # other rows of a filtered view are empty
                        attacker.observe(
                            view.key("referrals", **{dimension: chosen}), value, star_in_breakdown(total_shown), where
                        )
                elif caption in BY_SUM:
                    shown_total = any(c[0][1] not in ("*", "0") for c in rows.values())
                    attacker.observe(view.key(f"{caption}:{row}"), value, star_in_breakdown(shown_total), where)
                else:
                    attacker.observe(view.key(f"{caption}:{row}:{column}"), value, (1, 7), where)


def charts_agree(html: str, screen: dict[str, dict[str, list[str]]], where: str) -> None:
    """The charts carry the tables' published figures and nothing more exact."""
    charts = svgs(html)
    trend = next(rows for caption, rows in screen.items() if caption.startswith(TREND))
    months = [cells[0] for cells in trend.values()]
    line = charts["Referrals received per month"]
    # The plotted values, read off the chart against its own gridline labels.
    ticks = [(float(t.get("y") or 0) - 4, float((t.text or "").replace(",", ""))) for t in texts(line)[:5]]
    (y0, v0), (y1, v1) = ticks[0], ticks[-1]
    plotted = [v0 + (float(c.get("cy") or 0) - y0) * (v1 - v0) / (y1 - y0) for c in line.iter(f"{SVG}circle")]
    # Drawn to a tenth of a pixel: near enough to read a whole count off, which is all there is.
    assert [round(v) for v in plotted] == [number(m) for m in months if m != "*"], where
    assert sum(1 for t in texts(line) if t.text == "*") == months.count("*"), where
    description = (line.find(f"{SVG}desc").text or "") + (line.find(f"{SVG}title").text or "")  # type: ignore[union-attr]
    for said in re.findall(r"(\d[\d,]*) in ", description):
        assert said in months, f"{where}: the chart says {said}, the table {months}"
    for title, caption, column in (
        ("Waits within 6 and 18 weeks of referral, against the standards", "Waiting times from referral", (2, 3)),
        ("Outcomes of finished courses of treatment, as rates", "Outcomes of finished courses of treatment", (2,)),
    ):
        bars = [t.text for t in texts(charts[title]) if re.fullmatch(r"\d+\.\d%|\* \(hidden\)|No data", t.text or "")]
        table = [cells[i] for cells in screen[caption].values() for i in column]
        assert [b.replace("* (hidden)", "*") for b in bars] == table, where
        said = set(re.findall(r"\d+\.\d%", charts[title].find(f"{SVG}desc").text or ""))  # type: ignore[union-attr]
        assert said <= set(table), where


def how_it_adds_up(attacker: Attacker, choices: dict[str, dict[str, str]]) -> None:
    """Every sum the attacker knows, over every quantity they have seen."""
    seen = list(attacker.ranges)
    measures: dict[tuple[object, ...], list[Key]] = defaultdict(list)
    for key in seen:
        measures[key[:4]].append(key)
    for key in seen:
        months, region, profession, stage, measure = key
        cell = dict(zip(DIMENSIONS, (region, profession, stage), strict=True))
        for index, dimension in enumerate(DIMENSIONS):
            if cell[dimension] is None:
                parts = [(*key[: index + 1], value, *key[index + 2 :]) for value in choices[dimension]]
                attacker.adds_up(key, parts)  # type: ignore[arg-type]
        if len(months) > 1 and "caseload" not in measure.lower():  # a caseload is a count at a moment
            attacker.adds_up(key, [((month,), *key[1:]) for month in months])  # type: ignore[misc]
        if measure == "referrals":
            for partition in PARTITIONS:
                parts = sorted((k for k in measures[key[:4]] if k[4].startswith(f"{partition}:")), key=repr)
                if parts:
                    attacker.adds_up(key, parts)


@pytest.mark.slow  # 428 dashboard requests a scenario: in `make test`, not the quick loop
@pytest.mark.parametrize("service", [one_referral, three_and_nine], ids=["one-referral", "three-and-nine"])
def test_no_count_of_1_to_7_can_be_recovered_by_comparing_views_charts_and_csv(
    service: Callable[[], None], commissioner: User, client_for: Callable[[User], Client]
) -> None:
    service()
    refresh(date(2024, 10, 1), NOVEMBER, DECEMBER)
    client = client_for(commissioner)
    first = client.get("/reporting/", PERIODS[0][0]).content.decode()
    choices = {name: options(first, name) for name in DIMENSIONS}
    labels = {name: {label: value for value, label in values.items()} for name, values in choices.items()}
    attacker = Attacker()

    tried = 0
    for view in views(choices):
        page = client.get("/reporting/", view.params)
        export = client.get("/reporting/export.csv", view.params)
        assert page.status_code == export.status_code == 200, view.params
        read_view(attacker, view, page.content.decode(), export.content.decode(), labels)
        tried += 1
    how_it_adds_up(attacker, choices)
    attacker.solve()

    # Each period alone and with each filter; December with each pair of filters too.
    assert tried == len(PERIODS) * (1 + 8 + 2 + 11) + 8 * 2 + 8 * 11 + 2 * 11
    found = {"published": attacker.published_small, "worked out": attacker.worked_out()}
    assert found == {"published": [], "worked out": []}
    # The attack had something to work on: December's referrals are there, only not exactly.
    december = attacker.ranges[((DECEMBER,), None, None, None, "referrals")]
    assert 1 <= december.lo < december.hi


def test_the_attacker_works_out_a_hidden_count_where_the_figures_allow_it() -> None:
    """The attack is real: as the dashboard used to publish, an exact national 9 beside a
    London rounded to 10 and a lone `*` gives the South West away as exactly 1."""
    attacker = Attacker()
    december: tuple[date, ...] = (DECEMBER,)
    regions = {"london": "10", "south-west": "*", "midlands": "0"}
    attacker.observe((december, None, None, None, "referrals"), "9", (1, 7), "national")
    for region, shown in regions.items():
        attacker.observe((december, region, None, None, "referrals"), shown, (1, INF), "by region")
    attacker.adds_up(
        (december, None, None, None, "referrals"), [(december, region, None, None, "referrals") for region in regions]
    )

    attacker.solve()

    assert attacker.worked_out() == ["referrals in Dec 2024 (south-west) is exactly 1 (shown as ['by region=*'])"]
    assert attacker.published_small == []
