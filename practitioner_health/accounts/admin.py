from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Role, User


class UserCreationAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "is_active")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Accounts are found by id or role: emails are encrypted and not searchable by text."""

    form = UserCreationAdminForm
    list_display = ("id", "role", "is_active", "date_joined", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("=id",)
    fields = ("email", "full_name", "role", "is_active", "last_login", "date_joined", "second_factor")
    readonly_fields = ("last_login", "date_joined", "second_factor")
    actions = ("second_factor_reset",)

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
