from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "bedring.documents"
    label = "documents"
