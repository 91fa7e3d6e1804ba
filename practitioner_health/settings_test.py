"""Settings for the test suite: the main settings in test mode, plus per-worker isolation.

`make test` provides DATABASE_URL and REDIS_URL for throwaway servers it started itself.
"""

import os
import re

os.environ.setdefault("DJANGO_ENV", "test")
if not os.environ.get("DATABASE_URL"):
    raise RuntimeError("Run the tests with `make test`: it starts PostgreSQL and Redis and sets DATABASE_URL.")

from .settings import *  # noqa: F403
from .settings import CACHE_URL, CACHES, CELERY_BROKER_URL

# Each pytest-xdist worker gets its own Redis database, so a Celery worker started by one
# test process never takes a task queued by another (whose rows it could not see).
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw-1")
_index = int(_worker[2:]) + 2 if _worker.startswith("gw") and _worker[2:].isdigit() else 1
if CELERY_BROKER_URL.startswith("redis://"):
    CELERY_BROKER_URL = re.sub(r"/\d+$", f"/{_index}", CELERY_BROKER_URL)
    # Celery reads the environment variable before its configuration: move it too, or every
    # worker's tasks go to the one database `make test` named, and a worker's Celery thread
    # takes (and drops) tasks queued by another worker.
    os.environ["CELERY_BROKER_URL"] = CELERY_BROKER_URL
# The cache has its own database per worker, so clearing it between tests never drops a
# queued task.
if CACHE_URL.startswith("redis://"):
    CACHE_URL = re.sub(r"/\d+$", f"/{_index + 32}", CACHE_URL)
    CACHES["default"]["LOCATION"] = CACHE_URL

EMAIL_TRANSPORT = "locmem"
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SMS_TRANSPORT = "twilio"
TWILIO_ACCOUNT_SID = "AC00000000000000000000000000000000"
TWILIO_AUTH_TOKEN = "test-auth-token"
TWILIO_FROM_NUMBER = "+447700900000"
PUBLIC_URL = "https://ph.test"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
