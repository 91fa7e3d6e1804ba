"""The Django admin behind the same two-factor sign-in as every staff page, and the audit
of what it shows and changes about people."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from practitioner_health.accounts.models import Role
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record


def has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active and user.is_authenticated and user.role == Role.SERVICE_ADMIN and user.is_verified()  # type: ignore[union-attr]
    )


def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    # The admin's own login form would skip the second factor: send people to ours.
    if not request.user.is_authenticated:
        return redirect_to_login(request.GET.get("next", "/admin/"))
    if not request.user.is_verified():  # type: ignore[union-attr]
        return redirect("accounts:verify")
    raise PermissionDenied


def install() -> None:
    admin.site.has_permission = has_permission  # type: ignore[method-assign]
    admin.site.login = login  # type: ignore[method-assign]
    admin.site.site_header = "Practitioner Health administration"
    admin.site.site_title = "Practitioner Health admin"


class PersonAuditAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """An admin whose change form shows a person: each opening of the form and each save is
    audited against that person, so they see it on their "who has looked at your record" page.

    Subclasses say whose record an object is (`audit_subject_id`) and, where the form is
    really about another record (a care episode shows a referral), which object to name.
    """

    audit_detail = "in the admin"

    def audit_subject_id(self, obj: Any) -> int | None:
        """The practitioner whose record this is: the object's own account by default."""
        return getattr(obj, "user_id", None)

    def audit_object(self, obj: Any) -> models.Model:
        return obj  # type: ignore[no-any-return]

    def audit_change_detail(self, form: forms.ModelForm) -> str:  # type: ignore[type-arg]
        """The labels of the fields changed (never their values: the audit holds no personal data)."""
        labels = [str(form.fields[name].label or name).lower() for name in form.changed_data if name in form.fields]
        detail = f"{self.audit_detail}: {', '.join(labels)}" if labels else self.audit_detail
        return detail[:200]

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        # A GET of an existing object's form is a read of it (a form shown again after a
        # refused save is the same read, already recorded).
        if obj is not None and not add and request.method == "GET":
            audit_record(
                action=Action.VIEW,
                obj=self.audit_object(obj),
                subject_id=self.audit_subject_id(obj),
                detail=self.audit_detail,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action=Action.UPDATE if change else Action.CREATE,
            obj=self.audit_object(obj),
            subject_id=self.audit_subject_id(obj),
            detail=self.audit_change_detail(form) if change else self.audit_detail,
        )
