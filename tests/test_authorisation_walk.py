"""PRV-1: walk every URL and every API route as each role, as an outsider from another
organisation and as an anonymous visitor, and check the status each must get.

A new route that is not declared here fails the walk until someone decides who may use it:
HTML views declare their rule with @staff_view; API operations are listed in API_ROUTES.

Each route is its own test (its id is the route's name), so a failure names the route and the
routes spread over xdist workers. The world they walk in (tests/walk_world.py) is built once
per module and worker, inside a transaction held open while the module's tests run; each test
rolls back what it did, starts from the world as built, and fetches the world's objects afresh.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.models import Model
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bedring.accounts.access import AccessRule
from bedring.accounts.services import api_token_create
from bedring.api import api
from bedring.clients import services as client_services
from bedring.core.roles import ROLE_PERMS, Role
from bedring.synthetic.people import GENERATORS
from tests.conftest import api_headers, client_maker, login, shipped_organisation, staff_maker
from tests.walk_world import WORLD_BUILDERS, api_body, api_path, fill_converter

# Views that need no login: the login steps themselves and the language switch.
PUBLIC = {
    "accounts:login",
    "accounts:verify",
    "accounts:enrol",
    "accounts:logout",
    "web:set_language",
    # The outreach pages' service worker and web app manifest: code, like the static files,
    # with nothing about anyone (tests/outreach/test_offline_views.py).
    "outreach:service_worker",
    "outreach:manifest",
}
# The staff calendar feed is public by its secret (a calendar program cannot log in): a wrong
# secret is 404, tested in tests/catalogue/test_calendar.py.
PUBLIC_BY_SECRET = {"catalogue:calendar_feed"}
SKIP_NAMESPACES = {"api"}  # walked through the OpenAPI schema below
ALLOWED = (200, 302)
# A writer may meet a domain refusal (409 an episode already ended, 422 a rule): allowed,
# not forbidden. 204: a draft journal note deleted.
API_ALLOWED = (200, 201, 204, 409, 422)


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
    return [
        (n, p)
        for n, p in found
        if n not in PUBLIC | PUBLIC_BY_SECRET and not n.startswith("set_language")
    ]


def build_world(org_dk, org_no, make_staff, make_client) -> dict[str, Any]:
    client = make_client(org_dk)
    world: dict[str, Any] = {
        "org": org_dk,
        "client": client,
        "relative": client_services.relative_save(
            client=client, name="Rita Relative", relation="partner"
        ),
        "consent": client_services.consent_add(
            client=client,
            party="gp",
            scope="Medication",
            valid_from=datetime.date(2026, 1, 1),
            given_by="client",
        ),
        "site": org_dk.sites.first(),
        "staff": {role: make_staff(org_dk, role) for role in Role.values},
        "outsider": make_staff(org_no, *Role.values),
        "make_client": make_client,
    }
    for build in WORLD_BUILDERS:
        build(world)
    return world


# The walk checks who may reach what, not dates: its world is a scenario written for this day
# (tests/walk_world.py), and its tests run on it whatever the suite's declared day is.
WALK_NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))


@pytest.fixture(autouse=True)
def on_the_walk_day(frozen_clock: time_machine.Traveller) -> None:
    frozen_clock.move_to(WALK_NOW)


@pytest.fixture(scope="module")
def built_world(
    django_db_setup: None, django_db_blocker: Any
) -> Iterator[tuple[dict[str, Any], dict[str, Any], Any]]:
    """The world, built once for the module (per xdist worker) in a transaction that stays open
    while the module's tests run (each test is a savepoint inside it) and is rolled back at the
    end. Built just before the walk's day, so everything a test does comes after it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with (
            django_db_blocker.unblock(),
            time_machine.travel(WALK_NOW - datetime.timedelta(minutes=10), tick=True),
        ):
            rng = random.Random(7)
            world = build_world(
                shipped_organisation("sonderborg"),
                shipped_organisation("sandnes"),
                staff_maker(),
                client_maker(rng),
            )
        yield world, dict(world), rng.getstate()
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _fetched(value: Any) -> Any:
    """A model instance (or a dict of them) fetched again from the database."""
    if isinstance(value, Model):
        return type(value)._base_manager.get(pk=value.pk)
    if isinstance(value, dict):
        return {key: _fetched(item) for key, item in value.items()}
    return value


