from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .crisis import CRISIS_CONTACTS, helpline_tel
from .hours import call_promise


def service(request: HttpRequest) -> dict[str, object]:
    return {
        "service_name": settings.SERVICE_NAME,
        "helpline_number": settings.HELPLINE_NUMBER,
        "helpline_tel": helpline_tel(),
        "crisis_contacts": CRISIS_CONTACTS,
        # When the helpline would call someone who asks now. Lazy: only pages that say so
        # read the bank holidays.
        "helpline_call": SimpleLazyObject(call_promise),
    }
