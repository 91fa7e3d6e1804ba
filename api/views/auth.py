"""Signing in from the app: password, then the same second factor as the website, then a token."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.db import transaction
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from practitioner_health.accounts import services as account_services
from practitioner_health.accounts.forms import LoginForm
from practitioner_health.accounts.models import Role, User
from practitioner_health.accounts.throttles import code_email_refusal
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from ..errors import ApiError, ValidationFailed
from ..models import ApiToken, ChallengeMethod, SignInChallenge
from ..serializers import ChallengeSerializer, SignInSerializer, TokenSerializer, VerifySerializer
from ..throttling import ClientThrottle, SignInThrottle
from ..tokens import challenge_find, challenge_issue, token_issue, token_revoke, tokens_revoke_all
from .base import PractitionerView, PublicView, errors, form_errors, valid

LOCKED_OUT = (
    "This account is locked for a while after too many attempts. Try again later or reset your password on the website."
)
WRONG_PASSWORD = "The email address or password is not right. Check them and try again."


def _locked_out(request: Request) -> ApiError:
    # Answer in JSON ourselves: the lockout middleware would otherwise swap in the web page.
    request._request.axes_locked_out = False  # type: ignore[attr-defined]
    return ApiError(status.HTTP_429_TOO_MANY_REQUESTS, "locked_out", LOCKED_OUT)


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class SignInView(PublicView):
    throttle_classes = [ClientThrottle, SignInThrottle]

    @extend_schema(
        operation_id="auth_sign_in",
        request=SignInSerializer,
        responses={200: ChallengeSerializer, **errors(400, 401, 403, 422)},
        auth=[],
        summary="Check the email and password; a one-time code is then needed (emailed, or from an app).",
    )
    def post(self, request: Request) -> Response:
        data = valid(SignInSerializer, request.data)
        credentials = {"username": data["email"]}
        if AxesProxyHandler.is_locked(request._request, credentials):
            raise _locked_out(request)
        form = LoginForm(request._request, data={"username": data["email"], "password": data["password"]})
        if not form.is_valid():
            if getattr(request._request, "axes_locked_out", False):
                raise _locked_out(request)
            if "username" in form.errors or "password" in form.errors:
                raise ValidationFailed(form_errors(form), "Check your email address and password.")
            raise ApiError(status.HTTP_401_UNAUTHORIZED, "invalid_credentials", WRONG_PASSWORD)
        user = form.user
        assert user is not None
        if user.role != Role.PRACTITIONER:
            raise ApiError(status.HTTP_403_FORBIDDEN, "practitioners_only", "The app is for practitioners only.")
        audit_record(action=Action.LOGIN, obj=user, actor_id=user.pk, actor_role=user.role, detail="password (app)")
        with transaction.atomic():
            if account_services.confirmed_totp(user) is not None:
                issued = challenge_issue(user=user, method=ChallengeMethod.TOTP)
                method = ChallengeMethod.TOTP
            else:
                if refusal := code_email_refusal(request._request, user=user):
                    raise ApiError(status.HTTP_429_TOO_MANY_REQUESTS, "rate_limited", refusal.message)
                issued = challenge_issue(user=user, method=ChallengeMethod.EMAIL)
                account_services.email_code_send(user=user)
                method = ChallengeMethod.EMAIL
        body = {"challenge": issued.secret, "method": method.value, "expires_at": issued.expires_at}
        return Response(ChallengeSerializer(body).data)


class VerifyView(PublicView):
    throttle_classes = [ClientThrottle, SignInThrottle]

    @extend_schema(
        operation_id="auth_verify",
        request=VerifySerializer,
        responses={201: TokenSerializer, **errors(400, 401, 422)},
        auth=[],
        summary="Send the one-time code with the challenge; get a token (shown once).",
    )
    def post(self, request: Request) -> Response:
        data = valid(VerifySerializer, request.data)
        with transaction.atomic():
            challenge = challenge_find(data["challenge"])
            if challenge is None:
                raise ApiError(
                    status.HTTP_401_UNAUTHORIZED,
                    "challenge_expired",
                    "This sign-in has expired or was used. Sign in again.",
                )
            user: User = challenge.user
            # Only the factors this account has set up: never an emailed code once it has an app.
            device = account_services.second_factor_match(user=user, token=data["code"].strip())
            if device is None or not user.is_active:
                SignInChallenge.objects.filter(pk=challenge.pk).update(failed_attempts=challenge.failed_attempts + 1)
                audit_record(
                    action=Action.LOGIN_FAILED, obj=user, actor_id=user.pk, actor_role=user.role, detail="code (app)"
                )
                wrong = ApiError(
                    status.HTTP_401_UNAUTHORIZED,
                    "invalid_code",
                    "The security code is not right or has expired. Check it and try again.",
                )
            else:
                challenge.used_at = timezone.now()
                challenge.save(update_fields=["used_at"])
                audit_record(
                    action=Action.LOGIN, obj=user, actor_id=user.pk, actor_role=user.role, detail="second factor (app)"
                )
                issued = token_issue(user=user)
                wrong = None
        if wrong is not None:
            # Raised outside the transaction so the failed attempt is counted, not rolled back.
            raise wrong
        body = {"token": issued.secret, "token_type": "Bearer", "expires_at": issued.expires_at}
        return Response(TokenSerializer(body).data, status=status.HTTP_201_CREATED)


class SignOutView(PractitionerView):
    @extend_schema(operation_id="auth_sign_out", request=None, responses={204: None, **errors(401, 403)})
    def post(self, request: Request) -> Response:
        assert isinstance(request.auth, ApiToken)
        token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignOutEverywhereView(PractitionerView):
    @extend_schema(operation_id="auth_sign_out_everywhere", request=None, responses={204: None, **errors(401, 403)})
    def post(self, request: Request) -> Response:
        tokens_revoke_all(user=self.practitioner)
        return Response(status=status.HTTP_204_NO_CONTENT)
