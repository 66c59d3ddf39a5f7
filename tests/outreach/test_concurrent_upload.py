"""HRM-8: a phone that sends the same contact twice at once (a retry while the first upload is
still on its way) stores it once, and neither request fails. Two threads, two database
connections, on PostgreSQL, where requests really run side by side (SQLite writes one
transaction at a time, so the race cannot happen there)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import connection, connections

from bedring.core import clock
from bedring.core.roles import Role
from bedring.outreach.models import OutreachContact
from bedring.outreach.services.contacts import contact_record
from tests.conftest import shipped_organisation, staff_maker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL (CI runs it)"
)
def test_the_same_contact_sent_twice_at_once_is_stored_once() -> None:
    org = shipped_organisation("outreach-dk")
    site = org.sites.get(slug="odense")
    nurse = staff_maker()(org, Role.STREET_NURSE)
    offline_id = uuid.uuid4()
    start = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        try:
            start.wait()
            contact, created = contact_record(
                organisation=org,
                actor=nurse,
                site=site,
                at=clock.now(),
                activities=["conversation"],
                minutes=5,
                location_type="street",
                pseudonym_code="TWICE-1",
                pseudonym_consent=True,
                offline_id=offline_id,
            )
            answers.append((contact.pk, created))
        except Exception as exc:  # the test reports what failed
            answers.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [a for a in answers if isinstance(a, Exception)], answers
    assert sorted(created for _pk, created in answers) == [False, True]
    assert len({pk for pk, _created in answers}) == 1
    assert OutreachContact.objects.filter(offline_id=offline_id).count() == 1
