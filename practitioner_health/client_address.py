"""The client's address, worked out one way for audit rows, sign-in lockouts and rate limits.

Behind trusted reverse proxies (`BEHIND_PROXY`, `PROXY_COUNT` of them) the address is the
one the outermost trusted proxy saw: the `PROXY_COUNT`th entry from the right of
X-Forwarded-For, since each proxy appends the address it was called from and anything to
the left of that is whatever the client chose to send. Not behind a proxy, the header is the
client's own words and is ignored: the socket's address is the only one that cannot be forged.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address to record and to count against; "" when there is none to trust."""
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.PROXY_COUNT if settings.BEHIND_PROXY else 0
    if not proxies:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # The request did not come through every proxy we expect: nothing in the header is
        # vouched for, so the nearest address we know is the one connecting to us.
        return remote
    return _valid(forwarded[-proxies]) or remote


def _valid(value: object) -> str:
    """The address in canonical form, or "" for anything that is not one (it may be stored)."""
    try:
        return str(ipaddress.ip_address(str(value).strip()))
    except ValueError:
        return ""
