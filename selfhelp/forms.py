from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.text import Truncator

from practitioner_health.accounts.forms import NHSFormMixin

from .questionnaires import Item, Measure


def _short_question(text: str) -> str:
    """Enough of a question to recognise it in an error message.

    Up to the first comma or colon when that leaves a phrase ("Trouble falling or staying
    asleep…"), otherwise the whole question, cut to 16 words only if it is very long.
    """
    phrase = re.match(r"([^,:]+)[,:]", text)
    if phrase and len(phrase.group(1).split()) >= 4:
        return f"{phrase.group(1)}…"
    return text if len(text) <= 120 else Truncator(text).words(16)


def _missing_answer_message(item: Item) -> str:
    return f"Select an answer for question {item.number}: {_short_question(item.text)}"


class QuestionnaireForm(NHSFormMixin, forms.Form):
    """One required radio group per item of a measure. Fields are `item_1`, `item_2`, ..."""

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure
        for item in measure.items:
            message = _missing_answer_message(item)
            field = forms.TypedChoiceField(
                label=item.text,
                choices=[(option.value, option.label) for option in item.options],
                coerce=int,
                widget=forms.RadioSelect,
                # A value the item does not offer only comes from a tampered form: same answer.
                error_messages={"required": message, "invalid_choice": message},
            )
            # The error summary links to the first radio, whose id ends in "_0".
            field.error_anchor_suffix = "_0"  # type: ignore[attr-defined]
            field.item = item  # type: ignore[attr-defined]
            self.fields[self.field_name(item)] = field

    @staticmethod
    def field_name(item: Item) -> str:
        return f"item_{item.number}"

    def answers(self) -> list[int]:
        """The item scores in item order; only after is_valid()."""
        return [self.cleaned_data[self.field_name(item)] for item in self.measure.items]
