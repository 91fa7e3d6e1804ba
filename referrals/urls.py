from django.urls import path

from . import views
from .flow import STEPS, TERMINAL_PAGES

app_name = "referrals"

urlpatterns = [
    # The public self-referral: no sign-in.
    path("", views.start, name="start"),
    *[path(f"{step.slug}/", views.question, {"slug": step.slug}, name=step.url_name) for step in STEPS],
    path("check-your-answers/", views.check, name="check"),
    path("confirmation/", views.confirmation, name="confirmation"),
    *[path(f"{name.replace('_', '-')}/", views.branch_page, {"name": name}, name=name) for name in TERMINAL_PAGES],
    # The link emailed after a referral: the token is moved into the session at once.
    path("your-request/", views.request_link_follow, name="request_link_follow"),
    path("your-request/<str:token>/", views.request_link, name="request_link"),
    # The practitioner's own pages.
    path("my/", views.my_home, name="my_home"),
    path("my/contact-preferences/", views.my_contact, name="my_contact"),
    path("my/people-you-know/", views.my_people, name="my_people"),
    path("my/record-access/", views.my_access, name="my_access"),
    path("my/stop-referral/", views.my_stop, name="my_stop"),
    # Handlers logging a self-referral for a doctor or dentist on the phone.
    path("phone/", views.phone_start, name="phone_start"),
    *[
        path(f"phone/{step.slug}/", views.phone_question, {"slug": step.slug}, name=f"phone_{step.url_name}")
        for step in STEPS
    ],
    path("phone/check-your-answers/", views.phone_check, name="phone_check"),
    path("phone/confirmation/", views.phone_confirmation, name="phone_confirmation"),
    *[
        path(f"phone/{name.replace('_', '-')}/", views.phone_branch_page, {"name": name}, name=f"phone_{name}")
        for name in TERMINAL_PAGES
    ],
]
