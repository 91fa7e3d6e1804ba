"""Whatever an article body contains, no script, event handler or javascript: link reaches a page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from selfhelp.rendering import render_markdown
from tests.selfhelp.factories import ArticleFactory

HOSTILE_BODY = """\
## Looks harmless

Some **useful** advice.

<script>alert("script tag")</script>
<SCRIPT src="https://evil.example/x.js"></SCRIPT>
<img src="x" onerror="alert('img onerror')">
<p onclick="alert('p onclick')" style="position:fixed">Click me</p>
<a href="javascript:alert('raw link')" onmouseover="alert('hover')">raw link</a>
<a href="  JaVaScRiPt:alert('mixed case')">mixed case</a>
<a href="&#106;avascript:alert('entity')">entity-encoded</a>
[markdown link](javascript:alert('markdown'))
[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<iframe src="https://evil.example"></iframe>
<svg onload="alert('svg')"><circle r="1"/></svg>
<form action="https://evil.example"><button formaction="javascript:alert(1)">Go</button></form>
<style>body { display: none }</style>
<object data="https://evil.example/x.swf"></object>

[A safe link](https://www.samaritans.org) and [call](tel:116123).
"""


def assert_nothing_executable(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "alert(" not in lowered
    assert "javascript:" not in lowered
    assert "data:text/html" not in lowered
    assert not re.search(r"\son[a-z]+\s*=", lowered), "an event-handler attribute survived"
    for tag in ("<iframe", "<svg", "<form", "<button", "<style", "<object", "<img"):
        assert tag not in lowered
    assert "style=" not in lowered


def test_rendering_removes_scripts_event_handlers_and_unsafe_links() -> None:
    html = render_markdown(HOSTILE_BODY)

    assert_nothing_executable(html)
    # The ordinary content is all still there.
    assert "<h2>Looks harmless</h2>" in html
    assert "<strong>useful</strong>" in html
    assert "Click me" in html
    assert '<a href="https://www.samaritans.org" rel="noopener noreferrer">A safe link</a>' in html
    assert '<a href="tel:116123" rel="noopener noreferrer">call</a>' in html


@pytest.mark.django_db
def test_a_hostile_body_never_reaches_the_article_page(client: Client, no_articles: None) -> None:
    article = ArticleFactory(slug="hostile", body=HOSTILE_BODY)

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    main = response.content.decode().split('<main class="nhsuk-main-wrapper"', 1)[1].split("</main>", 1)[0]
    assert_nothing_executable(main)
    assert "Some <strong>useful</strong> advice." in main


@pytest.mark.django_db
def test_the_page_forbids_inline_scripts_even_if_one_slipped_through(client: Client, no_articles: None) -> None:
    article = ArticleFactory(slug="csp")

    csp = client.get(article.get_absolute_url())["Content-Security-Policy"]

    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
