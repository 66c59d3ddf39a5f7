from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "bedring.appointments"
    label = "appointments"
