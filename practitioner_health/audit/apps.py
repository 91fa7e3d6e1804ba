from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "practitioner_health.audit"
    label = "audit"
    verbose_name = "Audit log"
