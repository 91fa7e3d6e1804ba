from tests.access import only

RULES = {
    "reporting:dashboard": only("commissioner", "service_admin"),
}
