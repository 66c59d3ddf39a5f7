from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "bedring.referrals"
    label = "referrals"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Referral, m2m_fields={"documents"})
        auditlog.register(models.IncomingReferral)
        auditlog.register(models.Partner)
