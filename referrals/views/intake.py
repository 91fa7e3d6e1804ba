"""The self-referral pages: public for the doctor or dentist, and the handler's phone version.

Both flows run the same steps, forms and service; the phone flow adds the handler's
confirmation that they are speaking to the doctor themselves. Personal data never goes in
a URL: answers are in the (encrypted) session journey and the confirmation page reads its
reference from there once.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from practitioner_health.accounts.decorators import handler_required
from practitioner_health.accounts.models import Role, User

from ..flow import PHONE, SAFETY_STEP, STEP_INDEX, STEPS, WEB, Flow, Journey, back_url, next_url, walk
from ..forms import PhoneSubmitForm, SubmitForm
from ..models import WorkLocation
from ..ratelimit import step_limit_exceeded, submit_limit_exceeded
from ..selectors import signposts_resolve
from ..services import SubmissionResult, referral_submit, submission_key_for

logger = logging.getLogger(__name__)

STALE_ANSWERS_MESSAGE = "Your answers may have changed since this page was loaded. Check them and send them again."
NATION_NAMES = {
    WorkLocation.SCOTLAND.value: "Scotland",
    WorkLocation.WALES.value: "Wales",
    WorkLocation.NORTHERN_IRELAND.value: "Northern Ireland",
}


def _base_context(flow: Flow) -> dict[str, object]:
    return {"flow": flow, "public_page": not flow.phone, "phone": flow.phone}


def _start_again(request: HttpRequest, flow: Flow) -> HttpResponse:
    """No answers in this session (it expired, or the page was bookmarked): say so plainly."""
    return render(request, "referrals/start_again.html", {**_base_context(flow), "start_url": flow.start_url()})


def _too_many(request: HttpRequest, flow: Flow) -> HttpResponse:
    logger.warning("Self-referral rate limit reached")
    return render(request, "referrals/too_many.html", _base_context(flow), status=429)


# -- the question pages ---------------------------------------------------------------------------


def _question(request: HttpRequest, flow: Flow, slug: str) -> HttpResponse:
    step = STEPS[STEP_INDEX[slug]]
    journey = Journey.load(request.session, flow)
    if STEP_INDEX[slug] > 0 and not journey.answers:
        return _start_again(request, flow)
    state = walk(journey.answers, flow, upto=step, checked=journey.checked)
    if state.terminal_step is not None:
        return redirect(flow.url(state.terminal or "start"))
    change = request.GET.get("change") == "1"
    blocker = state.blocks(step)
    if blocker is not None:
        return redirect(flow.step_url(blocker, change=change))
    prior = state.prior_for(step)

    if request.method == "POST":
        if not flow.phone and step_limit_exceeded(request):
            return _too_many(request, flow)
        form = step.form_class(request.POST, prior=prior, phone=flow.phone)
        if form.is_valid():
            journey.answer(step, form, state)
            journey.save(request.session, flow)
            terminal = form.branch()
            if terminal is not None:
                return redirect(flow.url(terminal))
            return redirect(next_url(flow, step, journey.answers, change=change))
    else:
        form = step.form_class(initial=journey.answers.get(slug), prior=prior, phone=flow.phone)

    context = {
        **_base_context(flow),
        "form": form,
        "step": step,
        "back_url": back_url(flow, step, change=change),
        # Urgent-help information straight after a "yes" to the self-harm question.
        "show_crisis_panel": bool(prior.get("self_harm")) and STEP_INDEX[slug] == STEP_INDEX[SAFETY_STEP] + 1,
    }
    return render(request, "referrals/question.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, slug: str) -> HttpResponse:
    return _question(request, WEB, slug)


@never_cache
@handler_required
@require_http_methods(["GET", "POST"])
def phone_question(request: HttpRequest, slug: str) -> HttpResponse:
    return _question(request, PHONE, slug)


# -- pages that end the journey -------------------------------------------------------------------


def _branch_page(request: HttpRequest, flow: Flow, name: str) -> HttpResponse:
    state = walk(Journey.load(request.session, flow).answers, flow)
    came_here = state.terminal == name and state.terminal_step is not None
    context: dict[str, object] = {
        **_base_context(flow),
        # Back to the question that led here, so a wrong click is easy to undo.
        "back_url": flow.step_url(state.terminal_step) if came_here and state.terminal_step else flow.start_url(),
        "change_url": flow.step_url(state.terminal_step) if came_here and state.terminal_step else "",
    }
    if name == "students":
        context["entries"] = signposts_resolve([("financial-and-personal", "")])
    elif name == "devolved":
        nation = str(state.facts.get("work_location", "")) if came_here else ""
        context["nation"] = NATION_NAMES.get(nation, "")
        context["entries"] = signposts_resolve(
            [("devolved-nations", nation)] if nation else [("devolved-nations", n) for n in NATION_NAMES]
        )
    elif name == "outside_uk":
        context["entries"] = signposts_resolve([("return-to-practice", "")])
    return render(request, f"referrals/{name}.html", context)


@never_cache
@require_GET
def branch_page(request: HttpRequest, name: str) -> HttpResponse:
    return _branch_page(request, WEB, name)


@never_cache
@handler_required
@require_GET
def phone_branch_page(request: HttpRequest, name: str) -> HttpResponse:
    return _branch_page(request, PHONE, name)


# -- check your answers, send, confirmation -------------------------------------------------------


def _signed_in_practitioner(request: HttpRequest) -> User | None:
    """The practitioner sending their own referral while signed in (past 2FA): it is theirs at once."""
    user = request.user
    if user.is_authenticated and user.is_verified() and user.role == Role.PRACTITIONER:  # type: ignore[union-attr]
        return user  # type: ignore[return-value]
    return None


def _check(request: HttpRequest, flow: Flow) -> HttpResponse:
    journey = Journey.load(request.session, flow)
    if request.method == "POST":
        # A second press of "Send" (or a double click) after the first one finished: same confirmation.
        sent = request.POST.get("token", "")
        if sent and sent in journey.done:
            journey.confirmation = journey.done[sent]
            journey.save(request.session, flow)
            return redirect(flow.url("confirmation"))
    if not journey.answers:
        return _start_again(request, flow)
    state = walk(journey.answers, flow)
    if state.terminal is not None:
        return redirect(flow.url(state.terminal))
    if state.first_missing is not None:
        return redirect(flow.step_url(state.first_missing))
    token = journey.token
    if token is None:
        token = journey.new_token()
        journey.save(request.session, flow)

    form_class = PhoneSubmitForm if flow.phone else SubmitForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not flow.phone and submit_limit_exceeded(request):
            return _too_many(request, flow)
        if form.is_valid():
            if form.cleaned_data["token"] == token:
                result = referral_submit(
                    answers=state.referral_answers(),
                    channel=flow.channel,
                    submission_key=submission_key_for(token),
                    submitted_by=None if flow.phone else _signed_in_practitioner(request),
                )
                journey.remember(token, result.as_dict())
                journey.save(request.session, flow)
                return redirect(flow.url("confirmation"))
            form.add_error(None, STALE_ANSWERS_MESSAGE)

    context = {
        **_base_context(flow),
        "form": form,
        "token": token,
        "rows": state.rows(flow),
        "back_url": flow.step_url(STEPS[-1]),
        "show_crisis_panel": bool(state.facts.get("self_harm")),
    }
    return render(request, "referrals/check.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    return _check(request, WEB)


@never_cache
@handler_required
@require_http_methods(["GET", "POST"])
def phone_check(request: HttpRequest) -> HttpResponse:
    return _check(request, PHONE)


def _confirmation(request: HttpRequest, flow: Flow) -> HttpResponse:
    journey = Journey.load(request.session, flow)
    if journey.confirmation is None:
        return render(request, "referrals/confirmation_gone.html", _base_context(flow))
    result = SubmissionResult.from_dict(journey.confirmation)
    # Shown once: a reload, or the next person at a shared computer, does not see it again.
    journey.confirmation = None
    journey.save(request.session, flow)
    context = {
        **_base_context(flow),
        "result": result,
        "entries": signposts_resolve(result.signposts) if result.ineligible else [],
        "show_crisis_panel": result.urgent,
    }
    return render(request, "referrals/confirmation.html", context)


@never_cache
@require_GET
def confirmation(request: HttpRequest) -> HttpResponse:
    return _confirmation(request, WEB)


@never_cache
@handler_required
@require_GET
def phone_confirmation(request: HttpRequest) -> HttpResponse:
    return _confirmation(request, PHONE)


# -- start pages ----------------------------------------------------------------------------------


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/start.html", {**_base_context(WEB), "first_url": WEB.step_url(STEPS[0])})


@never_cache
@handler_required
@require_http_methods(["GET", "POST"])
def phone_start(request: HttpRequest) -> HttpResponse:
    journey = Journey.load(request.session, PHONE)
    if request.method == "POST":
        # A new caller: nothing from the last call may carry over.
        Journey().save(request.session, PHONE)
        return redirect(PHONE.step_url(STEPS[0]))
    context = {**_base_context(PHONE), "in_progress": bool(journey.answers), "continue_url": PHONE.url("check")}
    return render(request, "referrals/phone_start.html", context)
