from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from .models import User


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
    fields = ("email", "full_name", "role", "is_active", "last_login", "date_joined")
    readonly_fields = ("last_login", "date_joined")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Records are kept by policy (20 years); accounts are deactivated, not deleted.
        return False
