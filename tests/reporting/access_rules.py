from tests.access import custom, only

RULES = {
    "reporting:dashboard": only("commissioner", "service_admin"),
    "reporting:export": only("commissioner", "service_admin"),
    # POST only, and only for service admins: a GET from them is 405, commissioners get 403.
    "reporting:refresh": custom(
        anonymous=302, practitioner=403, handler=403, clinician=403, commissioner=403, service_admin=405
    ),
}
