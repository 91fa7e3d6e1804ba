import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practitioner_health.settings")

app = Celery("practitioner_health")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
