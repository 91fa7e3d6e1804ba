from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest

from .models import User


class NHSFormMixin:
    """Adds the NHS.UK classes and error states to widgets, so templates stay simple."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.TextInput, forms.EmailInput, forms.PasswordInput, forms.NumberInput)):
                widget.attrs.setdefault("class", "nhsuk-input")
            elif isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "nhsuk-textarea")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "nhsuk-select")

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                css = widget.attrs.get("class", "")
                if "nhsuk-input" in css and "nhsuk-input--error" not in css:
                    widget.attrs["class"] = f"{css} nhsuk-input--error"
                widget.attrs["aria-describedby"] = f"id_{name}-error"


class LoginForm(NHSFormMixin, forms.Form):
    username = forms.EmailField(
        label="Email address",
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password"},
    )

    def __init__(self, request: HttpRequest, *args: Any, refusal: str | None = None, **kwargs: Any) -> None:
        self.request = request
        self.user: User | None = None
        # Too many attempts from this client: the password is not even checked.
        self.refusal = refusal
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.refusal:
            raise forms.ValidationError(self.refusal)
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            user = authenticate(self.request, username=username, password=password)
            if user is None or not user.is_active:
                raise forms.ValidationError("The email address or password is not right. Check them and try again.")
            self.user = user  # type: ignore[assignment]
        return cleaned


class TokenForm(NHSFormMixin, forms.Form):
    token = forms.CharField(
        label="Security code",
        max_length=16,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "nhsuk-input nhsuk-input--width-10",
            }
        ),
        error_messages={"required": "Enter your security code"},
    )

    def clean_token(self) -> str:
        return "".join(self.cleaned_data["token"].split())


class PasswordResetRequestForm(NHSFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=320,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )


class NHSSetPasswordForm(NHSFormMixin, SetPasswordForm):  # type: ignore[misc]
    error_messages = {"password_mismatch": "The two passwords do not match. Type the same password twice."}
