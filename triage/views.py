"""Handler pages: dashboard, a referral's helpline record, calls, callbacks, triage."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicians.selectors import referral_care
from practitioner_health.accounts.decorators import handler_required, practitioner_required
from practitioner_health.accounts.models import User
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.pagination import page_of, pagination_links
from referrals.models import Eligibility, Referral, Status
from referrals.services import (
    ReferralNotClosableError,
    ReferralReopenError,
    ReferralTransitionError,
    referral_close,
    referral_reopen,
)

from . import selectors
from .forms import (
    CallbackForm,
    CallbackRequestForm,
    CallLogForm,
    CloseForm,
    EligibilityForm,
    ReopenForm,
    SearchForm,
    TriageForm,
)
from .models import CallbackReason, CallbackStatus, CallLog, RiskLevel, TriageAssessment
from .services.callbacks import callback_request
from .services.helpline import call_log_record, eligibility_decision_record, triage_assessment_record
from .services.ownership import OwnershipError, referral_release, referral_take
from .urgency import referral_urgent_target


def get_referral_for_handler(request: HttpRequest, pk: int) -> Referral:
    """Handlers may work any referral; the role check is the decorator's. Unknown ids are 404."""
    return get_object_or_404(Referral, pk=pk)


def _finished_refusal(request: HttpRequest, referral: Referral) -> HttpResponse | None:
    """A closed or finished referral offers no triage, callback, eligibility or matching: say
    why and go back to its record (a closed one can be reopened there first)."""
    if referral.is_open:
        return None
    if referral.status == Status.CLOSED:
        messages.error(request, "This referral is closed. Reopen it first if the helpline needs to act on it.")
    else:
        messages.error(request, "Care has finished for this referral: there is nothing more to arrange on it.")
    return redirect("triage:referral", pk=referral.pk)


@handler_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HttpRequest) -> HttpResponse:
    # The search is posted: a reference or registration number typed here is personal data,
    # and must not end up in an address, the browser history or an access log.
    search_form = SearchForm(request.POST if request.method == "POST" else None)
    results: list[Referral] = []
    searched = False
    if search_form.is_valid() and search_form.cleaned_data["q"]:
        searched = True
        results = selectors.referral_search(search_form.cleaned_data["q"])
        for referral in results:
            audit_record(action=Action.VIEW, obj=referral, subject_id=referral.user_id, detail="found by search")
    context = {
        "queues": selectors.dashboard_queues(),
        "search_form": search_form,
        "results": results,
        "searched": searched,
    }
    return render(request, "triage/dashboard.html", context)


@handler_required
@require_GET
def queue(request: HttpRequest, key: str) -> HttpResponse:
    """One whole queue, 50 rows a page, in the dashboard's order."""
    definition = selectors.QUEUE_BY_KEY.get(key)
    if definition is None:
        raise Http404("No such queue")
    page = page_of(request, definition.rows(timezone.now()), selectors.QUEUE_PAGE_ROWS)
    context = {
        "queue": definition.filled(selectors.with_needs(list(page.object_list)), page.paginator.count),
        "page": page,
        "pagination": pagination_links(request, page),
    }
    return render(request, "triage/queue.html", context)


@handler_required
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_handler(request, pk)
    audit_record(action=Action.VIEW, obj=referral, subject_id=referral.user_id, detail="helpline record")
    assessments = list(TriageAssessment.objects.filter(referral=referral).select_related("assessed_by")[:5])
    context = {
        "referral": referral,
        "needs": [need.get_need_display() for need in referral.needs.all()],
        "decisions": list(referral.eligibility_decisions.all()[:5]),
        "calls": list(CallLog.objects.filter(referral=referral).select_related("handler")[:20]),
        "callbacks": list(referral.callbacks.order_by("-due_at")[:10]),
        "assessments": assessments,
        "episodes": referral_care(referral_id=referral.pk),
        "needs_review": referral.eligibility == Eligibility.NEEDS_REVIEW and referral.is_open,
        "urgent_target": referral_urgent_target(referral, assessments[0] if assessments else None),
        "reopen_form": ReopenForm() if referral.status == Status.CLOSED else None,
        "ownership": selectors.ownership_of(referral.pk),
    }
    return render(request, "triage/referral.html", context)


