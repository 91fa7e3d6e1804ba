"""Service administrators manage the network (sites, clinicians, groups) and can start care
episodes. Bookings, slots and leave are shown read-only: they change only through the
services that lock and audit them. Session notes and scores are not in the admin at all."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from practitioner_health.admin_site import PersonAuditAdmin

from .models import (
    Appointment,
    AvailabilityPattern,
    CareEpisode,
    Clinician,
    GroupMembership,
    GroupProgramme,
    GroupSession,
    Leave,
    Region,
    Service,
    Site,
    Slot,
)
from .services import CareError, episode_start


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("name", "code")


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ("name", "code")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "region", "active")
    list_filter = ("region", "active")
    search_fields = ("name",)


@admin.register(Clinician)
class ClinicianAdmin(PersonAuditAdmin):
    list_display = ("id", "display_name", "profession", "video", "max_caseload", "active")
    list_filter = ("profession", "active", "video", "regions", "services")
    filter_horizontal = ("services", "regions", "sites")
    raw_id_fields = ("user",)
    list_select_related = ("user",)


@admin.register(AvailabilityPattern)
class AvailabilityPatternAdmin(admin.ModelAdmin):
    list_display = ("clinician", "weekday", "start_time", "length_minutes", "site", "active")
    list_filter = ("active", "weekday")
    list_select_related = ("clinician__user", "site__region")


@admin.register(Leave)
class LeaveAdmin(ReadOnlyAdmin):
    list_display = ("clinician", "starts_at", "ends_at")
    list_select_related = ("clinician__user",)


@admin.register(Slot)
class SlotAdmin(ReadOnlyAdmin):
    list_display = ("id", "clinician", "start", "end", "site", "status")
    list_filter = ("status",)
    date_hierarchy = "start"
    list_select_related = ("clinician__user", "site__region")


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "slot", "episode", "kind", "status", "version")
    list_filter = ("status", "kind")
    exclude = ("video_token",)
    list_select_related = ("slot", "episode")


class CareEpisodeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = CareEpisode
        fields = ("referral", "clinician")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        referral = cleaned.get("referral")
        if referral is not None and CareEpisode.objects.active().filter(referral=referral).exists():
            raise forms.ValidationError("This referral is already with a clinician.")
        clinician = cleaned.get("clinician")
        if clinician is not None and not clinician.active:
            self.add_error("clinician", "This clinician is not taking on patients.")
        return cleaned


@admin.register(CareEpisode)
class CareEpisodeAdmin(PersonAuditAdmin):
    """Adding an episode assigns a referral to a clinician (until triage does it); it goes
    through the same service, so the referral's status and the audit log follow. Opening an
    episode shows whose referral is with whom: a read of that referral, audited as one."""

    audit_detail = "care episode in the admin"

    form = CareEpisodeForm
    list_display = ("id", "referral", "clinician", "started_at", "ended_at", "discharge_reason")
    list_filter = ("discharge_reason",)
    search_fields = ("=referral__reference",)
    raw_id_fields = ("referral",)
    list_select_related = ("referral", "clinician__user")

    def audit_subject_id(self, obj: CareEpisode) -> int | None:
        return obj.referral.user_id

    def audit_object(self, obj: CareEpisode) -> models.Model:
        return obj.referral

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("referral", "clinician")
        return ("referral", "clinician", "started_at", "ended_at", "discharge_reason")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if obj is None else self.get_fields(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CareEpisode, form: Any, change: bool) -> None:
        if change:
            return
        try:
            episode = episode_start(
                referral_id=obj.referral_id,
                clinician_id=obj.clinician_id,
                started_by=request.user,  # type: ignore[arg-type]
            )
        except CareError as exc:  # lost a race with another assignment
            raise forms.ValidationError(exc.message) from exc
        obj.pk = episode.pk
        obj.started_at = episode.started_at
        obj._state.adding = False


class MembershipFormSet(forms.BaseInlineFormSet):  # type: ignore[type-arg]
    def clean(self) -> None:
        super().clean()
        current = sum(
            1
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.cleaned_data.get("left_at")
        )
        capacity = self.instance.capacity if self.instance else 0
        if capacity and current > capacity:
            raise forms.ValidationError(f"This group has {capacity} places; {current} current members were given.")


class MembershipInline(admin.TabularInline):
    model = GroupMembership
    formset = MembershipFormSet
    raw_id_fields = ("referral",)
    fields = ("referral", "joined_at", "left_at")
    extra = 1


class SessionInline(admin.TabularInline):
    model = GroupSession
    fields = ("starts_at", "ends_at")
    extra = 1


@admin.register(GroupProgramme)
class GroupProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "facilitator", "site", "capacity", "active")
    list_filter = ("kind", "active")
    inlines = (MembershipInline, SessionInline)
    list_select_related = ("facilitator__user", "site__region")
