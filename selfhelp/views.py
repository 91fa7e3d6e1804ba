"""Self-help pages: public articles, questionnaires and directory; a practitioner's saved results.

Questionnaire answers from visitors are never stored: the result is the response to the
POST that carries them (no session, no URL), and it is marked not to be cached. Only a
signed-in practitioner who presses "Save" keeps a result, and that is audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practitioner_health.accounts.decorators import practitioner_required
from practitioner_health.accounts.models import Role
from practitioner_health.audit.models import Action
from practitioner_health.audit.services import audit_record
from practitioner_health.pagination import page_of, pagination_links

from . import selectors, services
from .forms import QuestionnaireForm
from .models import Article, ArticleCategory, SavedResult, answered_items
from .questionnaires import MEASURES, URGENT_GUIDANCE, Measure, Result, measure_for_slug, score
from .rendering import render_markdown
from .search import MAX_QUERY_LENGTH, clean_query, mentions_crisis

ARTICLES_PER_PAGE = 10
RESULTS_PER_PAGE = 20

# Shown on the landing page in this order, each with a plain-English name.
TOOLS = (
    (MEASURES["PHQ-9"], "Check your mood", "9 questions about low mood over the last 2 weeks."),
    (MEASURES["GAD-7"], "Check for anxiety", "7 questions about worry and anxiety over the last 2 weeks."),
    (MEASURES["AUDIT-C"], "Quick alcohol check", "3 questions about how much you drink."),
    (MEASURES["AUDIT"], "Full alcohol check", "10 questions about drinking and its effects over the last year."),
)


# --- Access helpers ----------------------------------------------------------------------


def get_measure_or_404(slug: str) -> Measure:
    try:
        return measure_for_slug(slug)
    except KeyError:
        raise Http404("No such questionnaire") from None


def get_saved_result_for_user(request: HttpRequest, pk: int) -> SavedResult:
    """The signed-in practitioner's own saved result; 404 for anyone else's."""
    return get_object_or_404(selectors.saved_results_for(_user_id(request)), pk=pk)


def can_save_results(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.role == Role.PRACTITIONER and user.is_verified())  # type: ignore[union-attr,attr-defined]


def _user_id(request: HttpRequest) -> int:
    # Only called behind practitioner_required, so there is always a signed-in user.
    user_id = request.user.pk
    assert user_id is not None
    return int(user_id)


# --- Landing page and articles -----------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "selfhelp/index.html",
        {
            "public_page": True,
            "tools": TOOLS,
            "categories": selectors.article_categories_with_counts(),
            "can_save_results": can_save_results(request),
        },
    )


@require_GET
def article_list(request: HttpRequest) -> HttpResponse:
    category: ArticleCategory | None = None
    if request.GET.get("category"):
        try:
            category = ArticleCategory(request.GET["category"])
        except ValueError:
            raise Http404("No such category") from None
    articles = selectors.published_articles(category=category.value if category else None)
    page = page_of(request, articles, ARTICLES_PER_PAGE)
    return render(
        request,
        "selfhelp/article_list.html",
        {
            "public_page": True,
            "category": category,
            "categories": selectors.article_categories_with_counts(),
            "page": page,
            "pagination": pagination_links(request, page),
        },
    )


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return render(request, "selfhelp/article_detail.html", article_context(article))


def article_context(article: Article) -> dict[str, Any]:
    """Also used by the admin preview, which shows unpublished articles the same way."""
    category = ArticleCategory(article.category)
    return {
        "public_page": True,
        "article": article,
        "body": render_markdown(article.body),
        "category": category,
        "category_url": f"{reverse('selfhelp:article_list')}?{urlencode({'category': category.value})}",
        "related": selectors.published_articles(category=category.value).exclude(pk=article.pk)[:3],
    }


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q", ""))
    page = page_of(request, selectors.article_search(query), ARTICLES_PER_PAGE) if query else None
    return render(
        request,
        "selfhelp/search.html",
        {
            "public_page": True,
            "query": query,
            "searched": "q" in request.GET,
            # Words of suicide or self-harm meet the urgent-help panel before any article.
            "crisis_search": mentions_crisis(query),
            "page": page,
            "pagination": pagination_links(request, page) if page else None,
            "max_query_length": MAX_QUERY_LENGTH,
        },
    )


@require_GET
def directory(request: HttpRequest) -> HttpResponse:
    return render(
        request, "selfhelp/directory.html", {"public_page": True, "directory": selectors.signposting_directory()}
    )


# --- Questionnaires ----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def tool(request: HttpRequest, slug: str) -> HttpResponse:
    measure = get_measure_or_404(slug)
    form = QuestionnaireForm(request.POST if request.method == "POST" else None, measure=measure)
    if form.is_valid():
        result = score(measure.code, form.answers())
        return _render_result(request, measure=measure, result=result, answers=form.answers())
    return render(request, "selfhelp/tool.html", _tool_context(request, measure, form))


def _tool_context(request: HttpRequest, measure: Measure, form: QuestionnaireForm) -> dict[str, Any]:
    return {"public_page": True, "measure": measure, "form": form, "can_save_results": can_save_results(request)}


def _render_result(request: HttpRequest, *, measure: Measure, result: Result, answers: list[int]) -> HttpResponse:
    return render(
        request,
        "selfhelp/tool_result.html",
        {
            "public_page": True,
            "measure": measure,
            "result": result,
            "guidance": result.guidance,
            "urgent_guidance": URGENT_GUIDANCE,
            "answered": answered_items(measure, answers),
            "answers": [
                (QuestionnaireForm.field_name(item), value) for item, value in zip(measure.items, answers, strict=True)
            ],
            "offer_full_audit": measure.code == "AUDIT-C" and result.band == "positive",
            "can_save_results": can_save_results(request),
        },
    )


# --- A practitioner's saved results ------------------------------------------------------


@practitioner_required
@require_POST
def save_result(request: HttpRequest) -> HttpResponse:
    measure = get_measure_or_404(request.POST.get("measure", ""))
    form = QuestionnaireForm(request.POST, measure=measure)
    if not form.is_valid():
        # Only a tampered or truncated form gets here: show the questions again with errors.
        return render(request, "selfhelp/tool.html", _tool_context(request, measure, form))
    saved = services.saved_result_create(user=request.user, measure_code=measure.code, answers=form.answers())  # type: ignore[arg-type]
    messages.success(request, "Your result has been saved. Your Practitioner Health clinician can see it too.")
    return redirect("selfhelp:saved_result", pk=saved.pk)


@never_cache
@practitioner_required
@require_GET
def my_results(request: HttpRequest) -> HttpResponse:
    results = selectors.saved_results_for(_user_id(request)).defer("answers_json")
    page = page_of(request, results, RESULTS_PER_PAGE)
    audit_record(
        action=Action.VIEW,
        object_type=SavedResult._meta.label_lower,
        subject_id=request.user.pk,
        detail="self-help results list",
    )
    return render(
        request,
        "selfhelp/my_results.html",
        {"page": page, "pagination": pagination_links(request, page), "tools": TOOLS},
    )


@never_cache
@practitioner_required
@require_GET
def saved_result(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_saved_result_for_user(request, pk)
    audit_record(action=Action.VIEW, obj=saved, subject_id=saved.user_id, detail="self-help questionnaire result")
    return render(
        request,
        "selfhelp/saved_result.html",
        {
            "saved": saved,
            "measure": saved.measure_definition,
            "guidance": saved.guidance,
            "urgent_guidance": URGENT_GUIDANCE,
            "answered": saved.answered_items(),
        },
    )
