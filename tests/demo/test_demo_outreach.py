"""The demo has weeks of street contacts for the two organisations that do outreach (the
outreach model in Odense and Aarhus, Sønderborg's street nurse): with known clients, with
codes and with nobody identified, items, and clinical work that reaches a known client's
Health tab; dated back from the clock, the same on every load, and a second load adds none
(HRM-3, HRM-5, HRM-8)."""

from __future__ import annotations

import datetime

from bedring.accounts.models import Organisation
from bedring.core import clock
from bedring.demo.demo_data import load_demo
from bedring.demo.outreach import DEMO_OUTREACH_WEEKS
from bedring.health.models import HealthContact, Screening
from bedring.outreach.models import OutreachContact, Pseudonym
from bedring.outreach.selectors import outreach_spec


def snapshot() -> list[tuple[object, ...]]:
    return list(
        OutreachContact.objects.order_by("organisation__slug", "at", "id").values_list(
            "organisation__slug", "at", "location_type", "place__key", "activities", "items_out"
        )
    )


def test_the_demo_has_weeks_of_street_contacts_for_the_outreach_organisations(db):
    load_demo(clients_per_organisation=3)
    # The organisations with street work (MSOC's section is its needle exchange only).
    outreach = [
        o
        for o in Organisation.objects.order_by("slug")
        if (spec := outreach_spec(o)) is not None and spec.places
    ]
    assert {o.slug for o in outreach} == {"sonderborg", "udgaaende-behandling"}
    now = clock.now()
    for organisation in outreach:
        contacts = OutreachContact.objects.filter(organisation=organisation)
        nurse = f"{organisation.slug}.street_nurse"
        assert contacts.count() >= DEMO_OUTREACH_WEEKS * 5, organisation.slug
        assert set(contacts.values_list("recorded_by__username", flat=True)) == {nurse}
        assert contacts.filter(client__isnull=False).exists()
        assert contacts.filter(pseudonym__isnull=False, client__isnull=True).exists()
        assert contacts.filter(pseudonym__isnull=True, client__isnull=True).exists()
        assert contacts.exclude(items_out={}).exists()
        assert Pseudonym.objects.filter(organisation=organisation).exists()
        ats = list(contacts.values_list("at", flat=True))
        assert all(
            now - datetime.timedelta(weeks=DEMO_OUTREACH_WEEKS, days=1) < at < now for at in ats
        )
        # Clinical work with a known client is on the client's Health tab.
        known = contacts.filter(client__isnull=False).values_list("client", flat=True)
        assert HealthContact.objects.filter(client__in=known, kind="wound_care").exists()
    # Sønderborg: the shacks, and a screening offered on the street and answered.
    sonderborg = OutreachContact.objects.filter(organisation__slug="sonderborg")
    assert sonderborg.filter(location_type="shack", place__key="skurvogne").exists()
    named = sonderborg.filter(client__isnull=False)
    assert any("screening-offered" in c.activities for c in named)
    assert Screening.objects.filter(client__organisation__slug="sonderborg", declined=True).exists()

    # The same load again adds nothing.
    before = snapshot()
    load_demo(clients_per_organisation=3)
    assert snapshot() == before
