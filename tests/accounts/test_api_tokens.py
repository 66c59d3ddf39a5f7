"""API tokens: created in the UI or on the command line, shown once, stored as a hash,
revocable; /api/v1/ answers 401 with a JSON code for anything but a live token."""

from __future__ import annotations

import hashlib
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from bedring.accounts.models import ApiToken, User
from bedring.core.roles import Role
from tests.conftest import api_headers, login

TOKENS_URL = "/accounts/tokens/"
ME_URL = "/api/v1/me"


def bearer(raw: str) -> str:
    return f"Bearer {raw}"


def authorization_of(user: User) -> str:
    """A new token of the staff member, as its Authorization header value."""
    return api_headers(user)["HTTP_AUTHORIZATION"]


def call(path: str, authorization: str | None) -> Any:
    """A program without cookies calling Bedring with an Authorization header."""
    headers = {} if authorization is None else {"Authorization": authorization}
    return HttpClient().get(path, headers=headers)


def create_token_in_ui(http: HttpClient, name: str = "reporting script") -> str:
    response = http.post(TOKENS_URL, {"name": name})
    assert response.status_code == 200
    found = re.search(r'data-testid="new-token">([^<]+)<', response.content.decode())
    assert found is not None, "the new token is shown once on the page"
    return found.group(1).strip()


def assert_unauthenticated(response) -> None:
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unauthenticated"


# --- Creating a token in the UI ------------------------------------------------------------


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(client, counsellor):
    """API-1: the raw token is shown once; the database holds only its SHA-256 hash."""
    # given a logged-in staff member on the token page
    login(client, counsellor)

    # when they create a token
    raw = create_token_in_ui(client, "reporting script")

    # then one token row exists with the hash of the raw value and nothing else of it
    token = ApiToken.objects.get(user=counsellor)
    assert token.name == "reporting script"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.key_hash, token.prefix, token.name}
    assert raw.startswith("bdr_")
    assert len(raw) > 40

    # and the page never shows the raw value again
    again = client.get(TOKENS_URL).content.decode()
    assert raw not in again
    assert 'data-testid="new-token"' not in again
    assert token.prefix in again


def test_a_token_created_in_the_ui_authenticates_the_api(client, counsellor, org_dk):
    """API-1: the token works as Authorization: Bearer on /api/v1/."""
    # given a token created on the token page
    login(client, counsellor)
    raw = create_token_in_ui(client)

    # when a program calls /api/v1/me with it (no session cookie)
    response = call(ME_URL, bearer(raw))

    # then it is the staff member, with their organisation and roles
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == counsellor.username
    assert body["memberships"] == [
        {
            "organisation": str(org_dk.uuid),
            "organisation_name": org_dk.name,
            "roles": [Role.COUNSELLOR.value],
        }
    ]


def test_using_a_token_records_when_it_was_last_used(counsellor):
    """API-1: the token list shows whether a token is still in use."""
    # given a never-used token
    headers = authorization_of(counsellor)
    token = ApiToken.objects.get(user=counsellor)
    assert token.last_used_at is None

    # when it is used
    assert call(ME_URL, headers).status_code == 200

    # then its last use is recorded
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_token_needs_a_name(client, counsellor):
    """API-1: every token has a name saying what it is for."""
    # given a logged-in staff member
    login(client, counsellor)

    # when they submit the form without a name
    response = client.post(TOKENS_URL, {"name": "   "})

    # then no token is created and none is shown
    assert response.status_code == 200
    assert 'data-testid="new-token"' not in response.content.decode()
    assert not ApiToken.objects.filter(user=counsellor).exists()


def test_the_token_page_needs_a_verified_login(client, counsellor):
    """API-1: tokens are created only by a staff member who passed both factors."""
    # given a staff member logged in with the password only
    client.force_login(counsellor)

    # when they post the token form
    response = client.post(TOKENS_URL, {"name": "sneaky"})

    # then they are sent to the second factor and no token exists
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/verify/")
    assert not ApiToken.objects.exists()


# --- Revoking -------------------------------------------------------------------------------


def test_a_revoked_token_is_refused_with_401(client, counsellor):
    """API-1: revoking a token stops it at once."""
    # given a working token
    login(client, counsellor)
    raw = create_token_in_ui(client)
    assert call(ME_URL, bearer(raw)).status_code == 200
    token = ApiToken.objects.get(user=counsellor)

    # when the staff member revokes it
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    # then it is marked revoked and the API answers 401 unauthenticated
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert_unauthenticated(call(ME_URL, bearer(raw)))


