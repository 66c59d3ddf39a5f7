from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "bedring.demo"
    label = "demo"
