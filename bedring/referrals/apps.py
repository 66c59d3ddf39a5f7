from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "bedring.referrals"
    label = "referrals"
