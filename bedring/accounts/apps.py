from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bedring.accounts"
    label = "accounts"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # Every change to who may do what, and where, is kept with old and new values.
        auditlog.register(models.Organisation)
        auditlog.register(models.Site)
        auditlog.register(models.SiteHours)
        auditlog.register(models.ClosedDay)
        auditlog.register(models.Membership)
        auditlog.register(models.User, exclude_fields=["password", "last_login"])
