"""What anyone may read without signing in: self-help articles, the directory, questionnaires, crisis help.

Questionnaire answers sent for scoring are never stored, as on the website.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, permissions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from practitioner_health.crisis import crisis_payload
from selfhelp import selectors
from selfhelp.models import Article, ArticleCategory, SignpostingCategory
from selfhelp.questionnaires import MEASURES, URGENT_GUIDANCE, Measure, measure_for_slug, score
from selfhelp.search import mentions_crisis

from ..errors import ValidationFailed
from ..serializers import (
    AnswersSerializer,
    ArticleQuerySerializer,
    ArticleSerializer,
    ArticleSummarySerializer,
    CrisisSerializer,
    DirectoryCategorySerializer,
    QuestionnaireSerializer,
    ScoreSerializer,
    SearchQuerySerializer,
)
from .base import PublicView, errors, valid


class ArticlePagination(PageNumberPagination):
    page_size = 10


class ArticleSearchPagination(ArticlePagination):
    """A page of search results, with `crisis` (the crisis numbers) when the words were of
    suicide or self-harm, so the app shows urgent help above the results; else null."""

    crisis: dict[str, Any] | None = None

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["crisis"] = self.crisis
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paged = super().get_paginated_response_schema(schema)
        paged["properties"]["crisis"] = {
            "type": "object",
            "nullable": True,
            "description": "Urgent-help numbers when the search speaks of suicide or self-harm; null otherwise.",
            "properties": {
                "helpline": {"type": "string"},
                "helpline_href": {"type": "string"},
                "contacts": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {name: {"type": "string"} for name in ("name", "detail", "number", "href")},
                    },
                },
            },
        }
        paged["required"] = [*paged.get("required", []), "crisis"]
        return paged


def get_measure_or_404(slug: str) -> Measure:
    try:
        return measure_for_slug(slug)
    except KeyError:
        raise Http404 from None


@extend_schema_view(
    get=extend_schema(
        operation_id="articles_list",
        parameters=[OpenApiParameter("category", str, enum=ArticleCategory.values)],
        responses={200: ArticleSummarySerializer(many=True), **errors(404, 422)},
        auth=[],
    )
)
class ArticleListView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = ArticleSummarySerializer
    pagination_class = ArticlePagination

    def get_queryset(self) -> QuerySet[Article]:
        query = valid(ArticleQuerySerializer, self.request.query_params)
        return selectors.published_articles(category=query.get("category"))


@extend_schema_view(
    get=extend_schema(
        operation_id="articles_search",
        parameters=[OpenApiParameter("q", str, required=True)],
        responses={200: ArticleSummarySerializer(many=True), **errors(404, 422)},
        auth=[],
    )
)
class ArticleSearchView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    serializer_class = ArticleSummarySerializer
    pagination_class = ArticleSearchPagination

    def get_queryset(self) -> QuerySet[Article]:
        query = valid(SearchQuerySerializer, self.request.query_params)
        if mentions_crisis(query["q"]):
            self.paginator.crisis = CrisisSerializer(crisis_payload()).data  # type: ignore[union-attr]
        return selectors.article_search(query["q"])


class ArticleDetailView(PublicView):
    @extend_schema(operation_id="articles_read", responses={200: ArticleSerializer, **errors(404)}, auth=[])
    def get(self, request: Request, slug: str) -> Response:
        article = Article.objects.published().filter(slug=slug).first()
        if article is None:
            raise Http404
        return Response(ArticleSerializer(article).data)


class DirectoryView(PublicView):
    @extend_schema(operation_id="directory_list", responses={200: DirectoryCategorySerializer(many=True)}, auth=[])
    def get(self, request: Request) -> Response:
        groups = [
            {"category": category.value, "label": SignpostingCategory(category).label, "entries": entries}
            for category, entries in selectors.signposting_directory()
        ]
        return Response(DirectoryCategorySerializer(groups, many=True).data)


class QuestionnaireListView(PublicView):
    @extend_schema(operation_id="questionnaires_list", responses={200: QuestionnaireSerializer(many=True)}, auth=[])
    def get(self, request: Request) -> Response:
        return Response(QuestionnaireSerializer(list(MEASURES.values()), many=True).data)


class QuestionnaireDetailView(PublicView):
    @extend_schema(operation_id="questionnaires_read", responses={200: QuestionnaireSerializer, **errors(404)}, auth=[])
    def get(self, request: Request, slug: str) -> Response:
        return Response(QuestionnaireSerializer(get_measure_or_404(slug)).data)


def scored(code: str, answers: list[int]) -> dict[str, object]:
    """Score with the self-help library; a partial or invalid set of answers is a 422, field by field."""
    try:
        result = score(code, answers)
    except ValueError as exc:
        raise ValidationFailed({"answers": [str(exc)]}) from None
    return {
        "code": result.code,
        "total": result.total,
        "band": result.band,
        "urgent": result.urgent,
        "guidance": result.guidance,
        "urgent_guidance": URGENT_GUIDANCE if result.urgent else None,
    }


class QuestionnaireScoreView(PublicView):
    @extend_schema(
        operation_id="questionnaires_score",
        request=AnswersSerializer,
        responses={200: ScoreSerializer, **errors(400, 404, 422)},
        auth=[],
        summary="Score a complete set of answers. Nothing is stored.",
    )
    def post(self, request: Request, slug: str) -> Response:
        measure = get_measure_or_404(slug)
        data = valid(AnswersSerializer, request.data)
        response = Response(ScoreSerializer(scored(measure.code, data["answers"])).data)
        response["Cache-Control"] = "no-store"
        return response


class CrisisView(PublicView):
    @extend_schema(operation_id="crisis_read", responses={200: CrisisSerializer}, auth=[])
    def get(self, request: Request) -> Response:
        return Response(CrisisSerializer(crisis_payload()).data)
