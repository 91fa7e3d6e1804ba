from tests.access import PUBLIC, only

RULES = {
    "referrals:start": PUBLIC,
    "referrals:my_home": only("practitioner"),
}
