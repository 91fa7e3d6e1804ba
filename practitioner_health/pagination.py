"""Numbered pages for long lists, drawn with the NHS.UK pagination component
(`templates/includes/pagination.html`)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest


def page_of(request: HttpRequest, object_list: Any, per_page: int) -> Page:
    """The page `?page=` asks for. A missing, non-numeric or out-of-range number gives the
    first or last page rather than an error: a stale link still lands somewhere useful."""
    return Paginator(object_list, per_page).get_page(request.GET.get("page"))


def pagination_links(request: HttpRequest, page: Page) -> dict[str, Any] | None:
    """Previous, next and numbered links (with ellipses) that keep the page's other
    parameters; None when everything fits on one page."""
    if page.paginator.num_pages <= 1:
        return None
    links: list[dict[str, Any]] = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == Paginator.ELLIPSIS:
            links.append({"ellipsis": True})
        else:
            links.append({"number": number, "url": _page_url(request, int(number)), "current": number == page.number})
    return {
        "previous": _page_url(request, page.previous_page_number()) if page.has_previous() else None,
        "next": _page_url(request, page.next_page_number()) if page.has_next() else None,
        "links": links,
    }


def _page_url(request: HttpRequest, number: int) -> str:
    params = request.GET.copy()
    params["page"] = str(number)
    return f"?{params.urlencode()}"
