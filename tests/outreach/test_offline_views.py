"""HRM-8, "Works offline": the service worker, the manifest, the device key of the offline
store, the wipe at logout, and the hooks every page and the contact page carry."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import cast

import pytest
from django.contrib.staticfiles import finders
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.accounts.models import Organisation, User
from bedring.core.roles import Role
from bedring.outreach.offline import device_key, key_id
from tests.conftest import login

pytestmark = pytest.mark.django_db

PAGE = "/outreach/contacts/new/"


def _worker_config(body: str) -> dict[str, object]:
    first, _rest = body.split("\n", 1)
    assert first.startswith("self.BEDRING_OFFLINE = ") and first.endswith(";")
    return dict(json.loads(first[len("self.BEDRING_OFFLINE = ") : -1]))


def test_the_worker_is_served_under_outreach_without_login_and_never_cached_stale() -> None:
    url = reverse("outreach:service_worker")
    response = HttpClient().get(url)
    assert url == "/outreach/sw.js"  # its scope is /outreach/, nothing wider
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert "Content-Security-Policy" in response
    body = response.content.decode()
    config = _worker_config(body)
    assert config["page"] == reverse("outreach:contact_new") == PAGE
    assert config["shell"] == f"{PAGE}?shell=1"
    assert set(cast(list[str], config["assets"])) == {
        "/static/bedring/bedring.css",
        "/static/bedring/bedring.js",
        "/static/vendor/htmx.min.js",
        "/static/outreach/offline.js",
        "/static/outreach/icon.svg",
        "/static/outreach/outreach.css",
        "/static/outreach/contact-steps.js",
    }
    for asset in config["assets"]:  # type: ignore[attr-defined]
        assert finders.find(asset.removeprefix("/static/")), asset
    # What it caches is the shell and static files: never an API answer or another page.
    assert not any("/api/" in a for a in config["assets"])  # type: ignore[attr-defined]
    assert 'addEventListener("fetch"' in body
    # The same worker twice is byte for byte the same (the browser installs it once).
    assert HttpClient().get(url).content == response.content


def test_the_worker_is_only_read() -> None:
    assert HttpClient().post(reverse("outreach:service_worker")).status_code == 405


def test_the_manifest_names_the_outreach_pages_as_the_app() -> None:
    response = HttpClient().get(reverse("outreach:manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["scope"] == "/outreach/"
    assert manifest["start_url"] == PAGE and manifest["start_url"].startswith(manifest["scope"])
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"]
    (icon,) = manifest["icons"]
    assert finders.find(icon["src"].removeprefix("/static/"))


def test_the_device_key_goes_to_the_verified_session_only_and_is_never_stored(
    street_worker: User, make_staff: Callable[..., User], org_outreach: Organisation
) -> None:
    url = reverse("outreach:offline_key")
    http = login(HttpClient(), street_worker)
    response = http.post(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["kid"] == key_id(street_worker)
    assert base64.b64decode(body["key"]) == device_key(street_worker)
    assert len(device_key(street_worker)) == 32
    # The same after a timeout and a new login (contacts recorded offline stay readable) ...
    again = login(HttpClient(), street_worker).post(url).json()
    assert again == body
    # ... and another worker's is another key under another name.
    colleague = make_staff(org_outreach, Role.STREET_NURSE)
    other = login(HttpClient(), colleague).post(url).json()
    assert other["key"] != body["key"] and other["kid"] != body["kid"]
    # Not by GET (a link or an image cannot fetch it), not without a login.
    assert http.get(url).status_code == 405
    anonymous = HttpClient().post(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_device_key_needs_the_second_factor_the_permission_and_the_csrf_token(
    street_worker: User, make_staff: Callable[..., User], org_outreach: Organisation
) -> None:
    url = reverse("outreach:offline_key")
    password_only = HttpClient()
    password_only.force_login(street_worker)
    response = password_only.post(url)
    assert response.status_code == 302 and "/accounts/login/verify/" in response["Location"]
    doctor = make_staff(org_outreach, Role.DOCTOR)  # no harm reduction
    assert login(HttpClient(), doctor).post(url).status_code == 403
    # From another site: the browser sends the cookie, but no page of ours gave the token.
    strict = login(HttpClient(enforce_csrf_checks=True), street_worker)
    assert strict.post(url).status_code == 403
    strict.get(PAGE)
    token = strict.cookies["csrftoken"].value
    assert strict.post(url, HTTP_X_CSRFTOKEN=token).status_code == 200


def test_logout_asks_the_browser_and_the_next_page_to_wipe_the_device(
    street_worker: User,
) -> None:
    http = login(HttpClient(), street_worker)
    response = http.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    wipe = response.cookies["bedring_wipe"]
    assert wipe.value == "1" and wipe["samesite"] == "Strict" and not wipe["httponly"]
    # The login page after it runs the wipe: the script is on it.
    page = http.get(response["Location"]).content.decode()
    assert 'data-wipe-cookie="bedring_wipe"' in page
    assert "/static/outreach/offline.js" in page


def test_every_page_carries_the_offline_script_and_the_logout_warning(
    street_worker: User,
) -> None:
    http = login(HttpClient(), street_worker)
    page = http.get(reverse("web:dashboard")).content.decode()
    assert f'data-kid="{key_id(street_worker)}"' in page
    assert 'id="offline-logout"' in page
    assert "1 contact is not sent yet." not in page  # the count is the script's
    assert "{n} contact is not sent yet." in page and "{n} contacts are not sent yet." in page
    # Anonymous (the login page): no login to file contacts under, no logout to warn about.
    login_page = HttpClient().get(reverse("accounts:login")).content.decode()
    assert 'data-kid=""' in login_page
    assert 'id="offline-logout"' not in login_page


def test_the_contact_page_carries_the_offline_hooks_and_its_shell_no_person_data(
    street_worker: User, outreach_client: object, org_outreach: Organisation
) -> None:
    """The hooks static/outreach/offline.js needs (kept when the contacts branch's page
    replaces the stand-in): the manifest, the offline part, the form's data attributes."""
    http = login(HttpClient(), street_worker)
    client = outreach_client
    http.get(f"/clients/{client.uuid}/")  # type: ignore[attr-defined]  # now a recent client
    page = http.get(PAGE).content.decode()
    assert f'href="{reverse("outreach:manifest")}"' in page
    assert 'id="offline-status"' in page and "data-offline-send" in page
    assert "data-outreach-form" in page
    assert f'data-api-url="{reverse("api:outreach_contacts")}"' in page
    assert f'data-organisation="{org_outreach.uuid}"' in page
    assert 'data-time-zone="Europe/Copenhagen"' in page
    assert 'name="offline_id"' in page
    assert str(client.uuid) in page  # type: ignore[attr-defined]
    shell = http.get(f"{PAGE}?shell=1").content.decode()
    assert "data-outreach-form" in shell
    assert str(client.uuid) not in shell  # type: ignore[attr-defined]
