"""Ranking clinicians for a triaged referral, with the reasons for each place.

Rules, conflicts first:
- never a clinician named on the practitioner's "people I know" list;
- never a clinician who works at the practitioner's employer;
- offers every service the triage said is needed;
- where the practitioner wants to be seen: in the region they chose; by video (anyone
  who sees people by video); or "away from where I work" (anyone not working in their
  work region);
- below their maximum caseload.
Order: earliest open slot (none last), then the smaller caseload, then the longer-serving
clinician (lower id) so ties are stable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.db.models import F, QuerySet
from django.utils import timezone

from clinicians.formatting import when_text
from clinicians.models import Clinician
from clinicians.selectors import (
    caseloads,
    clinicians_without_open_slots,
    earliest_open_slot_batches,
    matching_clinicians,
)
from referrals.eligibility import name_tokens
from referrals.models import Referral, SeenWhere

from .models import TriageAssessment

DEFAULT_LIMIT = 20
# The columns a candidate's Clinician (and its user) carries: what the conflict checks and
# the match page read, and nothing else.
CANDIDATE_COLUMNS = ("user", "profession", "max_caseload", "workplaces", "user__full_name", "user__role")
# Words that say nothing about which organisation someone works for.
_ORGANISATION_NOISE = {
    "nhs",
    "trust",
    "foundation",
    "the",
    "of",
    "and",
    "hospital",
    "hospitals",
    "university",
    "practice",
    "surgery",
    "dental",
    "ltd",
    "limited",
}


@dataclass
class Candidate:
    # Carries only CANDIDATE_COLUMNS: reading any other field is a query.
    clinician: Clinician
    earliest_slot: datetime | None
    caseload: int
    capacity: int
    reasons: list[str] = field(default_factory=list)


@dataclass
class Ranking:
    candidates: list[Candidate]
    excluded_conflicts: int
    message: str = ""


def _organisation_key(name: str) -> frozenset[str]:
    return frozenset(token for token in name_tokens(name) if token not in _ORGANISATION_NOISE)


def _knows(clinician: Clinician, known_tokens: set[str]) -> bool:
    tokens = name_tokens(clinician.user.full_name or "")
    # Titles do not identify anyone. A clinician whose surname appears anywhere in the list is
    # left out, whatever first name the practitioner gave: "Dr Marsh" may be any Marsh, and a
    # relative shares the name. Leaving out one too many costs a choice; one too few costs
    # the practitioner's trust.
    tokens = [t for t in tokens if t not in {"dr", "mr", "mrs", "ms", "miss", "prof", "professor"}]
    if not tokens:
        return False
    surname = tokens[-1]
    return surname in known_tokens


def _works_at(clinician: Clinician, employer_key: frozenset[str]) -> bool:
    if not employer_key:
        return False
    for line in (clinician.workplaces or "").splitlines():
        key = _organisation_key(line)
        if key and (key <= employer_key or employer_key <= key):
            return True
    return False


@dataclass(frozen=True)
class _Place:
    """A clinician's place in the ranking, before the conflict checks."""

    clinician_id: int
    earliest_slot: datetime | None
    caseload: int
    capacity: int


def _in_rank_order(clinicians: QuerySet[Clinician], *, now: datetime, batch: int) -> Iterator[_Place]:
    """Those of `clinicians` below their maximum caseload, in rank order, read from the database
    only as far as the caller iterates.

    First everyone with an open slot, by earliest slot, ties by caseload then id: each list from
    `earliest_open_slot_batches` holds every clinician sharing an earliest start, so sorting
    one list at a time gives the whole order. Then everyone with no open slot, by caseload
    then id, which needs the caseload of every such clinician and so is read only when the
    first part runs out.
    """
    with_slot: set[int] = set()
    for found in earliest_open_slot_batches(clinicians, after=now, batch=batch):
        loads = caseloads(clinician_ids=[clinician_id for clinician_id, _ in found])
        places = []
        for clinician_id, start in found:
            with_slot.add(clinician_id)
            if clinician_id not in loads:
                continue  # gone since the slots were read
            caseload, capacity = loads[clinician_id]
            if caseload < capacity:
                places.append(_Place(clinician_id, start, caseload, capacity))
        places.sort(key=lambda place: (place.earliest_slot, place.caseload, place.clinician_id))
        yield from places
    # active_caseload is an annotation from clinicians_without_open_slots.
    rest = (
        clinicians_without_open_slots(clinicians, after=now)
        .filter(max_caseload__gt=F("active_caseload"))  # type: ignore[misc]
        .values_list("pk", "active_caseload", "max_caseload")
    )
    offset = 0
    while True:
        rows = list(rest[offset : offset + batch])
        for clinician_id, caseload, capacity in rows:
            # Their open slot was taken after the first part read it: they have had their place.
            if clinician_id not in with_slot:
                yield _Place(clinician_id, None, caseload, capacity)
        if len(rows) < batch:
            return
        offset += batch
        batch *= 2


