"""MED-2: one dose per prescription and day is refused in one named place,
``_check_can_dispense``, before anything is written; the unique constraint on the
dispensings stays the backstop for two nurses at the same moment
(tests/medication/test_dispensing_race.py)."""

from __future__ import annotations

import pytest

from bedring.accounts.selectors import site_calendar
from bedring.core.errors import Conflict
from bedring.medication.models import DispensingKind
from bedring.medication.selectors import current_version
from bedring.medication.services import dispensing
from tests.medication.conftest import MONDAY, at


def check(prescription, nurse, desk_site, kind):
    return dispensing._check_can_dispense(
        prescription=prescription,
        version=current_version(prescription),
        site=desk_site,
        calendar=site_calendar(desk_site),
        at=at(MONDAY, 10),
        actor=nurse,
        kind=kind,
    )


def test_the_check_refuses_the_days_second_dose(dk_client, prescribe, nurse, desk_site):
    prescription = prescribe(dk_client)
    assert check(prescription, nurse, desk_site, DispensingKind.SUPERVISED) == MONDAY
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9))
    with pytest.raises(Conflict) as refused:
        check(prescription, nurse, desk_site, DispensingKind.SUPERVISED)
    assert refused.value.code == "already_dispensed"
    assert refused.value.details == {"day": MONDAY.isoformat()}


def test_an_exception_dose_after_the_days_dose_passes_the_check(
    dk_client, prescribe, nurse, desk_site
):
    """The second dose of a day as an exception (with its reason) is the one way past it."""
    prescription = prescribe(dk_client)
    dispensing.dispense(prescription=prescription, actor=nurse, site=desk_site, at=at(MONDAY, 9))
    assert check(prescription, nurse, desk_site, DispensingKind.EXCEPTION) == MONDAY
