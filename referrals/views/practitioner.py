"""The practitioner's own pages: their referral's status, how we contact them, who has seen their record.

Every page shows only the signed-in practitioner's own data and records an audit event.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from practitioner_health.accounts.decorators import practitioner_required
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from ..forms import YES_NO_LABELS, ContactPreferencesChangeForm, PeopleKnownChangeForm
from ..models import ClosedReason, DuplicateSubmission, Referral
from ..selectors import access_history, access_row, request_latest_for_user, status_explained
from ..services import (
    ReferralNotClosableError,
    referral_close,
    referral_contact_preferences_update,
    referral_people_known_update,
)

ACCESS_PAGE_SIZE = 25


def get_referral_for_user(request: HttpRequest) -> Referral | DuplicateSubmission:
    """The signed-in practitioner's latest referral, or 404: there is never a way to ask for someone else's."""
    referral = request_latest_for_user(request.user)  # type: ignore[arg-type]
    if referral is None:
        raise Http404("No referral")
    return referral


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@never_cache
@practitioner_required
@require_GET
def my_home(request: HttpRequest) -> HttpResponse:
    referral = request_latest_for_user(request.user)  # type: ignore[arg-type]
    context: dict[str, object] = {"referral": referral}
    if referral is not None:
        audit_record(action=Action.VIEW, obj=referral, subject_id=request.user.pk, detail="referral status")
        context["status_title"], context["status_text"] = status_explained(referral)
        context["voicemail"] = YES_NO_LABELS[_yes_no(referral.voicemail_ok)]
        context["texts"] = YES_NO_LABELS[_yes_no(referral.texts_ok)]
    return render(request, "referrals/my_home.html", context)


@never_cache
@practitioner_required
@require_http_methods(["GET", "POST"])
def my_contact(request: HttpRequest) -> HttpResponse:
    referral = get_referral_for_user(request)
    initial = {
        "preferred_contact": referral.preferred_contact,
        "voicemail_ok": _yes_no(referral.voicemail_ok),
        "texts_ok": _yes_no(referral.texts_ok),
        "best_times": referral.best_times,
    }
    form = ContactPreferencesChangeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        referral_contact_preferences_update(
            referral=referral,
            voicemail_ok=form.cleaned_data["voicemail_ok"] == "yes",
            texts_ok=form.cleaned_data["texts_ok"] == "yes",
            best_times=form.cleaned_data["best_times"].strip(),
            preferred_contact=form.cleaned_data["preferred_contact"],
        )
        messages.success(request, "Your contact preferences have been saved.")
        return redirect("referrals:my_home")
    audit_record(action=Action.VIEW, obj=referral, subject_id=request.user.pk, detail="contact preferences")
    return render(request, "referrals/my_form.html", {"form": form, "submit_label": "Save contact preferences"})


@never_cache
@practitioner_required
@require_http_methods(["GET", "POST"])
def my_people(request: HttpRequest) -> HttpResponse:
    referral = get_referral_for_user(request)
    form = PeopleKnownChangeForm(
        request.POST if request.method == "POST" else None, initial={"people_known": referral.people_known}
    )
    if request.method == "POST" and form.is_valid():
        referral_people_known_update(referral=referral, people_known=form.cleaned_data["people_known"].strip())
        messages.success(request, "Your list of people you would not want involved has been saved.")
        return redirect("referrals:my_home")
    audit_record(action=Action.VIEW, obj=referral, subject_id=request.user.pk, detail="people you know")
    return render(request, "referrals/my_form.html", {"form": form, "submit_label": "Save"})


@never_cache
@practitioner_required
@require_http_methods(["GET", "POST"])
def my_stop(request: HttpRequest) -> HttpResponse:
    """Stop the referral: nobody calls, texts or emails about it, and they may refer again.

    Once a clinician has them, ending care is a conversation with the clinician: the page
    says so and offers no button.
    """
    referral = get_referral_for_user(request)
    if request.method == "POST":
        try:
            referral_close(referral=referral, reason=ClosedReason.WITHDRAWN, closed_by=request.user)  # type: ignore[arg-type]
        except ReferralNotClosableError:
            referral.refresh_from_db()
        else:
            messages.success(
                request,
                "You have stopped your referral. Our helpline will try once to call you, to check you are safe."
                if referral.safety_call_on_stop
                else "You have stopped your referral. We will not contact you about it.",
            )
            return redirect("referrals:my_home")
    audit_record(action=Action.VIEW, obj=referral, subject_id=request.user.pk, detail="stop referral")
    return render(request, "referrals/my_stop.html", {"referral": referral})


@never_cache
@practitioner_required
@require_GET
def my_access(request: HttpRequest) -> HttpResponse:
    user = request.user
    page = Paginator(access_history(user), ACCESS_PAGE_SIZE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    audit_record(action=Action.VIEW, obj=user, subject_id=user.pk, detail="record access history")  # type: ignore[arg-type]
    rows = [access_row(event) for event in page.object_list]
    return render(request, "referrals/my_access.html", {"page": page, "rows": rows})
