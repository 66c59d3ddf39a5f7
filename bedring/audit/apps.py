from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bedring.audit"
    label = "audit"
