"""The self-referral questions, one form per page, and the practitioner's own change forms.

Every form here can describe itself as a `layout` (what kind of NHS.UK component each
field is, its label or legend, hint, error and choices), so one template renders every
question page with the right markup: legends as page headings, the first radio's id
matching the error-summary link, and the date-input pattern.

There are no conditional reveals: NHS.UK frontend marks revealing radios with
aria-expanded, which is not allowed on a radio (WCAG 4.1.2, flagged by axe-core). A
follow-up text box sits under the choices instead, and is required only when needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar, cast

from django import forms
from django.utils import timezone

from practitioner_health.accounts.forms import NHSFormMixin
from practitioner_health.phones import parse_phone, phone_for_display
from practitioner_health.regions import NHSRegion

from . import eligibility
from .models import CareerStage, HeardAbout, Need, PreferredContact, Profession, Register, SeenWhere, WorkLocation

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_LABELS = dict(YES_NO)

# Terminal pages a question can end the journey on, by the eligibility reason behind them.
BRANCH_FOR_REASON = {
    "third-party": "not_self",
    "student": "students",
    "devolved-scotland": "devolved",
    "devolved-wales": "devolved",
    "devolved-northern-ireland": "devolved",
    "outside-uk": "outside_uk",
}

HONEYPOT_MESSAGE = (
    "We could not accept this form. If a browser extension fills in forms for you, turn it off and try again, "
    "or call our helpline."
)


def _required(message: str) -> dict[str, str]:
    return {"required": message, "invalid_choice": message, "invalid_list": message}


@dataclass
class Item:
    """One radio or checkbox."""

    id: str
    value: str
    label: str
    checked: bool
    hint: str = ""
    divider_before: str = ""


@dataclass
class FieldView:
    """What the templates need to draw one question."""

    kind: str  # radios, checkboxes, input, textarea, date
    bound: forms.BoundField
    label: str
    is_heading: bool = False
    size: str = "m"
    hint: str = ""
    items: list[Item] = field(default_factory=list)
    # The date pattern: the three parts and which of them are in error.
    parts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.bound.auto_id)

    @property
    def errors(self) -> list[str]:
        if self.parts:
            # One message for the whole date: the first part's problem.
            return [str(e) for part in self.parts for e in part["field"].errors][:1]
        return [str(e) for e in self.bound.errors]

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.id}-hint")
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)


class LayoutForm(NHSFormMixin, forms.Form):
    """A form that can lay itself out as NHS.UK components.

    `heading` is the page's h1. When `single` is true the page asks one question and that
    question's legend or label *is* the h1 (the NHS pattern), with any follow-up box
    under it; otherwise the h1 stands above several labelled questions.
    """

    heading: ClassVar[str] = ""
    page_hint: ClassVar[str] = ""
    single: ClassVar[bool] = True
    hints: ClassVar[dict[str, str]] = {}
    item_hints: ClassVar[dict[str, dict[str, str]]] = {}
    dividers: ClassVar[dict[str, dict[str, str]]] = {}
    honeypot: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.honeypot:
            self.fields["website"] = forms.CharField(
                required=False,
                label="Leave this field empty",
                widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            )
        for name, bound_field in self.fields.items():
            bound_field.help_text = self.hint_for(name)
            if isinstance(bound_field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                # The error summary links to the first choice, whose id ends in _0.
                bound_field.error_anchor_suffix = "_0"  # type: ignore[attr-defined]
        self._describe()

    # Hints can depend on earlier answers, so they are looked up rather than fixed.
    def hint_for(self, name: str) -> str:
        return self.hints.get(name, "")

    def get_heading(self) -> str:
        return self.heading

    def full_clean(self) -> None:
        super().full_clean()
        if self.honeypot and self.is_bound and (self.data.get("website") or "").strip():
            self.add_error(None, HONEYPOT_MESSAGE)
        self._describe()

    def _describe(self) -> None:
        """Point each text input at its hint and error message (the mixin only knows the error)."""
        errors = getattr(self, "_errors", None) or {}
        for name, bound_field in self.fields.items():
            ids = []
            if bound_field.help_text:
                ids.append(f"id_{name}-hint")
            if name in errors:
                ids.append(f"id_{name}-error")
            if ids:
                bound_field.widget.attrs["aria-describedby"] = " ".join(ids)
            else:
                bound_field.widget.attrs.pop("aria-describedby", None)

    # -- layout ------------------------------------------------------------------------------

    @property
    def page_heading(self) -> str:
        return self.get_heading()

    def layout(self) -> list[FieldView]:
        names = [n for n in self.fields if n != "website" and not n.startswith("dob_")]
        views = []
        if any(n.startswith("dob_") for n in self.fields):
            views.append(self._date_view())
        for name in names:
            views.append(self.field_view(name))
        if self.single and views:
            views[0].is_heading = True
            views[0].label = self.get_heading()
        return views

    def field_view(self, name: str) -> FieldView:
        bound = self[name]
        widget = self.fields[name].widget
        label = str(self.fields[name].label)
        hint = str(self.fields[name].help_text or "")
        if isinstance(widget, forms.CheckboxSelectMultiple):
            return FieldView("checkboxes", bound, label, hint=hint, items=self._items(name, multiple=True))
        if isinstance(widget, forms.RadioSelect):
            return FieldView("radios", bound, label, hint=hint, items=self._items(name, multiple=False))
        if isinstance(widget, forms.Textarea):
            return FieldView("textarea", bound, label, hint=hint)
        return FieldView("input", bound, label, hint=hint)

    def _items(self, name: str, *, multiple: bool) -> list[Item]:
        bound = self[name]
        value = bound.value()
        chosen = {str(v) for v in value} if multiple and isinstance(value, (list, tuple)) else {str(value or "")}
        hints = self.item_hints.get(name, {})
        dividers = self.dividers.get(name, {})
        items = []
        # Normalised by Django to (value, label) pairs; none of these fields uses option groups.
        options = cast("list[tuple[Any, Any]]", cast(forms.ChoiceField, self.fields[name]).choices)
        for index, (choice, label) in enumerate(options):
            if choice == "":
                continue
            items.append(
                Item(
                    # Django's ids (id_name_0, id_name_1...), which the error summary links to.
                    id=f"{bound.auto_id}_{index}",
                    value=str(choice),
                    label=str(label),
                    checked=str(choice) in chosen,
                    hint=hints.get(str(choice), ""),
                    divider_before=dividers.get(str(choice), ""),
                )
            )
        return items

    def _date_view(self) -> FieldView:
        errors = getattr(self, "_errors", None) or {}
        parts = []
        for part, label, width in (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4)):
            name = f"dob_{part}"
            parts.append({"field": self[name], "label": label, "width": width, "error": name in errors})
        return FieldView("date", self["dob_day"], self.get_heading(), hint=self.hint_for("dob_day"), parts=parts)

    # -- what the step means ------------------------------------------------------------------

    def storable(self) -> dict[str, Any]:
        """The answer as it will be re-bound later: the submitted values of this form's fields."""
        stored: dict[str, Any] = {}
        for name, form_field in self.fields.items():
            if name == "website":
                continue
            if isinstance(form_field, forms.MultipleChoiceField):
                stored[name] = (
                    [str(v) for v in self.data.getlist(name)]
                    if hasattr(self.data, "getlist")
                    else list(self.data.get(name) or [])
                )
            else:
                stored[name] = str(self.data.get(name) or "")
        return stored


