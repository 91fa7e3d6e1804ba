"""Full-text index for article search, and the starter articles from selfhelp/content/articles.

The GIN index is PostgreSQL-only (SQLite, used by the embedded mode, has no tsvector), so
it is created here by hand rather than declared in Article.Meta. It serves
`search_vector @@ websearch_to_tsquery(...)` in selfhelp.search.full_text_search.

Articles are created if their slug is missing and left alone otherwise, so admins' edits
survive; `manage.py load_articles` is the way to push changed files over existing rows.
"""

from django.db import migrations

INDEX_NAME = "selfhelp_article_search_gin"


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON selfhelp_article USING gin (search_vector)")


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


def load_starter_articles(apps, schema_editor):
    from selfhelp.content.loader import article_sources
    from selfhelp.search import article_search_vector

    Article = apps.get_model("selfhelp", "Article")
    for source in article_sources():
        Article.objects.get_or_create(
            slug=source.slug,
            defaults={
                "title": source.title,
                "summary": source.summary,
                "body": source.body,
                "category": source.category,
                "tags": source.tags,
                "author": source.author or "Practitioner Health clinical team",
                "last_reviewed": source.last_reviewed,
                "next_review_due": source.next_review_due,
                "published": True,
            },
        )
    # Historical models do not run Article.save(), which keeps the vector up to date.
    if schema_editor.connection.vendor == "postgresql":
        Article.objects.update(search_vector=article_search_vector())


class Migration(migrations.Migration):
    dependencies = [("selfhelp", "0003_articles_and_saved_results")]

    operations = [
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(load_starter_articles, migrations.RunPython.noop),
    ]
