"""Settings for `make bench`: the test settings served the way production serves them.

DEBUG is off (no SQL query log, no debug pages), and the public form's rate limit is lifted
because every benchmark client comes from 127.0.0.1.
"""

from practitioner_health.settings_test import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
REFERRAL_RATE_LIMIT_ANSWERS = 10**9
REFERRAL_RATE_LIMIT_SUBMISSIONS = 10**9
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "ERROR"},
}
