"""Logging helpers: what a log line may say about an error or an address, and a filter for floods.

`error_kind(exc)` is the only thing a log line (or a stored error) says about an exception:
its class. Its text can quote SQL parameters, or a provider's reply with a phone number in it.

Django's request and security loggers name the request's path ("Not Found: /..."). One of
the service's own addresses carries only ids and slugs, or a secret token that `redact_path`
takes out (a password link, a callback webhook); any other is whatever someone typed, an
email address pasted into the address bar, say. `UnknownPathFilter` withholds those.

When Redis is down, every cache call logs the same "Exception ignored" with a traceback:
one a request. `RepeatedRecordFilter` lets the first of a run of identical records through,
then at most one a minute, each saying how many were held back since the last.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from django.urls import Resolver404, resolve


def error_kind(exc: BaseException) -> str:
    """The exception's class, e.g. "OperationalError"; never its message."""
    return type(exc).__qualname__


WITHHELD_PATH = "(an address that is not one of the service's: withheld)"

# The service's paths that carry a secret: the group is kept, the token is not.
TOKEN_PATHS = (
    # A password link: /account/password/set/<uidb64>/<token>/ (the tokenless .../set/ is kept).
    re.compile(r"^(/account/password/set/[^/]+/)(?!set/)[^/]+"),
    # Twilio's callback webhooks: /helpline/voice/callback/<token>/...
    re.compile(r"^(/helpline/voice/callback/)[^/]+"),
)
REDACTED = "[token]"


def redact_path(path: str) -> str:
    """The path with any secret token in it replaced by "[token]"."""
    for pattern in TOKEN_PATHS:
        path = pattern.sub(lambda match: match.group(1) + REDACTED, path, count=1)
    return path


class UnknownPathFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        path = getattr(getattr(record, "request", None), "path", None)
        if not path or not isinstance(record.args, tuple):
            return True
        # Django escapes the arguments before logging them: match either form.
        forms = {path, path.encode("unicode_escape").decode("ascii")}
        try:
            resolve(path)
        except Resolver404:
            replacement = WITHHELD_PATH
        else:
            replacement = redact_path(path)
        record.args = tuple(replacement if arg in forms else arg for arg in record.args)
        return True


class RepeatedRecordFilter(logging.Filter):
    def __init__(self, seconds: float = 60.0) -> None:
        super().__init__()
        self.seconds = seconds
        self._lock = threading.Lock()
        # (logger name, message) -> (when one was last let through, how many held back since)
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.time()
        with self._lock:
            last, held = self._seen.get(key, (float("-inf"), 0))
            if now - last < self.seconds:
                self._seen[key] = (last, held + 1)
                return False
            self._seen[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like it held back since the last one logged)"
        return True
