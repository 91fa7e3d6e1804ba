"""Every URL in the project, requested as every role, gets the status its app declared.

The URL list is discovered from the URLconf, so a new view without a rule fails here.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.access import ROLES
from tests.conftest import verified_client

SKIPPED_NAMESPACES = {"admin"}  # checked by test_admin_requires_a_verified_service_admin


def _walk(patterns: list, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            child = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, child)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def project_url_names() -> list[str]:
    names = {name for name, _ in _walk(get_resolver().url_patterns)}
    return sorted(n for n in names if n.split(":")[0] not in SKIPPED_NAMESPACES)


def _load_rules() -> tuple[dict, dict]:
    rules: dict = {}
    kwargs: dict = {}
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        try:
            rules_module = importlib.import_module(f"tests.{module.name}.access_rules")
        except ModuleNotFoundError:
            continue
        duplicated = set(rules) & set(rules_module.RULES)
        assert not duplicated, f"URL names declared twice: {duplicated}"
        rules.update(rules_module.RULES)
        kwargs.update(getattr(rules_module, "KWARGS", {}))
    return rules, kwargs


RULES, KWARGS = _load_rules()


def test_every_url_has_an_access_rule() -> None:
    missing = [name for name in project_url_names() if name not in RULES]
    assert not missing, f"Add these URL names to tests/<app>/access_rules.py: {missing}"
    stale = [name for name in RULES if name not in project_url_names()]
    assert not stale, f"Access rules for URLs that no longer exist: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", project_url_names())
def test_each_role_gets_the_declared_status(url_name: str, personas: dict) -> None:
    rule = RULES[url_name]
    kwargs = KWARGS[url_name](personas) if url_name in KWARGS else {}
    url = reverse(url_name, kwargs=kwargs)
    got = {}
    for role in ROLES:
        user = personas[role]
        client = verified_client(user) if user is not None else __import__("django.test").test.Client()
        response = client.get(url)
        got[role] = response.status_code
        if response.status_code == 302 and role == "anonymous" and rule[role] == 302:
            assert "/account/sign-in/" in response["Location"] or url_name.startswith("accounts:"), (
                f"{url_name}: anonymous users should be sent to sign in, not {response['Location']}"
            )
    assert got == rule, f"{url_name} ({url}): expected {rule}, got {got}"


@pytest.mark.slow  # every admin page, for five personas
@pytest.mark.django_db
def test_admin_requires_a_verified_service_admin(personas: dict) -> None:
    from django.test import Client

    changelists = [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    for url in ["/admin/", *changelists]:
        assert Client().get(url).status_code == 302
        for role in ("practitioner", "handler", "clinician", "commissioner"):
            response = verified_client(personas[role]).get(url)
            assert response.status_code in {302, 403}, (url, role, response.status_code)
            assert b"Site administration" not in response.content
        assert verified_client(personas["service_admin"]).get(url).status_code == 200, url
