from tests.access import everyone, only

_TOKEN = {"token": "unknown-token"}

RULES = {
    "triage:dashboard": only("handler"),
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
    name: (lambda personas: _TOKEN)
    for name in (
        "triage:voice_callback_connect",
        "triage:voice_callback_screen",
        "triage:voice_callback_result",
        "triage:voice_callback_status",
    )
}
