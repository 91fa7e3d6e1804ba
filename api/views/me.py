"""The signed-in practitioner's own record: referral status, contact preferences, people they know,
saved questionnaire results, and who has accessed their record. Every read is audited."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from practitioner_health.audit.models import Action, AuditEvent
from practitioner_health.audit.services import audit_record
from referrals.forms import ContactPreferencesChangeForm, PeopleKnownChangeForm
from referrals.models import ClosedReason, DuplicateSubmission, Referral, Status
from referrals.selectors import access_history, access_row, request_latest_for_user, status_explained
from referrals.services import (
    ReferralNotClosableError,
    referral_close,
    referral_contact_preferences_update,
    referral_people_known_update,
)
from selfhelp import selectors as selfhelp_selectors
from selfhelp.models import SavedResult
from selfhelp.services import saved_result_create

from ..errors import ApiError, ValidationFailed
from ..serializers import (
    AccessRowSerializer,
    ContactPreferencesSerializer,
    PeopleKnownSerializer,
    ReferralStatusSerializer,
    SavedResultSerializer,
    SaveResultSerializer,
)
from .base import IsPractitioner, PractitionerView, errors, form_errors, valid


class RecordPagination(PageNumberPagination):
    page_size = 25


def get_referral_for_user(view: PractitionerView) -> Referral | DuplicateSubmission:
    """The practitioner's latest referral, or 404: there is never a way to ask for someone else's."""
    referral = request_latest_for_user(view.practitioner)
    if referral is None:
        raise Http404
    return referral


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _contact(referral: Referral | DuplicateSubmission) -> dict[str, Any]:
    return {
        "preferred_contact": referral.preferred_contact,
        "voicemail_ok": referral.voicemail_ok,
        "texts_ok": referral.texts_ok,
        "best_times": referral.best_times,
    }


class MyReferralView(PractitionerView):
    @extend_schema(operation_id="me_referral", responses={200: ReferralStatusSerializer, **errors(401, 403, 404)})
    def get(self, request: Request) -> Response:
        referral = get_referral_for_user(self)
        audit_record(action=Action.VIEW, obj=referral, subject_id=referral.user_id, detail="referral status (app)")
        return Response(ReferralStatusSerializer(_status(referral)).data)


class MyReferralStopView(PractitionerView):
    @extend_schema(
        operation_id="me_referral_stop",
        request=None,
        responses={200: ReferralStatusSerializer, **errors(401, 403, 404, 409)},
        summary="Stop the referral: nobody contacts them about it, and they may refer again at any time.",
    )
    def post(self, request: Request) -> Response:
        referral = get_referral_for_user(self)
        try:
            referral_close(referral=referral, reason=ClosedReason.WITHDRAWN, closed_by=self.practitioner)
        except ReferralNotClosableError:
            referral.refresh_from_db()
            message = (
                "You are seeing one of our clinicians: talk to them, or call the helpline, to stop."
                if referral.status == Status.ASSIGNED
                else "This referral has already finished."
            )
            raise ApiError(status.HTTP_409_CONFLICT, "cannot_stop", message) from None
        return Response(ReferralStatusSerializer(_status(referral)).data)


def _status(referral: Referral | DuplicateSubmission) -> dict[str, Any]:
    title, text = status_explained(referral)
    return {
        "reference": referral.reference,
        "status": referral.status,
        "eligibility": referral.eligibility,
        "urgent": referral.urgent,
        "submitted_at": referral.submitted_at,
        "title": title,
        "text": text,
        "closed_reason": referral.closed_reason,
        "can_stop": referral.closable,
    }


class MyContactView(PractitionerView):
    @extend_schema(
        operation_id="me_contact_preferences_read",
        responses={200: ContactPreferencesSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: Request) -> Response:
        referral = get_referral_for_user(self)
        audit_record(action=Action.VIEW, obj=referral, subject_id=referral.user_id, detail="contact preferences (app)")
        return Response(ContactPreferencesSerializer(_contact(referral)).data)

    @extend_schema(
        operation_id="me_contact_preferences_update",
        request=ContactPreferencesSerializer(partial=True),
        responses={200: ContactPreferencesSerializer, **errors(400, 401, 403, 404, 422)},
    )
    def patch(self, request: Request) -> Response:
        referral = get_referral_for_user(self)
        serializer = ContactPreferencesSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        wanted = {**_contact(referral), **serializer.validated_data}
        # The website's form holds the rules (e.g. no texts first if texts are not allowed).
        form = ContactPreferencesChangeForm(
            data={
                "preferred_contact": wanted["preferred_contact"],
                "voicemail_ok": _yes_no(wanted["voicemail_ok"]),
                "texts_ok": _yes_no(wanted["texts_ok"]),
                "best_times": wanted["best_times"],
            }
        )
        if not form.is_valid():
            raise ValidationFailed(form_errors(form))
        referral_contact_preferences_update(
            referral=referral,
            voicemail_ok=form.cleaned_data["voicemail_ok"] == "yes",
            texts_ok=form.cleaned_data["texts_ok"] == "yes",
            best_times=form.cleaned_data["best_times"].strip(),
            preferred_contact=form.cleaned_data["preferred_contact"],
        )
        return Response(ContactPreferencesSerializer(_contact(referral)).data)


class MyPeopleView(PractitionerView):
    @extend_schema(operation_id="me_people_known_read", responses={200: PeopleKnownSerializer, **errors(401, 403, 404)})
    def get(self, request: Request) -> Response:
        referral = get_referral_for_user(self)
        audit_record(action=Action.VIEW, obj=referral, subject_id=referral.user_id, detail="people you know (app)")
        return Response(PeopleKnownSerializer({"people_known": referral.people_known}).data)

    @extend_schema(
        operation_id="me_people_known_replace",
        request=PeopleKnownSerializer,
        responses={200: PeopleKnownSerializer, **errors(400, 401, 403, 404, 422)},
    )
    def put(self, request: Request) -> Response:
        referral = get_referral_for_user(self)
        data = valid(PeopleKnownSerializer, request.data)
        form = PeopleKnownChangeForm(data={"people_known": data["people_known"]})
        if not form.is_valid():
            raise ValidationFailed(form_errors(form))
        referral_people_known_update(referral=referral, people_known=form.cleaned_data["people_known"].strip())
        return Response(PeopleKnownSerializer({"people_known": referral.people_known}).data)


class MyResultsView(generics.ListAPIView):
    permission_classes = [IsPractitioner]
    serializer_class = SavedResultSerializer
    pagination_class = RecordPagination

    def get_queryset(self) -> QuerySet[SavedResult]:
        return selfhelp_selectors.saved_results_for(int(self.request.user.pk))  # type: ignore[union-attr]

    @extend_schema(
        operation_id="me_results_list", responses={200: SavedResultSerializer(many=True), **errors(401, 403, 404)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user_id = int(request.user.pk)  # type: ignore[union-attr]
        audit_record(
            action=Action.VIEW, object_type="selfhelp.savedresult", subject_id=user_id, detail="saved results (app)"
        )
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="me_results_save",
        request=SaveResultSerializer,
        responses={201: SavedResultSerializer, **errors(400, 401, 403, 422)},
        summary="Score and keep a questionnaire result on my record.",
    )
    def post(self, request: Request) -> Response:
        data = valid(SaveResultSerializer, request.data)
        try:
            saved = saved_result_create(user=request.user, measure_code=data["measure"], answers=data["answers"])  # type: ignore[arg-type]
        except ValueError as exc:
            raise ValidationFailed({"answers": [str(exc)]}) from None
        return Response(SavedResultSerializer(saved).data, status=status.HTTP_201_CREATED)


class MyResultView(PractitionerView):
    @extend_schema(operation_id="me_results_read", responses={200: SavedResultSerializer, **errors(401, 403, 404)})
    def get(self, request: Request, pk: int) -> Response:
        saved = selfhelp_selectors.saved_results_for(self.practitioner.pk).filter(pk=pk).first()
        if saved is None:
            raise Http404
        audit_record(action=Action.VIEW, obj=saved, subject_id=saved.user_id, detail="self-help questionnaire result")
        return Response(SavedResultSerializer(saved).data)


class MyAccessView(generics.ListAPIView):
    permission_classes = [IsPractitioner]
    serializer_class = AccessRowSerializer
    pagination_class = RecordPagination

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return access_history(self.request.user)  # type: ignore[arg-type]

    def paginate_queryset(self, queryset: QuerySet[AuditEvent]) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        return [access_row(event) for event in page] if page is not None else None

    @extend_schema(
        operation_id="me_access_log", responses={200: AccessRowSerializer(many=True), **errors(401, 403, 404)}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = request.user
        audit_record(action=Action.VIEW, obj=user, subject_id=user.pk, detail="record access history (app)")  # type: ignore[arg-type]
        return super().get(request, *args, **kwargs)
