"""Sønderborg's street nurse, the shacks and Lykken (seed 003 "Øvrige ydelser" 2-4): the
pack's outreach section, the screening offered on the street (HLT-1), the clinical contacts
in the shacks feeding the client's Health tab (HLT-3), and the shacks' anonymous tallies
beside the contacts (HRM-5)."""

from __future__ import annotations

import datetime
import typing
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as HttpClient

from bedring.accounts.models import Organisation, Site, User
from bedring.catalogue.models import Offer, Tally
from bedring.catalogue.services.tallies import tally_month, tally_record
from bedring.core import clock
from bedring.core.errors import ValidationFailed
from bedring.core.roles import Role
from bedring.health.models import HealthContact, HealthContactKind, Screening, ScreeningKind
from bedring.outreach.models import OutreachContact, Place
from bedring.outreach.packs import HealthKindKey, ScreeningKindKey
from bedring.outreach.selectors import outreach_spec
from bedring.outreach.services.contacts import contact_record
from bedring.rules.loader import pack_path, read_pack
from tests.conftest import NOW, TODAY, api_headers, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse(org_dk: Organisation, make_staff: Callable[..., User]) -> User:
    return make_staff(org_dk, Role.STREET_NURSE)


@pytest.fixture
def shacks(org_dk: Organisation) -> Site:
    return Site.objects.get(organisation=org_dk, slug="skurvogne")


def _record(org: Organisation, site: Site, user: User, **kw: Any) -> OutreachContact:
    data: dict[str, Any] = {
        "organisation": org,
        "actor": user,
        "site": site,
        "at": clock.now() - datetime.timedelta(minutes=5),
        "activities": ["conversation"],
        "minutes": 15,
        "place_key": "skurvogne",
    }
    data.update(kw)
    contact, _created = contact_record(**data)
    return contact


# --- the pack ----------------------------------------------------------------------------


def test_the_pack_lists_the_shacks_lykken_and_street_places_each_with_a_source(org_dk):
    spec = read_pack(pack_path("sonderborg")).outreach
    assert spec is not None
    places = {p.key: p for p in spec.places}
    assert (places["skurvogne"].location_type, places["skurvogne"].site) == ("shack", "skurvogne")
    assert (places["lykken"].location_type, places["lykken"].site) == ("partner_venue", "lykken")
    assert {p.location_type for p in spec.places} <= {"shack", "partner_venue", "street"}
    # A home visit is a location type, never a place on the list (an address is no place).
    assert "home" not in {p.location_type for p in spec.places}
    sources = [(e.key, e.source) for e in spec.activities]
    sources += [(e.key, e.source) for e in spec.items] + [(e.key, e.source) for e in spec.places]
    for key, source in sources:
        assert "seed 003" in source or "assumption" in source, key
    # Loaded: the places are the organisation's rows, the shacks at their site.
    shack = Place.objects.get(organisation=org_dk, key="skurvogne")
    assert shack.location_type == "shack" and shack.site is not None
    assert shack.site.slug == "skurvogne"


def test_the_clinical_activities_feed_health_as_seed_003_says():
    spec = read_pack(pack_path("sonderborg")).outreach
    assert spec is not None
    activities = {a.key: a for a in spec.activities}
    assert activities["wound-care"].health_kind == "wound_care"
    assert activities["clinical-assessment"].health_kind == "clinical_assessment"
    # Line 521: "Sundhed fx tandpleje og prævention".
    assert activities["dental-care"].health_kind == "dental_referral"
    assert activities["contraception"].health_kind == "contraception"
    assert activities["screening-offered"].screenings == ("hiv", "hepatitis_b", "hepatitis_c")
    assert {"home-visit", "escort", "network", "coordination", "event"} <= set(activities)


def test_the_pack_schema_names_only_kinds_health_knows():
    assert set(typing.get_args(HealthKindKey)) <= set(HealthContactKind.values)
    assert set(typing.get_args(ScreeningKindKey)) == set(ScreeningKind.values)


def test_a_screening_named_twice_in_an_activity_is_refused():
    from bedring.outreach.packs import ActivityIn

    with pytest.raises(ValueError, match="named twice"):
        ActivityIn.model_validate(
            {
                "key": "screening",
                "name": {"en": "Screening"},
                "screenings": ["hiv", "hiv"],
                "source": "assumption",
            }
        )


# --- screening offered on the street (HLT-1) ----------------------------------------------


def test_a_known_clients_answers_become_screenings_on_the_day_of_the_contact(
    org_dk, shacks, nurse, dk_client
):
    _record(
        org_dk,
        shacks,
        nurse,
        client=dk_client,
        activities=["screening-offered"],
        screenings={"hiv": "declined", "hepatitis_c": "sampled"},
        note="Offered at the shacks.",
    )
    screenings = {s.kind: s for s in Screening.objects.filter(client=dk_client)}
    assert set(screenings) == {"hiv", "hepatitis_c"}  # hepatitis B: offered, not answered
    hiv, hep_c = screenings["hiv"], screenings["hepatitis_c"]
    assert hiv.declined and hiv.tested_on is None and hiv.result == ""
    assert not hep_c.declined and hep_c.result == "pending"
    assert hiv.offered_on == hep_c.offered_on == hep_c.tested_on == TODAY
    assert hiv.recorded_by == nurse and hiv.note == "Offered at the shacks."


