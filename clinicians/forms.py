"""Forms for booking, care records, availability and groups, styled with the NHS.UK mixin."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from practitioner_health.accounts.forms import NHSFormMixin
from selfhelp.questionnaires import MEASURES, Measure

from .formatting import date_text, time_text, when_text
from .models import (
    Appointment,
    AppointmentKind,
    AttendanceStatus,
    Clinician,
    DischargeReason,
    ReferredOnTo,
    Slot,
    Weekday,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


def _radio(label: str, choices: Iterable[tuple[Any, str]], required_message: str, **kwargs: Any) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        choices=list(choices),
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
        **kwargs,
    )
    # The error summary links to the first radio, which is what the NHS pattern expects.
    field.error_anchor_suffix = "_0"  # type: ignore[attr-defined]
    return field


def _date_field(label: str, required_message: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date", "class": "nhsuk-input nhsuk-input--width-10"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"required": required_message, "invalid": "Enter a real date, like 27/3/2026"},
        **kwargs,
    )


def _time_field(label: str, required_message: str, **kwargs: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time", "class": "nhsuk-input nhsuk-input--width-5"}, format="%H:%M"),
        input_formats=["%H:%M"],
        error_messages={"required": required_message, "invalid": "Enter a time, like 14:30"},
        **kwargs,
    )


def _length_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label="Length in minutes",
        min_value=10,
        max_value=240,
        initial=50,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the length in minutes",
            "invalid": "Enter the length as a number of minutes, like 50",
            "min_value": "Appointments must be at least 10 minutes long",
            "max_value": "Appointments can be at most 240 minutes long",
        },
        **kwargs,
    )


def slot_label(slot: Slot) -> str:
    place = "by video" if slot.site is None else f"at {slot.site.name}"
    return f"{time_text(slot.start)} to {time_text(slot.end)}, {place}"


@dataclass
class SlotDay:
    label: str
    radios: list[Any]


class SlotChoiceForm(NHSFormMixin, forms.Form):
    """Pick one of a clinician's open times; rendered as one fieldset per day."""

    def __init__(self, *args: Any, slots: list[Slot], label: str = "Choose a time", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.slots = {slot.pk: slot for slot in slots}
        self.fields["slot"] = _radio(label, [(slot.pk, slot_label(slot)) for slot in slots], "Choose a time")

    def days(self) -> list[SlotDay]:
        days: dict[date, SlotDay] = {}
        for radio in self["slot"]:
            slot = self.slots[int(radio.data["value"])]
            day = timezone.localdate(slot.start)
            days.setdefault(day, SlotDay(label=date_text(slot.start), radios=[])).radios.append(radio)
        return list(days.values())

    @property
    def chosen_slot_id(self) -> int:
        return int(self.cleaned_data["slot"])


class HandlerBookingForm(SlotChoiceForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"] = _radio("Type of appointment", AppointmentKind.choices, "Choose the type of appointment")
        self.order_fields(["kind", "slot"])


class ServiceCancelForm(NHSFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the service cancelling?",
        help_text="Kept on the record. The practitioner is told only that the appointment is cancelled.",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the appointment is being cancelled"},
    )
    reopen = _radio(
        "Should this time be offered to others?",
        [("yes", "Yes, others can book it"), ("no", "No, the time is no longer available")],
        "Choose whether others can book this time",
    )


class AttendanceForm(NHSFormMixin, forms.Form):
    attended = _radio(
        "Did they attend?",
        [("yes", "Yes, they attended"), ("no", "No, they did not attend")],
        "Choose whether they attended",
    )


class QuestionnaireForm(NHSFormMixin, forms.Form):
    """PHQ-9 and GAD-7 from the shared definitions: one radio question per item, all required."""

    CODES = ("PHQ-9", "GAD-7")

    def __init__(self, *args: Any, initial_answers: dict[str, list[int]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial_answers = initial_answers or {}
        for code in self.CODES:
            measure = MEASURES[code]
            for item in measure.items:
                name = self.field_name(measure, item.number)
                self.fields[name] = _radio(
                    f"{item.number}. {item.text}",
                    [(option.value, option.label) for option in item.options],
                    f"Answer question {item.number} of the {code}",
                )
                previous = initial_answers.get(code)
                if previous and not self.is_bound:
                    self.initial[name] = previous[item.number - 1]

    @staticmethod
    def field_name(measure: Measure, number: int) -> str:
        return f"{measure.slug.replace('-', '')}_{number}"

    def sections(self) -> list[tuple[Measure, list[Any]]]:
        return [
            (MEASURES[code], [self[self.field_name(MEASURES[code], item.number)] for item in MEASURES[code].items])
            for code in self.CODES
        ]

    def answers(self) -> dict[str, list[int]]:
        return {
            code: [
                int(self.cleaned_data[self.field_name(MEASURES[code], item.number)]) for item in MEASURES[code].items
            ]
            for code in self.CODES
        }


class SessionNoteForm(NHSFormMixin, forms.Form):
    appointment = forms.TypedChoiceField(
        label="Which appointment is this about?",
        help_text="Only appointments that have started are listed.",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose an appointment that has started, or none"},
    )
    body = forms.CharField(
        label="Note",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter the note"},
    )

    def __init__(self, *args: Any, appointments: list[Appointment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, str]] = [("", "Not about one appointment")]
        choices += [(a.pk, f"{when_text(a.start)} ({a.get_kind_display().lower()})") for a in appointments]
        self.fields["appointment"].choices = choices  # type: ignore[attr-defined]


class DischargeForm(NHSFormMixin, forms.Form):
    """What discharge asks for. `needs_scores_reason`: the last session has no PHQ-9 and GAD-7,
    so say why; `high_risk`: the risk plan must be confirmed, with a reason."""

    reason = _radio("Reason for discharge", DischargeReason.choices, "Choose a reason for discharge")
    referred_on_to = _radio("Referred on to", ReferredOnTo.choices, "Choose where they have been referred on to")
    referred_on_name = forms.CharField(
        label="Name of the other service",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "nhsuk-input"}),
    )
    note = forms.CharField(
        label="Summary for the record",
        help_text="A short summary of their care and why it ended. Kept on their record; they are not sent it.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter a short summary for the record"},
    )

    def __init__(self, *args: Any, needs_scores_reason: bool = False, high_risk: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if needs_scores_reason:
            self.fields["final_scores_missing_reason"] = forms.CharField(
                label="Why are there no scores from their last session?",
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": "Enter why there are no scores from their last session"},
            )
        if high_risk:
            self.fields["risk_plan_confirmed"] = forms.BooleanField(
                label="I have reviewed their risk plan and it is in place after discharge",
                error_messages={"required": "Confirm their risk plan before discharging them"},
            )
            self.fields["risk_plan_note"] = forms.CharField(
                label="Why is discharge safe, and who holds the risk plan now?",
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
                error_messages={"required": "Enter why discharge is safe and who holds the risk plan"},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("referred_on_to") == ReferredOnTo.OTHER and not (cleaned.get("referred_on_name") or "").strip():
            self.add_error("referred_on_name", "Enter the name of the service they have been referred on to")
        return cleaned


def _place_choices(clinician: Clinician) -> list[tuple[str, str]]:
    choices = [(str(site.pk), f"{site.name} ({site.region.name})") for site in clinician.sites.select_related("region")]
    if clinician.video:
        choices.append(("video", "By video"))
    return choices


class PlaceMixin:
    def place_site_id(self) -> int | None:
        place = self.cleaned_data["place"]  # type: ignore[attr-defined]
        return None if place == "video" else int(place)


class PatternForm(PlaceMixin, NHSFormMixin, forms.Form):
    weekday = forms.TypedChoiceField(
        label="Day", coerce=int, choices=Weekday.choices, error_messages={"required": "Choose a day"}
    )
    start_time = _time_field("Start time", "Enter a start time")
    length_minutes = _length_field()

    def __init__(self, *args: Any, clinician: Clinician, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = forms.ChoiceField(
            label="Where", choices=_place_choices(clinician), error_messages={"required": "Choose where"}
        )
        self.fields["place"].widget.attrs["class"] = "nhsuk-select"


class OneOffSlotForm(PlaceMixin, NHSFormMixin, forms.Form):
    day = _date_field("Date", "Enter a date")
    start_time = _time_field("Start time", "Enter a start time")
    length_minutes = _length_field()

    def __init__(self, *args: Any, clinician: Clinician, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"] = forms.ChoiceField(
            label="Where", choices=_place_choices(clinician), error_messages={"required": "Choose where"}
        )
        self.fields["place"].widget.attrs["class"] = "nhsuk-select"

    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.cleaned_data["day"], self.cleaned_data["start_time"]))


class LeaveForm(NHSFormMixin, forms.Form):
    first_day = _date_field("First day of leave", "Enter the first day of your leave")
    last_day = _date_field("Last day of leave", "Enter the last day of your leave")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", "The last day must be the same as or after the first day")
        if first and first < timezone.localdate():
            self.add_error("first_day", "The first day must be today or in the future")
        return cleaned

    def period(self) -> tuple[datetime, datetime]:
        start = timezone.make_aware(datetime.combine(self.cleaned_data["first_day"], time.min))
        end = timezone.make_aware(datetime.combine(self.cleaned_data["last_day"] + timedelta(days=1), time.min))
        return start, end


class GroupSessionForm(NHSFormMixin, forms.Form):
    day = _date_field("Date", "Enter a date")
    start_time = _time_field("Start time", "Enter a start time")
    length_minutes = _length_field()

    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.cleaned_data["day"], self.cleaned_data["start_time"]))


class GroupAttendanceForm(NHSFormMixin, forms.Form):
    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for membership_id, name in members:
            self.fields[f"member_{membership_id}"] = _radio(
                name, AttendanceStatus.choices, f"Choose whether {name} attended"
            )

    def statuses(self) -> dict[int, str]:
        return {int(name.removeprefix("member_")): value for name, value in self.cleaned_data.items()}
