"""gunicorn's access log holds no personal data: no query string, no token from a path, no
client address, referring page, user agent or cookie. Tested on the logger gunicorn is
configured with (practitioner_health/gunicorn_config.py), as every mode starts it."""

from __future__ import annotations

import datetime
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from gunicorn.config import Config

from practitioner_health import gunicorn_config

TOKEN = "cxk4zz-0f0e0d0c0b0a09080706050403020100"


def configured() -> Config:
    """gunicorn's configuration as `--config python:practitioner_health.gunicorn_config` sets it."""
    config = Config()
    for name in ("accesslog", "access_log_format", "logger_class"):
        config.set(name, getattr(gunicorn_config, name))
    return config


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def access_line(environ: dict[str, Any], *, status: str = "200 OK", request_id: str = "r1") -> str:
    """The line gunicorn would write for this request."""
    config = configured()
    logger = config.logger_class(config)
    capture = _Lines()
    logger.access_log.handlers = [capture]
    request = SimpleNamespace(
        headers=[(key[5:].replace("_", "-"), value) for key, value in environ.items() if key.startswith("HTTP_")]
    )
    response = SimpleNamespace(status=status, sent=1234, headers=[("X-Request-ID", request_id)])
    full = {"SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": "GET", "QUERY_STRING": "", **environ}
    full.setdefault("RAW_URI", full["PATH_INFO"] + (f"?{full['QUERY_STRING']}" if full["QUERY_STRING"] else ""))
    logger.access(response, request, full, datetime.timedelta(milliseconds=12))
    [line] = capture.lines
    return line


def test_the_access_line_says_what_was_asked_and_how_it_went() -> None:
    line = access_line({"PATH_INFO": "/helpline/referral/12/", "REQUEST_METHOD": "GET"}, request_id="abc123")
    assert '"GET /helpline/referral/12/" 200 1234' in line
    assert "request_id=abc123" in line


def test_no_query_string_address_referer_agent_or_cookie_is_logged() -> None:
    line = access_line(
        {
            "PATH_INFO": "/self-help/search/",
            "QUERY_STRING": "q=alcohol+and+nights",
            "REMOTE_ADDR": "198.51.100.23",
            "HTTP_REFERER": "https://ph.test/helpline/?q=PH-7K3D-9QXM",
            "HTTP_USER_AGENT": "Mozilla/5.0 (Dr Fairweather's phone)",
            "HTTP_COOKIE": "sessionid=secret-session",
            "HTTP_X_FORWARDED_FOR": "203.0.113.9",
        }
    )
    for private in (
        "alcohol",
        "q=",
        "198.51.100.23",
        "PH-7K3D",
        "Mozilla",
        "Fairweather",
        "secret-session",
        "203.0.113",
    ):
        assert private not in line, private


@pytest.mark.parametrize(
    ("url_name", "kwargs"),
    [
        ("accounts:password_reset_confirm", {"uidb64": "MQ", "token": TOKEN}),
        ("triage:voice_callback_connect", {"token": TOKEN}),
        ("triage:voice_callback_screen", {"token": TOKEN}),
        ("triage:voice_callback_result", {"token": TOKEN}),
        ("triage:voice_callback_status", {"token": TOKEN}),
    ],
)
def test_a_token_in_a_path_is_not_logged(url_name: str, kwargs: dict[str, str]) -> None:
    path = reverse(url_name, kwargs=kwargs)
    line = access_line({"PATH_INFO": path, "REQUEST_METHOD": "POST"})
    assert TOKEN not in line
    assert "[token]" in line


def test_the_tokenless_password_form_address_is_logged_as_it_is() -> None:
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set"})
    assert f'"GET {path}"' in access_line({"PATH_INFO": path})


@pytest.mark.django_db
def test_django_s_own_request_log_does_not_name_a_link_token(client, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get(reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": TOKEN}))
    assert response.status_code == 400
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Bad Request" in logged and TOKEN not in logged
