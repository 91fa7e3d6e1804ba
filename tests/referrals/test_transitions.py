"""A referral's status has one owner: the named transitions in referrals/services.py."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest

from practitioner_health.accounts.models import User
from practitioner_health.audit.models import AuditEvent
from referrals.models import ClosedReason, Eligibility, Referral, ReopenReason, Status
from referrals.services import (
    ReferralNotClosableError,
    ReferralReopenError,
    ReferralTransitionError,
    referral_close,
    referral_mark_assigned,
    referral_mark_contacted,
    referral_mark_discharged,
    referral_mark_triaged,
    referral_reopen,
)
from tests.factories import ReferralFactory

ROOT = Path(__file__).resolve().parents[2]
OWNER = Path("referrals/services.py")

S = Status
# What each transition does from each status: the status it leaves, or the error it raises.
EXPECTED: dict[str, dict[str, str | type[Exception]]] = {
    "contacted": {
        # Reaching someone records the contact; only a new referral changes status.
        S.NEW: S.CONTACTED,
        S.CONTACTED: S.CONTACTED,
        S.TRIAGED: S.TRIAGED,
        S.ASSIGNED: S.ASSIGNED,
        S.DISCHARGED: S.DISCHARGED,
        S.CLOSED: S.CLOSED,
    },
    "triaged": {
        S.NEW: S.TRIAGED,
        S.CONTACTED: S.TRIAGED,
        S.TRIAGED: S.TRIAGED,
        S.ASSIGNED: S.ASSIGNED,
        S.DISCHARGED: ReferralTransitionError,
        S.CLOSED: ReferralTransitionError,
    },
    "assigned": {
        S.NEW: S.ASSIGNED,
        S.CONTACTED: S.ASSIGNED,
        S.TRIAGED: S.ASSIGNED,
        S.ASSIGNED: ReferralTransitionError,
        S.DISCHARGED: ReferralTransitionError,
        S.CLOSED: ReferralTransitionError,
    },
    "discharged": {
        S.NEW: ReferralTransitionError,
        S.CONTACTED: ReferralTransitionError,
        S.TRIAGED: ReferralTransitionError,
        S.ASSIGNED: S.DISCHARGED,
        S.DISCHARGED: ReferralTransitionError,
        S.CLOSED: ReferralTransitionError,
    },
    "closed": {
        S.NEW: S.CLOSED,
        S.CONTACTED: S.CLOSED,
        S.TRIAGED: S.CLOSED,
        S.ASSIGNED: ReferralNotClosableError,
        S.DISCHARGED: ReferralNotClosableError,
        S.CLOSED: ReferralNotClosableError,
    },
    "reopened": {
        S.NEW: ReferralReopenError,
        S.CONTACTED: ReferralReopenError,
        S.TRIAGED: ReferralReopenError,
        S.ASSIGNED: ReferralReopenError,
        S.DISCHARGED: ReferralReopenError,
        S.CLOSED: S.NEW,
    },
}


def _transition(name: str, user: User) -> Callable[[Referral], object]:
    return {
        "contacted": lambda r: referral_mark_contacted(referral=r),
        "triaged": lambda r: referral_mark_triaged(referral=r),
        "assigned": lambda r: referral_mark_assigned(referral=r),
        "discharged": lambda r: referral_mark_discharged(referral=r),
        "closed": lambda r: referral_close(referral=r, reason=ClosedReason.DECLINED, closed_by=user),
        "reopened": lambda r: referral_reopen(referral=r, reason=ReopenReason.BACK_IN_TOUCH, reopened_by=user),
    }[name]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("transition", "start"), [(name, status) for name in EXPECTED for status in Status], ids=lambda v: str(v)
)
def test_each_transition_makes_only_the_moves_in_the_table(transition: str, start: Status, handler: User) -> None:
    closed = start == Status.CLOSED
    referral = ReferralFactory(status=start, closed_reason=ClosedReason.DECLINED if closed else "")
    expected = EXPECTED[transition][start]
    if isinstance(expected, type):
        with pytest.raises(expected):
            _transition(transition, handler)(referral)
        referral.refresh_from_db()
        assert referral.status == start, "a refused move changes nothing"
    else:
        _transition(transition, handler)(referral)
        referral.refresh_from_db()
        assert referral.status == expected


@pytest.mark.django_db
def test_a_refused_move_says_what_and_why(handler: User) -> None:
    referral = ReferralFactory(status=Status.CLOSED, closed_reason=ClosedReason.WITHDRAWN)
    with pytest.raises(ReferralTransitionError) as refused:
        referral_mark_triaged(referral=referral)
    assert str(refused.value) == f"Referral {referral.reference} cannot be triaged: it is closed."


@pytest.mark.django_db
def test_reaching_someone_records_the_first_contact_once() -> None:
    referral = ReferralFactory()
    referral_mark_contacted(referral=referral)
    first = referral.first_contact_at
    referral_mark_contacted(referral=referral)
    referral.refresh_from_db()
    assert referral.status == Status.CONTACTED and referral.first_contact_at == first


@pytest.mark.django_db
def test_high_risk_at_triage_marks_the_referral_urgent() -> None:
    referral = ReferralFactory(status=Status.CONTACTED)
    referral_mark_triaged(referral=referral, high_risk=True)
    referral.refresh_from_db()
    assert referral.urgent and referral.status == Status.TRIAGED


@pytest.mark.django_db
def test_reopening_goes_back_to_the_step_not_yet_passed_and_is_audited(handler: User) -> None:
    never_reached = ReferralFactory()
    reached = ReferralFactory()
    referral_mark_contacted(referral=reached)
    for referral in (never_reached, reached):
        referral_close(referral=referral, reason=ClosedReason.NOT_REACHED, closed_by=handler)
        referral_reopen(referral=referral, reason=ReopenReason.BACK_IN_TOUCH, reopened_by=handler)
        referral.refresh_from_db()
        assert referral.closed_at is None and referral.closed_reason == ""
        assert AuditEvent.objects.filter(
            object_id=str(referral.pk), detail="referral reopened: they got back in touch"
        ).exists()
    assert never_reached.status == Status.NEW and reached.status == Status.CONTACTED


@pytest.mark.django_db
def test_a_referral_closed_as_not_eligible_reopens_for_review(handler: User) -> None:
    referral = ReferralFactory(eligibility=Eligibility.INELIGIBLE)
    referral_close(referral=referral, reason=ClosedReason.INELIGIBLE, closed_by=handler)
    referral_reopen(referral=referral, reason=ReopenReason.ELIGIBILITY_RECONSIDERED, reopened_by=handler)
    referral.refresh_from_db()
    assert referral.status == Status.NEW and referral.eligibility == Eligibility.NEEDS_REVIEW


@pytest.mark.django_db
def test_reopening_is_refused_while_the_person_has_another_open_referral(handler: User) -> None:
    old = ReferralFactory(status=Status.CLOSED, closed_reason=ClosedReason.WITHDRAWN)
    new = ReferralFactory(registration_number=old.registration_number, registration_index=old.registration_index)
    with pytest.raises(ReferralReopenError, match=f"another open referral, {new.reference}"):
        referral_reopen(referral=old, reason=ReopenReason.BACK_IN_TOUCH, reopened_by=handler)
    old.refresh_from_db()
    assert old.status == Status.CLOSED


@pytest.mark.django_db
def test_a_reopen_needs_a_known_reason(handler: User) -> None:
    referral = ReferralFactory(status=Status.CLOSED, closed_reason=ClosedReason.WITHDRAWN)
    with pytest.raises(ReferralReopenError, match="Choose why"):
        referral_reopen(referral=referral, reason="because", reopened_by=handler)


# --- Nothing else writes a referral's status ------------------------------------------------


def _root_name(node: ast.expr) -> str:
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def status_writes(source: str) -> list[int]:
    """Lines that set a referral's status: `<referral>.status = ...` (or setattr), or
    `.update(status=...)` on a queryset of Referral (`Referral.objects...` or a `referrals` name)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr == "status"
                and "referral" in ast.unparse(target.value).lower()
            ):
                found.append(node.lineno)
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
            obj, name = node.args[0], node.args[1]
            if isinstance(name, ast.Constant) and name.value == "status" and "referral" in ast.unparse(obj).lower():
                found.append(node.lineno)
        if isinstance(func, ast.Attribute) and func.attr in {"update", "bulk_update", "update_or_create"}:
            sets_status = any(k.arg == "status" for k in node.keywords) or any(
                isinstance(a, ast.List | ast.Tuple) and "'status'" in ast.unparse(a) for a in node.args
            )
            root = _root_name(func.value)
            if sets_status and (root == "Referral" or root.lower().startswith("referrals")):
                found.append(node.lineno)
    return found


def _code_files() -> list[Path]:
    skip = {".venv", "node_modules", "tests", "migrations", "var", ".git"}
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not skip & set(path.relative_to(ROOT).parts) and path.relative_to(ROOT) != OWNER
    )


def test_the_checker_finds_the_ways_status_used_to_be_written() -> None:
    assert status_writes("referral.status = Status.CONTACTED") == [1]
    assert status_writes("Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ASSIGNED)") == [1]
    assert status_writes("setattr(referral, 'status', 'closed')") == [1]
    assert status_writes("Referral.objects.bulk_update(rows, ['status'])") == [1]
    # A callback's status is the helpline's own.
    assert status_writes("Callback.objects.filter(referral=referral).update(status='cancelled')") == []
    assert status_writes("callback.status = CallbackStatus.SCHEDULED") == []


def test_nothing_outside_referrals_services_writes_a_referral_status() -> None:
    files = _code_files()
    assert Path(ROOT / "triage/services/helpline.py") in files and Path(ROOT / "clinicians/services/care.py") in files
    offenders = {str(path.relative_to(ROOT)): lines for path in files if (lines := status_writes(path.read_text()))}
    assert offenders == {}, "change a referral's status through the transitions in referrals/services.py"
