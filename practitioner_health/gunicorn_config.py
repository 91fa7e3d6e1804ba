"""gunicorn settings for every mode: `gunicorn -c python:practitioner_health.gunicorn_config`.

The access log says what was asked for and how it went, and nothing that could identify a
person or open an account: no query string (a search typed into a form that used GET, an
address someone pasted), no referring page (which carries its own query string), no client
address, user agent or cookie, and no secret token from a path (a password link, a callback
webhook). Each line has the request id, which ties it to the application's own log lines.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from practitioner_health.logfilters import redact_path

ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s'


class AccessLogger(Logger):  # type: ignore[misc]
    """Offers the access log format only the fields above, whatever format is configured."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        every = super().atoms(resp, req, environ, request_time)
        kept = {key: every[key] for key in ("t", "m", "s", "b", "B", "T", "D", "M", "L", "p", "H")}
        kept["U"] = redact_path(str(environ.get("PATH_INFO") or "-"))
        kept["{x-request-id}o"] = every.get("{x-request-id}o", "-")
        return kept


accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
logger_class = AccessLogger
