from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("", views.start, name="start"),
    path("my/", views.my_home, name="my_home"),
]
