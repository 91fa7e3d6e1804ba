from django.urls import path

from practitioner_health.caching import public_page

from . import views

app_name = "selfhelp"

# Pages anyone may read, the same for everyone: browsers may keep them. Every other page is
# sent with Cache-Control: no-store (practitioner_health.caching).
urlpatterns = [
    path("", public_page(views.index), name="index"),
    path("articles/", public_page(views.article_list), name="article_list"),
    path("articles/<slug:slug>/", public_page(views.article_detail), name="article_detail"),
    path("search/", views.search, name="search"),
    path("tools/<slug:slug>/", views.tool, name="tool"),
    path("directory/", public_page(views.directory), name="directory"),
    path("results/", views.my_results, name="my_results"),
    path("results/save/", views.save_result, name="save_result"),
    path("results/<int:pk>/", views.saved_result, name="saved_result"),
]
