"""Template filter `call_links` (a builtin: no `{% load %}` needed).

`{{ guidance.next_steps|call_links }}` or `{% filter call_links %}...{% endfilter %}` turns
each crisis number in the text, and the helpline's, into a link that calls it.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe

from .crisis import link_numbers

register = template.Library()


@register.filter(is_safe=True)
def call_links(text: object) -> SafeString:
    escaped = conditional_escape(text if isinstance(text, SafeData) else str(text))
    return mark_safe(link_numbers(str(escaped)))  # noqa: S308 - escaped above; the links are ours
