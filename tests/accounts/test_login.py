"""Logging in: password, then a second factor (TOTP), lockout, logout, idle timeout, language.

Everything goes through the real views with the Django test client; nothing is forced. Staff
in these tests prefer English so that the asserted texts do not depend on whether the
translation catalogues have been compiled.
"""

from __future__ import annotations

import base64
import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.core.roles import Role

PASSWORD = "a-long-test-password-1"  # what make_staff gives every user
LOGIN_URL = "/accounts/login/"
VERIFY_URL = "/accounts/login/verify/"
ENROL_URL = "/accounts/login/enrol/"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the staff member's authenticator app shows now (as the totp_code command)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift + steps_ahead,
    )
    return f"{value:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    """Six digits that are not accepted in the device's tolerance window."""
    accepted = {code_for(device, steps) for steps in range(-3, 4)}
    return next(c for c in (f"{d}" * 6 for d in range(10)) if c not in accepted)


def let_throttle_pass(device: TOTPDevice) -> None:
    """django-otp throttles a device for a second after a wrong code; the staff member takes
    a few seconds to read the next code, so move the failure back in time."""
    device.refresh_from_db()
    if device.throttling_failure_timestamp is not None:
        device.throttling_failure_timestamp -= datetime.timedelta(seconds=30)
        device.save(update_fields=["throttling_failure_timestamp"])


def session_user_id(http: HttpClient) -> Any:
    return http.session.get(SESSION_KEY)


@pytest.fixture
def english_staff(make_staff: Callable[..., User]) -> Callable[..., User]:
    def make(organisation: Organisation, *roles: str) -> User:
        user = make_staff(organisation, *roles)
        user.language = "en"
        user.save(update_fields=["language"])
        return user

    return make


@pytest.fixture
def staff_with_device(org_dk: Organisation, english_staff: Callable[..., User]) -> User:
    return english_staff(org_dk, Role.COUNSELLOR)


@pytest.fixture
def staff_without_device(staff_with_device: User) -> User:
    """A new staff member who has never set up an authenticator."""
    TOTPDevice.objects.filter(user=staff_with_device).delete()
    return staff_with_device


def post_password(http: HttpClient, user: User, password: str = PASSWORD, **extra: str) -> Any:
    return http.post(LOGIN_URL, {"username": user.username, "password": password, **extra})


def log_in_through_views(http: HttpClient, user: User) -> Any:
    """Both factors through the real views; returns the response of the second step."""
    response = post_password(http, user)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY_URL)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return http.post(response.url, {"otp_token": code_for(device)})


# --- First login: enrolment of an authenticator --------------------------------------------


def test_password_of_a_user_without_authenticator_leads_to_enrolment(client, staff_without_device):
    """SEC-1: a staff member without an authenticator must set one up before anything else."""
    # given a staff member who has no authenticator yet
    # when they log in with the right username and password
    response = post_password(client, staff_without_device)

    # then they are sent to the enrolment step, logged in only with the first factor
    assert response.status_code == 302
    assert response.url.startswith(ENROL_URL)
    assert str(session_user_id(client)) == str(staff_without_device.pk)
    assert client.get("/").url.startswith(VERIFY_URL)


def test_enrolment_page_shows_a_qr_code_and_the_secret_of_a_new_unconfirmed_device(
    client, staff_without_device
):
    """SEC-1: the enrolment page offers a QR code and the key to type in by hand."""
    # given a staff member past the password step
    post_password(client, staff_without_device)

    # when they open the enrolment page
    response = client.get(ENROL_URL)

    # then an unconfirmed device exists and its QR code and base32 secret are shown
    assert response.status_code == 200
    device = TOTPDevice.objects.get(user=staff_without_device)
    assert device.confirmed is False
    html = response.content.decode()
    assert "<svg" in html
    secret = base64.b32encode(device.bin_key).decode()
    shown = re.search(r'data-testid="totp-secret">([^<]*)<', html)
    assert shown is not None
    assert shown.group(1).replace(" ", "") == secret


def test_reloading_the_enrolment_page_keeps_the_same_secret(client, staff_without_device):
    """SEC-1: a reload must not replace the key the staff member may already have scanned."""
    # given a staff member who opened the enrolment page once
    post_password(client, staff_without_device)
    client.get(ENROL_URL)
    first_key = TOTPDevice.objects.get(user=staff_without_device).key

    # when the page is opened again
    client.get(ENROL_URL)

    # then there is still one device with the same key
    keys = TOTPDevice.objects.filter(user=staff_without_device).values_list("key", flat=True)
    assert list(keys) == [first_key]


