from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "bedring.rules"
    label = "rules"
