"""The link emailed to whoever sends a referral: see that request online.

Following it proves control of the typed mailbox; then setting a password (a new account)
or signing in (an existing one) joins the request to that account. A new referral and a
repeat request give the same pages, so the link tells a stranger nothing either.

The token is in the emailed address only for the first request: it is moved into the
session and the browser sent on to an address without it, so it does not stay in the
history, in Referer headers or in access logs.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from practitioner_health.accounts.forms import NHSSetPasswordForm
from practitioner_health.accounts.models import Role, User

from ..models import RequestLink
from ..services import (
    RequestLinkUsedError,
    request_link_account,
    request_link_account_create,
    request_link_find,
    request_link_use,
)

SESSION_KEY = "request_link_token"


@never_cache
@require_GET
def request_link(request: HttpRequest, token: str) -> HttpResponse:
    request.session[SESSION_KEY] = token
    # 303 See Other: the page for this link is at another address, one without the token.
    moved = redirect("referrals:request_link_follow")
    moved.status_code = 303
    return moved


def _invalid(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return render(request, "referrals/request_link_invalid.html", {"public_page": True}, status=400)


def _done(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def request_link_follow(request: HttpRequest) -> HttpResponse:
    link = request_link_find(request.session.get(SESSION_KEY, ""))
    if link is None:
        return _invalid(request)
    account = request_link_account(link)
    signed_in: User | None = request.user if request.user.is_authenticated else None  # type: ignore[assignment]
    if signed_in is not None:
        return _signed_in(request, link, signed_in, account)
    if account is None or (account.role == Role.PRACTITIONER and not account.has_usable_password()):
        return _set_password(request, link, account)
    if account.role != Role.PRACTITIONER:
        return _staff_address(request, link)
    # Their account already exists: sign in (password, then code) and come back here.
    return redirect_to_login(reverse("referrals:request_link_follow"))


def _staff_address(request: HttpRequest, link: RequestLink) -> HttpResponse:
    """Staff have no practitioner pages: the link is spent, and the request stays with the helpline."""
    try:
        request_link_use(link=link, user=None)
    except RequestLinkUsedError:
        return _invalid(request)
    _done(request)
    return render(request, "referrals/request_link_received.html", {"public_page": True})


def _signed_in(request: HttpRequest, link: RequestLink, user: User, account: User | None) -> HttpResponse:
    if not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:verify")
    if account is None or account.pk != user.pk:
        # Signed in as someone else (a shared computer, or a link sent on): they sign out first.
        return render(request, "referrals/request_link_other_account.html", status=403)
    if user.role != Role.PRACTITIONER:
        return _staff_address(request, link)
    try:
        request_link_use(link=link, user=user)
    except RequestLinkUsedError:
        return _invalid(request)
    _done(request)
    messages.success(request, "Your request is now on your pages.")
    return redirect("referrals:my_home")


def _set_password(request: HttpRequest, link: RequestLink, account: User | None) -> HttpResponse:
    # An unsaved account stands in for a new one, so the password checks can compare with the email.
    candidate = account or User(email=link.request.email, role=Role.PRACTITIONER)
    form = NHSSetPasswordForm(candidate, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            request_link_account_create(link=link, password=form.cleaned_data["new_password1"])
        except (RequestLinkUsedError, PermissionError, IntegrityError):
            # Used in another tab, or the account made there at the same moment.
            return _invalid(request)
        _done(request)
        messages.info(request, "Your password has been set. Sign in to see your request.")
        return redirect(f"{reverse('accounts:login')}?next={reverse('referrals:my_home')}")
    return render(request, "referrals/request_link_password.html", {"form": form, "public_page": True})
