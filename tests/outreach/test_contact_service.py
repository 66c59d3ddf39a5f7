"""HRM-8: the street contact service: what it accepts, what it refuses, idempotent upload,
conflicts kept, health contacts for clinical work."""

from __future__ import annotations

import datetime
import uuid

import pytest

from bedring.accounts.models import Organisation, Site, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed
from bedring.health.models import HealthContact
from bedring.outreach.models import OutreachContact, Pseudonym
from bedring.outreach.services.contacts import Conflicts, contact_record

pytestmark = pytest.mark.django_db


def _record(org: Organisation, site: Site, user: User, **kw: object) -> OutreachContact:
    data: dict[str, object] = {
        "organisation": org,
        "actor": user,
        "site": site,
        "at": clock.now() - datetime.timedelta(minutes=5),
        "activities": ["conversation"],
        "minutes": 10,
        "location_type": "street",
    }
    data.update(kw)
    contact, _created = contact_record(**data)  # type: ignore[arg-type,unused-ignore]
    return contact


def test_a_known_client_with_items_and_wound_care_goes_to_health(
    org_outreach: Organisation, odense: Site, street_worker: User, outreach_client: Client
) -> None:
    contact = _record(
        org_outreach,
        odense,
        street_worker,
        client=outreach_client,
        activities=["wound-care", "supplies"],
        items_out={"syringe-1ml": 10, "swab": 0},
        items_back={"syringe-1ml": 7},
        place_key="odense-banegaard",
    )
    assert contact.items_out == {"syringe-1ml": 10}
    assert contact.items_back == {"syringe-1ml": 7}
    assert contact.place is not None and contact.place.key == "odense-banegaard"
    assert list(contact.staff.all()) == [street_worker]
    health = HealthContact.objects.get(client=outreach_client)
    assert health.kind == "wound_care"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"activities": []}, "activities_required"),
        ({"activities": ["dancing"]}, "unknown_activity"),
        ({"minutes": 0}, "minutes_invalid"),
        ({"items_out": {"bazooka": 1}}, "unknown_item"),
        ({"items_out": {"swab": -1}}, "item_count_invalid"),
        ({"items_back": {"swab": 3}}, "item_not_returnable"),
        ({"location_type": "moon"}, "location_type_invalid"),
        ({"place_key": "nowhere"}, "unknown_place"),
        ({"at": datetime.timedelta(hours=2)}, "at_in_future"),
        ({"at": -datetime.timedelta(days=61)}, "at_too_old"),
        ({"pseudonym_code": "NEW-1"}, "pseudonym_consent_required"),
        ({"staff": ["nobody-here"]}, "staff_not_here"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    change: dict[str, object],
    code: str,
) -> None:
    shift = change.get("at")
    if isinstance(shift, datetime.timedelta):
        # From the frozen clock, read inside the test: a moment taken at collection time
        # would be the machine's, not the suite's declared day.
        change = {**change, "at": clock.now() + shift}
    with pytest.raises(ValidationFailed) as caught:
        _record(org_outreach, odense, street_worker, **change)
    assert caught.value.code == code
    assert not OutreachContact.objects.filter(organisation=org_outreach).exists()
    assert not Pseudonym.objects.filter(organisation=org_outreach).exists()


def test_the_same_offline_id_is_stored_once(
    org_outreach: Organisation, odense: Site, street_worker: User
) -> None:
    offline_id = uuid.uuid4()
    first, created = contact_record(
        organisation=org_outreach,
        actor=street_worker,
        site=odense,
        at=clock.now(),
        activities=["conversation"],
        minutes=5,
        location_type="street",
        offline_id=offline_id,
    )
    again, created_again = contact_record(
        organisation=org_outreach,
        actor=street_worker,
        site=odense,
        at=clock.now(),
        activities=["conversation"],
        minutes=5,
        location_type="street",
        offline_id=offline_id,
    )
    assert created and not created_again
    assert first.pk == again.pk
    assert OutreachContact.objects.filter(offline_id=offline_id).count() == 1


def test_another_organisations_offline_id_is_refused(
    org_outreach: Organisation,
    odense: Site,
    street_worker: User,
    org_dk: Organisation,
    make_staff: object,
) -> None:
    offline_id = uuid.uuid4()
    _record(org_outreach, odense, street_worker, offline_id=offline_id)
    other_site = Site.objects.filter(organisation=org_dk).first()
    assert other_site is not None
    nurse = make_staff(org_dk, "street_nurse")  # type: ignore[operator]
    with pytest.raises(Conflict) as caught:
        _record(org_dk, other_site, nurse, offline_id=offline_id, activities=["conversation"])
    assert caught.value.code == "offline_id_taken"


def test_a_pseudonym_that_became_a_client_meanwhile_is_kept_as_a_conflict(
    org_outreach: Organisation, odense: Site, street_worker: User, outreach_client: Client
) -> None:
    _record(org_outreach, odense, street_worker, pseudonym_code="ab-77", pseudonym_consent=True)
    pseudonym = Pseudonym.objects.get(organisation=org_outreach, code="AB-77")
    pseudonym.client = outreach_client
    pseudonym.save()
    late = _record(
        org_outreach, odense, street_worker, pseudonym_code="AB-77", offline_id=uuid.uuid4()
    )
    assert late.client == outreach_client
    assert late.pseudonym == pseudonym
    assert late.conflict == Conflicts.BECAME_CLIENT
