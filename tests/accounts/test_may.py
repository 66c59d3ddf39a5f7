"""One spelling of "may this user do X": ``may`` for services, the ``*_where`` helpers for a
request's Staff, ``users_who_may`` for choosing a colleague."""

from __future__ import annotations

from bedring.accounts.access import (
    load_staff,
    may,
    memberships_where,
    organisations_where,
    users_who_may,
)
from bedring.accounts.models import Membership
from bedring.core.roles import Perm, Role


def test_may_follows_the_role_in_that_organisation(org_dk, org_no, make_staff):
    doctor = make_staff(org_dk, Role.DOCTOR)
    peer = make_staff(org_dk, Role.PEER_WORKER)
    assert may(doctor, Perm.PRESCRIBE, org_dk.pk)
    assert not may(peer, Perm.PRESCRIBE, org_dk.pk)  # not in the role
    assert not may(doctor, Perm.PRESCRIBE, org_no.pk)  # no membership there


def test_may_refuses_an_ended_membership_and_a_deactivated_user(org_dk, make_staff):
    ended = make_staff(org_dk, Role.COUNSELLOR)
    Membership.objects.filter(user=ended).update(is_active=False)
    gone = make_staff(org_dk, Role.COUNSELLOR)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert not may(ended, Perm.CLIENT_READ, org_dk.pk)
    assert not may(gone, Perm.CLIENT_READ, org_dk.pk)


def test_where_helpers_list_only_organisations_that_grant_the_permission(
    org_dk, org_no, make_staff
):
    user = make_staff(org_dk, Role.COUNSELLOR)
    Membership.objects.create(user=user, organisation=org_no, roles=[Role.PEER_WORKER])
    staff = load_staff(user, org_dk.pk)
    assert organisations_where(staff, Perm.CLIENT_READ) == [org_dk]
    assert [m.organisation_id for m in memberships_where(staff, Perm.CLIENT_READ)] == [org_dk.pk]
    assert organisations_where(staff, Perm.PRESCRIBE) == []


def test_users_who_may_leaves_out_roles_without_it_and_deactivated_staff(org_dk, make_staff):
    counsellor = make_staff(org_dk, Role.COUNSELLOR)
    peer = make_staff(org_dk, Role.PEER_WORKER)
    gone = make_staff(org_dk, Role.COUNSELLOR)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    chosen = users_who_may(org_dk.pk, Perm.CLIENT_READ)
    assert counsellor in chosen
    assert peer not in chosen
    assert gone not in chosen
