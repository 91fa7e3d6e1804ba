from tests.access import only

RULES = {
    "clinicians:home": only("clinician"),
}
