from django.urls import path

from . import views

app_name = "selfhelp"

urlpatterns = [
    path("", views.index, name="index"),
]
