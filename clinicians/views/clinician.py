"""The clinician's pages: caseload, diary, patient record, session notes, appointments, discharge.

Every page that takes an id goes through an access helper that gives 404 unless the
patient is assigned to the signed-in clinician; every read of a record is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from django.contrib import messages
from django.core.exceptions import BadRequest, ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practitioner_health.accounts.decorators import clinician_required
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from .. import selectors, services
from ..access import (
    clinician_for_user,
    get_appointment_for_clinician,
    get_episode_for_clinician,
    get_follow_up_for_clinician,
)
from ..charts import outcome_chart
from ..formatting import services_text, when_text
from ..forms import AttendanceForm, DischargeForm, QuestionnaireForm, SessionNoteForm
from ..models import MISSED_IN_A_ROW_PROMPT, Appointment, AppointmentStatus, CareEpisode, Handover
from ..templatetags.clinician_tags import change as change_words
from .common import no_profile, service_cancel


def _weeks_since(moment: datetime, now: datetime | None = None) -> int:
    return ((now or timezone.now()) - moment).days // 7


def _id_url(name: str) -> Callable[[int], str]:
    """The URL `name` for any id, from one reverse(): a caseload has hundreds of links, and
    reverse() per link was a tenth of the page's time."""
    marker = "2147483647"
    template = reverse(name, args=[int(marker)])
    if template.count(marker) != 1:
        raise ImproperlyConfigured(f"URL {name} must have its id as the only number")
    before, after = template.split(marker)
    return lambda pk: f"{before}{pk}{after}"


def _score_text(latest: int | None, change: int | None) -> str:
    if latest is None:
        return "Not recorded"
    return f"{latest} ({change_words(change)})" if change is not None else str(latest)


@dataclass(frozen=True)
class CaseloadLine:
    """One caseload row as the page shows it: plain values, so 200 rows render quickly."""

    name: str
    reference: str
    patient_url: str
    next_url: str
    next_text: str
    weeks_since_referral: int
    phq: str
    gad: str
    urgent: bool
    risk: bool
    high_risk: bool = False
    missed_in_a_row: int = 0


def caseload_lines(rows: list[selectors.CaseloadRow]) -> list[CaseloadLine]:
    now = timezone.now()
    patient_url = _id_url("clinicians:patient")
    appointment_url = _id_url("clinicians:appointment")
    return [
        CaseloadLine(
            name=row.name,
            reference=row.reference,
            patient_url=patient_url(row.episode_id),
            next_url=appointment_url(row.next_appointment_id) if row.next_appointment_id else "",
            next_text=when_text(row.next_appointment_start) if row.next_appointment_start else "None booked",
            weeks_since_referral=_weeks_since(row.submitted_at, now),
            phq=_score_text(row.phq_latest, row.phq_change),
            gad=_score_text(row.gad_latest, row.gad_change),
            urgent=row.urgent,
            risk=row.risk,
            high_risk=row.high_risk,
            missed_in_a_row=row.missed_in_a_row,
        )
        for row in rows
    ]


URGENT_TAG = '<strong class="nhsuk-tag nhsuk-tag--red">Urgent</strong>'
HIGH_RISK_TAG = '<strong class="nhsuk-tag nhsuk-tag--red">High risk at triage</strong>'
RISK_TAG = '<strong class="nhsuk-tag nhsuk-tag--orange">Risk: PHQ-9 question 9</strong>'
MISSED_TAG = '<strong class="nhsuk-tag nhsuk-tag--orange">Missed {n} in a row: contact or discharge</strong>'


