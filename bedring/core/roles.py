"""Staff roles and what each may do. One table, read by every view and API route."""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    NURSE = "nurse", _("Nurse")
    DOCTOR = "doctor", _("Doctor")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    STREET_NURSE = "street_nurse", _("Street nurse")
    OCCUPATIONAL_THERAPIST = "occupational_therapist", _("Occupational therapist")
    MUSIC_THERAPIST = "music_therapist", _("Music therapist")
    CHILD_EXPERT = "child_expert", _("Child expert")
    DROPIN_WORKER = "dropin_worker", _("Drop-in worker")
    PEER_WORKER = "peer_worker", _("Peer worker")
    AUTHORITY = "authority", _("Authority caseworker")
    MANAGER = "manager", _("Manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class Perm(StrEnum):
    CLIENT_READ = "client_read"
    CLIENT_WRITE = "client_write"
    AUDIT_READ = "audit_read"
    ORG_SETTINGS = "org_settings"
    # DEC-1: the authority decides grant or refusal; a doctor decides on medical treatment.
    DECIDE = "decide"
    DECIDE_MEDICAL = "decide_medical"
    # MED-1: only a doctor prescribes (and signs travel certificates, MED-5).
    PRESCRIBE = "prescribe"
    # MED-2: nurses (and doctors) hand out doses at the dispensing desk.
    DISPENSE = "dispense"
    # MED-2: stock per site: received, wasted, returned, counted; the reconciliation report.
    STOCK = "stock"
    # DIS-3, DIS-4: the outcome figures with their drill-down, and the register exports.
    OUTCOMES = "outcomes"
    REGISTER_EXPORT = "register_export"
    # HRM-1..5, HRM-8, HRM-9: street contacts, the needle exchange and its stock. Anonymous
    # and pseudonymous work; a contact with a known client also needs client_write.
    HARM_REDUCTION = "harm_reduction"


# Clinical staff who work with named clients. Drop-in and peer workers work with anonymous
# tallies and groups and do not open records; the administrator runs the installation and
# sees no clinical data (least privilege, PRV-1).
CLINICAL = frozenset(
    {
        Role.COUNSELLOR,
        Role.NURSE,
        Role.DOCTOR,
        Role.PSYCHOLOGIST,
        Role.STREET_NURSE,
        Role.OCCUPATIONAL_THERAPIST,
        Role.MUSIC_THERAPIST,
        Role.CHILD_EXPERT,
    }
)

ROLE_PERMS: dict[str, frozenset[Perm]] = {
    **{r.value: frozenset({Perm.CLIENT_READ, Perm.CLIENT_WRITE}) for r in CLINICAL},
    Role.NURSE.value: frozenset({Perm.CLIENT_READ, Perm.CLIENT_WRITE, Perm.DISPENSE, Perm.STOCK}),
    Role.DOCTOR.value: frozenset(
        {
            Perm.CLIENT_READ,
            Perm.CLIENT_WRITE,
            Perm.DECIDE_MEDICAL,
            Perm.PRESCRIBE,
            Perm.DISPENSE,
            Perm.STOCK,
        }
    ),
    Role.AUTHORITY.value: frozenset({Perm.CLIENT_READ, Perm.CLIENT_WRITE, Perm.DECIDE}),
    Role.MANAGER.value: frozenset(
        {
            Perm.CLIENT_READ,
            Perm.CLIENT_WRITE,
            Perm.AUDIT_READ,
            Perm.ORG_SETTINGS,
            Perm.STOCK,
            Perm.OUTCOMES,
            Perm.REGISTER_EXPORT,
        }
    ),
    Role.ADMINISTRATOR.value: frozenset({Perm.ORG_SETTINGS}),
    Role.DROPIN_WORKER.value: frozenset(),
    Role.PEER_WORKER.value: frozenset(),
}
# HRM-1..5, HRM-8, HRM-9: street work and the needle exchange. Street nurses and the outreach
# model's outreach workers (counsellors, seed 001 "udgående behandlere"), nurses, drop-in and
# peer workers at the exchange and in the shacks, managers who run the network. Drop-in and
# peer workers still open no record: a contact with a known client needs client_write too.
for _role in (
    Role.STREET_NURSE,
    Role.COUNSELLOR,
    Role.NURSE,
    Role.DROPIN_WORKER,
    Role.PEER_WORKER,
    Role.MANAGER,
):
    ROLE_PERMS[_role.value] = ROLE_PERMS[_role.value] | {Perm.HARM_REDUCTION}


def perms_for_roles(roles: list[str] | tuple[str, ...]) -> frozenset[Perm]:
    granted: set[Perm] = set()
    for role in roles:
        granted |= ROLE_PERMS.get(role, frozenset())
    return frozenset(granted)


def roles_with(perm: Perm) -> frozenset[str]:
    return frozenset(role for role, perms in ROLE_PERMS.items() if perm in perms)
