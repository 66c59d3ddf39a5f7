"""Two staff members enrol the last place of a course at the same moment: exactly one gets
it (SCH-1; STYLE.md: concurrency is designed, not hoped for).

Each thread has its own database connection (Django's connections are per thread) and the
two start together at a barrier. On PostgreSQL the course row lock makes the second wait
until the first has committed, and it then counts the place as taken (without the lock both
are enrolled: the test was seen to fail so). SQLite serialises writers (BEGIN IMMEDIATE,
settings.py) with the same outcome. Its test database, though, is an in-memory database in
shared-cache mode, where the second writer is told "table is locked" at once instead of
waiting as the busy timeout makes it wait on a database file; there the attempt is made
again after the other has finished, which is what the busy timeout does.
"""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from bedring.catalogue.models import Enrolment, EnrolmentStatus
from bedring.catalogue.services.enrolments import enrol
from bedring.core.errors import DomainError
from bedring.core.roles import Role
from bedring.rules.loader import load_pack
from tests.catalogue.test_courses_world import course, person, staff

# The 2026-27 calendar of the course scenarios (tests/catalogue/conftest.py).
pytestmark = pytest.mark.usefixtures("on_the_scenario_day")


@pytest.mark.django_db(transaction=True)
def test_two_staff_enrolling_the_last_place_at_once_exactly_one_succeeds():
    organisation = load_pack("sonderborg")
    first, second = staff(organisation, Role.COUNSELLOR), staff(organisation, Role.MANAGER)
    # The relatives course needs no authorisation: only the place is contested.
    planned = course(
        organisation, "relatives-course", datetime.date(2027, 3, 18), actor=first, capacity=2
    )
    enrol(client=person(organisation), actor=first, course=planned)  # one place left
    clients = [person(organisation), person(organisation)]
    barrier = threading.Barrier(2)
    outcomes: dict[int, Any] = {}

    sqlite = connection.vendor == "sqlite"

    def attempt(number: int) -> None:
        try:
            barrier.wait(timeout=10)
            for _try in range(200):
                try:
                    enrol(client=clients[number], actor=(first, second)[number], course=planned)
                except OperationalError as exc:
                    if not (sqlite and "locked" in str(exc)):
                        raise
                    time.sleep(0.01)  # the shared in-memory test database does not wait
                else:
                    break
            else:
                raise AssertionError("the database stayed locked")
            outcomes[number] = "enrolled"
        except DomainError as exc:
            outcomes[number] = exc.code
        except Exception as exc:  # reported by the assertion below
            outcomes[number] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["course_full", "enrolled"], outcomes
    active = Enrolment.objects.filter(course=planned, status=EnrolmentStatus.ACTIVE)
    assert active.count() == 2
    winner = next(n for n, outcome in outcomes.items() if outcome == "enrolled")
    assert active.filter(client=clients[winner]).exists()