@pytest.fixture
def world(built_world, db) -> dict[str, Any]:
    """The built world as it was built: its objects fetched afresh (a test's changes to them
    were rolled back in the database, not in the Python objects), and a client maker that goes
    on drawing people where the build stopped. Reset in place: the world's builders keep a
    reference to it."""
    world, as_built, rng_state = built_world
    world.clear()
    world.update({key: _fetched(value) for key, value in as_built.items()})
    rng = random.Random()
    rng.setstate(rng_state)
    world["make_client"] = client_maker(rng)
    return world


def url_for(pattern: URLPattern, name: str, world: dict[str, Any], user: Any) -> str:
    kwargs: dict[str, Any] = {}
    for key in pattern.pattern.converters:
        if key == "token_id":
            kwargs[key] = api_token_create(user=user, name="walk")[0].pk if user else 1
        else:
            kwargs[key] = fill_converter(key, name, world)
    return reverse(name, kwargs=kwargs)


def status_of(http: HttpClient, url: str) -> int:
    """GET, or POST for views that only accept POST (they answer GET with 405). An empty POST
    that a rule refuses (422, the form shown again with the reason) counts as allowed."""
    response = http.get(url)
    if response.status_code == 405:
        response = http.post(url, {})
        if response.status_code == 422:
            return 200
    return response.status_code


def test_every_html_route_declares_its_access_rule():
    """A staff page without @staff_view would be open to anyone."""
    for name, pattern in html_routes():
        rule = getattr(pattern.callback, "bedring_access", None)
        assert isinstance(rule, AccessRule), f"{name} has no @staff_view access rule"


HTML_ROUTES = html_routes()


def test_the_walk_finds_the_html_routes():
    assert len(HTML_ROUTES) >= 25


@pytest.mark.parametrize(("name", "pattern"), HTML_ROUTES, ids=[n for n, _p in HTML_ROUTES])
def test_html_route_as_every_role_outsider_and_anonymous(world, name, pattern):
    rule: AccessRule = pattern.callback.bedring_access
    # Anonymous: sent to the login page.
    anon = HttpClient()
    url = url_for(pattern, name, world, None)
    response = anon.get(url)
    if response.status_code == 405:
        response = anon.post(url, {})
    assert response.status_code == 302, name
    assert "/accounts/login/" in response["Location"], name
    # Each role in the client's organisation.
    for role, user in world["staff"].items():
        status = status_of(login(HttpClient(), user), url_for(pattern, name, world, user))
        allowed = rule.perm is None or rule.perm in ROLE_PERMS[role]
        allowed = allowed and (name not in ALSO_NEEDS or ALSO_NEEDS[name] in ROLE_PERMS[role])
        if allowed:
            assert status in ALLOWED, f"{name} as {role}: {status}"
        else:
            assert status == 403, f"{name} as {role}: expected 403, got {status}"
    # The outsider has every role, but in another organisation.
    outsider = world["outsider"]
    status = status_of(login(HttpClient(), outsider), url_for(pattern, name, world, outsider))
    names_our_object = any(k != "token_id" for k in pattern.pattern.converters)
    if names_our_object:
        assert status == 404, f"{name} as outsider: expected 404, got {status}"
    else:
        assert status in ALLOWED, f"{name} as outsider: {status}"


# --- the API -------------------------------------------------------------------------------

