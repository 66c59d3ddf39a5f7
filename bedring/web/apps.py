from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "bedring.web"
    label = "web"
