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

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F

from clinicians.models import Clinician
from clinicians.selectors import clinicians_for_matching
from referrals.eligibility import name_tokens
from referrals.models import Referral, SeenWhere

from .models import TriageAssessment

DEFAULT_LIMIT = 20
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
    # Titles do not identify anyone; the surname must appear, and the first name too when given.
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


def _in_pages(queryset, *, page: int):  # type: ignore[no-untyped-def]
    offset = 0
    while True:
        rows = list(queryset[offset : offset + page])
        yield from rows
        if len(rows) < page:
            return
        offset += page


def rank(referral: Referral, assessment: TriageAssessment, *, limit: int = DEFAULT_LIMIT) -> Ranking:
    clinicians = clinicians_for_matching()
    where = ""
    if referral.seen_where == SeenWhere.REGION and referral.seen_region:
        clinicians = clinicians.filter(regions__code=referral.seen_region)
        where = f"works in {referral.get_seen_region_display()}, the region chosen"
    elif referral.seen_where == SeenWhere.VIDEO:
        clinicians = clinicians.filter(video=True)
        where = "sees people by video, as chosen"
    elif referral.seen_where == SeenWhere.AWAY and referral.work_region:
        clinicians = clinicians.exclude(regions__code=referral.work_region)
        where = f"does not work in {referral.get_work_region_display()}, where they work"
    for service in assessment.needs:
        clinicians = clinicians.filter(services__code=service)
    # spare_capacity and active_caseload are annotations from clinicians_for_matching.
    clinicians = clinicians.filter(spare_capacity__gt=0).order_by(  # type: ignore[misc]
        F("earliest_open_slot").asc(nulls_last=True), "active_caseload", "pk"
    )

    known_tokens = set(name_tokens(referral.people_known or ""))
    employer_key = _organisation_key(referral.employer or "")
    candidates: list[Candidate] = []
    excluded = 0
    # Conflicts need decrypted names, so they are checked in rank order, a page at a time,
    # only until the list is full: the database has applied every other rule and the order.
    for clinician in _in_pages(clinicians.select_related("user"), page=limit * 2):
        if _knows(clinician, known_tokens) or _works_at(clinician, employer_key):
            excluded += 1
            continue
        reasons = []
        if assessment.needs:
            reasons.append("offers " + ", ".join(assessment.needs))
        if where:
            reasons.append(where)
        reasons.append(f"caseload {clinician.active_caseload} of {clinician.max_caseload}")
        if clinician.earliest_open_slot:
            reasons.append(f"earliest open time {clinician.earliest_open_slot:%a %d %b %H:%M}")
        else:
            reasons.append("no open times yet")
        candidates.append(
            Candidate(
                clinician=clinician,
                earliest_slot=clinician.earliest_open_slot,
                caseload=clinician.active_caseload,
                capacity=clinician.max_caseload,
                reasons=reasons,
            )
        )
        if len(candidates) >= limit:
            break
    message = ""
    if not candidates:
        message = (
            "No clinician meets every rule for this referral. Check the services needed and where they want to be "
            "seen, or ask the practitioner about video. Conflicts are never overridden."
        )
    return Ranking(candidates=candidates, excluded_conflicts=excluded, message=message)
