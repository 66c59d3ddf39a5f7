"""Anonymous tallies (INT-3, INT-4, HRM-5, PRV-4): counts without a person, only for offers
the catalogue marks as counted; every refusal writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bedring.accounts.models import Organisation, Site, User
from bedring.catalogue.models import Offer, Tally
from bedring.catalogue.services.tallies import tally_month, tally_record
from bedring.core.errors import NotFound, ValidationFailed
from bedring.core.roles import Role
from tests.conftest import api_headers

from .test_attendance_world import days_ahead, offer

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def dropin(org_dk, make_staff):
    return make_staff(org_dk, Role.DROPIN_WORKER)


@pytest.fixture
def count(org_dk, dropin):
    def record(offer_key="youth-counselling", **kwargs):
        data = {
            "organisation": org_dk,
            "site": org_dk.sites.get(slug="kongevej"),
            "offer": offer(org_dk, offer_key),
            "on": DAY,
            "count": 3,
            "age_band": "15-17",
            "actor": dropin,
        }
        data.update(kwargs)
        return tally_record(**data)

    return record


def test_a_tally_has_no_place_for_a_person():
    """INT-3: nothing personal is recorded: a tally relates only to the organisation, a
    site, an offer and the staff member who counted."""
    related = {f.related_model for f in Tally._meta.get_fields() if f.is_relation}
    assert related == {Organisation, Site, Offer, User}
    text_fields = {
        f.name for f in Tally._meta.get_fields() if f.get_internal_type() in ("CharField",)
    }
    assert text_fields == {"age_band"}


def test_a_count_is_recorded_for_a_tally_only_offer(count, dropin):
    """INT-3, INT-4, HRM-5: youth counselling, school outreach and the shacks are counted."""
    # Each in a band its age limit admits: the shacks are 18+, Lykken 23+ (seed 003 line 55).
    bands = {"youth-counselling": "15-17", "mindrerus": "15-17", "shacks": "18-23"}
    for key in ("youth-counselling", "mindrerus", "shacks", "lykken"):
        band = bands.get(key, "24-29")
        tally = count(key, age_band=band)
        assert (tally.on, tally.count, tally.age_band) == (DAY, 3, band)
        assert tally.recorded_by == dropin
    assert Tally.objects.count() == 4


@pytest.mark.parametrize("key", ["intro-group", "open-counselling", "street-nurse"])
def test_an_offer_that_keeps_records_takes_no_tally(count, key):
    """PRV-4: offers that open a record (even an anonymous one) are not tallied, or the same
    people would be counted twice."""
    with pytest.raises(ValidationFailed) as refused:
        count(key)
    assert refused.value.code == "offer_not_tallied"
    assert not Tally.objects.exists()


@pytest.mark.parametrize("bad", [0, -1, 501, 10_000])
def test_a_count_outside_1_to_500_is_refused(count, bad):
    with pytest.raises(ValidationFailed) as refused:
        count(count=bad)
    assert refused.value.code == "bad_count"
    assert not Tally.objects.exists()


def test_the_day_may_be_today_but_not_tomorrow(count, org_dk):
    count(on=days_ahead(org_dk, 0))
    with pytest.raises(ValidationFailed) as refused:
        count(on=days_ahead(org_dk, 1))
    assert refused.value.code == "tally_in_future"
    assert Tally.objects.count() == 1


def test_an_unknown_age_band_is_refused(count):
    with pytest.raises(ValidationFailed) as refused:
        count(age_band="12-14")
    assert refused.value.code == "bad_age_band"
    assert not Tally.objects.exists()


def test_parents_in_youth_counselling_are_counted_in_their_own_band(count):
    """INT-3: parents are counselled too, and counted under the same offer."""
    assert count(age_band="30-49").age_band == "30-49"


def test_a_site_of_another_organisation_is_refused(count, org_no):
    with pytest.raises(NotFound):
        count(site=org_no.sites.first())
    assert not Tally.objects.exists()


def test_the_month_is_summed_by_offer_and_age_band(count, org_dk):
    count(count=2, age_band="15-17")
    count(count=5, age_band="15-17")
    count(count=1, age_band="18-23")
    count("shacks", count=4, age_band="unknown")
    count(count=9, on=DAY.replace(month=10))  # another month

    month = tally_month(org_dk, DAY)

    bands = [value for value, _label in month.bands]
    rows = {row.offer_key: dict(zip(bands, row.by_band, strict=True)) for row in month.rows}
    assert rows["youth-counselling"]["15-17"] == 7
    assert rows["youth-counselling"]["18-23"] == 1
    assert rows["shacks"]["unknown"] == 4
    assert month.total == 12
    assert len(month.entries) == 4


# --- the page ------------------------------------------------------------------------------


def test_a_dropin_worker_records_a_count_on_the_page(as_user, dropin, org_dk):
    """HRM-5: drop-in workers open no records, and they are the ones who count."""
    http = as_user(dropin)
    url = reverse("catalogue:tallies")
    page = http.get(url)
    assert page.status_code == 200
    response = http.post(
        url,
        {
            "on": DAY.isoformat(),
            "site": str(org_dk.sites.get(slug="skurvogne").uuid),
            "offer": str(offer(org_dk, "shacks").uuid),
            "age_band": "24-29",
            "count": "6",
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?month=2026-11")
    page = http.get(response["Location"])
    assert b'data-testid="tally-shacks"' in page.content
    assert Tally.objects.get().count == 6


def test_a_refused_count_on_the_page_writes_nothing(as_user, dropin, org_dk):
    http = as_user(dropin)
    response = http.post(
        reverse("catalogue:tallies"),
        {
            "on": days_ahead(org_dk, 3).isoformat(),
            "site": str(org_dk.sites.first().uuid),
            "offer": str(offer(org_dk, "shacks").uuid),
            "age_band": "unknown",
            "count": "2",
        },
    )
    assert response.status_code == 422
    assert not Tally.objects.exists()


def test_a_person_bearing_offer_is_not_even_offered_on_the_page(as_user, dropin, org_dk):
    http = as_user(dropin)
    response = http.post(
        reverse("catalogue:tallies"),
        {
            "on": DAY.isoformat(),
            "site": str(org_dk.sites.first().uuid),
            "offer": str(offer(org_dk, "intro-group").uuid),
            "age_band": "unknown",
            "count": "2",
        },
    )
    assert response.status_code == 422
    assert not Tally.objects.exists()


def test_the_outsider_sees_only_their_own_organisations_counts(as_user, outsider, count):
    count("shacks", age_band="18-23")
    page = as_user(outsider).get(reverse("catalogue:tallies") + "?month=2026-11")
    assert page.status_code == 200
    assert b"tally-shacks" not in page.content


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("catalogue:tallies"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_issues_a_bounded_number_of_queries(as_user, dropin, count):
    http = as_user(dropin)
    url = reverse("catalogue:tallies") + "?month=2026-11"
    count()
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for _ in range(20):
        count("shacks", age_band="18-23")
        count(age_band="18-23")
    with CaptureQueriesContext(connection) as many:
        http.get(url)
    assert len(many) == len(few)


# --- the API -------------------------------------------------------------------------------


def test_the_api_records_and_lists_counts(client, dropin, org_dk):
    headers = api_headers(dropin)
    body = {
        "site": str(org_dk.sites.get(slug="lykken").uuid),
        "offer": str(offer(org_dk, "lykken").uuid),
        "on": DAY.isoformat(),
        "count": 11,
        "age_band": "30-49",
    }
    created = client.post("/api/v1/tallies", body, content_type="application/json", **headers)
    assert created.status_code == 201, created.content
    assert created.json()["offer_key"] == "lykken"

    listed = client.get("/api/v1/tallies?month=2026-11", **headers)
    assert listed.status_code == 200
    data = listed.json()
    assert data["total"] == 11
    assert data["rows"][0]["by_age_band"]["30-49"] == 11


def test_the_api_refuses_with_the_services_codes(client, dropin, org_dk):
    headers = api_headers(dropin)
    base = {
        "site": str(org_dk.sites.first().uuid),
        "offer": str(offer(org_dk, "intro-group").uuid),
        "on": DAY.isoformat(),
        "count": 2,
    }
    refused = client.post("/api/v1/tallies", base, content_type="application/json", **headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "offer_not_tallied"
    too_many = {**base, "offer": str(offer(org_dk, "shacks").uuid), "count": 501}
    refused = client.post("/api/v1/tallies", too_many, content_type="application/json", **headers)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_input"
    assert not Tally.objects.exists()


def test_the_outsider_cannot_count_for_another_organisation(client, outsider, org_dk):
    body = {
        "site": str(org_dk.sites.first().uuid),
        "offer": str(offer(org_dk, "shacks").uuid),
        "on": DAY.isoformat(),
        "count": 2,
    }
    response = client.post(
        "/api/v1/tallies", body, content_type="application/json", **api_headers(outsider)
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not Tally.objects.exists()
