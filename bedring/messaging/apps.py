from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "bedring.messaging"
    label = "messaging"
