"""Group programmes for their facilitator: sessions, members and attendance."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practitioner_health.accounts.decorators import clinician_required
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record

from .. import services
from ..access import clinician_for_user, get_group_for_facilitator, get_group_session_for_facilitator
from ..forms import GroupAttendanceForm, GroupSessionForm
from ..models import GroupMembership, GroupProgramme
from .common import no_profile


@clinician_required
@require_GET
def groups(request: HttpRequest) -> HttpResponse:
    clinician = clinician_for_user(request)
    if clinician is None:
        return no_profile(request)
    programmes = (
        GroupProgramme.objects.filter(facilitator=clinician, active=True)
        .select_related("site")
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__left_at__isnull=True), distinct=True),
            upcoming_count=Count("sessions", filter=Q(sessions__starts_at__gt=timezone.now()), distinct=True),
        )
    )
    return render(request, "clinicians/groups.html", {"programmes": programmes, "nav": "groups"})


def _members(programme: GroupProgramme) -> list[GroupMembership]:
    return list(programme.memberships.current().select_related("referral"))


def _group_page(request: HttpRequest, programme: GroupProgramme, form: GroupSessionForm | None = None) -> HttpResponse:
    members = _members(programme)
    audit_record(action=Action.VIEW, obj=programme, detail="group members")
    now = timezone.now()
    sessions = list(programme.sessions.annotate(recorded=Count("attendance")))
    return render(
        request,
        "clinicians/group.html",
        {
            "programme": programme,
            "members": members,
            "upcoming": [s for s in sessions if s.starts_at > now],
            "past": [s for s in reversed(sessions) if s.starts_at <= now],
            "form": form or GroupSessionForm(),
            "nav": "groups",
        },
        status=400 if form is not None else 200,
    )


@clinician_required
@require_GET
def group(request: HttpRequest, pk: int) -> HttpResponse:
    return _group_page(request, get_group_for_facilitator(request, pk))


@clinician_required
@require_POST
def group_session_add(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_group_for_facilitator(request, pk)
    form = GroupSessionForm(request.POST)
    if form.is_valid():
        try:
            services.group_session_add(
                programme_id=programme.pk, starts_at=form.start(), length_minutes=form.cleaned_data["length_minutes"]
            )
        except services.GroupError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Session added.")
            return redirect("clinicians:group", pk=programme.pk)
    return _group_page(request, programme, form)


@clinician_required
@require_http_methods(["GET", "POST"])
def group_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Attendance for one session: a question per current member."""
    session = get_group_session_for_facilitator(request, pk)
    members = _members(session.programme)
    recorded = {a.membership_id: a.status for a in session.attendance.all()}
    form = GroupAttendanceForm(
        request.POST if request.method == "POST" else None,
        members=[(m.pk, m.referral.name) for m in members],
        initial={f"member_{k}": v for k, v in recorded.items()},
    )
    started = session.starts_at <= timezone.now()
    if request.method == "POST" and form.is_valid():
        try:
            services.group_attendance_record(
                session_id=session.pk,
                statuses=form.statuses(),
                by=request.user,  # type: ignore[arg-type]
            )
        except services.GroupError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Attendance saved.")
            return redirect("clinicians:group", pk=session.programme_id)
    audit_record(action=Action.VIEW, obj=session, detail="group attendance")
    return render(
        request,
        "clinicians/group_session.html",
        {"session": session, "programme": session.programme, "form": form, "started": started, "nav": "groups"},
    )
