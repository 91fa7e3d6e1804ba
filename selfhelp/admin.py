"""Service admins edit articles and the signposting directory here.

Saved questionnaire results are deliberately not registered: they are health data, and
service admins do not see clinical information.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from .models import Article, SignpostingEntry
from .rendering import render_markdown
from .views import article_context

DUE_SOON_DAYS = 30


class ReviewStatusFilter(admin.SimpleListFilter):
    """The "Overdue" choice is the list of articles whose review date has passed."""

    title = "review"
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("overdue", "Overdue"),
            ("due_soon", f"Due in the next {DUE_SOON_DAYS} days"),
            ("not_due", "Not yet due"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        today = timezone.localdate()
        soon = today + timedelta(days=DUE_SOON_DAYS)
        if self.value() == "overdue":
            return queryset.review_overdue(today=today)  # type: ignore[attr-defined]
        if self.value() == "due_soon":
            return queryset.filter(next_review_due__gte=today, next_review_due__lte=soon)
        if self.value() == "not_due":
            return queryset.filter(next_review_due__gte=today)
        return queryset


class ArticleAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Article
        fields = (
            "title", "slug", "summary", "category", "tags", "author", "published",
            "body", "last_reviewed", "next_review_due",
        )  # fmt: skip
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "body": forms.Textarea(attrs={"rows": 30, "cols": 100}),
        }


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ("title", "category", "published", "last_reviewed", "next_review_due", "review_status")
    list_filter = (ReviewStatusFilter, "category", "published")
    search_fields = ("title", "slug", "tags")
    ordering = ("next_review_due", "title")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("preview", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "category", "tags", "author", "published")}),
        ("Content", {"fields": ("body", "preview")}),
        ("Review", {"fields": ("last_reviewed", "next_review_due", "created_at", "updated_at")}),
    )

    @admin.display(description="Review")
    def review_status(self, article: Article) -> str:
        return "Overdue" if article.review_overdue else "Up to date"

    @admin.display(description="Preview")
    def preview(self, article: Article) -> SafeString | str:
        if article.pk is None:
            return "Save the article to see a preview of its body here."
        return format_html(
            '<p><a href="{}">Open a full-page preview</a> (works for unpublished articles too)</p>'
            '<div class="ph-article-preview">{}</div>',
            reverse("admin:selfhelp_article_preview", args=[article.pk]),
            render_markdown(article.body),
        )

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "<int:pk>/preview/",
            self.admin_site.admin_view(self.preview_view),
            name="selfhelp_article_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The article as the public will see it, published or not."""
        article = get_object_or_404(Article, pk=pk)
        if not self.has_view_or_change_permission(request, article):
            return TemplateResponse(request, "403.html", status=403)
        context = {**article_context(article), "preview": True}
        return render(request, "selfhelp/article_detail.html", context)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        overdue = Article.objects.review_overdue().count()
        if overdue and request.method == "GET" and "review" not in request.GET:
            messages.warning(
                request,
                format_html(
                    '{} overdue for review. <a href="?review=overdue">Show articles overdue for review</a>',
                    f"{overdue} articles are" if overdue != 1 else "1 article is",
                ),
            )
        return super().changelist_view(request, extra_context)


@admin.register(SignpostingEntry)
class SignpostingEntryAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "nation", "phone", "hours", "active", "position")
    list_editable = ("active", "position")
    list_filter = ("category", "nation", "active")
    search_fields = ("name", "description")
    fields = ("name", "category", "nation", "description", "phone", "website", "hours", "active", "position")
