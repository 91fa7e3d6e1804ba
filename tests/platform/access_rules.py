from tests.access import PUBLIC, custom, everyone

# Signed-in users who are already verified are sent on from sign-in pages (302).
_SIGN_IN_PAGE = custom(anonymous=200, practitioner=302, handler=302, clinician=302, commissioner=302, service_admin=302)
_SIGNED_IN_ONLY = custom(
    anonymous=302, practitioner=302, handler=302, clinician=302, commissioner=302, service_admin=302
)

RULES = {
    "home": PUBLIC,
    "accessibility": PUBLIC,
    "privacy": PUBLIC,
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "accounts:home": _SIGNED_IN_ONLY,
    "accounts:login": _SIGN_IN_PAGE,
    "accounts:verify": _SIGNED_IN_ONLY,
    "accounts:resend_code": everyone(405),
    # Staff already verified see their enrolment page again only to add a device: staff have one, so 200.
    "accounts:enrol": custom(
        anonymous=302, practitioner=200, handler=200, clinician=200, commissioner=200, service_admin=200
    ),
    "accounts:backup_codes": custom(
        anonymous=302, practitioner=200, handler=200, clinician=200, commissioner=200, service_admin=200
    ),
    "accounts:security": custom(
        anonymous=302, practitioner=200, handler=200, clinician=200, commissioner=200, service_admin=200
    ),
    # Practitioners only (staff always keep an app), and only by POST.
    "accounts:authenticator_remove": custom(
        anonymous=302, practitioner=405, handler=403, clinician=403, commissioner=403, service_admin=403
    ),
    # Practitioners only (staff have no app sign-ins), and only by POST.
    "accounts:app_sign_in_end": custom(
        anonymous=302, practitioner=405, handler=403, clinician=403, commissioner=403, service_admin=403
    ),
    "accounts:logout": everyone(405),
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": everyone(400),
}

KWARGS = {
    "accounts:app_sign_in_end": lambda personas: {"pk": 1},
    "accounts:password_reset_confirm": lambda personas: {"uidb64": "MQ", "token": "not-a-token"},
}
