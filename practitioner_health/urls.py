from django.contrib import admin
from django.urls import include, path

from . import admin_site, views
from .caching import public_page

admin_site.install()

urlpatterns = [
    path("", public_page(views.home), name="home"),
    path("accessibility/", public_page(views.accessibility_statement), name="accessibility"),
    path("privacy/", public_page(views.privacy), name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("account/", include("practitioner_health.accounts.urls")),
    path("self-help/", include("selfhelp.urls")),
    path("refer/", include("referrals.urls")),
    path("clinician/", include("clinicians.urls")),
    path("helpline/", include("triage.urls")),
    path("reporting/", include("reporting.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "practitioner_health.views.bad_request"
handler403 = "practitioner_health.views.permission_denied"
handler404 = "practitioner_health.views.page_not_found"
handler500 = "practitioner_health.views.server_error"
