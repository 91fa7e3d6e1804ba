"""One error shape for every API answer that is not a success.

    {"code": "invalid", "message": "Check the fields and try again.", "fields": {"email": ["Enter ..."]}}

`code` is for the app to act on, `message` is fit to show a person, and `fields` (only for
validation errors) lists what is wrong field by field.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from clinicians.services import BookingError, SlotTakenError, TooLateToChangeError


class ApiError(exceptions.APIException):
    """An error with our own code and status: raise ApiError(409, "slot_taken", "...")."""

    def __init__(self, status_code: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.extra = extra


class ValidationFailed(ApiError):
    def __init__(self, fields: dict[str, list[str]], message: str = "Check the answers and try again.") -> None:
        super().__init__(status.HTTP_422_UNPROCESSABLE_ENTITY, "invalid", message, fields=fields)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field.sub": ["message", ...]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = "" if key == "non_field_errors" else str(key)
            flat.update(_flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix)))
        return flat
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **extra}


GENERIC = {
    status.HTTP_400_BAD_REQUEST: ("bad_request", "The request could not be read."),
    status.HTTP_401_UNAUTHORIZED: ("not_authenticated", "Sign in to do this."),
    status.HTTP_403_FORBIDDEN: ("forbidden", "You cannot do this."),
    status.HTTP_404_NOT_FOUND: ("not_found", "Not found."),
    status.HTTP_405_METHOD_NOT_ALLOWED: ("method_not_allowed", "This address does not accept that method."),
    status.HTTP_406_NOT_ACCEPTABLE: ("not_acceptable", "This address answers in JSON only."),
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: ("unsupported_media_type", "Send the request body as JSON."),
    status.HTTP_429_TOO_MANY_REQUESTS: ("rate_limited", "Too many requests. Wait a moment and try again."),
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, SlotTakenError):
        exc = ApiError(409, "slot_taken", exc.message, next_slots=[_slot(s) for s in exc.next_slots])
    elif isinstance(exc, TooLateToChangeError):
        exc = ApiError(409, "too_late_to_change", exc.message)
    elif isinstance(exc, BookingError):
        exc = ApiError(409, "booking_refused", exc.message)
    if not isinstance(exc, exceptions.APIException):
        return None

    if isinstance(exc, ApiError):
        body = error_body(exc.code, exc.message, **exc.extra)
    elif isinstance(exc, exceptions.ValidationError):
        exc.status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
        body = error_body("invalid", "Check the answers and try again.", fields=_flatten(exc.detail))
    else:
        code, message = GENERIC.get(exc.status_code, ("error", "The request could not be completed."))
        if isinstance(exc, exceptions.AuthenticationFailed):
            code, message = "token_invalid", str(exc.detail)
        elif isinstance(exc, exceptions.NotAuthenticated):
            message = "Sign in to do this: send Authorization: Bearer <token>."
        elif isinstance(exc, exceptions.ParseError):
            code, message = "malformed", "The request body is not valid JSON."
        body = error_body(code, message)
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(int(exc.wait))
        body["retry_after_seconds"] = int(exc.wait)
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


def _slot(slot: Any) -> dict[str, Any]:
    from .serializers import SlotSerializer

    return dict(SlotSerializer(slot).data)
