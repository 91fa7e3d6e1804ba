from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from practitioner_health.accounts.decorators import practitioner_required


@require_GET
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/start.html", {"public_page": True})


@practitioner_required
@require_GET
def my_home(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/my_home.html")
