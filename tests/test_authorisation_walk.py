"""PRV-1: walk every URL and every API route as each role, as an outsider from another
organisation and as an anonymous visitor, and check the status each must get.

A new route that is not declared here fails the walk until someone decides who may use it.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver

from bedring.accounts.access import AccessRule
from bedring.accounts.roles import ROLE_PERMS, Role
from bedring.accounts.services import api_token_create
from bedring.api import api
from bedring.clients import services as client_services
from bedring.clients.synthetic import GENERATORS
from tests.conftest import api_headers, login

# Views that need no login: the login steps themselves and the language switch.
PUBLIC = {
    "accounts:login",
    "accounts:verify",
    "accounts:enrol",
    "accounts:logout",
    "web:set_language",
}
# Views that only accept POST (they change something); walked with POST.
POST_ONLY = {
    "web:switch_organisation",
    "accounts:token_revoke",
    "accounts:closed_day_add",
    "clients:consent_withdraw",
    "accounts:logout",
    "web:set_language",
}
SKIP_NAMESPACES = {"api"}  # walked through the OpenAPI schema below


def html_routes() -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                if ns in SKIP_NAMESPACES:
                    continue
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                found.append((f"{namespace}:{p.name}" if namespace else p.name, p))

    walk(get_resolver().url_patterns, None)
    return found


@pytest.fixture
def world(org_dk, org_no, make_staff, make_client):
    client = make_client(org_dk)
    relative = client_services.relative_save(
        client=client, name="Rita Relative", relation="partner"
    )
    consent = client_services.consent_add(
        client=client,
        party="gp",
        scope="Medication",
        valid_from=datetime.date(2026, 1, 1),
        given_by="client",
    )
    return {
        "org": org_dk,
        "client": client,
        "relative": relative,
        "consent": consent,
        "site": org_dk.sites.first(),
        "staff": {role: make_staff(org_dk, role) for role in Role.values},
        "outsider": make_staff(org_no, *Role.values),
    }


def url_for(name: str, pattern: URLPattern, world: dict[str, Any], user: Any) -> str:
    from django.urls import reverse

    kwargs: dict[str, Any] = {}
    for key in pattern.pattern.converters:
        if key == "client_uuid":
            kwargs[key] = world["client"].uuid
        elif key == "relative_uuid":
            kwargs[key] = world["relative"].uuid
        elif key == "consent_uuid":
            kwargs[key] = world["consent"].uuid
        elif key == "site_uuid":
            kwargs[key] = world["site"].uuid
        elif key == "token_id":
            kwargs[key] = api_token_create(user=user, name="walk")[0].pk if user else 1
        else:
            raise AssertionError(f"the walk does not know how to fill {key!r} in {name}")
    return reverse(name, kwargs=kwargs)


def request(http: HttpClient, name: str, url: str) -> int:
    response = http.post(url, {}) if name in POST_ONLY else http.get(url)
    return response.status_code


def test_every_html_route_declares_its_access_rule():
    """A staff page without @staff_view would be open to anyone."""
    for name, pattern in html_routes():
        if name in PUBLIC or name.startswith("set_language"):
            continue
        rule = getattr(pattern.callback, "bedring_access", None)
        assert isinstance(rule, AccessRule), f"{name} has no @staff_view access rule"


def test_html_walk_as_every_role_outsider_and_anonymous(world):
    routes = [
        (n, p) for n, p in html_routes() if n not in PUBLIC and not n.startswith("set_language")
    ]
    assert len(routes) >= 15
    for name, pattern in routes:
        rule: AccessRule = pattern.callback.bedring_access
        # Anonymous: sent to the login page.
        anon = HttpClient()
        response = (
            anon.post(url_for(name, pattern, world, None), {})
            if name in POST_ONLY
            else anon.get(url_for(name, pattern, world, None))
        )
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
        # Each role in the client's organisation.
        for role, user in world["staff"].items():
            http = login(HttpClient(), user)
            status = request(http, name, url_for(name, pattern, world, user))
            allowed = rule.perm is None or rule.perm in ROLE_PERMS[role]
            if allowed:
                assert status in (200, 302), f"{name} as {role}: {status}"
            else:
                assert status == 403, f"{name} as {role}: expected 403, got {status}"
        # The outsider has every role, but in another organisation.
        http = login(HttpClient(), world["outsider"])
        status = request(http, name, url_for(name, pattern, world, world["outsider"]))
        touches_other_org = any(
            k in pattern.pattern.converters for k in ("client_uuid", "site_uuid")
        )
        if touches_other_org:
            assert status == 404, f"{name} as outsider: expected 404, got {status}"
        else:
            assert status in (200, 302), f"{name} as outsider: {status}"


# --- the API -------------------------------------------------------------------------------

# (method, path) -> (permission needed or None, whether the path names org_dk's objects)
API_ROUTES: dict[tuple[str, str], tuple[str | None, bool]] = {
    ("get", "/api/v1/me"): (None, False),
    ("get", "/api/v1/organisations"): (None, False),
    ("get", "/api/v1/organisations/{org_id}"): (None, True),
    ("get", "/api/v1/clients"): ("client_read", False),
    ("post", "/api/v1/clients"): ("client_write", False),
    ("get", "/api/v1/clients/{client_id}"): ("client_read", True),
    ("patch", "/api/v1/clients/{client_id}"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/relatives"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/relatives"): ("client_write", True),
    ("put", "/api/v1/clients/{client_id}/relatives/{relative_id}"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/consents"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/consents"): ("client_write", True),
    ("post", "/api/v1/clients/{client_id}/consents/{consent_id}/withdraw"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/children"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/children"): ("client_write", True),
}


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {
        (method, path.rstrip("/") if path != "/api/v1/" else path)
        for path, ops in schema["paths"].items()
        for method in ops
    }


def test_every_api_route_is_in_the_walk():
    assert api_operations() == set(API_ROUTES)


def api_body(
    method: str, path: str, rng: random.Random, jurisdiction: str
) -> dict[str, Any] | None:
    if method == "get":
        return None
    if path == "/api/v1/clients":
        birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=rng.randint(0, 9000))
        national_id = GENERATORS[jurisdiction](birth, "female", rng)
        return {"national_id": national_id, "first_name": "Walk", "last_name": "Er"}
    if path.endswith("/relatives") or path.endswith("{relative_id}"):
        return {"name": "Walk Relative", "relation": "friend"}
    if path.endswith("/consents"):
        return {"party": "gp", "scope": "All", "valid_from": "2026-01-01", "given_by": "client"}
    if path.endswith("/withdraw"):
        return {"reason": "walk"}
    if path.endswith("/children"):
        return {"first_name": "Kid", "birth_date": "2020-05-05"}
    return {"phone": "+45 20 00 00 01"}  # PATCH client


def call_api(http, method, path, world, headers, rng, jurisdiction="DK"):
    consent = client_services.consent_add(
        client=world["client"],
        party="gp",
        scope="x",
        valid_from=datetime.date(2026, 1, 1),
        given_by="client",
    )
    url = (
        path.replace("{org_id}", str(world["org"].uuid))
        .replace("{client_id}", str(world["client"].uuid))
        .replace("{relative_id}", str(world["relative"].uuid))
        .replace("{consent_id}", str(consent.uuid))
    )
    body = api_body(method, path, rng, jurisdiction)
    kwargs: dict[str, Any] = {"content_type": "application/json", **headers}
    if body is not None:
        kwargs["data"] = body
    return getattr(http, method)(url, **kwargs)


def test_api_walk_as_every_role_outsider_and_anonymous(world):
    rng = random.Random(3)
    http = HttpClient()
    headers = {role: api_headers(user) for role, user in world["staff"].items()}
    outsider_headers = api_headers(world["outsider"])
    for (method, path), (perm, names_org_object) in API_ROUTES.items():
        response = call_api(http, method, path, world, {}, rng)
        assert response.status_code == 401, f"{method} {path} anonymous: {response.status_code}"
        assert response.json()["code"] == "unauthenticated"
        for role in Role.values:
            response = call_api(http, method, path, world, headers[role], rng)
            allowed = perm is None or perm in {p.value for p in ROLE_PERMS[role]}
            if allowed:
                assert response.status_code in (200, 201), (
                    f"{method} {path} as {role}: {response.content!r}"
                )
            else:
                assert response.status_code == 403, (
                    f"{method} {path} as {role}: {response.status_code}"
                )
                assert response.json()["code"] == "forbidden"
        response = call_api(http, method, path, world, outsider_headers, rng, "NO")
        if names_org_object:
            assert response.status_code == 404, f"{method} {path} outsider: {response.status_code}"
            assert response.json()["code"] == "not_found"
        else:
            assert response.status_code in (200, 201), (
                f"{method} {path} outsider: {response.content!r}"
            )
