from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.verify_view, name="verify"),
    path("login/enrol/", views.enrol_view, name="enrol"),
    path("logout/", views.logout_view, name="logout"),
    path("tokens/", views.tokens_view, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("organisation/", views.organisation_view, name="organisation"),
    path("sites/<uuid:site_uuid>/hours/", views.site_hours_view, name="site_hours"),
    path("sites/<uuid:site_uuid>/closed-days/", views.closed_day_add_view, name="closed_day_add"),
]
