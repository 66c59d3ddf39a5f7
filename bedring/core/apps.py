from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bedring.core"
    label = "core"
