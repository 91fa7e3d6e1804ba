"""The Friends and Family Test: the answer page (opened from the emailed link or the
practitioner's own page, the signed token is its key), and the service admin's page of
comments, redacted. See clinicians.feedback for what is stored and what is not."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from practitioner_health.accounts.decorators import role_required
from practitioner_health.accounts.forms import NHSFormMixin
from practitioner_health.accounts.models import Role
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.pagination import page_of, pagination_links

from .. import feedback
from ..models import FeedbackRating

QUESTION = "Overall, how was your experience of our service?"
COMMENT_QUESTION = "What was good, or what could be better?"


class FeedbackForm(NHSFormMixin, forms.Form):
    rating = forms.ChoiceField(
        label=QUESTION,
        choices=FeedbackRating.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how your experience was, or 'Don't know'",
            "invalid_choice": "Select how your experience was, or 'Don't know'",
        },
    )
    comment = forms.CharField(
        label=COMMENT_QUESTION,
        help_text="Optional. Please do not write your name or anyone else's: your answer is kept without them.",
        required=False,
        max_length=feedback.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"Your answer must be {feedback.COMMENT_MAX} characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].error_anchor_suffix = "_0"  # type: ignore[attr-defined]


def _page(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    return render(request, f"clinicians/feedback/{template}", {"public_page": True, **context}, status=status)


@require_http_methods(["GET", "POST"])
def feedback_answer(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding a valid link (no sign-in: the answer is anonymous). A forged or
    expired link is a 404, like any other address that is not there."""
    found = feedback.token_read(token)
    if found is None:
        raise Http404
    episode_id, stage = found
    if not feedback.feedback_offered(episode_id=episode_id, stage=stage):
        raise Http404
    if feedback.feedback_given(episode_id=episode_id, stage=stage):
        return _page(request, "already.html", {})
    form = FeedbackForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback.feedback_submit(
                token=token, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except feedback.FeedbackAlreadyGiven:
            return _page(request, "already.html", {})
        except feedback.FeedbackError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("clinicians:feedback_thanks")
    return _page(request, "answer.html", {"form": form}, status=400 if form.errors else 200)


@require_GET
def feedback_thanks(request: HttpRequest) -> HttpResponse:
    return _page(request, "thanks.html", {})


@role_required(Role.SERVICE_ADMIN)
@require_GET
def feedback_comments(request: HttpRequest) -> HttpResponse:
    """Service admins (standing in for the clinical lead) only: what people wrote, with anything
    that could name someone removed before it is shown. Never offered to commissioners."""
    page = page_of(request, feedback.comments_for_review(), 25)
    audit_record(action=Action.VIEW, object_type="clinicians.feedback", detail="Friends and Family Test comments")
    return render(
        request,
        "clinicians/feedback/comments.html",
        {"page": page, "pagination": pagination_links(request, page)},
    )
