"""Beat jobs: reminders every few minutes, slots generated ahead daily. Both idempotent."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .models import Clinician
from .services import reminders_send, slots_generate


@shared_task(name="clinicians.send_reminders")
def send_reminders() -> int:
    return reminders_send()


@shared_task(name="clinicians.generate_slots")
def generate_slots() -> int:
    created = 0
    for clinician_id in Clinician.objects.active().values_list("pk", flat=True):
        created += slots_generate(clinician_id=clinician_id, weeks=settings.SLOT_GENERATION_WEEKS)
    return created
