from django.urls import path

from . import views

app_name = "selfhelp"

urlpatterns = [
    path("", views.index, name="index"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("search/", views.search, name="search"),
    path("tools/<slug:slug>/", views.tool, name="tool"),
    path("directory/", views.directory, name="directory"),
    path("results/", views.my_results, name="my_results"),
    path("results/save/", views.save_result, name="save_result"),
    path("results/<int:pk>/", views.saved_result, name="saved_result"),
]