def test_a_wrong_enrolment_code_is_a_form_error_and_does_not_confirm_the_device(
    client, staff_without_device
):
    """SEC-1: the authenticator is only confirmed by a code it produced."""
    # given a staff member on the enrolment page
    post_password(client, staff_without_device)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=staff_without_device)

    # when they enter a wrong code
    response = client.post(ENROL_URL, {"otp_token": wrong_code_for(device), "next": "/"})

    # then the page shows the error, the device stays unconfirmed, the dashboard stays closed
    assert response.status_code == 200
    assert "The code is wrong or has expired" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get("/").status_code == 302


def test_the_right_enrolment_code_confirms_the_device_and_reaches_the_dashboard(
    client, staff_without_device, org_dk
):
    """SEC-1: enrolment with a valid code completes the login."""
    # given a staff member on the enrolment page who first typed a wrong code
    post_password(client, staff_without_device)
    client.get(ENROL_URL)
    device = TOTPDevice.objects.get(user=staff_without_device)
    client.post(ENROL_URL, {"otp_token": wrong_code_for(device), "next": "/"})
    let_throttle_pass(device)

    # when they enter the code their app shows
    response = client.post(ENROL_URL, {"otp_token": code_for(device), "next": "/"})

    # then the device is confirmed and they reach the dashboard of their organisation
    assert response.status_code == 302
    assert response.url == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert org_dk.name in dashboard.content.decode()


def test_a_user_with_an_authenticator_cannot_enrol_another_one(client, staff_with_device):
    """SEC-1: knowing the password is not enough to register an attacker's authenticator."""
    # given a staff member with a confirmed authenticator, past the password step
    post_password(client, staff_with_device)

    # when the enrolment page is requested
    response = client.get(ENROL_URL)

    # then it sends them to the verification step and no new device is created
    assert response.status_code == 302
    assert response.url.startswith(VERIFY_URL)
    assert TOTPDevice.objects.filter(user=staff_with_device).count() == 1


