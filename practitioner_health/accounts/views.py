from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device

from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from . import app_sign_ins, services, throttles
from .decorators import practitioner_required, verified_required
from .forms import LoginForm, NHSSetPasswordForm, PasswordResetRequestForm, TokenForm
from .models import Authenticator, Role, User

NEXT_KEY = "after_login"
ENROL_DEVICE_KEY = "enrol_device_id"

LANDING_PAGES = {
    Role.PRACTITIONER: "referrals:my_home",
    Role.HANDLER: "triage:dashboard",
    Role.CLINICIAN: "clinicians:home",
    Role.COMMISSIONER: "reporting:dashboard",
    Role.SERVICE_ADMIN: "admin:index",
}


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return None


def _landing(request: HttpRequest) -> HttpResponse:
    target = _safe_next(request, request.session.pop(NEXT_KEY, None))
    return redirect(target or LANDING_PAGES[Role(request.user.role)])  # type: ignore[union-attr]


@never_cache
@sensitive_post_parameters("password")
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.user.is_verified():  # type: ignore[union-attr]
        return _landing(request)
    refusal = throttles.sign_in_refusal(request) if request.method == "POST" else None
    form = LoginForm(request, data=request.POST or None, refusal=refusal.message if refusal else None)
    if request.method == "POST" and form.is_valid():
        user = form.user
        assert user is not None
        next_url = _safe_next(request, request.GET.get("next"))
        login(request, user)  # a new session id: no fixation
        if next_url:
            request.session[NEXT_KEY] = next_url
        audit_record(action=Action.LOGIN, obj=user, actor_id=user.pk, actor_role=user.role, detail="password")
        if user.role == Role.PRACTITIONER and services.confirmed_totp(user) is None:
            _email_code_send(request, user)
            return redirect("accounts:verify")
        if services.confirmed_totp(user) is None:
            return redirect("accounts:enrol")
        return redirect("accounts:verify")
    return render(request, "accounts/login.html", {"form": form}, status=429 if refusal else 200)


def _email_code_send(request: HttpRequest, user: User) -> bool:
    """Email a security code unless this account or client has had too many: then say how long to wait
    (a code sent earlier still works until it expires). Returns whether one was sent; an account
    with an authenticator app is never sent one."""
    if not services.emailed_codes_allowed(user):
        return False
    refusal = throttles.code_email_refusal(request, user=user)
    if refusal is not None:
        messages.error(request, refusal.message)
        return False
    return services.email_code_send(user=user)


def _second_step_passed(request: HttpRequest, device: Device) -> None:
    """Mark the session as past the second factor under a new session id: whoever saw the id
    before (it was issued on a password alone) holds nothing. The session's data is kept."""
    otp_login(request, device)
    request.session.cycle_key()