@pytest.mark.parametrize(
    ("change", "code"),
    [
        # The answer needs the activity that offers the screening.
        (
            {"activities": ["conversation"], "screenings": {"hiv": "declined"}},
            "screening_not_offered",
        ),
        # Tuberculosis is not offered on Sønderborg's streets.
        (
            {"activities": ["screening-offered"], "screenings": {"tuberculosis": "sampled"}},
            "screening_not_offered",
        ),
        (
            {"activities": ["screening-offered"], "screenings": {"hiv": "maybe"}},
            "screening_answer_invalid",
        ),
    ],
)
def test_an_answer_to_a_screening_not_offered_is_refused_and_nothing_is_written(
    org_dk, shacks, nurse, dk_client, change, code
):
    with pytest.raises(ValidationFailed) as refused:
        _record(org_dk, shacks, nurse, client=dk_client, **change)
    assert (refused.value.code, refused.value.field) == (code, "screenings")
    assert not OutreachContact.objects.filter(organisation=org_dk).exists()
    assert not Screening.objects.filter(client=dk_client).exists()


def test_an_anonymous_or_pseudonymous_contact_writes_no_health_record(org_dk, shacks, nurse):
    before = (HealthContact.objects.count(), Screening.objects.count())
    anonymous = _record(
        org_dk,
        shacks,
        nurse,
        activities=["wound-care", "clinical-assessment", "screening-offered"],
        screenings={"hiv": "sampled"},
    )
    coded = _record(
        org_dk,
        shacks,
        nurse,
        pseudonym_code="SKUR-7",
        pseudonym_consent=True,
        activities=["wound-care", "screening-offered"],
        screenings={"hepatitis_c": "declined"},
    )
    assert anonymous.client is None and coded.client is None
    assert (anonymous.location_type, coded.location_type) == ("shack", "shack")
    assert (HealthContact.objects.count(), Screening.objects.count()) == before


def test_a_contact_a_few_minutes_after_midnight_on_a_fast_phone_is_dated_today(
    org_dk, shacks, nurse, dk_client, frozen_clock
):
    """The phone's clock may run up to ten minutes fast: the health record keeps today."""
    zone = clock.zone(org_dk)
    frozen_clock.move_to(datetime.datetime.combine(TODAY, datetime.time(23, 57), tzinfo=zone))
    _record(
        org_dk,
        shacks,
        nurse,
        client=dk_client,
        at=datetime.datetime.combine(
            TODAY + datetime.timedelta(days=1), datetime.time(0, 2), tzinfo=zone
        ),
        activities=["wound-care"],
    )
    assert HealthContact.objects.get(client=dk_client).on == TODAY


# --- the shacks, end to end (HRM-5, HLT-3) -------------------------------------------------


def test_a_clinical_contact_at_the_shacks_shows_on_the_known_clients_health_page(
    org_dk, shacks, nurse, dk_client, counsellor
):
    """The street nurse records wound care, a clinical assessment and a screening offer at
    the shacks from her phone (the API the offline queue uses); the client's Health tab shows
    them to the counsellor."""
    http = HttpClient()
    response = http.post(
        "/api/v1/outreach/contacts",
        {
            "site": "skurvogne",
            "at": (NOW - datetime.timedelta(minutes=20)).isoformat(),
            "place": "skurvogne",
            "client": str(dk_client.uuid),
            "activities": ["wound-care", "clinical-assessment", "screening-offered"],
            "screenings": {"hepatitis_c": "sampled", "hiv": "declined"},
            "items_out": {"syringe": 5, "toothbrush": 1},
            "minutes": 25,
            "note": "Abscess on the left forearm cleaned and dressed.",
        },
        content_type="application/json",
        **api_headers(nurse),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["location_type"], body["place"], body["site"]) == (
        "shack",
        "skurvogne",
        "skurvogne",
    )
    assert {c.kind for c in HealthContact.objects.filter(client=dk_client)} == {
        "wound_care",
        "clinical_assessment",
    }
    page = login(HttpClient(), counsellor).get(f"/health/clients/{dk_client.uuid}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Wound care" in html
    assert "Clinical assessment" in html
    assert "Hepatitis C" in html and "HIV" in html
    assert "Abscess on the left forearm" in html


def test_the_outsider_cannot_record_a_contact_for_the_client(org_dk, dk_client, outsider):
    response = HttpClient().post(
        "/api/v1/outreach/contacts",
        {
            "organisation": str(org_dk.uuid),
            "site": "skurvogne",
            "at": NOW.isoformat(),
            "client": str(dk_client.uuid),
            "activities": ["wound-care"],
            "minutes": 5,
        },
        content_type="application/json",
        **api_headers(outsider),
    )
    assert response.status_code == 404
    assert not HealthContact.objects.filter(client=dk_client).exists()
    assert not OutreachContact.objects.filter(client=dk_client).exists()


def test_the_shacks_anonymous_tallies_still_count_beside_the_contacts(
    org_dk, shacks, nurse, make_staff
):
    """Visits to the shacks are counted anonymously (tally_only); a contact recorded there
    is a contact, not a tally, and neither changes the other."""
    offer = Offer.objects.get(organisation=org_dk, key="shacks", is_current=True)
    dropin = make_staff(org_dk, Role.DROPIN_WORKER)
    tally_record(
        organisation=org_dk,
        site=shacks,
        offer=offer,
        on=TODAY,
        count=7,
        age_band="30-49",
        actor=dropin,
    )
    _record(org_dk, shacks, nurse, activities=["clinical-assessment", "supplies"])
    month = tally_month(org_dk, TODAY)
    assert [(r.offer_key, r.total) for r in month.rows] == [("shacks", 7)]
    assert Tally.objects.filter(organisation=org_dk).count() == 1
    assert OutreachContact.objects.filter(organisation=org_dk, place__key="skurvogne").count() == 1


def test_the_outreach_section_is_loaded_for_sonderborg(org_dk):
    spec = outreach_spec(org_dk)
    assert spec is not None
    assert "screening-offered" in {a.key for a in spec.activities}
