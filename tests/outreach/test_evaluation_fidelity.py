"""HRM-10: the fidelity checklist's service: one row per site, quarter and element, changed in
place and audit-logged; editable from the quarter's first day to the end of the next one;
every refusal has its code and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from bedring.accounts.models import Site
from bedring.core.errors import ValidationFailed
from bedring.outreach import evaluation as ev
from bedring.outreach.models import FidelityCheck
from bedring.outreach.services.fidelity import FidelityTick, fidelity_save
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

QUARTER = ev.quarter_start(TODAY)


def save(org, site, actor, ticks, *, quarter=QUARTER, today=TODAY):
    return fidelity_save(
        organisation=org, site=site, quarter=quarter, ticks=ticks, actor=actor, today=today
    )


def test_ticks_are_stored_once_per_element_and_changed_in_place_with_the_change_log(
    org_outreach, odense, manager_outreach
):
    save(
        org_outreach,
        odense,
        manager_outreach,
        [
            FidelityTick("documented", True, "Every contact recorded."),
            FidelityTick("flexible-frame", False),
        ],
    )
    save(
        org_outreach,
        odense,
        manager_outreach,
        [FidelityTick("flexible-frame", True, " Agreed now. ")],
    )
    rows = {c.element: c for c in FidelityCheck.objects.filter(site=odense, quarter=QUARTER)}
    assert set(rows) == {"documented", "flexible-frame"}
    assert rows["documented"].met and rows["documented"].note == "Every contact recorded."
    assert rows["flexible-frame"].met and rows["flexible-frame"].note == "Agreed now."
    assert rows["flexible-frame"].checked_by == manager_outreach
    logged = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(FidelityCheck),
        object_pk=str(rows["flexible-frame"].pk),
    ).order_by("timestamp")
    assert [e.action for e in logged] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert logged.last().changes_dict["met"] == [False, True]


@pytest.mark.parametrize(
    ("ticks", "code"),
    [
        ([FidelityTick("documented", True), FidelityTick("made-up", True)], "unknown_element"),
        ([FidelityTick("documented", True), FidelityTick("documented", False)], "element_repeated"),
        ([FidelityTick("documented", True, "x" * 501)], "note_too_long"),
        ([], "ticks_required"),
    ],
)
def test_bad_ticks_are_refused_and_nothing_is_written(
    org_outreach, odense, manager_outreach, ticks, code
):
    with pytest.raises(ValidationFailed) as refused:
        save(org_outreach, odense, manager_outreach, ticks)
    assert refused.value.code == code
    assert not FidelityCheck.objects.filter(site=odense).exists()


def test_a_quarter_is_named_by_its_first_day_and_editable_until_the_next_one_ends(
    org_outreach, odense, manager_outreach
):
    tick = [FidelityTick("documented", True)]
    for quarter, code in (
        (QUARTER + datetime.timedelta(days=1), "quarter_invalid"),
        (ev.next_quarter(QUARTER), "quarter_not_started"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            save(org_outreach, odense, manager_outreach, tick, quarter=quarter)
        assert refused.value.code == code
    previous = ev.quarter_start(QUARTER - datetime.timedelta(days=1))
    before_that = ev.quarter_start(previous - datetime.timedelta(days=1))
    # The previous quarter is still open (the following one lasts); the one before is closed.
    save(org_outreach, odense, manager_outreach, tick, quarter=previous)
    with pytest.raises(ValidationFailed) as refused:
        save(org_outreach, odense, manager_outreach, tick, quarter=before_that)
    assert refused.value.code == "quarter_closed"
    # On the last day of the next quarter the quarter is still open, the day after closed.
    last = ev.fidelity_editable_until(QUARTER)
    save(org_outreach, odense, manager_outreach, tick, today=last)
    with pytest.raises(ValidationFailed) as refused:
        save(org_outreach, odense, manager_outreach, tick, today=last + datetime.timedelta(days=1))
    assert refused.value.code == "quarter_closed"
    assert FidelityCheck.objects.filter(site=odense).count() == 2


def test_a_site_of_another_organisation_and_an_organisation_without_elements_are_refused(
    org_outreach, org_dk, odense, manager_outreach
):
    tick = [FidelityTick("documented", True)]
    with pytest.raises(ValidationFailed) as refused:
        save(org_outreach, Site.objects.filter(organisation=org_dk).first(), manager_outreach, tick)
    assert refused.value.code == "unknown_site"
    with pytest.raises(ValidationFailed) as refused:
        save(org_dk, Site.objects.filter(organisation=org_dk).first(), manager_outreach, tick)
    assert refused.value.code == "no_fidelity_elements"
    assert not FidelityCheck.objects.exists()
