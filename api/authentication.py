"""Bearer-token authentication for the app. The token is read from the header only, never a URL."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from practitioner_health.audit import context

from .tokens import token_find


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = token_find(secret)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token is not valid, has expired or was signed out.")
        # The audit middleware ran before the token was read: note who is acting for this request.
        current = context.get()
        if current is not None:
            context.current.set(replace(current, actor_id=token.user.pk, actor_role=token.user.role))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'
