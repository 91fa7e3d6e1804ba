from tests.access import everyone, only

_TOKEN = {"token": "unknown-token"}


def _referral(personas):  # type: ignore[no-untyped-def]
    from tests.factories import ReferralFactory

    return {"pk": ReferralFactory().pk}


def _triaged_referral(personas):  # type: ignore[no-untyped-def]
    from tests.factories import ReferralFactory
    from triage.models import TriageAssessment

    referral = ReferralFactory(status="triaged")
    TriageAssessment.objects.create(
        referral=referral,
        assessed_by=personas["handler"],
        risk_level="low",
        needs=["assessment"],
        urgency="routine",
        pathway="therapy",
    )
    return {"pk": referral.pk}


def _closed_referral(personas):  # type: ignore[no-untyped-def]
    from tests.factories import ReferralFactory

    return {"pk": ReferralFactory(status="closed", closed_reason="declined").pk}


def _practitioners_referral(personas):  # type: ignore[no-untyped-def]
    from tests.factories import ReferralFactory

    ReferralFactory(user=personas["practitioner"])
    return {}


RULES = {
    "triage:dashboard": only("handler"),
    "triage:queue": only("handler"),
    "triage:enquiry": only("handler"),
    "triage:referral": only("handler"),
    "triage:call_create": only("handler"),
    "triage:callback_create": only("handler"),
    "triage:triage_create": only("handler"),
    "triage:eligibility": only("handler"),
    "triage:match": only("handler"),
    "triage:close": only("handler"),
    "triage:reopen": only("handler"),
    # Taking and releasing are POSTs: a GET is refused once the role is checked.
    "triage:take": only("handler", status=405),
    "triage:release": only("handler", status=405),
    "triage:my_referrals": only("handler"),
    # A practitioner with an open referral asks for a call back; without one, 404.
    "triage:my_callback": only("practitioner", status=200),
    # Twilio webhooks: POST only, and a valid signature is checked before anything else.
    "triage:voice_incoming": everyone(405),
    "triage:voice_out_of_hours": everyone(405),
    "triage:voice_dial_status": everyone(405),
    "triage:voice_status": everyone(405),
    "triage:voice_callback_connect": everyone(405),
    "triage:voice_callback_screen": everyone(405),
    "triage:voice_callback_result": everyone(405),
    "triage:voice_callback_status": everyone(405),
}

KWARGS = {
    **{
        name: (lambda personas: _TOKEN)
        for name in (
            "triage:voice_callback_connect",
            "triage:voice_callback_screen",
            "triage:voice_callback_result",
            "triage:voice_callback_status",
        )
    },
    "triage:queue": lambda personas: {"key": "new"},
    "triage:referral": _referral,
    "triage:call_create": _referral,
    "triage:close": _referral,
    "triage:reopen": _closed_referral,
    "triage:take": _referral,
    "triage:release": _referral,
    "triage:callback_create": _referral,
    "triage:triage_create": _referral,
    "triage:eligibility": _referral,
    "triage:match": _triaged_referral,
    "triage:my_callback": _practitioners_referral,
}
