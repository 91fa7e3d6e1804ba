import sys

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app
from .middleware import database_unavailable, is_database_unavailable


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"public_page": True})


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html", {"public_page": True})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html", {"public_page": True})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up: for liveness probes. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Whether this node can serve pages: for readiness probes and load balancers.

    Only the database decides. With the broker (Redis) down, pages still work: messages and
    callbacks wait in the outbox and the sweep hands them over when it is back, and the cache
    acts as empty. Taking every web node out of the load balancer for that would turn a
    delay into an outage, so the broker is reported as "degraded" in the body instead.
    """
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure means not ready
        checks["database"] = "unavailable"
    try:
        with celery_app.connection_for_write(url=settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        checks["broker"] = "ok"
    except Exception:  # noqa: BLE001 - reported, not fatal
        checks["broker"] = "unavailable"
    if checks["database"] != "ok":
        status = "unavailable"
    elif checks["broker"] != "ok":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse({"status": status, **checks}, status=503 if status == "unavailable" else 200)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its exception handler, so the error is still in hand.
    error = sys.exc_info()[1]
    if is_database_unavailable(error):
        return database_unavailable(request, error)
    return render(request, "500.html", status=500)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "csrf_failure.html", status=403)
