from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from practitioner_health.accounts.decorators import clinician_required


@clinician_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "clinicians/home.html")
