"""Markdown to safe HTML for article bodies.

Markdown lets authors write raw HTML, and an admin account can be compromised, so the HTML
Markdown produces is cleaned with an allow-list (nh3, the Rust `ammonia` sanitiser): no
script or style elements, no event-handler or style attributes, and links only to http,
https, mailto and tel. Only what survives reaches the page.
"""

from __future__ import annotations

import functools
from xml.etree.ElementTree import Element

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

__all__ = ["ALLOWED_TAGS", "ALLOWED_URL_SCHEMES", "render_markdown"]

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "blockquote",
        "ul", "ol", "li", "dl", "dt", "dd", "a", "abbr", "code", "pre",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


class _DemoteTopHeadings(Treeprocessor):
    """The page title is the only <h1>: a `# Heading` in a body becomes an <h2>."""

    def run(self, root: Element) -> None:
        for element in root.iter("h1"):
            element.tag = "h2"


class _PageHeadings(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_DemoteTopHeadings(md), "ph_demote_headings", 5)


def render_markdown(text: str) -> SafeString:
    """Render Markdown and sanitise the result; safe to put straight into a template."""
    return mark_safe(_clean_html(text))  # noqa: S308 - sanitised by nh3 with the allow-list below


# The result depends on the text alone, and an article is read far more often than edited:
# each worker keeps the HTML of the articles it has rendered lately (an edit is a new text).
@functools.lru_cache(maxsize=256)
def _clean_html(text: str) -> str:
    html = markdown.markdown(text, extensions=["sane_lists", "def_list", "abbr", _PageHeadings()], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return str(cleaned)
