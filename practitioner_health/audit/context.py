"""Who is acting and in which request, for audit rows and log lines.

Context variables rather than thread-locals so they are right under ASGI as well as WSGI;
Celery tasks run with none set and are recorded as the system.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    ip_address: str | None = None
    actor_id: int | None = None
    actor_role: str = ""


current: ContextVar[RequestContext | None] = ContextVar("audit_request_context", default=None)


def get() -> RequestContext | None:
    return current.get()