def test_enrolment_and_verification_require_the_password_step(client, db):
    """SEC-1: the second-factor pages are not reachable without the password."""
    # given an anonymous visitor
    # when they open the enrolment or verification page
    # then they are sent to the login page
    for url in (ENROL_URL, VERIFY_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == LOGIN_URL
    assert TOTPDevice.objects.count() == 0


# --- Later logins: verification ----------------------------------------------------------


def test_password_of_a_user_with_an_authenticator_leads_to_verification(client, staff_with_device):
    """SEC-1: with a confirmed authenticator the second step asks for its code."""
    # given a staff member with a confirmed authenticator
    # when they log in with username and password
    response = post_password(client, staff_with_device)

    # then they are sent to the verification step
    assert response.status_code == 302
    assert response.url.startswith(VERIFY_URL)


def test_a_logged_in_but_unverified_session_is_sent_to_verification(client, staff_with_device):
    """SEC-1: no staff page opens with the password alone."""
    # given a staff member who passed the password step only
    post_password(client, staff_with_device)

    # when they request the dashboard
    response = client.get("/")

    # then they are redirected to the verification step, which will bring them back
    assert response.status_code == 302
    assert response.url == f"{VERIFY_URL}?next=%2F"


def test_a_wrong_verification_code_is_refused(client, staff_with_device):
    """SEC-1: a wrong code does not complete the login."""
    # given a staff member past the password step
    post_password(client, staff_with_device)
    device = TOTPDevice.objects.get(user=staff_with_device)

    # when they enter a wrong code
    response = client.post(VERIFY_URL, {"otp_token": wrong_code_for(device), "next": "/"})

    # then the error is shown and the dashboard stays closed
    assert response.status_code == 200
    assert "The code is wrong or has expired" in response.content.decode()
    assert client.get("/").url.startswith(VERIFY_URL)


def test_a_non_numeric_code_is_a_form_error(client, staff_with_device):
    """SEC-1: the code field takes six digits."""
    # given a staff member past the password step
    post_password(client, staff_with_device)

    # when they type letters
    response = client.post(VERIFY_URL, {"otp_token": "abcdef", "next": "/"})

    # then the form says the code has six digits
    assert response.status_code == 200
    assert "The code has six digits." in response.content.decode()


def test_the_right_verification_code_reaches_the_dashboard(client, staff_with_device, org_dk):
    """SEC-1: password and code together open the application."""
    # given a staff member with an authenticator
    # when they log in with password and the current code
    response = log_in_through_views(client, staff_with_device)

    # then they land on the dashboard
    assert response.status_code == 302
    assert response.url == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert org_dk.name in dashboard.content.decode()


def test_a_used_code_cannot_be_replayed_for_another_login(client, staff_with_device):
    """SEC-1: a code seen over someone's shoulder is worthless once used."""
    # given a staff member who has just logged in with the current code
    device = TOTPDevice.objects.get(user=staff_with_device)
    code = code_for(device)
    post_password(client, staff_with_device)
    assert client.post(VERIFY_URL, {"otp_token": code, "next": "/"}).status_code == 302

    # when someone else uses the same password and code in another browser
    other = HttpClient()
    post_password(other, staff_with_device)
    response = other.post(VERIFY_URL, {"otp_token": code, "next": "/"})

    # then the code is refused
    assert response.status_code == 200
    assert other.get("/")["Location"].startswith(VERIFY_URL)


def test_a_deep_link_survives_both_login_steps(client, staff_with_device):
    """SEC-1: after logging in the staff member reaches the page they asked for, query
    string included."""
    # given an anonymous visitor following a link to a filtered client list
    wanted = "/clients/?q=Berg&page=2"
    login_page = client.get(wanted)
    assert login_page.status_code == 302

    # when they log in through both steps
    step_one = post_password(client, staff_with_device, next=wanted)
    device = TOTPDevice.objects.get(user=staff_with_device)
    step_two = client.post(step_one.url, {"otp_token": code_for(device)})

    # then they are sent to exactly the page they asked for
    assert step_two.status_code == 302
    assert step_two.url == wanted


def test_a_foreign_next_address_is_ignored(client, staff_with_device):
    """SEC-1: the login does not redirect to another site (open redirect)."""
    # given a crafted login link pointing elsewhere
    # when the staff member logs in through both steps
    step_one = post_password(client, staff_with_device, next="https://evil.example/")
    device = TOTPDevice.objects.get(user=staff_with_device)
    step_two = client.post(step_one.url, {"otp_token": code_for(device)})

    # then they land on the dashboard of Bedring
    assert step_two.status_code == 302
    assert step_two.url == "/"


# --- Wrong passwords and lockout ------------------------------------------------------------


def test_a_wrong_password_says_so_and_does_not_log_in(client, staff_with_device):
    """SEC-1: a wrong password is refused with a message that does not say which part."""
    # given a staff member
    # when they type a wrong password
    response = post_password(client, staff_with_device, password="not-the-password")

    # then the login page says username or password is wrong and no one is logged in
    assert response.status_code == 200
    assert "Username or password is wrong." in response.content.decode()
    assert session_user_id(client) is None


def test_an_unknown_username_gets_the_same_message(client, db):
    """SEC-1: the message does not reveal whether the username exists."""
    # given no user called "nobody"
    # when someone tries to log in as "nobody"
    response = client.post(LOGIN_URL, {"username": "nobody", "password": PASSWORD})

    # then the same message as for a wrong password is shown
    assert response.status_code == 200
    assert "Username or password is wrong." in response.content.decode()


def test_five_failed_logins_lock_the_username_even_for_the_right_password(
    client, staff_with_device
):
    """SEC-2: after AXES_FAILURE_LIMIT failures the account is locked from that address."""
    # given five failed logins for one username
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(5):
        post_password(client, staff_with_device, password="guess")

    # when the right password is tried next
    response = post_password(client, staff_with_device)

    # then the login is refused with the lockout page and no one is logged in
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert session_user_id(client) is None


def test_four_failed_logins_do_not_lock(client, staff_with_device):
    """SEC-2: the lockout starts at the limit, not before."""
    # given four failed logins
    for _attempt in range(4):
        assert post_password(client, staff_with_device, password="guess").status_code == 200

    # when the right password is tried
    response = post_password(client, staff_with_device)

    # then the login proceeds to the second step
    assert response.status_code == 302
    assert response.url.startswith(VERIFY_URL)


def test_a_lockout_of_one_username_does_not_lock_a_colleague(
    client, staff_with_device, english_staff, org_dk
):
    """SEC-2: the lockout is per username and address, so a shared desk PC stays usable."""
    # given a locked username
    for _attempt in range(5):
        post_password(client, staff_with_device, password="guess")
    colleague = english_staff(org_dk, Role.NURSE)

    # when a colleague logs in from the same address
    response = post_password(client, colleague)

    # then the colleague proceeds to the second step
    assert response.status_code == 302
    assert response.url.startswith(VERIFY_URL)


# --- Logout --------------------------------------------------------------------------------


def test_logout_is_post_only(client, staff_with_device):
    """SEC-3: a link or an image cannot log a staff member out (GET is refused)."""
    # given a logged-in staff member
    log_in_through_views(client, staff_with_device)

    # when the logout address is fetched with GET
    response = client.get("/accounts/logout/")

    # then it is refused and the session still works
    assert response.status_code == 405
    assert client.get("/").status_code == 200


def test_logout_ends_the_session(client, staff_with_device):
    """SEC-3: after logging out, every page asks for the password again."""
    # given a logged-in staff member
    log_in_through_views(client, staff_with_device)

    # when they log out
    response = client.post("/accounts/logout/")

    # then they are on the login page and the dashboard needs a new login
    assert response.status_code == 302
    assert response.url == LOGIN_URL
    assert session_user_id(client) is None
    assert client.get("/").url.startswith(LOGIN_URL)


# --- Idle timeout --------------------------------------------------------------------------


def test_the_session_lives_the_idle_time_and_is_renewed_by_every_request(client, staff_with_device):
    """SEC-4: the session ends SESSION_IDLE_MINUTES after the last request."""
    # given a staff member who has logged in
    log_in_through_views(client, staff_with_device)
    idle = settings.SESSION_IDLE_MINUTES * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert client.session.get_expiry_age() == idle
    key = client.session.session_key

    # when the session is about to expire and they open a page
    Session.objects.filter(session_key=key).update(
        expire_date=clock.now() + datetime.timedelta(minutes=1)
    )
    assert client.get("/").status_code == 200

    # then the expiry is pushed back to the full idle time
    remaining = Session.objects.get(session_key=key).expire_date - clock.now()
    assert datetime.timedelta(seconds=idle - 60) < remaining <= datetime.timedelta(seconds=idle)


def test_an_idle_session_is_sent_to_the_login_page(client, staff_with_device):
    """SEC-4: after the idle time the staff member logs in again, both factors."""
    # given a logged-in staff member whose session has expired
    log_in_through_views(client, staff_with_device)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=clock.now() - datetime.timedelta(seconds=1)
    )

    # when they open the dashboard
    response = client.get("/")

    # then they are sent to the login page (not only to the second step)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL + "?")