class QuestionForm(LayoutForm):
    """One page of the self-referral. `prior` holds the cleaned answers to earlier pages."""

    honeypot = True
    # Pages whose stored answers stop being valid when this answer changes.
    invalidates: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, prior: dict[str, Any] | None = None, phone: bool = False, **kwargs: Any) -> None:
        self.prior = prior or {}
        self.phone = phone
        if phone:
            self.honeypot = False
        super().__init__(*args, **kwargs)

    def branch(self) -> str | None:
        """The page that ends the journey after this answer, if it does."""
        return None

    def summary(self) -> list[tuple[str, str]]:
        """Rows for "Check your answers": (question, answer)."""
        raise NotImplementedError

    def facts(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def _yes_no(name: str, label: str, message: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, error_messages=_required(message))


class SelfReferralForm(QuestionForm):
    heading = "Are you referring yourself?"
    is_self = _yes_no("is_self", "Are you referring yourself?", "Select yes if you are referring yourself")
    hints = {
        "is_self": "We can only accept a referral from the doctor or dentist who wants help, not from a colleague, "
        "friend, relative or organisation on their behalf."
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.phone:
            self.fields["is_self"].error_messages.update(_required("Select yes if the caller is referring themselves"))

    def get_heading(self) -> str:
        return "Is the caller referring themselves?" if self.phone else self.heading

    def branch(self) -> str | None:
        return _branch(eligibility.screen(self_referral=self.cleaned_data["is_self"] == "yes", profession=""))

    def summary(self) -> list[tuple[str, str]]:
        question = "Caller is referring themselves" if self.phone else "Referring yourself"
        return [(question, YES_NO_LABELS[self.cleaned_data["is_self"]])]

    def facts(self) -> dict[str, Any]:
        return {"is_self": self.cleaned_data["is_self"] == "yes"}


def _branch(decision: eligibility.Decision | None) -> str | None:
    if decision is None:
        return None
    return BRANCH_FOR_REASON[decision.reasons[0].code]


PROFESSION_CHOICES = [
    (Profession.DOCTOR.value, "Doctor"),
    (Profession.DENTIST.value, "Dentist"),
    ("medical-student", "Medical student"),
    ("dental-student", "Dental student"),
]


class ProfessionForm(QuestionForm):
    heading = "Are you a doctor or a dentist?"
    profession = forms.ChoiceField(
        label=heading,
        choices=PROFESSION_CHOICES,
        widget=forms.RadioSelect,
        error_messages=_required("Select if you are a doctor, a dentist or a student"),
    )
    hints = {"profession": "Include doctors and dentists in training, such as foundation doctors and dental trainees."}
    dividers = {"profession": {"medical-student": "or"}}
    invalidates = ("registration", "role")

    def branch(self) -> str | None:
        return _branch(eligibility.screen(self_referral=True, profession=self.cleaned_data["profession"]))

    def summary(self) -> list[tuple[str, str]]:
        return [("Profession", dict(PROFESSION_CHOICES)[self.cleaned_data["profession"]])]


class RegistrationForm(QuestionForm):
    # Not `required`: an empty answer gets the same register-specific message as a wrong one.
    number = forms.CharField(
        label="Registration number",
        required=False,
        strip=False,
        widget=forms.TextInput(
            attrs={
                "class": "nhsuk-input nhsuk-input--width-10",
                "inputmode": "numeric",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )

    @property
    def register(self) -> str:
        return eligibility.REGISTER_FOR_PROFESSION.get(self.prior.get("profession", ""), Register.GMC)

    def get_heading(self) -> str:
        if self.register == Register.GDC:
            return "What is your GDC registration number?"
        return "What is your GMC reference number?"

    def hint_for(self, name: str) -> str:
        if self.register == Register.GDC:
            return (
                "This is 3 to 6 digits. You can find it on your eGDC account, your annual retention fee notice, "
                "or by searching the online dental register."
            )
        return (
            "This is 7 digits. You can find it in your GMC Online account, on your registration certificate, "
            "or by searching the medical register."
        )

    def clean_number(self) -> str:
        try:
            return eligibility.validate_register_number(self.register, self.cleaned_data["number"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def summary(self) -> list[tuple[str, str]]:
        question = "GDC registration number" if self.register == Register.GDC else "GMC reference number"
        return [(question, self.cleaned_data["number"])]

    def facts(self) -> dict[str, Any]:
        return {"registration_number": self.cleaned_data["number"], "register": self.register}


WORK_LOCATION_CHOICES = [
    (WorkLocation.ENGLAND.value, "In England"),
    (WorkLocation.RETURNING.value, "I am returning to practice in England"),
    (WorkLocation.SCOTLAND.value, "In Scotland"),
    (WorkLocation.WALES.value, "In Wales"),
    (WorkLocation.NORTHERN_IRELAND.value, "In Northern Ireland"),
    (WorkLocation.OUTSIDE_UK.value, "Outside the UK"),
]


class WorkLocationForm(QuestionForm):
    heading = "Where do you work?"
    work_location = forms.ChoiceField(
        label=heading,
        choices=WORK_LOCATION_CHOICES,
        widget=forms.RadioSelect,
        error_messages=_required("Select where you work"),
    )
    hints = {"work_location": "If you work in more than one place, choose where you do most of your work."}
    item_hints = {
        "work_location": {
            WorkLocation.RETURNING.value: "For example, after illness, parental leave, a career break, "
            "suspension or working abroad."
        }
    }

    def branch(self) -> str | None:
        profession = self.prior.get("profession", Profession.DOCTOR)
        return _branch(
            eligibility.screen(
                self_referral=True, profession=profession, work_location=self.cleaned_data["work_location"]
            )
        )

    def summary(self) -> list[tuple[str, str]]:
        return [("Where you work", dict(WORK_LOCATION_CHOICES)[self.cleaned_data["work_location"]])]


DOCTOR_ROLES = [
    CareerStage.GP,
    CareerStage.GP_TRAINEE,
    CareerStage.CONSULTANT,
    CareerStage.SAS,
    CareerStage.SPECIALTY_TRAINEE,
    CareerStage.FOUNDATION,
    CareerStage.LOCALLY_EMPLOYED,
    CareerStage.OTHER,
]
DENTIST_ROLES = [
    CareerStage.GENERAL_DENTAL,
    CareerStage.DENTAL_SPECIALIST,
    CareerStage.DENTAL_TRAINEE,
    CareerStage.OTHER,
]


class RoleForm(QuestionForm):
    heading = "What is your role?"
    career_stage = forms.ChoiceField(
        label=heading, choices=(), widget=forms.RadioSelect, error_messages=_required("Select your role")
    )
    career_stage_other = forms.CharField(
        label="If you chose other, what is your role?",
        required=False,
        max_length=200,
        error_messages={"max_length": "Your role must be 200 characters or fewer"},
    )
    hints = {"career_stage": "Choose the one that fits best. If you are between jobs, choose your most recent role."}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = DENTIST_ROLES if self.prior.get("profession") == Profession.DENTIST else DOCTOR_ROLES
        cast(forms.ChoiceField, self.fields["career_stage"]).choices = [(role.value, role.label) for role in roles]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("career_stage") == CareerStage.OTHER:
            if not (cleaned.get("career_stage_other") or "").strip() and "career_stage_other" not in self.errors:
                self.add_error("career_stage_other", "Tell us your role")
        else:
            cleaned["career_stage_other"] = ""
        return cleaned

    def summary(self) -> list[tuple[str, str]]:
        role = CareerStage(self.cleaned_data["career_stage"])
        text = self.cleaned_data["career_stage_other"].strip() if role == CareerStage.OTHER else role.label
        return [("Your role", text)]


class WorkplaceForm(QuestionForm):
    heading = "Where you work"
    single = False
    page_hint = "We use this to arrange your care away from the people you work with."
    work_region = forms.ChoiceField(
        label="Which NHS England region do you work in?",
        choices=NHSRegion.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select the region you work in"),
    )
    employer = forms.CharField(
        label="Employer, trust or practice name (optional)",
        required=False,
        max_length=200,
        error_messages={"max_length": "Employer name must be 200 characters or fewer"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.returning:
            self.fields["work_region"].label = "Which NHS England region will you work in?"
            self.fields["work_region"].error_messages.update(_required("Select the region you will work in"))
            self.fields["employer"].label = "Employer, trust or practice name, if you know it (optional)"

    @property
    def returning(self) -> bool:
        return self.prior.get("work_location") == WorkLocation.RETURNING

    def hint_for(self, name: str) -> str:
        if name == "work_region" and self.returning:
            return "If you do not know yet, choose the region where you live."
        return ""

    def summary(self) -> list[tuple[str, str]]:
        rows = [("Region you work in", NHSRegion(self.cleaned_data["work_region"]).label)]
        rows.append(("Employer", self.cleaned_data["employer"].strip() or "Not given"))
        return rows


SEEN_WHERE_CHOICES = [
    (SeenWhere.AWAY.value, "Anywhere away from where I work"),
    (SeenWhere.VIDEO.value, "By video only"),
    *[(region.value, f"In {region.label}") for region in NHSRegion],
]


class SeenWhereForm(QuestionForm):
    heading = "Where would you like to be seen?"
    seen_where = forms.ChoiceField(
        label=heading,
        choices=SEEN_WHERE_CHOICES,
        widget=forms.RadioSelect,
        error_messages=_required("Select where you would like to be seen"),
    )
    hints = {
        "seen_where": "Appointments can be face to face in any NHS England region, in premises chosen so you are "
        "unlikely to meet colleagues, or by video."
    }
    dividers = {"seen_where": {NHSRegion.LONDON.value: "or"}}

    def summary(self) -> list[tuple[str, str]]:
        return [("Where you would like to be seen", dict(SEEN_WHERE_CHOICES)[self.cleaned_data["seen_where"]])]

    def facts(self) -> dict[str, Any]:
        value = self.cleaned_data["seen_where"]
        if value in NHSRegion.values:
            return {"seen_where": SeenWhere.REGION.value, "seen_region": value}
        return {"seen_where": value, "seen_region": ""}


class NeedsForm(QuestionForm):
    heading = "What would you like help with?"
    needs = forms.MultipleChoiceField(
        label=heading,
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_required("Select what you would like help with"),
    )
    needs_other = forms.CharField(
        label="If you chose something else, tell us what",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "What else you would like help with must be 1000 characters or fewer"},
    )
    hints = {"needs": "Select all that apply."}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if Need.OTHER in (cleaned.get("needs") or []):
            if not (cleaned.get("needs_other") or "").strip() and "needs_other" not in self.errors:
                self.add_error("needs_other", "Tell us what else you would like help with")
        else:
            cleaned["needs_other"] = ""
        return cleaned

    def summary(self) -> list[tuple[str, str]]:
        labels = [Need(n).label for n in self.cleaned_data["needs"] if n != Need.OTHER]
        if Need.OTHER in self.cleaned_data["needs"]:
            labels.append(f"Something else: {self.cleaned_data['needs_other'].strip()}")
        return [("What you would like help with", "\n".join(labels))]


class SafetyForm(QuestionForm):
    heading = "Are you having thoughts of harming yourself or ending your life?"
    self_harm = _yes_no(
        "self_harm", heading, "Select yes if you are having thoughts of harming yourself or ending your life"
    )
    hints = {
        "self_harm": "Your answer helps us decide how soon to contact you. If you answer yes, "
        "we will try to call you back the same day when our helpline is open, or as soon as it opens."
    }

    def summary(self) -> list[tuple[str, str]]:
        return [("Thoughts of harming yourself or ending your life", YES_NO_LABELS[self.cleaned_data["self_harm"]])]

    def facts(self) -> dict[str, Any]:
        return {"self_harm": self.cleaned_data["self_harm"] == "yes"}


class NameForm(QuestionForm):
    heading = "What is your name?"
    single = False
    name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your full name",
            "max_length": "Full name must be 200 characters or fewer",
        },
    )
    preferred_name = forms.CharField(
        label="Preferred name or pseudonym (optional)",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"spellcheck": "false"}),
        error_messages={"max_length": "Preferred name must be 200 characters or fewer"},
    )
    hints = {
        "name": "As it appears on the medical or dental register, so we can check your registration.",
        "preferred_name": "What you would like us to call you. We will use it on the phone and in messages.",
    }

    def summary(self) -> list[tuple[str, str]]:
        return [
            ("Full name", self.cleaned_data["name"]),
            ("Preferred name", self.cleaned_data["preferred_name"] or "Not given"),
        ]


_ASCII_DIGITS = re.compile(r"[0-9]{1,4}")


class DateOfBirthForm(QuestionForm):
    heading = "What is your date of birth?"
    dob_day = forms.CharField(label="Day", required=False, max_length=10)
    dob_month = forms.CharField(label="Month", required=False, max_length=10)
    dob_year = forms.CharField(label="Year", required=False, max_length=10)
    hints = {"dob_day": "For example, 15 3 1984"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for part, autocomplete, width in (("day", "bday-day", 2), ("month", "bday-month", 2), ("year", "bday-year", 4)):
            widget = self.fields[f"dob_{part}"].widget
            widget.attrs.update(
                {
                    "class": f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}",
                    "inputmode": "numeric",
                    "autocomplete": autocomplete,
                }
            )
            self.fields[f"dob_{part}"].error_messages["max_length"] = "Date of birth must be a real date"
        self.fields["dob_day"].help_text = ""

    def _describe(self) -> None:
        # The fieldset carries the hint and error; the parts are described by it.
        for name in ("dob_day", "dob_month", "dob_year"):
            if name in self.fields:
                self.fields[name].widget.attrs.pop("aria-describedby", None)

    def full_clean(self) -> None:
        super().full_clean()
        for name in ("dob_day", "dob_month", "dob_year"):
            css = self.fields[name].widget.attrs.get("class", "")
            if name in self.errors:
                if "nhsuk-input--error" not in css:
                    self.fields[name].widget.attrs["class"] = f"{css} nhsuk-input--error"
            self.fields[name].widget.attrs.pop("aria-describedby", None)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        parts = {p: (cleaned.get(f"dob_{p}") or "").strip() for p in ("day", "month", "year")}
        missing = [p for p in ("day", "month", "year") if not parts[p]]
        if len(missing) == 3:
            self.add_error("dob_day", "Enter your date of birth")
            return cleaned
        if missing:
            for part in missing:
                self.errors.setdefault(f"dob_{part}", self.error_class())
            self.add_error(f"dob_{missing[0]}", f"Date of birth must include a {' and '.join(missing)}")
            return cleaned
        bad = [p for p in ("day", "month", "year") if not _ASCII_DIGITS.fullmatch(parts[p])]
        if bad:
            self._mark(bad, "Date of birth must be a real date")
            return cleaned
        if len(parts["year"]) != 4:
            self._mark(["year"], "Year must include 4 numbers")
            return cleaned
        try:
            born = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
        except ValueError:
            self._mark(["day", "month", "year"], "Date of birth must be a real date")
            return cleaned
        today = timezone.localdate()
        if born >= today:
            self._mark(["day", "month", "year"], "Date of birth must be in the past")
            return cleaned
        if born.year < 1900:
            self._mark(["year"], "Year must be 1900 or later")
            return cleaned
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if age < 18:
            self._mark(["day", "month", "year"], "You must be 18 or over to use this service")
            return cleaned
        cleaned["date_of_birth"] = born
        return cleaned

    def _mark(self, parts: list[str], message: str) -> None:
        for part in parts[1:]:
            self.errors.setdefault(f"dob_{part}", self.error_class())
        self.add_error(f"dob_{parts[0]}", message)

    def summary(self) -> list[tuple[str, str]]:
        born: date = self.cleaned_data["date_of_birth"]
        return [("Date of birth", f"{born.day} {born:%B %Y}")]

    def facts(self) -> dict[str, Any]:
        return {"date_of_birth": self.cleaned_data["date_of_birth"]}


def normalise_mobile(text: str) -> str:
    """A mobile number in international form (+447700900982), or ValueError with the message to show.

    UK numbers must be mobiles (07...), typed in any usual way (`+44 (0)7700 900777`).
    """
    return parse_phone(text, mobile=True)


def mobile_for_display(number: str) -> str:
    """+447700900982 -> 07700 900982, as people write UK mobiles."""
    return phone_for_display(number)


class ContactForm(QuestionForm):
    heading = "How can we contact you?"
    single = False
    page_hint = "Our emails and texts come from PH Service and never say what the service is for."
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    mobile = forms.CharField(
        label="Mobile phone number",
        max_length=30,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "tel", "class": "nhsuk-input nhsuk-input--width-20"}
        ),
        error_messages={
            "required": "Enter your mobile phone number",
            "max_length": "Enter a mobile number, like 07700 900 982 or +44 7700 900 982",
        },
    )
    hints = {
        "email": "We will send your reference number and a link to set up your account here. "
        "Use a personal address if others can read your work email.",
        "mobile": "For example, 07700 900 982. For a number outside the UK, start with + and the country code.",
    }

    def clean_mobile(self) -> str:
        try:
            return normalise_mobile(self.cleaned_data["mobile"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def summary(self) -> list[tuple[str, str]]:
        return [
            ("Email address", self.cleaned_data["email"]),
            ("Mobile phone number", mobile_for_display(self.cleaned_data["mobile"])),
        ]


class ContactPreferencesForm(QuestionForm):
    heading = "Contacting you safely"
    single = False
    voicemail_ok = _yes_no(
        "voicemail_ok", "Can we leave you a voicemail?", "Select yes if we can leave you a voicemail"
    )
    texts_ok = _yes_no("texts_ok", "Can we send you text messages?", "Select yes if we can send you text messages")
    best_times = forms.CharField(
        label="When is the best time to call you? (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Best times to call must be 500 characters or fewer"},
    )
    hints = {
        "voicemail_ok": "Our voicemails only say that PH Service called, and ask you to call back.",
        "texts_ok": "We use texts for appointment reminders. They never say what the service is for.",
        "best_times": "For example, weekday lunchtimes or after 6pm.",
    }

    def summary(self) -> list[tuple[str, str]]:
        return [
            ("Voicemail", YES_NO_LABELS[self.cleaned_data["voicemail_ok"]]),
            ("Text messages", YES_NO_LABELS[self.cleaned_data["texts_ok"]]),
            ("Best times to call", self.cleaned_data["best_times"].strip() or "Any time"),
        ]

    def facts(self) -> dict[str, Any]:
        return {
            "voicemail_ok": self.cleaned_data["voicemail_ok"] == "yes",
            "texts_ok": self.cleaned_data["texts_ok"] == "yes",
            "best_times": self.cleaned_data["best_times"].strip(),
        }


PEOPLE_KNOWN_HINT = (
    "For example, colleagues, friends or family who work in health services near you. We will make sure they "
    "are not involved in your care. Leave this empty if there is no one."
)


class PeopleKnownForm(QuestionForm):
    heading = "Is there anyone you would not want involved in your care?"
    people_known = forms.CharField(
        label=heading,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "This must be 2000 characters or fewer"},
    )
    hints = {"people_known": PEOPLE_KNOWN_HINT}

    def summary(self) -> list[tuple[str, str]]:
        return [("People you would not want involved", self.cleaned_data["people_known"].strip() or "None")]

    def facts(self) -> dict[str, Any]:
        return {"people_known": self.cleaned_data["people_known"].strip()}


class HeardAboutForm(QuestionForm):
    heading = "How did you hear about us?"
    heard_about = forms.ChoiceField(
        label=heading,
        required=False,
        choices=HeardAbout.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select how you heard about us, or leave this question unanswered"),
    )
    hints = {"heard_about": "This is optional. It helps us reach more doctors and dentists who need us."}

    def summary(self) -> list[tuple[str, str]]:
        value = self.cleaned_data["heard_about"]
        return [("How you heard about us", HeardAbout(value).label if value else "Not given")]


class SubmitForm(LayoutForm):
    """The "Send" button on Check your answers: a one-time token, and the honeypot."""

    honeypot = True
    token = forms.CharField(widget=forms.HiddenInput, max_length=100, error_messages={"required": "Send your answers"})


class PhoneSubmitForm(LayoutForm):
    token = forms.CharField(widget=forms.HiddenInput, max_length=100, error_messages={"required": "Send your answers"})
    confirm_caller = forms.BooleanField(
        label="I confirm I am speaking to the doctor or dentist themselves, and they want to refer themselves",
        error_messages={"required": "Confirm that you are speaking to the doctor or dentist themselves"},
    )


# -- the practitioner's own pages ---------------------------------------------------------------


class ContactPreferencesChangeForm(LayoutForm):
    heading = "How we contact you"
    single = False
    preferred_contact = forms.ChoiceField(
        label="How would you like us to contact you first?",
        choices=PreferredContact.choices,
        widget=forms.RadioSelect,
        error_messages=_required("Select how you would like us to contact you first"),
    )
    voicemail_ok = ContactPreferencesForm.base_fields["voicemail_ok"]
    texts_ok = ContactPreferencesForm.base_fields["texts_ok"]
    best_times = ContactPreferencesForm.base_fields["best_times"]
    hints = ContactPreferencesForm.hints

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("preferred_contact") == PreferredContact.TEXT and cleaned.get("texts_ok") == "no":
            self.add_error(
                "texts_ok", "Select yes if we can send you text messages, or choose another way to contact you"
            )
        return cleaned


class PeopleKnownChangeForm(LayoutForm):
    heading = "People you would not want involved in your care"
    people_known = forms.CharField(
        label=heading,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": "This must be 2000 characters or fewer"},
    )
    hints = {"people_known": PEOPLE_KNOWN_HINT}
