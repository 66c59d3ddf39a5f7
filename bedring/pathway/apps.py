from django.apps import AppConfig


class PathwayConfig(AppConfig):
    name = "bedring.pathway"
    label = "pathway"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        for model in (
            models.Episode,
            models.Inquiry,
            models.Deadline,
            models.Assessment,
            models.TdiIntake,
            models.Decision,
            models.Complaint,
            models.ChildNotification,
            models.Plan,
            models.Goal,
            models.Evaluation,
            models.GoalProgress,
            models.QuestionSet,
            models.Discharge,
            models.GoalResult,
            models.FollowUp,
        ):
            auditlog.register(model)