def test_a_session_expired_with_set_expiry_is_sent_to_the_login_page(client, staff_with_device):
    """SEC-4: an expiry in the past ends the session."""
    # given a logged-in staff member whose session expiry is set in the past
    log_in_through_views(client, staff_with_device)
    session = client.session
    session.set_expiry(-1)
    session.save()

    # when they open the dashboard
    response = client.get("/")

    # then they must log in again
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL + "?")


# --- Language ------------------------------------------------------------------------------


def test_choosing_a_language_saves_the_preference_and_sets_the_cookie(client, staff_with_device):
    """I18N-1: a staff member's language choice is kept for the next login."""
    # given a logged-in staff member who prefers English
    log_in_through_views(client, staff_with_device)

    # when they choose Danish
    response = client.post("/language/", {"language": "da", "next": "/"})

    # then the preference is saved and the language cookie is Danish
    assert response.status_code == 302
    assert response.url == "/"
    staff_with_device.refresh_from_db()
    assert staff_with_device.language == "da"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "da"


def test_an_unknown_language_falls_back_to_english(client, staff_with_device):
    """I18N-1: only the offered languages are stored."""
    # given a logged-in staff member
    log_in_through_views(client, staff_with_device)

    # when a made-up language code is posted
    response = client.post("/language/", {"language": "xx"})

    # then English is stored and set
    staff_with_device.refresh_from_db()
    assert staff_with_device.language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_language_switch_does_not_redirect_to_another_site(client, db):
    """I18N-1: the language switch is not an open redirect."""
    # given an anonymous visitor
    # when the language is switched with a foreign next address
    response = client.post("/language/", {"language": "nl", "next": "https://evil.example/"})

    # then the cookie is set and the redirect stays on Bedring
    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"


def test_the_language_switch_is_post_only(client, db):
    """I18N-1: the language is changed by a form, not by a link."""
    # given an anonymous visitor
    # when /language/ is fetched with GET
    response = client.get("/language/?language=da")

    # then it is refused and no cookie is set
    assert response.status_code == 405
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_login_sets_the_staff_members_own_language(client, staff_with_device):
    """I18N-1: the UI opens in the language the staff member chose."""
    # given a staff member who chose Norwegian
    staff_with_device.language = "nb"
    staff_with_device.save(update_fields=["language"])

    # when they pass the password step
    response = post_password(client, staff_with_device)

    # then the language cookie is Norwegian
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nb"


def test_login_without_a_choice_uses_the_organisations_language(client, org_be, make_staff):
    """I18N-1: without a choice of their own, staff see their organisation's language."""
    # given a staff member of MSOC Oostende with no language chosen
    user = make_staff(org_be, Role.NURSE)
    assert user.language == ""

    # when they pass the password step
    response = post_password(client, user)

    # then the language cookie is Dutch
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"