def test_revoking_is_post_only(client, counsellor):
    """API-1: a link cannot revoke a token."""
    # given a token
    login(client, counsellor)
    create_token_in_ui(client)
    token = ApiToken.objects.get(user=counsellor)

    # when the revoke address is fetched with GET
    response = client.get(f"/accounts/tokens/{token.pk}/revoke/")

    # then nothing happens
    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_staff_member_cannot_revoke_a_colleagues_token(client, counsellor, manager):
    """API-1: tokens are personal; even a manager cannot revoke another's token by id."""
    # given a colleague's token
    headers = authorization_of(counsellor)
    token = ApiToken.objects.get(user=counsellor)

    # when a manager posts its revoke address
    login(client, manager)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")

    # then it is not found and still works
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert call(ME_URL, headers).status_code == 200


def test_the_token_page_lists_only_ones_own_tokens(client, counsellor, manager):
    """API-1: a staff member sees their own tokens only."""
    # given tokens of two staff members
    api_headers(manager)
    ApiToken.objects.filter(user=manager).update(name="managers-secret-script")
    login(client, counsellor)
    create_token_in_ui(client, "my-own-script")

    # when the counsellor opens the token page
    page = client.get(TOKENS_URL).content.decode()

    # then only their token is listed
    assert "my-own-script" in page
    assert "managers-secret-script" not in page


# --- What the API refuses ------------------------------------------------------------------


def test_the_api_without_a_token_is_401(db):
    """API-1: no Authorization header, no answer."""
    # given no token
    # when /api/v1/me is called
    response = call(ME_URL, None)

    # then it is 401 unauthenticated in JSON
    assert_unauthenticated(response)


@pytest.mark.parametrize(
    "header",
    [
        "Bearer bdr_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "bdr_missing-the-scheme",
    ],
)
def test_the_api_with_a_garbage_token_is_401(counsellor, header):
    """API-1: anything but a live token is refused the same way."""
    # given a staff member with a real token (so that tokens exist at all)
    api_headers(counsellor)

    # when /api/v1/me is called with a made-up or malformed Authorization header
    response = call(ME_URL, header)

    # then it is 401 unauthenticated
    assert_unauthenticated(response)


def test_the_token_hash_itself_is_not_a_token(counsellor):
    """API-1: someone who reads the stored hash cannot use it as the token."""
    # given a token and its stored hash
    api_headers(counsellor)
    stored = ApiToken.objects.get(user=counsellor).key_hash

    # when the hash is sent as the token
    response = call(ME_URL, bearer(stored))

    # then it is refused
    assert_unauthenticated(response)


def test_the_token_of_a_deactivated_user_is_401(counsellor):
    """API-1: deactivating a staff member stops their tokens."""
    # given a working token
    headers = authorization_of(counsellor)
    assert call(ME_URL, headers).status_code == 200

    # when the staff member is deactivated
    User.objects.filter(pk=counsellor.pk).update(is_active=False)

    # then the token is refused
    assert_unauthenticated(call(ME_URL, headers))


def test_a_browser_session_does_not_open_the_api(client, counsellor):
    """API-1: the API takes tokens only, so a page on another site cannot ride on the
    staff member's session cookie."""
    # given a fully logged-in browser session
    login(client, counsellor)
    assert client.get("/").status_code == 200

    # when the API is called with the session cookie and no token
    response = client.get(ME_URL)

    # then it is refused
    assert_unauthenticated(response)


def test_a_token_does_not_open_the_html_pages(counsellor):
    """API-1: a token is for /api/ only; it does not stand in for the two-factor login."""
    # given a working token
    headers = authorization_of(counsellor)

    # when it is sent to the dashboard
    response = call("/", headers)

    # then the dashboard asks for a login
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The management command ----------------------------------------------------------------


def test_create_api_token_prints_a_working_token(counsellor):
    """API-1: `manage.py create_api_token USERNAME --name x` prints a token once."""
    # given a staff member
    out = StringIO()

    # when the command is run
    call_command("create_api_token", counsellor.username, "--name", "x", stdout=out)

    # then it prints a token named x that authenticates as that staff member
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=counsellor)
    assert token.name == "x"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    response = call(ME_URL, bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == counsellor.username


def test_create_api_token_for_an_unknown_user_is_an_error(db):
    """API-1: the command names the problem and creates nothing."""
    # given no user "nobody"
    # when the command is run for them
    # then it fails with a CommandError naming the user
    with pytest.raises(CommandError, match="nobody"):
        call_command("create_api_token", "nobody", "--name", "x", stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_create_api_token_for_a_deactivated_user_is_an_error(counsellor):
    """API-1: no new tokens for staff who have left."""
    # given a deactivated staff member
    User.objects.filter(pk=counsellor.pk).update(is_active=False)

    # when the command is run for them
    # then it fails and creates nothing
    with pytest.raises(CommandError):
        call_command("create_api_token", counsellor.username, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_create_api_token_needs_a_name(counsellor):
    """API-1: a blank name is refused on the command line too."""
    # given a staff member
    # when the command is run with a blank name
    # then it fails and creates nothing
    with pytest.raises(CommandError):
        call_command("create_api_token", counsellor.username, "--name", "  ", stdout=StringIO())
    assert not ApiToken.objects.exists()
