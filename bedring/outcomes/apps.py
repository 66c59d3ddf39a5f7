from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "bedring.outcomes"
    label = "outcomes"
