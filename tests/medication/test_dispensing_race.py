"""Two nurses record the same dose at the same moment: exactly one succeeds, the other gets
a clear refusal (MED-2; STYLE.md: concurrency is designed, not hoped for).

Two threads, each with its own database connection, post the same dose to the API at a
barrier. On PostgreSQL the prescription row lock makes the second request wait until the
first has committed; it then finds the dose and answers 409 ``already_dispensed``. Without
the lock the unique constraint ``dispensing_one_per_day`` gives the same answer. SQLite
serialises writers; its shared in-memory test database answers "table is locked" at once
instead of waiting, so there a locked attempt is made again, as the busy timeout would (and
a request locked after its dose was committed is refused on its second try: the count of
doses is what that run can show).
"""

from __future__ import annotations

import json
import threading
import time
from decimal import Decimal
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from django.test import Client as HttpClient

from bedring.core import clock
from bedring.core.roles import Role
from bedring.medication.models import Dispensing, Medicine, StockMovement
from bedring.medication.services import prescribing as services
from bedring.rules.loader import load_pack
from tests.conftest import api_headers
from tests.medication.conftest import open_all_day


@pytest.mark.django_db(transaction=True)
def test_two_nurses_recording_the_same_dose_at_once_exactly_one_succeeds(make_staff, make_client):
    organisation = load_pack("sonderborg")
    site = open_all_day(organisation.sites.get(slug="kongevej"))
    doctor = make_staff(organisation, Role.DOCTOR)
    nurses = [make_staff(organisation, Role.NURSE), make_staff(organisation, Role.NURSE)]
    today = clock.today(organisation)
    prescription = services.prescription_create(
        client=make_client(organisation),
        actor=doctor,
        medicine=Medicine.objects.get(key="methadone-oral-solution"),
        terms=services.PrescriptionTerms(
            site=site,
            daily_dose=Decimal("80"),
            starts_on=today,
            ends_on=None,
            supervised_weekdays=(0, 1, 2, 3, 4, 5, 6),
        ),
        today=today,
    )
    headers = [api_headers(nurse) for nurse in nurses]
    url = f"/api/v1/prescriptions/{prescription.uuid}/dispensings"
    body = json.dumps({"site": str(site.uuid), "kind": "supervised"})
    barrier = threading.Barrier(2)
    outcomes: dict[int, Any] = {}
    retried: set[int] = set()
    sqlite = connection.vendor == "sqlite"

    def attempt(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            for _try in range(200):
                try:
                    response = HttpClient().post(
                        url, body, content_type="application/json", **headers[number]
                    )
                except OperationalError as exc:
                    if not (sqlite and "locked" in str(exc)):
                        raise
                    retried.add(number)
                    time.sleep(0.01)  # the shared in-memory test database does not wait
                    continue
                outcomes[number] = (response.status_code, response.json().get("code", "ok"))
                break
            else:
                raise AssertionError("the database stayed locked")
        except Exception as exc:  # reported by the assertion below
            outcomes[number] = ("error", repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert Dispensing.objects.filter(prescription=prescription).count() == 1
    if retried:
        # SQLite only: a request told "locked" on a read after its dose was committed is
        # sent again and then, rightly, refused. Still one dose, never two.
        assert sqlite
        assert set(outcomes.values()) <= {(201, "ok"), (409, "already_dispensed")}, outcomes
    else:
        assert sorted(outcomes.values()) == [(201, "ok"), (409, "already_dispensed")], outcomes
    assert Dispensing.objects.filter(prescription=prescription).count() == 1
    assert StockMovement.objects.filter(dispensing__prescription=prescription).count() == 1
