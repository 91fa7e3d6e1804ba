from tests.access import only

RULES = {
    "triage:dashboard": only("handler"),
}