@handler_required
def call_log_create(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_handler(request, pk)
    form = CallLogForm(request.POST or None, initial={"direction": "outbound", "channel": "phone"})
    if request.method == "POST" and form.is_valid():
        minutes = form.cleaned_data["duration_minutes"]
        call_log_record(
            handler=request.user,  # type: ignore[arg-type]
            referral=referral,
            direction=form.cleaned_data["direction"],
            channel=form.cleaned_data["channel"],
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["notes"],
            duration_seconds=minutes * 60 if minutes is not None else None,
        )
        messages.success(request, "Call logged.")
        return redirect("triage:referral", pk=referral.pk)
    return render(request, "triage/call_form.html", {"form": form, "referral": referral})


@handler_required
def enquiry_create(request: HttpRequest) -> HttpResponse:
    form = CallLogForm(request.POST or None, initial={"direction": "inbound", "channel": "phone"})
    if request.method == "POST" and form.is_valid():
        minutes = form.cleaned_data["duration_minutes"]
        call_log_record(
            handler=request.user,  # type: ignore[arg-type]
            referral=None,
            direction=form.cleaned_data["direction"],
            channel=form.cleaned_data["channel"],
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["notes"],
            duration_seconds=minutes * 60 if minutes is not None else None,
        )
        messages.success(request, "Enquiry logged.")
        return redirect("triage:dashboard")
    return render(request, "triage/call_form.html", {"form": form, "referral": None})


@handler_required
def callback_create(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_handler(request, pk)
    if refusal := _finished_refusal(request, referral):
        return refusal
    now = timezone.localtime()
    form = CallbackForm(
        request.POST or None, initial={"due_date": now.strftime("%d/%m/%Y"), "due_time": now.strftime("%H:%M")}
    )
    if request.method == "POST" and form.is_valid():
        callback_request(
            reason=CallbackReason.HANDLER,
            referral=referral,
            due_at=form.cleaned_data["due_at"],
            created_by_id=request.user.pk,
        )
        messages.success(request, "Callback scheduled.")
        return redirect("triage:referral", pk=referral.pk)
    return render(request, "triage/callback_form.html", {"form": form, "referral": referral})


@handler_required
def triage_create(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_handler(request, pk)
    if refusal := _finished_refusal(request, referral):
        return refusal
    form = TriageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            triage_assessment_record(
                referral=referral,
                assessed_by=request.user,  # type: ignore[arg-type]
                risk_level=data["risk_level"],
                needs=data["needs"],
                urgency=data["urgency"],
                pathway=data["pathway"],
                notes=data["notes"],
                immediate_action=data["immediate_action"],
            )
        except ReferralTransitionError as exc:  # closed by someone else since the page was opened
            messages.error(request, str(exc))
            return redirect("triage:referral", pk=referral.pk)
        messages.success(request, "Triage saved. Next, match a clinician.")
        return redirect("triage:referral", pk=referral.pk)
    immediate = form.is_bound and form.data.get("risk_level") == RiskLevel.IMMEDIATE
    audit_record(action=Action.VIEW, obj=referral, subject_id=referral.user_id, detail="triage form")
    return render(request, "triage/triage_form.html", {"form": form, "referral": referral, "immediate": immediate})


@handler_required
def eligibility_decide(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_handler(request, pk)
    if refusal := _finished_refusal(request, referral):
        return refusal
    form = EligibilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            eligibility_decision_record(
                referral=referral,
                decided_by=request.user,  # type: ignore[arg-type]
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except ReferralNotClosableError:
            messages.error(
                request,
                "This person is with a clinician, so the referral cannot be closed as not eligible here:"
                " ask the clinician to discharge them. Nothing was saved.",
            )
            return redirect("triage:referral", pk=referral.pk)
        messages.success(request, "Eligibility decision saved.")
        return redirect("triage:referral", pk=referral.pk)
    decisions = list(referral.eligibility_decisions.all()[:5])
    return render(request, "triage/eligibility_form.html", {"form": form, "referral": referral, "decisions": decisions})


@handler_required
@require_http_methods(["GET", "POST"])
def referral_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a referral before care: they declined, could not be reached, or asked us to stop."""
    referral = get_referral_for_handler(request, pk)
    form = CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and referral.closable and form.is_valid():
        try:
            referral_close(referral=referral, reason=form.cleaned_data["reason"], closed_by=request.user)  # type: ignore[arg-type]
        except ReferralNotClosableError:
            referral.refresh_from_db()
        else:
            messages.success(request, "Referral closed. Callbacks still to come are cancelled.")
            return redirect("triage:referral", pk=referral.pk)
    open_callbacks = referral.callbacks.filter(status=CallbackStatus.SCHEDULED).count()
    context = {"form": form, "referral": referral, "open_callbacks": open_callbacks}
    return render(request, "triage/close_form.html", context)


@handler_required
@require_http_methods(["GET", "POST"])
def referral_reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reopen a closed referral, with a reason (audited). It goes back into a queue."""
    referral = get_referral_for_handler(request, pk)
    if referral.status != Status.CLOSED:
        messages.info(request, "This referral is not closed.")
        return redirect("triage:referral", pk=referral.pk)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            referral_reopen(referral=referral, reason=form.cleaned_data["reason"], reopened_by=request.user)  # type: ignore[arg-type]
        except ReferralReopenError as exc:
            error = str(exc)
            referral.refresh_from_db()
        else:
            messages.success(request, "Referral reopened. It is back in the helpline's queues.")
            return redirect("triage:referral", pk=referral.pk)
    return render(request, "triage/reopen_form.html", {"form": form, "referral": referral, "error": error})


@handler_required
@require_POST
def referral_take_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a referral: the record and the queues say it is being worked by this handler."""
    referral = get_referral_for_handler(request, pk)
    try:
        referral_take(referral=referral, handler=request.user)  # type: ignore[arg-type]
    except OwnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "You are working this referral. It is in your list of referrals.")
    return redirect("triage:referral", pk=referral.pk)


@handler_required
@require_POST
def referral_release_view(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_handler(request, pk)
    try:
        referral_release(referral=referral, handler=request.user)  # type: ignore[arg-type]
    except OwnershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Released. Any handler can take it now.")
    return redirect("triage:referral", pk=referral.pk)


@handler_required
@require_GET
def my_referrals(request: HttpRequest) -> HttpResponse:
    """The referrals this handler is working, longest held first, in pages."""
    page = page_of(request, selectors.referrals_worked_by(request.user.pk), selectors.QUEUE_PAGE_ROWS)  # type: ignore[arg-type]
    rows = selectors.with_needs(list(page.object_list))
    return render(
        request,
        "triage/my_referrals.html",
        {"rows": rows, "page": page, "pagination": pagination_links(request, page)},
    )


@handler_required
def match(request: HttpRequest, pk: int) -> HttpResponse:
    """Ranked clinicians with reasons; POST assigns one (and optionally books their earliest slot)."""
    from clinicians.selectors import next_open_slots
    from clinicians.services.booking import BookingError
    from clinicians.services.care import CareError

    from .matching import rank
    from .services.assign import referral_assign

    referral = get_referral_for_handler(request, pk)
    if refusal := _finished_refusal(request, referral):
        return refusal
    assessment = TriageAssessment.objects.filter(referral=referral).first()
    if assessment is None:
        messages.info(request, "Triage this referral before matching a clinician.")
        return redirect("triage:triage_create", pk=referral.pk)
    error = ""
    if request.method == "POST":
        try:
            clinician_id = int(request.POST.get("clinician", ""))
        except ValueError:
            error = "Select a clinician"
        else:
            slot_id = None
            if request.POST.get("book") == "yes":
                slots = next_open_slots(clinician_id=clinician_id, limit=1)
                slot_id = slots[0].pk if slots else None
            try:
                referral_assign(referral=referral, clinician_id=clinician_id, handler=request.user, slot_id=slot_id)  # type: ignore[arg-type]
            except (CareError, BookingError) as exc:
                error = str(exc)
            else:
                messages.success(request, "Assigned." + (" First appointment booked." if slot_id else ""))
                return redirect("triage:referral", pk=referral.pk)
    ranking = rank(referral, assessment)
    audit_record(action=Action.VIEW, obj=referral, subject_id=referral.user_id, detail="matching")
    return render(
        request,
        "triage/match.html",
        {"referral": referral, "assessment": assessment, "ranking": ranking, "error": error},
    )


@practitioner_required
def my_callback(request: HttpRequest) -> HttpResponse:
    """A practitioner asks the helpline to call them back in a window they choose."""
    user: User = request.user  # type: ignore[assignment]  # practitioner_required guarantees it
    target = selectors.callback_target_for(user)
    if target is None:
        raise Http404
    form = CallbackRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        callback_request(
            reason=CallbackReason.PRACTITIONER,
            referral=target.referral,
            phone=target.phone,
            due_at=form.cleaned_data["window_start"],
            window_end=form.cleaned_data["window_end"],
            created_by_id=request.user.pk,
        )
        messages.success(request, "Thank you. We will call you in the time you chose.")
        return redirect("triage:my_callback")
    context = {"form": form, "voicemail_ok": target.voicemail_ok, "pending": target.pending()}
    return render(request, "triage/my_callback.html", context)