def caseload_table_body(lines: list[CaseloadLine]) -> SafeString:
    """The caseload table's rows as HTML, every value escaped here.

    Written out in Python rather than as a template loop: for 200 rows the template engine
    took 8-12 ms of the page (a quarter of it), this takes 0.3 ms. The markup is the NHS.UK
    table's, as the template around it; a test checks that names are escaped.
    """
    cell = '<td class="nhsuk-table__cell">'
    rows = []
    for line in lines:
        if line.next_url:
            next_cell = f'<a href="{escape(line.next_url)}">{escape(line.next_text)}</a>'
        else:
            next_cell = escape(line.next_text)
        flags = " ".join(
            tag
            for tag, on in (
                (URGENT_TAG, line.urgent),
                (HIGH_RISK_TAG, line.high_risk),
                (RISK_TAG, line.risk),
                (MISSED_TAG.format(n=line.missed_in_a_row), line.missed_in_a_row >= MISSED_IN_A_ROW_PROMPT),
            )
            if on
        )
        rows.append(
            '<tr class="nhsuk-table__row">'
            f'{cell}<a href="{escape(line.patient_url)}">{escape(line.name)}</a><br>'
            f'<span class="nhsuk-body-s">{escape(line.reference)}</span></td>'
            f"{cell}{next_cell}</td>"
            f"{cell}{line.weeks_since_referral:d}</td>"
            f"{cell}{escape(line.phq)}</td>"
            f"{cell}{escape(line.gad)}</td>"
            f"{cell}{flags}</td>"
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value above is escaped


@clinician_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The caseload: active episodes, urgent first, with next appointment and latest scores."""
    clinician = clinician_for_user(request)
    if clinician is None:
        return no_profile(request)
    rows = caseload_lines(selectors.caseload_rows(clinician_id=clinician.pk))
    audit_record(action=Action.VIEW, object_type="clinicians.caseload", object_id=clinician.pk, detail="caseload")
    return render(
        request,
        "clinicians/caseload.html",
        {
            "clinician": clinician,
            "count": len(rows),
            "table_body": caseload_table_body(rows),
            "capacity": clinician.max_caseload,
            "follow_ups": selectors.open_follow_ups(clinician_id=clinician.pk),
            "nav": "caseload",
        },
    )


DIARY_FIRST_DAY = date(2000, 1, 10)
DIARY_LAST_DAY = date(2099, 12, 20)


@clinician_required
@require_GET
def diary(request: HttpRequest) -> HttpResponse:
    """A week of slots and appointments; ?week=YYYY-MM-DD picks the week containing that day."""
    clinician = clinician_for_user(request)
    if clinician is None:
        return no_profile(request)
    try:
        chosen = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        chosen = timezone.localdate()
    if not DIARY_FIRST_DAY <= chosen <= DIARY_LAST_DAY:
        # A real date, but no diary reaches it (and the week either side may not exist):
        # the "problem with your request" page, not an error.
        raise BadRequest("Diary week out of range")
    start = selectors.week_start(chosen)
    days = selectors.diary_week(clinician_id=clinician.pk, start=start)
    audit_record(action=Action.VIEW, object_type="clinicians.diary", object_id=clinician.pk, detail="diary")
    return render(
        request,
        "clinicians/diary.html",
        {
            "clinician": clinician,
            "days": days,
            "week_start": start,
            "previous_week": start - timedelta(days=7),
            "next_week": start + timedelta(days=7),
            "this_week": selectors.week_start(timezone.localdate()),
            "nav": "diary",
        },
    )


@clinician_required
@require_GET
def patient(request: HttpRequest, pk: int) -> HttpResponse:
    """The patient record: referral summary, the helpline's handover, appointments, outcomes
    with chart, self-help results."""
    episode = get_episode_for_clinician(request, pk)
    referral = episode.referral
    written = Handover.objects.filter(episode=episode).first()
    handover = written.read() if written else None
    rows = selectors.outcome_rows(episode_id=episode.pk)
    appointments = selectors.episode_appointments(episode_id=episode.pk)
    saved_results = selectors.saved_results_of_patient(referral)
    audit_record(action=Action.VIEW, obj=episode, subject_id=referral.user_id, detail="patient record")
    if saved_results:
        audit_record(
            action=Action.VIEW,
            object_type="selfhelp.savedresult",
            object_id=referral.user_id or "",
            subject_id=referral.user_id,
            detail="self-help results",
        )
    return render(
        request,
        "clinicians/patient.html",
        {
            "episode": episode,
            "referral": referral,
            "weeks_since_referral": _weeks_since(referral.submitted_at),
            "needs": [need.get_need_display() for need in referral.needs.all()],
            "handover": handover,
            "handover_services": services_text(handover.services) if handover else "",
            "appointments": appointments,
            "missed_total": sum(1 for a in appointments if a.status == AppointmentStatus.DID_NOT_ATTEND),
            "follow_ups": list(episode.follow_ups.open().select_related("appointment__slot")),
            "missed_prompt": MISSED_IN_A_ROW_PROMPT,
            "outcome_rows": rows,
            "chart": outcome_chart(rows),
            "saved_results": saved_results,
            "note_count": episode.notes.count(),
            "nav": "caseload",
        },
    )


@clinician_required
@require_http_methods(["GET", "POST"])
def patient_notes(request: HttpRequest, pk: int) -> HttpResponse:
    """Session notes: only the assigned clinician ever reaches this page (handlers never do)."""
    episode = get_episode_for_clinician(request, pk)
    now = timezone.now()
    # Notes are about a session that has started: future and cancelled ones are not offered.
    appointments = [
        a for a in selectors.episode_appointments(episode_id=episode.pk) if a.slot.start <= now and not a.is_cancelled
    ]
    initial = {}
    if request.GET.get("appointment", "").isdigit():
        initial["appointment"] = int(request.GET["appointment"])
    form = SessionNoteForm(
        request.POST if request.method == "POST" else None, appointments=appointments, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_note_add(
                episode_id=episode.pk,
                author=request.user,  # type: ignore[arg-type]
                body=form.cleaned_data["body"],
                appointment_id=form.cleaned_data["appointment"],
            )
        except services.CareError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Note saved.")
            return redirect("clinicians:patient_notes", pk=episode.pk)
    notes = list(episode.notes.select_related("author", "appointment__slot"))
    audit_record(action=Action.VIEW, obj=episode, subject_id=episode.referral.user_id, detail="session notes")
    return render(
        request,
        "clinicians/patient_notes.html",
        {"episode": episode, "referral": episode.referral, "notes": notes, "form": form, "nav": "caseload"},
        status=400 if form.errors else 200,
    )


@clinician_required
@require_http_methods(["GET", "POST"])
def patient_discharge(request: HttpRequest, pk: int) -> HttpResponse:
    """Discharge: reason, where care goes next, the last session's scores (or why there are
    none), a summary for the record, and for someone at high risk a confirmed risk plan."""
    episode = get_episode_for_clinician(request, pk)
    if not episode.is_active:
        messages.info(request, "This person has already been discharged.")
        return redirect("clinicians:patient", pk=episode.pk)
    last_session, last_scores = services.last_session_scores(episode)
    risk_reasons = services.discharge_risk_reasons(episode)
    form = DischargeForm(
        request.POST if request.method == "POST" else None,
        needs_scores_reason=not {"PHQ-9", "GAD-7"} <= set(last_scores),
        high_risk=bool(risk_reasons),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.episode_discharge(
                episode_id=episode.pk,
                reason=data["reason"],
                note=data["note"],
                by=request.user,  # type: ignore[arg-type]
                referred_on_to=data["referred_on_to"],
                referred_on_name=data.get("referred_on_name", ""),
                final_scores_missing_reason=data.get("final_scores_missing_reason", ""),
                risk_plan_confirmed=data.get("risk_plan_confirmed", False),
                risk_plan_note=data.get("risk_plan_note", ""),
            )
        except services.CareError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Discharged. They are no longer on your caseload.")
            return redirect("clinicians:home")
    upcoming = episode.appointments.upcoming().count()
    audit_record(action=Action.VIEW, obj=episode, subject_id=episode.referral.user_id, detail="discharge")
    return render(
        request,
        "clinicians/discharge.html",
        {
            "episode": episode,
            "referral": episode.referral,
            "form": form,
            "upcoming": upcoming,
            "last_session": last_session,
            "last_scores": [last_scores[code] for code in ("PHQ-9", "GAD-7") if code in last_scores],
            "risk_reasons": risk_reasons,
            "nav": "caseload",
        },
        status=400 if form.errors else 200,
    )


def _appointment_page(
    request: HttpRequest, appointment: Appointment, *, attendance_form: AttendanceForm | None = None, status: int = 200
) -> HttpResponse:
    episode: CareEpisode = appointment.episode
    audit_record(action=Action.VIEW, obj=appointment, subject_id=episode.referral.user_id, detail="appointment")
    started = appointment.slot.start <= timezone.now()
    scores_refusal = services.scores_refusal(appointment, request.user)  # type: ignore[arg-type]
    return render(
        request,
        "clinicians/appointment.html",
        {
            "appointment": appointment,
            "episode": episode,
            "referral": episode.referral,
            "outcomes": selectors.outcome_for(appointment.pk),
            "scores_refusal": scores_refusal,
            "can_write_note": started and not appointment.is_cancelled,
            "can_record_attendance": started and not appointment.is_cancelled,
            "can_cancel": appointment.status == AppointmentStatus.BOOKED and not started,
            "attendance_form": attendance_form or AttendanceForm(),
            "show_video_link": appointment.video_link_open(),
            "nav": "diary",
        },
        status=status,
    )


@clinician_required
@require_GET
def appointment(request: HttpRequest, pk: int) -> HttpResponse:
    return _appointment_page(request, get_appointment_for_clinician(request, pk))


@clinician_required
@require_POST
def appointment_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = get_appointment_for_clinician(request, pk)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_attendance_record(
                appointment_id=appointment.pk,
                attended=form.cleaned_data["attended"] == "yes",
                by=request.user,  # type: ignore[arg-type]
            )
        except services.BookingError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Attendance recorded.")
            return redirect("clinicians:appointment", pk=appointment.pk)
    return _appointment_page(request, appointment, attendance_form=form, status=400)


@clinician_required
@require_http_methods(["GET", "POST"])
def appointment_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """Enter PHQ-9 and GAD-7 for a session that has started and was not missed or cancelled
    (prefilled with anything the practitioner answered before it)."""
    appointment = get_appointment_for_clinician(request, pk)
    refusal = services.scores_refusal(appointment, request.user)  # type: ignore[arg-type]
    if refusal:
        messages.info(request, refusal)
        return redirect("clinicians:appointment", pk=appointment.pk)
    existing = selectors.outcome_for(appointment.pk)
    form = QuestionnaireForm(
        request.POST if request.method == "POST" else None,
        initial_answers={code: o.answers for code, o in existing.items()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.outcomes_record(
                appointment_id=appointment.pk,
                answers=form.answers(),
                recorded_by=request.user,  # type: ignore[arg-type]
            )
        except services.CareError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Scores saved.")
            return redirect("clinicians:appointment", pk=appointment.pk)
    audit_record(action=Action.VIEW, obj=appointment, subject_id=appointment.episode.referral.user_id, detail="scores")
    return render(
        request,
        "clinicians/appointment_scores.html",
        {"appointment": appointment, "referral": appointment.episode.referral, "form": form, "nav": "diary"},
        status=400 if form.errors else 200,
    )


@clinician_required
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The service cancels (the clinician is unavailable): no cut-off, a reason is kept."""
    appointment = get_appointment_for_clinician(request, pk)
    back = reverse("clinicians:appointment", args=[appointment.pk])
    return service_cancel(request, appointment, back_href=back, extra={"nav": "diary"})


@clinician_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a follow-up task done; back to the record if it was done from there, else the caseload."""
    task = get_follow_up_for_clinician(request, pk)
    services.follow_up_done(task_id=task.pk, by=request.user)  # type: ignore[arg-type]
    messages.success(request, "Follow-up marked as done.")
    if request.POST.get("back") == "patient":
        return redirect("clinicians:patient", pk=task.episode_id)
    return redirect("clinicians:home")
