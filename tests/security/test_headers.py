"""Security headers on every response, and production's HSTS and cookie flags.

Every URL in the project (the access matrix's list, discovered from the URLconf) is requested
as every role; whatever the answer (a page, a redirect, a 403 or 404), it carries the headers.
Production mode is checked in a separate process started with DJANGO_ENV=production, since
settings are fixed at import time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

import tests.platform.test_access_matrix as matrix
from tests.access import ROLES
from tests.conftest import verified_client


def assert_secure_headers(response, where: str) -> None:  # type: ignore[no-untyped-def]
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"{where}: no Content-Security-Policy"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: {csp}"
    assert "frame-ancestors 'none'" in csp, f"{where}: {csp}"
    assert response.get("X-Frame-Options") == "DENY", where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") == "same-origin", where


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", matrix.project_url_names())
def test_every_response_carries_the_security_headers(url_name: str, personas: dict) -> None:
    kwargs = matrix.KWARGS[url_name](personas) if url_name in matrix.KWARGS else {}
    url = reverse(url_name, kwargs=kwargs)
    for role in ROLES:
        user = personas[role]
        client = verified_client(user) if user is not None else Client()
        assert_secure_headers(client.get(url), f"{url_name} as {role}")


@pytest.mark.django_db
def test_error_pages_carry_the_security_headers(client: Client) -> None:
    assert_secure_headers(client.get("/no-such-page/"), "404")
    assert_secure_headers(client.post("/refer/self/", {"is_self": "yes"}, HTTP_X_CSRFTOKEN="wrong"), "403 CSRF")


PRODUCTION_PROBE = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.test import Client

    # collectstatic has not run here: serve static URLs unhashed (nothing else changes).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client(HTTP_HOST="ph.example.nhs.uk")
    out = {}
    for path in ("/healthz", "/", "/account/sign-in/"):
        response = client.get(path, secure=True)
        out[path] = {"status": response.status_code, "headers": dict(response.headers)}
    # An insecure request is sent to https.
    plain = client.get("/")
    out["plain"] = {"status": plain.status_code, "location": plain.get("Location", "")}
    # Answering the first question starts a session: its cookie and the CSRF cookie.
    client.get("/refer/self/", secure=True)
    answered = client.post("/refer/self/", {"is_self": "yes"}, secure=True)
    cookies = {}
    for source in (answered, client.get("/account/sign-in/", secure=True)):
        for name, morsel in source.cookies.items():
            cookies[name] = {
                "secure": bool(morsel["secure"]),
                "httponly": bool(morsel["httponly"]),
                "samesite": morsel["samesite"],
                "path": morsel["path"],
                "domain": morsel["domain"],
            }
    out["cookies"] = cookies
    out["session_cookie_name"] = settings.SESSION_COOKIE_NAME
    out["csrf_cookie_name"] = settings.CSRF_COOKIE_NAME
    print(json.dumps(out))
    """
)


@pytest.mark.django_db(transaction=True)
def test_production_mode_sends_hsts_and_secure_cookies() -> None:
    parts = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit((parts.scheme, parts.netloc, "/" + connection.settings_dict["NAME"], "", ""))
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "practitioner_health.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "production-probe-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "FIELD_ENCRYPTION_KEY": ",".join(settings.FIELD_ENCRYPTION_KEY),
        "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY,
        "ALLOWED_HOSTS": "ph.example.nhs.uk",
        "CSRF_TRUSTED_ORIGINS": "https://ph.example.nhs.uk",
        "PUBLIC_URL": "https://ph.example.nhs.uk",
        "BEHIND_PROXY": "false",
        "EMAIL_TRANSPORT": "console",
        "SMS_TRANSPORT": "file",
        "DJANGO_DEBUG": "false",
        "TWILIO_ACCOUNT_SID": "AC00000000000000000000000000000000",
        "TWILIO_AUTH_TOKEN": "production-probe-token",
        "TWILIO_FROM_NUMBER": "+447700900000",
        "HELPLINE_FORWARD_NUMBERS": "+447700900001",
        "EMAIL_HOST": "127.0.0.1",
    }
    completed = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    out = json.loads(completed.stdout.strip().splitlines()[-1])

    for path in ("/healthz", "/", "/account/sign-in/"):
        page = out[path]
        assert page["status"] == 200, (path, page["status"])
        headers = page["headers"]
        assert headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload", path
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, path
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    assert out["plain"]["status"] == 301 and out["plain"]["location"].startswith("https://")

    cookies = out["cookies"]
    for name in (out["session_cookie_name"], out["csrf_cookie_name"]):
        assert name.startswith("__Host-"), name
        cookie = cookies[name]
        assert cookie["secure"] and cookie["httponly"], (name, cookie)
        assert cookie["samesite"] in ("Lax", "Strict"), (name, cookie)
        assert cookie["path"] == "/" and not cookie["domain"], (name, cookie)
