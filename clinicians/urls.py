from django.urls import path

from . import views

app_name = "clinicians"

urlpatterns = [
    path("", views.home, name="home"),
]
