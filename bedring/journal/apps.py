from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "bedring.journal"
    label = "journal"