# (method, path) -> (permission needed or None, whether the path names org_dk's objects).
# Each route starts from the world as built: their order here does not matter.
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
    # the pathway
    ("post", "/api/v1/inquiries"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/episodes"): ("client_read", True),
    ("get", "/api/v1/episodes/{episode_id}"): ("client_read", True),
    ("get", "/api/v1/episodes/{episode_id}/timeline"): ("client_read", True),
    ("post", "/api/v1/episodes/{episode_id}/assign"): ("client_write", True),
    ("post", "/api/v1/episodes/{episode_id}/first-contact"): ("client_write", True),
    ("post", "/api/v1/episodes/{episode_id}/free-choice"): ("client_write", True),
    ("post", "/api/v1/episodes/{episode_id}/begin-assessment"): ("client_write", True),
    ("post", "/api/v1/episodes/{episode_id}/start"): ("client_write", True),
    ("post", "/api/v1/episodes/{episode_id}/withdraw"): ("client_write", True),
    ("get", "/api/v1/deadlines"): ("client_read", False),
    # decisions, letters, complaints, child notifications (DEC-1..7)
    ("get", "/api/v1/decisions/{decision_id}"): ("client_read", True),
    ("get", "/api/v1/decisions/{decision_id}/letter"): ("client_read", True),
    ("post", "/api/v1/decisions/{decision_id}/letter-sent"): ("client_write", True),
    ("post", "/api/v1/decisions/{decision_id}/complaints"): ("client_write", True),
    ("post", "/api/v1/episodes/{episode_id}/complaints"): ("client_write", True),
    ("post", "/api/v1/complaints/{complaint_id}/reevaluation"): ("decide", True),
    ("post", "/api/v1/episodes/{episode_id}/child-notifications"): ("client_write", True),
    ("post", "/api/v1/child-notifications/{notification_id}/notified"): ("client_write", True),
    # a new decision (it replaces the walk's decision)
    ("post", "/api/v1/episodes/{episode_id}/decisions"): ("decide", True),
    # assessment and TDI items (ASM-1..5)
    ("post", "/api/v1/episodes/{episode_id}/assessments"): ("client_write", True),
    ("get", "/api/v1/assessments/{assessment_id}"): ("client_read", True),
    ("put", "/api/v1/assessments/{assessment_id}/answers"): ("client_write", True),
    ("put", "/api/v1/assessments/{assessment_id}/offers"): ("client_write", True),
    ("put", "/api/v1/assessments/{assessment_id}/tdi"): ("client_write", True),
    ("post", "/api/v1/assessments/{assessment_id}/complete"): ("client_write", True),
    # plans and evaluations (PLN-1..6)
    ("post", "/api/v1/plans/{plan_id}/evaluations"): ("client_write", True),
    ("get", "/api/v1/plans/{plan_id}"): ("client_read", True),
    ("get", "/api/v1/episodes/{episode_id}/plans"): ("client_read", True),
    ("post", "/api/v1/episodes/{episode_id}/plans"): ("client_write", True),
    # discharge and follow-up (DIS-1, DIS-2, DIS-5)
    ("post", "/api/v1/episodes/{episode_id}/discharge"): ("client_write", True),
    ("get", "/api/v1/episodes/{episode_id}/discharge"): ("client_read", True),
    ("post", "/api/v1/follow-ups/{follow_up_id}"): ("client_write", True),
    # catalogue, courses, enrolments, attendance, gift cards, tallies, calendar (issue 4)
    ("get", "/api/v1/offers"): (None, False),
    ("get", "/api/v1/offers/{offer_id}"): (None, True),
    ("post", "/api/v1/offers"): ("org_settings", False),
    ("get", "/api/v1/courses"): (None, False),
    ("post", "/api/v1/courses"): ("client_write", True),
    ("get", "/api/v1/courses/{course_id}"): ("client_read", True),
    ("post", "/api/v1/courses/{course_id}/enrolments"): ("client_write", True),
    ("post", "/api/v1/enrolments"): ("client_write", True),
    ("post", "/api/v1/enrolments/{enrolment_id}/end"): ("client_write", True),
    ("post", "/api/v1/enrolments/{enrolment_id}/sessions"): ("client_write", True),
    ("post", "/api/v1/sessions/{session_id}/attendance"): ("client_write", True),
    ("get", "/api/v1/enrolments/{enrolment_id}/gift-cards"): ("client_read", True),
    ("post", "/api/v1/enrolments/{enrolment_id}/gift-cards"): ("client_write", True),
    ("get", "/api/v1/enrolments/{enrolment_id}/goals"): ("client_read", True),
    ("post", "/api/v1/enrolments/{enrolment_id}/goals"): ("client_write", True),
    ("post", "/api/v1/enrolment-goals/{goal_id}/progress"): ("client_write", True),
    ("get", "/api/v1/tallies"): (None, False),
    ("post", "/api/v1/tallies"): (None, True),
    ("get", "/api/v1/me/calendar"): (None, False),
    # prescriptions, the dispensing desk and stock (MED-1, MED-2, MED-3, MED-6, MED-8)
    ("get", "/api/v1/medicines"): (None, False),
    ("get", "/api/v1/clients/{client_id}/prescriptions"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/prescriptions"): ("prescribe", True),
    ("get", "/api/v1/prescriptions/{prescription_id}"): ("client_read", True),
    ("post", "/api/v1/prescriptions/{prescription_id}/versions"): ("prescribe", True),
    ("post", "/api/v1/prescriptions/{prescription_id}/end"): ("prescribe", True),
    ("post", "/api/v1/prescriptions/{prescription_id}/review"): ("prescribe", True),
    ("post", "/api/v1/prescriptions/{prescription_id}/dispensings"): ("dispense", True),
    ("get", "/api/v1/prescriptions/{prescription_id}/dispensings"): ("client_read", True),
    ("post", "/api/v1/prescriptions/{prescription_id}/take-home"): ("dispense", True),
    ("post", "/api/v1/dispensings/{dispensing_id}/correction"): ("dispense", True),
    ("get", "/api/v1/sites/{site_id}/desk"): ("dispense", True),
    ("get", "/api/v1/sites/{site_id}/stock"): ("stock", True),
    ("post", "/api/v1/sites/{site_id}/stock"): ("stock", True),
    ("get", "/api/v1/sites/{site_id}/stock/reconciliation"): ("stock", True),
    # urine tests, travel certificates, co-payments (MED-4, MED-5, MED-9)
    ("get", "/api/v1/clients/{client_id}/urine-tests"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/urine-tests"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/travel-certificates"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/travel-certificates"): ("prescribe", True),
    ("get", "/api/v1/clients/{client_id}/travel-certificates/{certificate_id}/pdf"): (
        "client_read",
        True,
    ),
    ("get", "/api/v1/clients/{client_id}/co-payments"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/co-payments/charges"): ("client_write", True),
    ("post", "/api/v1/clients/{client_id}/co-payments/payments"): ("client_write", True),
    ("post", "/api/v1/clients/{client_id}/co-payments/write-offs"): ("client_write", True),
    # health: screenings, vaccinations, health contacts, pregnancy (HLT-1..4)
    ("get", "/api/v1/clients/{client_id}/screenings"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/screenings"): ("client_write", True),
    ("post", "/api/v1/clients/{client_id}/screenings/{screening_id}/result"): (
        "client_write",
        True,
    ),
    ("get", "/api/v1/clients/{client_id}/vaccinations"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/vaccinations"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/health-contacts"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/health-contacts"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/pregnancies"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/pregnancies"): ("client_write", True),
    ("post", "/api/v1/clients/{client_id}/pregnancies/{pregnancy_id}/end"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/pregnancies/{pregnancy_id}/follow-ups"): (
        "client_read",
        True,
    ),
    ("post", "/api/v1/clients/{client_id}/pregnancies/{pregnancy_id}/follow-ups"): (
        "client_write",
        True,
    ),
    # appointments and requests for one (APT-1, APT-2)
    ("get", "/api/v1/clients/{client_id}/appointments"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/appointments"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/appointment-requests"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/appointment-requests"): ("client_write", True),
    ("post", "/api/v1/appointment-requests/{request_id}/withdraw"): ("client_write", True),
    ("get", "/api/v1/appointments"): ("client_read", False),
    ("get", "/api/v1/appointments/{appointment_id}"): ("client_read", True),
    ("post", "/api/v1/appointments/{appointment_id}/move"): ("client_write", True),
    ("post", "/api/v1/appointments/{appointment_id}/cancel"): ("client_write", True),
    ("post", "/api/v1/appointments/{appointment_id}/attended"): ("client_write", True),
    ("post", "/api/v1/appointments/{appointment_id}/no-show"): ("client_write", True),
    # the journal (JRN-1, JRN-2)
    ("get", "/api/v1/clients/{client_id}/journal-notes"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/journal-notes"): ("client_write", True),
    ("get", "/api/v1/journal-notes/{note_id}"): ("client_read", True),
    ("put", "/api/v1/journal-notes/{note_id}"): ("client_write", True),
    ("delete", "/api/v1/journal-notes/{note_id}"): ("client_write", True),
    ("post", "/api/v1/journal-notes/{note_id}/sign"): ("client_write", True),
    ("post", "/api/v1/journal-notes/{note_id}/corrections"): ("client_write", True),
    ("get", "/api/v1/journal-notes/{note_id}/versions"): ("client_read", True),
    # appointment reminders and the outbox (APT-3)
    ("get", "/api/v1/clients/{client_id}/contact-preferences"): ("client_read", True),
    ("put", "/api/v1/clients/{client_id}/contact-preferences"): ("client_write", True),
    ("get", "/api/v1/outbox"): ("client_read", False),
    ("post", "/api/v1/messages/{message_id}/retry"): ("client_write", True),
    # the client's record as a FHIR Bundle (interop)
    ("get", "/api/v1/clients/{client_id}/fhir"): ("client_read", True),
    # register exports (DIS-4): the TDI summary of the active organisation
    ("get", "/api/v1/registers/tdi"): ("register_export", False),
    # outcome figures (DIS-3, DIS-4, INT-5, INT-6, PLN-2)
    ("get", "/api/v1/outcomes"): ("outcomes", False),
    # documents of the record (JRN-3)
    ("get", "/api/v1/clients/{client_id}/documents"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/documents"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/documents/{document_id}/file"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/documents/{document_id}/discard"): (
        "client_write",
        True,
    ),
    # referrals out and in, the partner registry (REF-1)
    ("get", "/api/v1/partners"): (None, False),
    ("get", "/api/v1/clients/{client_id}/referrals"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/referrals"): ("client_write", True),
    ("get", "/api/v1/clients/{client_id}/referrals/{referral_id}"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/referrals/{referral_id}/status"): (
        "client_write",
        True,
    ),
    ("post", "/api/v1/clients/{client_id}/referrals/{referral_id}/rights-assessment"): (
        "client_write",
        True,
    ),
    ("get", "/api/v1/clients/{client_id}/incoming-referrals"): ("client_read", True),
    ("post", "/api/v1/clients/{client_id}/incoming-referrals"): ("client_write", True),
    # HRM-8: a street contact names the organisation (the outsider's is 404).
    ("post", "/api/v1/outreach/contacts"): ("harm_reduction", True),
    # HRM-10: the outreach model's evaluation; the walk names the organisation (the outsider's
    # is 404).
    ("get", "/api/v1/outreach/evaluation"): ("outcomes", True),
    ("get", "/api/v1/outreach/evaluation/fidelity"): ("outcomes", True),
    ("put", "/api/v1/outreach/evaluation/fidelity"): ("outcomes", True),
    ("get", "/api/v1/outreach/contacts"): ("harm_reduction", False),
    ("get", "/api/v1/outreach/contacts/{contact_id}"): ("harm_reduction", True),
    ("post", "/api/v1/outreach/contacts/{contact_id}/checked"): ("harm_reduction", True),
    ("get", "/api/v1/outreach/people/recent"): ("harm_reduction", False),
    ("get", "/api/v1/clients/{client_id}/outreach-contacts"): ("client_read", True),
    # PRV-4: codes (pseudonyms); a new one names the organisation.
    ("get", "/api/v1/outreach/pseudonyms"): ("harm_reduction", False),
    ("post", "/api/v1/outreach/pseudonyms"): ("harm_reduction", True),
    ("get", "/api/v1/outreach/pseudonyms/{pseudonym_id}"): ("harm_reduction", True),
    ("post", "/api/v1/outreach/pseudonyms/{pseudonym_id}/client"): ("harm_reduction", True),
    ("post", "/api/v1/outreach/pseudonyms/{pseudonym_id}/merge"): ("harm_reduction", True),
    # HRM-1, HRM-9: the needle exchange (a point names the organisation's objects); the
    # lists answer the caller's own organisations, the figures need outcomes.
    ("get", "/api/v1/outreach/exchange/points"): ("harm_reduction", False),
    ("get", "/api/v1/outreach/exchange/points/{point_id}"): ("harm_reduction", True),
    ("get", "/api/v1/outreach/exchange/points/{point_id}/transactions"): ("harm_reduction", True),
    ("post", "/api/v1/outreach/exchange/points/{point_id}/transactions"): (
        "harm_reduction",
        True,
    ),
    ("get", "/api/v1/outreach/exchange/points/{point_id}/stock"): ("harm_reduction", True),
    ("post", "/api/v1/outreach/exchange/points/{point_id}/stock"): ("harm_reduction", True),
    ("get", "/api/v1/outreach/exchange/figures"): ("outcomes", False),
}
# Routes that need a second permission besides their own (HTML: the view's @staff_view rule;
# API: API_ROUTES): a code becomes a client only for outreach staff who also write records
# (drop-in and peer workers do outreach work and open no record: 403).
ALSO_NEEDS: dict[str, str] = {"outreach:pseudonym_client": "client_write"}
API_ALSO_NEEDS: dict[tuple[str, str], str] = {
    ("post", "/api/v1/outreach/pseudonyms/{pseudonym_id}/client"): "client_write",
}
# Operations no role can complete in the walk's world, with why (their success paths are
# tested elsewhere): a gift card is due only after two attended MOVE conversations
# (tests/catalogue/test_gift_cards.py). Co-payments are charged only in Belgium and the
# walk's organisation is Danish: every write answers 422 no_charges
# (tests/medication/test_copayment.py). The patient rights assessment of a referral is
# Norwegian (pasient- og brukerrettighetsloven § 2-2): in Denmark every call answers 422
# rights_not_applicable (tests/referrals/test_rights_assessment.py). Sønderborg runs outreach
# without the national outreach model's evaluation (its pack has no evaluation: section), so
# it has no fidelity checklist: every write answers 422 no_fidelity_elements (the checklist
# of the model's organisation, outreach-dk, in tests/outreach/test_evaluation_api.py).
NO_SUCCESS_IN_WALK = {
    ("put", "/api/v1/outreach/evaluation/fidelity"),
    ("post", "/api/v1/clients/{client_id}/referrals/{referral_id}/rights-assessment"),
    ("post", "/api/v1/enrolments/{enrolment_id}/gift-cards"),
    ("post", "/api/v1/clients/{client_id}/co-payments/charges"),
    ("post", "/api/v1/clients/{client_id}/co-payments/payments"),
    ("post", "/api/v1/clients/{client_id}/co-payments/write-offs"),
}


# Operations on a note that only its author completes (JRN-1): the walk's notes are the
# counsellor's, so another role that may write gets 403 note_not_author, not forbidden.
AUTHOR_ONLY = {
    ("put", "/api/v1/journal-notes/{note_id}"),
    ("delete", "/api/v1/journal-notes/{note_id}"),
    ("post", "/api/v1/journal-notes/{note_id}/sign"),
    ("post", "/api/v1/journal-notes/{note_id}/corrections"),
}


def api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {(method, path) for path, ops in schema["paths"].items() for method in ops}


def test_every_api_route_is_in_the_walk():
    assert api_operations() == set(API_ROUTES)


# Operations that take multipart/form-data (a file) instead of JSON.
MULTIPART = {("post", "/api/v1/clients/{client_id}/documents")}


def call_api(http, method, path, world, headers, rng, jurisdiction="DK"):
    url = api_path(path, world)
    body = api_body(method, path, world, rng, jurisdiction)
    if (method, path) in MULTIPART:
        return getattr(http, method)(url, data=body, **headers)
    kwargs: dict[str, Any] = {"content_type": "application/json", **headers}
    if body is not None:
        kwargs["data"] = body
    return getattr(http, method)(url, **kwargs)


@pytest.mark.parametrize(
    ("method", "path"), list(API_ROUTES), ids=[f"{m.upper()} {p}" for m, p in API_ROUTES]
)
def test_api_route_as_every_role_outsider_and_anonymous(world, method, path):
    rng = random.Random(3)
    http = HttpClient()
    headers = {role: api_headers(user) for role, user in world["staff"].items()}
    outsider_headers = api_headers(world["outsider"])
    perm, names_org_object = API_ROUTES[(method, path)]
    response = call_api(http, method, path, world, {}, rng)
    assert response.status_code == 401, f"{method} {path} anonymous: {response.status_code}"
    assert response.json()["code"] == "unauthenticated"
    succeeded = False
    for role in Role.values:
        response = call_api(http, method, path, world, headers[role], rng)
        allowed = perm is None or perm in {p.value for p in ROLE_PERMS[role]}
        also = API_ALSO_NEEDS.get((method, path))
        allowed = allowed and (also is None or also in {p.value for p in ROLE_PERMS[role]})
        if allowed and (method, path) in AUTHOR_ONLY and response.status_code == 403:
            assert response.json()["code"] == "note_not_author", f"{method} {path} as {role}"
        elif allowed:
            assert response.status_code in API_ALLOWED, (
                f"{method} {path} as {role}: {response.content!r}"
            )
            succeeded = succeeded or response.status_code in (200, 201, 204)
        else:
            assert response.status_code == 403, f"{method} {path} as {role}: {response.status_code}"
            assert response.json()["code"] in ("forbidden", "decision_role")
    if (method, path) not in NO_SUCCESS_IN_WALK:
        assert succeeded, f"{method} {path}: no role succeeded; is the walk's request body right?"
    response = call_api(http, method, path, world, outsider_headers, rng, "NO")
    if names_org_object:
        assert response.status_code == 404, f"{method} {path} outsider: {response.status_code}"
        assert response.json()["code"] == "not_found"
    else:
        assert response.status_code in (200, 201), f"{method} {path} outsider: {response.content!r}"


def test_generators_cover_every_jurisdiction():
    assert set(GENERATORS) == {"DK", "NO", "BE"}
