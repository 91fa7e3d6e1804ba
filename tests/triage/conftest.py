from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client
from twilio.request_validator import RequestValidator


@pytest.fixture
def twilio_post(client: Client) -> Callable[..., object]:
    """POST to a webhook signed exactly as Twilio signs it (or with a given bad signature)."""

    def post(path: str, params: dict[str, str], *, signature: str | None = None):  # type: ignore[no-untyped-def]
        url = settings.PUBLIC_URL + path
        valid = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
        headers = {} if signature == "" else {"HTTP_X_TWILIO_SIGNATURE": signature if signature is not None else valid}
        return client.post(path, params, **headers)

    return post
