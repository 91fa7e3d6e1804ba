"""What every API view shares: permissions, documented error answers, validated input."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practitioner_health.accounts.models import Role, User

from ..serializers import ErrorSerializer

ERROR_MEANINGS = {
    400: "The body is not valid JSON.",
    401: "No token, or the token is not valid, expired or signed out.",
    403: "Not available to this account.",
    404: "Not found (or not yours).",
    409: "Conflicts with the current state (e.g. the time was just taken).",
    422: "Validation failed: see `fields`.",
    429: "Too many requests: see Retry-After.",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_MEANINGS[code]) for code in (429, *statuses)}


class IsPractitioner(permissions.BasePermission):
    """A token-authenticated practitioner. Staff and commissioners have nothing here."""

    message = "The app is for practitioners only."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role == Role.PRACTITIONER)


class PublicView(APIView):
    permission_classes = [permissions.AllowAny]


class PractitionerView(APIView):
    permission_classes = [IsPractitioner]

    @property
    def practitioner(self) -> User:
        return self.request.user  # type: ignore[return-value]


def valid(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """Validated input, or a 422 with the errors field by field."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def form_errors(form: Any, prefix: str = "") -> dict[str, list[str]]:
    """A Django form's errors in the API's shape."""
    fields: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        key = name if name != "__all__" else "non_field_errors"
        fields[f"{prefix}{key}" if prefix else key] = [str(m) for m in messages]
    return fields


class NotFoundView(PublicView):
    """Any other address under the API: a JSON 404 rather than the website's HTML page."""

    schema = None  # not an operation: left out of the OpenAPI document

    def _not_found(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFound

    get = post = put = patch = delete = head = _not_found
