"""The Friends and Family Test link on the practitioner's own pages."""

from __future__ import annotations

from typing import Any

from django import template

from ..feedback import open_offers_for

register = template.Library()


@register.inclusion_tag("clinicians/feedback/prompt.html")
def feedback_prompt(user: Any) -> dict[str, Any]:
    """Links to the test for each offer this practitioner has not answered yet."""
    offers = open_offers_for(user) if getattr(user, "is_authenticated", False) else []
    return {"offers": offers}