def rank(referral: Referral, assessment: TriageAssessment, *, limit: int = DEFAULT_LIMIT) -> Ranking:
    """The best `limit` clinicians for the referral, best first, with the reasons for each.

    The database applies every rule but the conflicts and gives the order; conflicts need
    decrypted names, so they are checked in rank order, `limit` clinicians at a time, only
    until the list is full. `excluded_conflicts` counts the conflicts met on the way.

    How many queries run depends on how far down the order that goes (past conflicts, full
    caseloads, a crowd sharing one start time), never on how many clinicians there are: five
    for a full list with nothing to skip (the service and region looked up, open slots,
    caseloads, names), one more when too few have an open slot.
    """
    region = away_from = None
    video = None
    where = ""
    if referral.seen_where == SeenWhere.REGION and referral.seen_region:
        region = referral.seen_region
        where = f"works in {referral.get_seen_region_display()}, the region chosen"
    elif referral.seen_where == SeenWhere.VIDEO:
        video = True
        where = "sees people by video, as chosen"
    elif referral.seen_where == SeenWhere.AWAY and referral.work_region:
        away_from = referral.work_region
        where = f"does not work in {referral.get_work_region_display()}, where they work"
    clinicians = matching_clinicians(services=assessment.needs, region=region, away_from=away_from, video=video)
    # Five slots read per place to fill: enough in one query unless many share a start time.
    places = _in_rank_order(clinicians, now=timezone.now(), batch=max(10, 5 * limit))

    known_tokens = set(name_tokens(referral.people_known or ""))
    employer_key = _organisation_key(referral.employer or "")
    candidates: list[Candidate] = []
    excluded = 0
    while len(candidates) < limit:
        page = list(islice(places, limit - len(candidates)))
        if not page:
            break
        # Only what the checks and the match page use: each encrypted column is a decryption.
        details = (
            Clinician.objects.select_related("user")
            .only(*CANDIDATE_COLUMNS)
            .in_bulk([place.clinician_id for place in page])
        )
        for place in page:
            clinician = details.get(place.clinician_id)
            if clinician is None:
                continue
            if _knows(clinician, known_tokens) or _works_at(clinician, employer_key):
                excluded += 1
                continue
            reasons = []
            if assessment.needs:
                reasons.append("offers " + assessment.needs_text)
            if where:
                reasons.append(where)
            reasons.append(f"caseload {place.caseload} of {place.capacity}")
            if place.earliest_slot:
                # In UK time, written the NHS way: "Tuesday 3 June at 2:30pm".
                reasons.append(f"earliest open time {when_text(place.earliest_slot, year=False)}")
            else:
                reasons.append("no open times yet")
            candidates.append(
                Candidate(
                    clinician=clinician,
                    earliest_slot=place.earliest_slot,
                    caseload=place.caseload,
                    capacity=place.capacity,
                    reasons=reasons,
                )
            )
    message = ""
    if not candidates:
        message = (
            "No clinician meets every rule for this referral. Check the services needed and where they want to be "
            "seen, or ask the practitioner about video. Conflicts are never overridden."
        )
    return Ranking(candidates=candidates, excluded_conflicts=excluded, message=message)
