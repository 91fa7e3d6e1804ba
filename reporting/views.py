from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from practitioner_health.accounts.decorators import commissioner_required


@commissioner_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/dashboard.html")
