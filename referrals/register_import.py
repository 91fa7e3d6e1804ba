"""Loading GMC (LRMP) and GDC register extracts into `RegisterEntry` rows.

Formats are described in docs/register-import.md. An import upserts by registration
number, so a full file and the daily delta files can be loaded in any order and loading
the same file twice changes nothing. A malformed row is reported with its line number
and skipped; the good rows are still loaded.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from practitioner_health.crypto import blind_index

from .eligibility import RegisterNumberError, registration_index, validate_register_number
from .models import Register, RegisterEntry, RegisterStatus

BATCH_SIZE = 500


@dataclass(frozen=True)
class Columns:
    number: str
    surname: str
    given_names: str
    status: str


COLUMNS = {
    Register.GMC: Columns(
        number="GMC Ref No", surname="Surname", given_names="Given Name", status="Registration Status"
    ),
    Register.GDC: Columns(
        number="Registration Number", surname="Surname", given_names="Forenames", status="Registration Status"
    ),
}

# Status wording to our categories, tried in order (the first pattern that matches wins), so
# "Provisionally Registered with Licence - Suspended" is suspended, not provisional.
_STATUS_RULES: tuple[tuple[re.Pattern[str], RegisterStatus], ...] = (
    (re.compile(r"\b(erased|removed|relinquished|not registered|deceased|lapsed)\b"), RegisterStatus.ERASED),
    (re.compile(r"\bsuspen"), RegisterStatus.SUSPENDED),
    (re.compile(r"\b(conditions?|undertakings?|warnings?|reprimand)\b"), RegisterStatus.REGISTERED_WITH_CONDITIONS),
    (re.compile(r"\bprovisional"), RegisterStatus.PROVISIONAL),
    (re.compile(r"\bwithout (a )?licen[cs]e\b"), RegisterStatus.NOT_LICENSED),
    (re.compile(r"\bregistered\b"), RegisterStatus.REGISTERED),
)


def status_from_text(text: str) -> RegisterStatus | None:
    normalised = " ".join(text.lower().split())
    for pattern, status in _STATUS_RULES:
        if pattern.search(normalised):
            return status
    return None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return (
            f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged, {len(self.rejected)} rejected"
        )


@dataclass(frozen=True)
class Row:
    line: int
    number: str
    surname: str
    given_names: str
    status: RegisterStatus
    status_text: str
    index: str

    def row_hash(self, register: str) -> str:
        # Keyed, so the hash of a (public) number and surname cannot be reversed by guessing.
        payload = json.dumps([register, self.number, self.surname, self.given_names, self.status_text])
        return blind_index(payload, purpose="register-row")


class RegisterFormatError(ValueError):
    """The file as a whole cannot be read (for example, a required column is missing)."""


def _rows(register: str, reader: csv.DictReader, report: ImportReport) -> Iterator[Row]:
    columns = COLUMNS[Register(register)]
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [c for c in (columns.number, columns.surname, columns.status) if c not in header]
    if missing:
        raise RegisterFormatError(f"Missing column(s): {', '.join(missing)}. Found: {', '.join(header) or 'none'}")
    reader.fieldnames = header
    for raw in reader:
        line = reader.line_num
        if None in raw:
            report.rejected.append((line, f"has {len(raw[None]) + len(header)} fields, expected {len(header)}"))
            continue
        values = {key: (value or "").strip() for key, value in raw.items()}
        try:
            number = validate_register_number(register, values.get(columns.number, ""))
        except RegisterNumberError as exc:
            report.rejected.append((line, f"{columns.number} {exc.reason}"))
            continue
        surname = values.get(columns.surname, "")
        if not surname:
            report.rejected.append((line, f"{columns.surname} is empty"))
            continue
        status_text = " ".join(values.get(columns.status, "").split())
        status = status_from_text(status_text)
        if status is None:
            reason = "is empty" if not status_text else "is not a status we recognise"
            report.rejected.append((line, f"{columns.status} {reason}"))
            continue
        yield Row(
            line=line,
            number=number,
            surname=surname[:200],
            given_names=values.get(columns.given_names, "")[:200],
            status=status,
            status_text=status_text[:200],
            index=registration_index(register, number),
        )


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


def register_import(*, register: str, source: TextIO, dry_run: bool = False) -> ImportReport:
    """Upsert the rows of one extract. Returns counts and the rejected rows' line numbers and reasons.

    Runs in one transaction (rolled back when `dry_run`), so a crash leaves the register as it was.
    """
    if register not in COLUMNS:
        raise ValueError(f"Unknown register {register!r}: use GMC or GDC")
    report = ImportReport()
    reader = csv.DictReader(source)
    with transaction.atomic():
        for batch in _batches(_rows(register, reader, report)):
            _import_batch(register, batch, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _import_batch(register: str, batch: list[Row], report: ImportReport) -> None:
    existing = {
        entry.number_index: entry
        for entry in RegisterEntry.objects.filter(register=register, number_index__in={row.index for row in batch})
    }
    now = timezone.now()
    to_create: dict[str, RegisterEntry] = {}
    to_update: dict[str, RegisterEntry] = {}
    for row in batch:
        row_hash = row.row_hash(register)
        entry = existing.get(row.index) or to_create.get(row.index)
        if entry is None:
            to_create[row.index] = RegisterEntry(
                register=register,
                number_index=row.index,
                number=row.number,
                surname=row.surname,
                given_names=row.given_names,
                status=row.status,
                status_text=row.status_text,
                row_hash=row_hash,
                imported_at=now,
            )
            report.created += 1
            continue
        if entry.row_hash == row_hash:
            report.unchanged += 1
            continue
        entry.surname = row.surname
        entry.given_names = row.given_names
        entry.status = row.status
        entry.status_text = row.status_text
        entry.row_hash = row_hash
        entry.imported_at = now
        # The same number twice in one file: the later row wins (a new entry is simply created with it).
        if row.index not in to_create:
            to_update[row.index] = entry
        report.updated += 1
    RegisterEntry.objects.bulk_create(to_create.values())
    RegisterEntry.objects.bulk_update(
        to_update.values(), ["surname", "given_names", "status", "status_text", "row_hash", "imported_at"]
    )
