"""Vocabulary for the access matrix (tests/platform/test_access_matrix.py).

Each app lists every URL name it owns in tests/<app>/access_rules.py:

    RULES = {"referrals:start": PUBLIC, "referrals:my_home": only("practitioner")}
    KWARGS = {"clinicians:patient": lambda personas: {"pk": make_episode(personas["clinician"]).pk}}

A rule maps each role (and "anonymous") to the status a GET must return. `KWARGS`
builds URL arguments for patterns that take them, owned by the allowed persona.
"""

from __future__ import annotations

ROLES = ("anonymous", "practitioner", "handler", "clinician", "commissioner", "service_admin")
SIGNED_IN = ROLES[1:]

Rule = dict[str, int]

PUBLIC: Rule = dict.fromkeys(ROLES, 200)


def only(*roles: str, status: int = 200) -> Rule:
    """Allowed roles get `status`; other signed-in roles 403; anonymous users go to sign in (302)."""
    rule = {role: (status if role in roles else 403) for role in SIGNED_IN}
    rule["anonymous"] = 302
    return rule


def everyone(status: int) -> Rule:
    return dict.fromkeys(ROLES, status)


def custom(**statuses: int) -> Rule:
    missing = set(ROLES) - set(statuses)
    if missing:
        raise ValueError(f"custom() needs a status for every role; missing {sorted(missing)}")
    return dict(statuses)
