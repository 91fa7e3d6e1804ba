"""Access rules for every referrals URL.

Question pages, Check your answers, the confirmation and the pages that end the journey
are public. With no answers in the session the later ones say "start again" (still 200),
so every role gets 200. The handler's phone-referral pages are for handlers only; the
practitioner's own pages for practitioners only.
"""

from referrals.flow import STEPS, TERMINAL_PAGES
from tests.access import PUBLIC, everyone, only

_PUBLIC_PAGES = ["start", "check", "confirmation", *TERMINAL_PAGES, *(step.url_name for step in STEPS)]
_PHONE_PAGES = ["phone_start", "phone_check", "phone_confirmation"]
_PHONE_PAGES += [f"phone_{name}" for name in TERMINAL_PAGES] + [f"phone_{step.url_name}" for step in STEPS]
_PRACTITIONER_PAGES = ["my_home", "my_contact", "my_people", "my_access", "my_stop"]

RULES = {
    **{f"referrals:{name}": PUBLIC for name in _PUBLIC_PAGES},
    **{f"referrals:{name}": only("handler") for name in _PHONE_PAGES},
    **{f"referrals:{name}": only("practitioner") for name in _PRACTITIONER_PAGES},
    # The emailed link: the token goes into the session and the browser on to a tokenless
    # address, which (with no valid token in the session) says the link is not valid.
    "referrals:request_link": everyone(303),
    "referrals:request_link_follow": everyone(400),
}


def _with_referral(personas: dict) -> dict:
    """The practitioner's pages about a referral need one: give the practitioner persona a referral."""
    from tests.factories import ReferralFactory

    ReferralFactory(user=personas["practitioner"])
    return {}


KWARGS = {
    "referrals:request_link": lambda personas: {"token": "0" * 64},
    "referrals:my_contact": _with_referral,
    "referrals:my_people": _with_referral,
    "referrals:my_stop": _with_referral,
}
