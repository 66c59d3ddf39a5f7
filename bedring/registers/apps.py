from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "bedring.registers"
    label = "registers"