@never_cache
@login_required
def verify_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if user.is_verified():  # type: ignore[attr-defined]
        return _landing(request)
    if user.role != Role.PRACTITIONER and services.confirmed_totp(user) is None:
        return redirect("accounts:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_factor_match(user=user, token=form.cleaned_data["token"])
        if device is not None:
            _second_step_passed(request, device)
            audit_record(action=Action.LOGIN, obj=user, detail="second factor")
            return _landing(request)
        form.add_error("token", "The security code is not right or has expired. Check it and try again.")
    uses_email = services.emailed_codes_allowed(user)
    return render(request, "accounts/verify.html", {"form": form, "uses_email": uses_email})


@require_POST
@login_required
def resend_code_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_verified():  # type: ignore[attr-defined]
        if not services.emailed_codes_allowed(user):
            # An account with an app gets no emailed code: the verify page already asks for the app's.
            messages.info(request, "Enter the code from your authenticator app.")
        elif _email_code_send(request, user):
            messages.info(request, "We have sent you a new security code.")
    return redirect("accounts:verify")


def _qr_svg(device: Authenticator) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@never_cache
@login_required
def enrol_view(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: required for staff at first sign-in, optional for practitioners."""
    user: User = request.user  # type: ignore[assignment]
    if services.confirmed_totp(user) is not None and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:verify")
    if user.role == Role.PRACTITIONER and not user.is_verified():  # type: ignore[attr-defined]
        # A practitioner proves the email factor before adding an app.
        return redirect("accounts:verify")
    form = TokenForm(request.POST or None)
    device = None
    if request.method == "POST":
        # The secret this session was shown, if still in its window; every GET shows a new one.
        device = services.authenticator_pending(user=user, device_id=request.session.get(ENROL_DEVICE_KEY))
        if device is None:
            form.is_valid()
            form.add_error("token", "This set-up has expired. Scan the new QR code and enter the code it shows.")
        elif form.is_valid():
            if device.verify_token(form.cleaned_data["token"]) and services.authenticator_confirm(
                user=user, device=device
            ):
                request.session.pop(ENROL_DEVICE_KEY, None)
                _second_step_passed(request, device)
                codes = services.backup_codes_generate(user=user)
                return render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": True})
            form.add_error("token", "The security code is not right. Check the time on your phone and try again.")
    if device is None:
        device = services.totp_enrolment_start(user=user)
        request.session[ENROL_DEVICE_KEY] = device.pk
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "replacing": services.confirmed_totp(user) is not None,
        "qr_svg": _qr_svg(device),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/enrol.html", context)


@never_cache
@verified_required
@require_http_methods(["GET", "POST"])
def backup_codes_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        codes = services.backup_codes_generate(user=user)  # type: ignore[arg-type]
        return render(request, "accounts/backup_codes.html", {"codes": codes, "first_time": False})
    return render(request, "accounts/backup_codes_confirm.html")


@never_cache
@verified_required
@require_GET
def security_view(request: HttpRequest) -> HttpResponse:
    """How this person signs in: their app, backup codes left, and how to change each."""
    user: User = request.user  # type: ignore[assignment]
    practitioner = user.role == Role.PRACTITIONER
    context = {
        "methods": services.sign_in_methods(user),
        "practitioner": practitioner,
        "app_sign_ins": app_sign_ins.live(user=user) if practitioner else [],
    }
    return render(request, "accounts/security.html", context)


@practitioner_required
@require_POST
def app_sign_in_end_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign out the app on one device (a lost phone, a tablet given away). Audited."""
    if not app_sign_ins.end(user=request.user, sign_in_id=pk):  # type: ignore[arg-type]
        raise Http404
    messages.success(request, "The app on that device is signed out.")
    return redirect("accounts:security")


@practitioner_required
@require_POST
def authenticator_remove_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # This session proved the second step with the app it is removing: it stays signed in.
    otp_login(request, services.authenticator_remove(user=user))
    message = "Authenticator app removed. We will email you a code each time you sign in."
    if services.sign_in_methods(user).backup_codes_left:
        # Kept, for when their email is out of reach too; but if they were kept on the phone
        # they have stopped using, someone else may have them.
        message += " Your backup codes still work: if you kept them on that phone, get new ones."
    messages.success(request, message)
    return redirect("accounts:security")


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit_record(action=Action.LOGOUT, obj=request.user)
    logout(request)  # flushes the server-side session
    messages.info(request, "You have signed out.")
    return redirect("home")


@never_cache
def home_view(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if not request.user.is_verified():  # type: ignore[union-attr]
        return redirect("accounts:verify")
    return redirect(LANDING_PAGES[Role(request.user.role)])  # type: ignore[union-attr]


@never_cache
def password_reset_view(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Counted by the address typed, known or not: the answer is the same either way.
        refusal = throttles.password_link_refusal(request, email=form.cleaned_data["email"])
        if refusal is not None:
            form.add_error(None, refusal.message)
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        user = get_user_model().objects.get_by_email(form.cleaned_data["email"])  # type: ignore[attr-defined]
        if user is not None and user.is_active:
            services.password_link_send(user=user)
        # The same answer whether or not the address is known: no account enumeration.
        return redirect("accounts:password_reset_done")
    return render(request, "accounts/password_reset.html", {"form": form})


def password_reset_done_view(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


# As Django's PasswordResetConfirmView: the emailed link's token is moved into the session
# and the browser sent on to this tokenless address, so the token is not in the address bar,
# the history, a Referer header or any log of the page the person spends time on.
SET_PASSWORD_TOKEN = "set"
SET_PASSWORD_SESSION_KEY = "_password_set_token"


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def password_reset_confirm_view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    try:
        user = get_user_model().objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, get_user_model().DoesNotExist):
        user = None
    if token != SET_PASSWORD_TOKEN:
        if user is None or not default_token_generator.check_token(user, token):
            return render(request, "accounts/password_reset_invalid.html", status=400)
        request.session[SET_PASSWORD_SESSION_KEY] = token
        return redirect("accounts:password_reset_confirm", uidb64=uidb64, token=SET_PASSWORD_TOKEN)
    token = request.session.get(SET_PASSWORD_SESSION_KEY, "")
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = NHSSetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        del request.session[SET_PASSWORD_SESSION_KEY]
        audit_record(
            action=Action.UPDATE,
            obj=user,
            actor_id=user.pk,
            actor_role=user.role,
            subject_id=user.pk,
            detail="password set",
        )
        messages.info(request, "Your password has been set. You can now sign in.")
        return redirect(reverse("accounts:login"))
    return render(request, "accounts/password_reset_confirm.html", {"form": form})
