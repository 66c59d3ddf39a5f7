"""PRV-1: role permissions are one shared table (bedring.core.roles) that an
organisation's pack may extend or narrow per role. Sandnes' counsellors hand out LAR
medication (seed 004, line 84: "har ansvar for utdeling av LAR-medikamenter"); Sønderborg's
do not. An unknown role or permission in a pack is an error naming it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from bedring.accounts.models import Membership
from bedring.core.errors import Forbidden
from bedring.core.roles import Perm, Role
from bedring.medication.models import Medicine
from bedring.medication.services import dispensing, prescribing
from bedring.rules.packs import RulePackError, merged_pack
from tests.conftest import api_headers, login

OSLO = ZoneInfo("Europe/Oslo")
MONDAY = datetime.date(2026, 11, 23)


def test_a_sandnes_counsellor_may_dispense_and_nothing_more(org_no, make_staff):
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    membership = Membership.objects.get(user=counsellor, organisation=org_no)
    assert membership.has(Perm.DISPENSE)
    assert not membership.has(Perm.STOCK)
    assert not membership.has(Perm.PRESCRIBE)
    nurse = Membership.objects.get(user=make_staff(org_no, Role.NURSE), organisation=org_no)
    assert nurse.perms == {
        Perm.CLIENT_READ,
        Perm.CLIENT_WRITE,
        Perm.DISPENSE,
        Perm.STOCK,
        Perm.HARM_REDUCTION,
    }


def test_a_sonderborg_counsellor_still_may_not_dispense(org_dk, make_staff):
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    membership = Membership.objects.get(user=counsellor, organisation=org_dk)
    assert not membership.has(Perm.DISPENSE)
    http = login(HttpClient(), counsellor)
    assert http.get(reverse("medication:desk_index")).status_code == 403
    site = org_dk.sites.get(slug="kongevej")
    response = HttpClient().get(f"/api/v1/sites/{site.uuid}/desk", **api_headers(counsellor))
    assert response.status_code == 403


def test_a_sandnes_counsellor_hands_out_a_lar_dose(org_no, make_staff, make_client):
    """MED-2: the service, the desk page (@staff_view) and the API all honour the grant."""
    site = org_no.sites.get(slug="mo-senteret")
    doctor = make_staff(org_no, Role.DOCTOR)
    counsellor = make_staff(org_no, Role.COUNSELLOR)
    prescription = prescribing.prescription_create(
        client=make_client(org_no),
        actor=doctor,
        medicine=Medicine.objects.get(key="methadone-oral-solution"),
        terms=prescribing.PrescriptionTerms(
            site=site,
            daily_dose=Decimal("60"),
            starts_on=MONDAY,
            ends_on=None,
            supervised_weekdays=(0, 1, 2, 3, 4),
            take_home_weekdays=(5, 6),
            pickup_interval_days=3,
        ),
        today=MONDAY,
    )
    dose = dispensing.dispense(
        prescription=prescription,
        actor=counsellor,
        site=site,
        at=datetime.datetime.combine(MONDAY, datetime.time(9, 30), tzinfo=OSLO),
    )
    assert (dose.day, dose.quantity) == (MONDAY, Decimal("60"))
    http = login(HttpClient(), counsellor)
    assert http.get(reverse("medication:desk", kwargs={"site_uuid": site.uuid})).status_code == 200
    response = HttpClient().get(f"/api/v1/sites/{site.uuid}/desk", **api_headers(counsellor))
    assert response.status_code == 200, response.content
    # A Sandnes peer worker was granted nothing.
    peer = make_staff(org_no, Role.PEER_WORKER)
    with pytest.raises(Forbidden):
        dispensing.dispense(
            prescription=prescription,
            actor=peer,
            site=site,
            at=datetime.datetime.combine(MONDAY, datetime.time(9, 45), tzinfo=OSLO),
        )


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"role_grants": {"councellor": ["dispense"]}}, "unknown role 'councellor'"),
        ({"role_grants": {"counsellor": ["dispence"]}}, "unknown permission 'dispence'"),
        ({"role_revokes": {"nurse": ["stok"]}}, "unknown permission 'stok'"),
    ],
)
def test_an_unknown_role_or_permission_in_a_pack_is_an_error_naming_it(overrides, named):
    with pytest.raises(RulePackError) as exc:
        merged_pack("NO", overrides)
    assert named in str(exc.value)


def test_a_pack_may_take_a_permission_from_a_role():
    rules = merged_pack("DK", {"role_revokes": {"nurse": ["stock"]}})
    assert Perm.STOCK not in rules.role_perms(["nurse"])
    assert Perm.STOCK in rules.role_perms(["nurse", "doctor"])
