from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "bedring.interop"
    label = "interop"
