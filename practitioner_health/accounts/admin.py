from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from practitioner_health.admin_site import PersonAuditAdmin
from practitioner_health.crypto import normalise_email

from . import services
from .models import Role, User

# Why an address may be changed here. Fixed labels, not free text: the reason goes into the
# audit row, which holds no personal data, and the person sees it on their access page.
EMAIL_CHANGE_REASONS = [
    ("holder_asked", "The account holder asked; identity checked"),
    ("old_unreachable", "The old address no longer works; identity checked"),
    ("correction", "Correcting a mistake made when the account was set up"),
]


class UserCreationAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    email_change_reason = forms.ChoiceField(
        label="Reason for changing the email address",
        choices=[("", "---------"), *EMAIL_CHANGE_REASONS],
        required=False,
        help_text="Needed only if you change the email address. We email the old address to say it was changed.",
    )

    class Meta:
        model = User
        fields = ("email", "full_name", "role", "is_active")
        labels = {"email": "Email address"}

    @property
    def old_email(self) -> str:
        return str(self.initial.get("email") or "")

    @property
    def email_changed(self) -> bool:
        """A different address (not the same one typed in other capitals) for an existing account."""
        if self.instance.pk is None or "email" not in self.changed_data:
            return False
        return normalise_email(self.cleaned_data.get("email") or "") != normalise_email(self.old_email)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "email" in cleaned and self.email_changed and not cleaned.get("email_change_reason"):
            self.add_error("email_change_reason", "Choose why the email address is changing")
        return cleaned

    @property
    def email_change_reason_label(self) -> str:
        return dict(EMAIL_CHANGE_REASONS)[self.cleaned_data["email_change_reason"]]


@admin.register(User)
class UserAdmin(PersonAuditAdmin):
    """Accounts are found by id or role: emails are encrypted and not searchable by text.

    Opening or saving an account is audited against it; changing its email address needs a
    reason and tells the old address."""

    form = UserCreationAdminForm
    list_display = ("id", "role", "is_active", "date_joined", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("=id",)
    fields = ("email", "full_name", "role", "is_active", "last_login", "date_joined", "second_factor")
    readonly_fields = ("last_login", "date_joined", "second_factor")
    actions = ("second_factor_reset",)

    def get_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("email", "full_name", "role", "is_active")
        return (*self.fields[:1], "email_change_reason", *self.fields[1:])

    def audit_subject_id(self, obj: User) -> int | None:
        return obj.pk

    def audit_change_detail(self, form: UserCreationAdminForm) -> str:  # type: ignore[override]
        changed = [
            str(form.fields[name].label).lower()
            for name in form.changed_data
            if name not in {"email", "email_change_reason"} and name in form.fields
        ]
        if form.email_changed:
            changed.append(f"email address ({form.email_change_reason_label.lower()})")
        return f"{self.audit_detail}: {', '.join(changed)}"[:200] if changed else self.audit_detail

    def save_model(self, request: HttpRequest, obj: User, form: UserCreationAdminForm, change: bool) -> None:  # type: ignore[override]
        super().save_model(request, obj, form, change)
        if change and form.email_changed:
            services.email_change_notice_send(user=obj, old_email=form.old_email)

    @admin.display(description="Second step at sign-in")
    def second_factor(self, user: User) -> str:
        """What someone asking for a reset has set up (dates and counts, never a secret)."""
        if user.pk is None:
            return "-"
        methods = services.sign_in_methods(user)
        app = methods.authenticator
        parts = [
            f"Authenticator app set up on {app.created_at:%d %B %Y}"
            if app and app.created_at
            else "No authenticator app",
            f"{methods.backup_codes_left} backup code{'s' if methods.backup_codes_left != 1 else ''} left",
        ]
        if user.role == Role.PRACTITIONER:
            parts.append("emailed codes")
        return "; ".join(parts)

    @admin.action(description="Reset the second factor (lost phone and backup codes)")
    def second_factor_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Each selected account's second factor is reset and audited (services.second_factor_reset)."""
        users = list(queryset)
        with transaction.atomic():
            for user in users:
                services.second_factor_reset(user=user)
        self.message_user(
            request,
            f"Second factor reset for {len(users)} account{'s' if len(users) != 1 else ''}. "
            "Staff set up an authenticator app again at their next sign-in.",
            messages.SUCCESS,
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Records are kept by policy (20 years); accounts are deactivated, not deleted.
        return False
