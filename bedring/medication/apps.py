from django.apps import AppConfig


class MedicationConfig(AppConfig):
    name = "bedring.medication"
    label = "medication"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Medicine,
            models.Prescription,
            models.PrescriptionVersion,
            models.Dispensing,
            models.DispensingCorrection,
            models.StockMovement,
            models.UrineTest,
            models.TravelCertificate,
            models.CoPaymentEntry,
        ):
            auditlog.register(model)
