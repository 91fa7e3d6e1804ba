from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from clinicians.models import ServiceCode
from practitioner_health.accounts.forms import NHSFormMixin
from referrals.models import ClosedReason, ReopenReason

from .models import CallChannel, CallOutcome, Direction, Pathway, RiskLevel, Urgency


class SearchForm(NHSFormMixin, forms.Form):
    q = forms.CharField(
        label="Find a referral",
        help_text="Reference (for example PH-7K3D-9QXM) or GMC or GDC number",
        max_length=40,
        required=False,
    )


class CallLogForm(NHSFormMixin, forms.Form):
    direction = forms.ChoiceField(
        label="Direction",
        choices=Direction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select inbound or outbound"},
    )
    channel = forms.ChoiceField(
        label="How",
        choices=CallChannel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select phone, email or in person"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(v, label) for v, label in CallOutcome.choices if v not in {CallOutcome.IN_PROGRESS}],
        widget=forms.Select,
        error_messages={"required": "Select the outcome"},
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        required=False,
        min_value=0,
        max_value=600,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the length as a whole number of minutes",
            "min_value": "Length cannot be negative",
            "max_value": "Length must be 600 minutes or less",
        },
    )
    notes = forms.CharField(label="Notes", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))


class CallbackForm(NHSFormMixin, forms.Form):
    due_date = forms.DateField(
        label="Date",
        help_text="For example, 27/11/2026",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"],
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-10"}),
        error_messages={"required": "Enter the date to call back", "invalid": "Enter a real date, like 27/11/2026"},
    )
    due_time = forms.TimeField(
        label="Time",
        help_text="24-hour clock, for example 14:30",
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-5"}),
        error_messages={"required": "Enter the time to call back", "invalid": "Enter a time like 14:30"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("due_date"), cleaned.get("due_time")
        if day and time:
            due = timezone.make_aware(datetime.datetime.combine(day, time))
            if due < timezone.now() - datetime.timedelta(minutes=5):
                self.add_error("due_date", "The callback time must be now or in the future")
            cleaned["due_at"] = due
        return cleaned


class TriageForm(NHSFormMixin, forms.Form):
    risk_level = forms.ChoiceField(
        label="Risk",
        choices=RiskLevel.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the level of risk"},
    )
    immediate_action = forms.CharField(
        label="Action taken for immediate risk",
        help_text="For example: 999 called, local crisis team contacted, stayed on the line until help arrived",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs = forms.MultipleChoiceField(
        label="Services needed",
        choices=ServiceCode.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one service"},
    )
    urgency = forms.ChoiceField(
        label="Urgency",
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how urgent this is"},
    )
    pathway = forms.ChoiceField(
        label="Recommended pathway",
        choices=Pathway.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a recommended pathway"},
    )
    notes = forms.CharField(
        label="Triage notes", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("risk_level") == RiskLevel.IMMEDIATE and not (cleaned.get("immediate_action") or "").strip():
            self.add_error(
                "immediate_action",
                "Immediate risk: follow the crisis procedure, then record the action you took before saving",
            )
        return cleaned


class EligibilityForm(NHSFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("eligible", "Eligible"), ("ineligible", "Not eligible")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select eligible or not eligible"},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="What you checked, for example: confirmed GMC number by phone, name changed on marriage",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the reason for your decision"},
    )


class CloseForm(NHSFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why are you closing this referral?",
        choices=[
            (ClosedReason.DECLINED.value, "They do not want the service now"),
            (ClosedReason.NOT_REACHED.value, "We could not reach them"),
            (ClosedReason.WITHDRAWN.value, "They asked us to stop their referral"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are closing this referral"},
    )


class ReopenForm(NHSFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why are you reopening this referral?",
        choices=ReopenReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why you are reopening this referral"},
    )


WINDOWS = {
    "morning": ("Morning, 9am to 12pm", 9, 12),
    "afternoon": ("Afternoon, 12pm to 5pm", 12, 17),
    "evening": ("Evening, 5pm to 8pm", 17, 20),
}


class CallbackRequestForm(NHSFormMixin, forms.Form):
    """A practitioner asks for a call back in a time window of their choosing."""

    day = forms.DateField(
        label="Which day?",
        help_text="For example, 27/11/2026. We call Monday to Saturday.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d", "%d %m %Y"],
        widget=forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-10"}),
        error_messages={
            "required": "Enter the day you would like us to call",
            "invalid": "Enter a real date, like 27/11/2026",
        },
    )
    window = forms.ChoiceField(
        label="What time suits you?",
        choices=[(key, label) for key, (label, _, _) in WINDOWS.items()],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a time that suits you"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, window = cleaned.get("day"), cleaned.get("window")
        if day and window:
            _, start_hour, end_hour = WINDOWS[window]
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(start_hour)))
            end = timezone.make_aware(datetime.datetime.combine(day, datetime.time(end_hour)))
            if end <= timezone.now():
                self.add_error("day", "Choose a time that has not passed yet")
            elif day > timezone.localdate() + datetime.timedelta(days=28):
                self.add_error("day", "Choose a day in the next 4 weeks")
            elif day.weekday() == 6:
                self.add_error("day", "We do not make calls on Sundays. Choose another day")
            cleaned["window_start"] = max(start, timezone.now())
            cleaned["window_end"] = end
        return cleaned
