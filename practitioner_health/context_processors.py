from django.conf import settings
from django.http import HttpRequest

# Crisis numbers from DOMAIN.md, shown in every public footer and after a self-harm answer.
CRISIS_CONTACTS = (
    {"name": "Emergency", "detail": "Call 999 if you or someone else is in immediate danger."},
    {"name": "NHS 111", "detail": "Call 111 and choose option 2 for mental health crisis support in England."},
    {"name": "Samaritans", "detail": "Call 116 123, free, 24 hours a day."},
    {"name": "Shout", "detail": "Text SHOUT to 85258."},
    {"name": "BMA wellbeing support", "detail": "Call 0330 123 1245, 24 hours a day, 7 days a week."},
)


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": settings.SERVICE_NAME,
        "helpline_number": settings.HELPLINE_NUMBER,
        "crisis_contacts": CRISIS_CONTACTS,
    }
