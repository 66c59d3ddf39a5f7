"""One client's record as a FHIR R5 Bundle (``fhir.resources``), for another system to read.

The bundle is a ``collection``: a set of resources about one patient, not a search result and
not a signed document. Every entry's ``fullUrl`` is ``urn:uuid:`` plus the public UUID of the
Bedring record it comes from (the resource ``id`` is the same UUID), and the entries point to
one another with those URNs: Patient <- EpisodeOfCare <- CarePlan -> Goal,
MedicationRequest <- MedicationAdministration / MedicationDispense, Observation (a panel per
urine test with one member per substance), Immunization, Consent.

What is exported and how:

- **Patient**: the national identifier with its system (DK CPR, NO fødselsnummer or
  D-number, BE INSZ/NISS), name, sex, birth date, phone, e-mail, address, letter language.
  An anonymous client has none of these but the sex and the birth *year*.
- **EpisodeOfCare** per episode of the organisation; the state is mapped by
  ``EPISODE_STATUS``; a discharge (DIS-1) makes it ``finished`` whatever the state says.
- **CarePlan** per current plan version, with a **Goal** per SMART goal.
- **MedicationRequest** per prescription (its current version: dose, weekdays at the desk and
  at home, ATC code); **MedicationAdministration** per supervised intake and
  **MedicationDispense** per take-home handover or exception dose, for the doses handed out
  in the last ``selectors.DOSE_WINDOW_DAYS`` days.
- **Observation** per urine test (a panel) and per substance group tested (its member);
  substances are text codes: Bedring's substance groups are not one-to-one with LOINC tests.
- **Immunization** per vaccination dose, **Consent** per consent to share.
- **DocumentReference** per signed version of each journal note (JRN-1) the requester may
  read (JRN-2: a restricted note only for the roles that read it, labelled ``R``
  restricted): the text as a plain-text attachment, the author as attester, the contact
  time as the period; a correction ``replaces`` the version before it, which is
  ``superseded``. Drafts are not exported.

Codes are only used where they are certain (ATC for medicines and vaccines, SNOMED CT
positive/negative, HL7 terminology); everything else is a CodeableConcept with text only.
Texts are in the language active for the request.
"""

from __future__ import annotations

import base64
import datetime
import uuid as uuid_lib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from fhir.resources.bundle import Bundle

from bedring.accounts.models import User
from bedring.clients.models import Client, Consent, ConsentGiver, ConsentParty
from bedring.core import clock
from bedring.core.errors import Conflict
from bedring.health.models import Vaccination, VaccinationSchedule
from bedring.health.schedules import vaccination_schedules
from bedring.journal.models import ContactType, Note
from bedring.medication.models import (
    Delivery,
    Dispensing,
    DispensingKind,
    Effect,
    ExceptionReason,
    Medicine,
    Prescription,
    PrescriptionVersion,
    SubstanceGroup,
    TestResult,
    UrineTest,
)
from bedring.medication.selectors import current_version
from bedring.pathway.models import Discharge, Episode, Goal, Plan
from bedring.pathway.models.discharge import GoalOutcome
from bedring.pathway.models.plan import Aim
from bedring.pathway.states import OPEN_STATES, EpisodeState

from .selectors import ClientRecord

# The media type with the FHIR version parameter (R5 is 5.0).
MEDIA_TYPE = "application/fhir+json; fhirVersion=5.0"

# Bedring's identifier kinds and the systems other systems know them by.
IDENTIFIER_SYSTEMS = {
    "dk_cpr": "urn:oid:1.2.208.176.1.2",
    "no_fnr": "urn:oid:2.16.578.1.12.4.1.4.1",
    "no_dnr": "urn:oid:2.16.578.1.12.4.1.4.2",
    "be_nn": "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/ssin",
}
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
BCP47 = "urn:ietf:bcp:47"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
GOAL_ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ATTESTATION_MODE = "http://hl7.org/fhir/composition-attestation-mode"
DOCUMENT_RELATIONSHIP = "http://hl7.org/fhir/document-relationship-type"
# Derives the ids of one urine test's per-substance Observations from the test's UUID.
URINE_SUBSTANCE_NAMESPACE = uuid_lib.UUID("6f1c2e0a-5b7d-4c1e-9a3f-2d8b7e4c9a10")

# EpisodeOfCare.status (R5 episode-of-care-status) for each episode state. Waiting for the
# assessment or for the start of treatment is the FHIR "waitlist"; the assessment itself
# and treatment are "active"; a withdrawal before treatment is "cancelled".
EPISODE_STATUS = {
    EpisodeState.INQUIRY: "waitlist",
    EpisodeState.ASSESSMENT: "active",
    EpisodeState.DECIDED: "waitlist",
    EpisodeState.ACTIVE: "active",
    EpisodeState.DISCHARGED: "finished",
    EpisodeState.WITHDRAWN: "cancelled",
}
PRESCRIPTION_STATUS = {"active": "active", "on_hold": "on-hold", "ended": "ended"}
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UCUM_UNITS = {"mg": "mg", "ml": "mL", "g": "g", "microgram": "ug", "µg": "ug", "mcg": "ug"}
# SNOMED CT qualifier values 10828004 |Positive| and 260385009 |Negative|.
URINE_VALUES = {
    TestResult.POSITIVE: ("10828004", "Positive"),
    TestResult.NEGATIVE: ("260385009", "Negative"),
}
# ATC codes of the hepatitis vaccines (J07BC).
VACCINE_ATC = {"hepatitis_b": "J07BC01", "hepatitis_a": "J07BC02", "hepatitis_ab": "J07BC20"}
GOAL_ACHIEVED: dict[str, str] = {
    GoalOutcome.REACHED: "achieved",
    GoalOutcome.NOT_REACHED: "not-achieved",
}

Resource = dict[str, Any]


def urn(public_uuid: uuid_lib.UUID) -> str:
    return f"urn:uuid:{public_uuid}"


def ref(public_uuid: uuid_lib.UUID) -> dict[str, str]:
    return {"reference": urn(public_uuid)}


def text(value: object) -> dict[str, str]:
    return {"text": str(value)}


def person(user: User | None) -> dict[str, str] | None:
    if user is None:
        return None
    return {"display": user.get_full_name() or user.username}


def _compact(resource: Resource) -> Resource:
    """Leave out empty elements (FHIR has no empty strings, lists or objects)."""
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}


def _entry(public_uuid: uuid_lib.UUID, resource_type: str, resource: Resource) -> Resource:
    body = {"resourceType": resource_type, "id": str(public_uuid), **_compact(resource)}
    return {"fullUrl": urn(public_uuid), "resource": body}


def _quantity(value: Decimal, unit: str) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value, "unit": unit}
    code = UCUM_UNITS.get(unit.lower())
    if code:
        quantity.update(system=UCUM, code=code)
    return quantity


def _days(count: int) -> dict[str, Any]:
    return {"value": count, "unit": _("days"), "system": UCUM, "code": "d"}


def _local_date(moment: datetime.datetime, zone: ZoneInfo) -> str:
    return timezone.localtime(moment, zone).date().isoformat()


def _notes(*values: str) -> list[dict[str, str]]:
    return [{"text": value} for value in values if value]


# --- Patient ---------------------------------------------------------------------------------


def patient(client: Client) -> Resource:
    resource: Resource = {
        "active": client.archived_at is None,
        "gender": client.sex,
        "managingOrganization": {"display": client.organisation.name},
    }
    if client.anonymous:
        # No identifier, name or contact details; the birth year only (the age matters
        # for treatment, the date would help to recognise the person).
        if client.birth_date is not None:
            resource["birthDate"] = f"{client.birth_date.year:04d}"
        return _entry(client.uuid, "Patient", resource)
    system = IDENTIFIER_SYSTEMS.get(client.identifier_kind)
    if system and client.national_id:
        resource["identifier"] = [
            {
                "use": "official",
                "system": system,
                "value": client.national_id,
                "type": text(client.get_identifier_kind_display()),
            }
        ]
    name = _compact(
        {
            "text": client.display_name,
            "family": client.last_name,
            "given": [client.first_name] if client.first_name else [],
        }
    )
    resource["name"] = [name]
    if client.birth_date is not None:
        resource["birthDate"] = client.birth_date.isoformat()
    resource["telecom"] = [
        {"system": system_, "value": value}
        for system_, value in (("phone", client.phone), ("email", client.email))
        if value
    ]
    if client.address or client.postal_code or client.city:
        resource["address"] = [
            _compact(
                {
                    "line": [client.address] if client.address else [],
                    "postalCode": client.postal_code,
                    "city": client.city,
                }
            )
        ]
    if client.language:
        resource["communication"] = [
            {
                "language": {
                    "coding": [{"system": BCP47, "code": client.language}],
                    "text": client.get_language_display(),
                },
                "preferred": True,
            }
        ]
    return _entry(client.uuid, "Patient", resource)


# --- EpisodeOfCare, CarePlan, Goal -----------------------------------------------------------


def discharge_of(episode: Episode) -> Discharge | None:
    try:
        return episode.discharge
    except ObjectDoesNotExist:
        return None


def episode_of_care(episode: Episode, patient_uuid: uuid_lib.UUID) -> Resource:
    discharge = discharge_of(episode)
    status = "finished" if discharge is not None else EPISODE_STATUS[EpisodeState(episode.state)]
    start = episode.started_on or episode.opened_on
    end = discharge.discharged_on if discharge is not None else episode.closed_on
    resource: Resource = {
        "status": status,
        "type": [text(_("Substance use treatment"))],
        "patient": ref(patient_uuid),
        "managingOrganization": {"display": episode.client.organisation.name},
        "period": _compact(
            {"start": start.isoformat(), "end": end.isoformat() if end is not None else None}
        ),
        "careManager": person(episode.responsible),
    }
    return _entry(episode.uuid, "EpisodeOfCare", resource)


def goal(item: Goal, *, plan: Plan, episode: Episode, patient_uuid: uuid_lib.UUID) -> Resource:
    results = list(item.results.all())
    outcome = results[-1].outcome if results else ""
    if outcome == GoalOutcome.DROPPED:
        lifecycle = "cancelled"
    elif episode.state in OPEN_STATES and discharge_of(episode) is None:
        lifecycle = "active"
    else:
        lifecycle = "completed"
    achievement: dict[str, Any] | None = None
    if outcome and outcome != GoalOutcome.DROPPED:
        achievement = {"text": str(GoalOutcome(outcome).label)}
        if outcome in GOAL_ACHIEVED:
            achievement["coding"] = [{"system": GOAL_ACHIEVEMENT, "code": GOAL_ACHIEVED[outcome]}]
    resource: Resource = {
        "lifecycleStatus": lifecycle,
        "achievementStatus": achievement,
        "category": [text(_("Short-term goal") if item.short_term else _("Long-term goal"))],
        "description": text(item.text),
        "subject": ref(patient_uuid),
        "startDate": plan.agreed_on.isoformat(),
        "target": [
            _compact(
                {
                    "measure": text(item.measure) if item.measure else None,
                    "detailString": item.target,
                    "dueDate": item.due_on.isoformat(),
                }
            )
        ],
        "note": _notes(
            _("In the client's words: %(words)s") % {"words": item.client_words}
            if item.client_words
            else ""
        ),
    }
    return _entry(item.uuid, "Goal", resource)


def care_plan(
    plan: Plan, *, episode: Episode, goals: Sequence[Goal], patient_uuid: uuid_lib.UUID
) -> Resource:
    if discharge_of(episode) is not None or episode.state == EpisodeState.DISCHARGED:
        status = "completed"
    elif episode.state == EpisodeState.WITHDRAWN:
        status = "revoked"
    else:
        status = "active"
    aims = [str(Aim(aim).label) for aim in plan.aims if aim in Aim.values]
    resource: Resource = {
        "status": status,
        "intent": "plan",
        "title": _("Treatment plan, version %(version)d") % {"version": plan.version},
        "description": _("Aims: %(aims)s") % {"aims": ", ".join(aims)} if aims else None,
        "subject": ref(patient_uuid),
        "period": {"start": plan.agreed_on.isoformat()},
        "created": plan.agreed_on.isoformat(),
        "custodian": person(plan.made_by),
        "supportingInfo": [ref(episode.uuid)],
        "goal": [ref(item.uuid) for item in goals],
        "note": _notes(
            _("What matters to the client: %(words)s") % {"words": plan.client_words}
            if plan.client_words
            else "",
            _("Network: %(network)s") % {"network": plan.network} if plan.network else "",
        ),
    }
    return _entry(plan.uuid, "CarePlan", resource)


# --- medication ------------------------------------------------------------------------------


def medication(medicine: Medicine) -> dict[str, Any]:
    """A CodeableReference to the medicine by its ATC code."""
    label = medicine.name
    if medicine.strength and medicine.strength not in label:
        label = f"{label} {medicine.strength}"
    return {"concept": {"coding": [{"system": ATC, "code": medicine.atc_code}], "text": label}}


def _dosage(
    version: PrescriptionVersion,
    medicine: Medicine,
    *,
    sequence: int,
    weekdays: Iterable[int],
    how: str,
) -> dict[str, Any]:
    days = sorted(set(weekdays))
    dose = f"{version.daily_dose.normalize():f} {medicine.unit}"
    return _compact(
        {
            "sequence": sequence,
            "text": _("%(dose)s once a day, %(how)s") % {"dose": dose, "how": how},
            "patientInstruction": version.instructions,
            "timing": {
                "repeat": _compact(
                    {
                        "boundsPeriod": _compact(
                            {
                                "start": version.starts_on.isoformat(),
                                "end": version.ends_on.isoformat() if version.ends_on else None,
                            }
                        ),
                        "frequency": 1,
                        "period": 1,
                        "periodUnit": "d",
                        "dayOfWeek": [WEEKDAY_CODES[d] for d in days],
                    }
                )
            },
            "doseAndRate": [{"doseQuantity": _quantity(version.daily_dose, medicine.unit)}],
        }
    )


def medication_request(
    prescription: Prescription, *, patient_uuid: uuid_lib.UUID, episode_uuids: dict[int, Any]
) -> Resource:
    try:  # from the ``current_versions`` prefetch of bedring.interop.selectors
        version: PrescriptionVersion | None = current_version(prescription)
    except Conflict:  # none: the constraint allows it; the request carries no dosage
        version = None
    medicine = prescription.medicine
    reason = prescription.hold_reason or prescription.end_reason
    resource: Resource = {
        "status": PRESCRIPTION_STATUS.get(prescription.status, "unknown"),
        "statusReason": text(reason) if reason else None,
        "intent": "order",
        "medication": medication(medicine),
        "subject": ref(patient_uuid),
    }
    episode_uuid = episode_uuids.get(prescription.episode_id or 0)
    if episode_uuid is not None:
        resource["supportingInformation"] = [ref(episode_uuid)]
    if version is not None:
        dosages = []
        if version.supervised_weekdays:
            dosages.append(
                _dosage(
                    version,
                    medicine,
                    sequence=1,
                    weekdays=version.supervised_weekdays,
                    how=_("taken under supervision at the dispensing site"),
                )
            )
        if version.take_home_weekdays:
            dosages.append(
                _dosage(
                    version,
                    medicine,
                    sequence=2,
                    weekdays=version.take_home_weekdays,
                    how=_("take-home dose"),
                )
            )
        delivery = str(Delivery(version.delivery).label)
        where = version.delivery_to or version.site.name
        resource.update(
            authoredOn=version.created_at.isoformat(),
            requester=person(version.prescriber),
            dosageInstruction=dosages,
            dispenseRequest={
                "dispenserInstruction": [{"text": f"{delivery}: {where}"}],
                "expectedSupplyDuration": _days(version.pickup_interval_days),
            },
            note=_notes(version.reason),
        )
    return _entry(prescription.uuid, "MedicationRequest", resource)


def _observation_notes(dose: Dispensing) -> list[dict[str, str]]:
    return _notes(
        _("Effect: %(effect)s") % {"effect": Effect(dose.effect).label} if dose.effect else "",
        _("Side effects: %(text)s") % {"text": dose.side_effects} if dose.side_effects else "",
        _("Signs of intoxication: %(text)s") % {"text": dose.intoxication_signs}
        if dose.intoxication_signs
        else "",
    )


def medication_administration(
    dose: Dispensing, prescription: Prescription, *, patient_uuid: uuid_lib.UUID
) -> Resource:
    """A supervised intake at the desk: the nurse saw the dose taken. A dose recorded by
    mistake and corrected stays in the record as ``entered-in-error``, as FHIR asks."""
    resource: Resource = {
        "status": "entered-in-error" if dose.corrected else "completed",
        "medication": medication(prescription.medicine),
        "subject": ref(patient_uuid),
        "occurenceDateTime": dose.handed_out_at.isoformat(),
        "request": ref(prescription.uuid),
        "performer": [{"actor": {"reference": person(dose.handed_out_by)}}],
        "dosage": {"dose": _quantity(dose.quantity, prescription.medicine.unit)},
        "note": _observation_notes(dose),
    }
    return _entry(dose.uuid, "MedicationAdministration", resource)


def medication_dispense(
    doses: Sequence[Dispensing], prescription: Prescription, *, patient_uuid: uuid_lib.UUID
) -> Resource:
    """One handover: the take-home doses of one or more days, or one exception dose. A
    take-home handover is one Bedring row per day, all with the same ``handover``; its
    UUID is the resource's."""
    first = doses[0]
    total = sum((dose.quantity for dose in doses), Decimal(0))
    if first.kind == DispensingKind.EXCEPTION:
        kind = str(ExceptionReason(first.exception_reason).label)
        public_uuid = first.uuid
        days_supply = None
    else:
        kind = _("Take-home dose")
        public_uuid = first.handover or first.uuid
        days_supply = _days(len(doses))
    recipient = str(Delivery(first.recipient).label)
    resource: Resource = {
        "status": "entered-in-error" if all(d.corrected for d in doses) else "completed",
        "type": text(kind),
        "medication": medication(prescription.medicine),
        "subject": ref(patient_uuid),
        "authorizingPrescription": [ref(prescription.uuid)],
        "performer": [{"actor": person(first.handed_out_by)}],
        "quantity": _quantity(total, prescription.medicine.unit),
        "daysSupply": days_supply,
        "whenHandedOver": first.handed_out_at.isoformat(),
        "note": _notes(
            _("For: %(days)s") % {"days": ", ".join(d.day.isoformat() for d in doses)},
            _("Handed to: %(recipient)s") % {"recipient": recipient},
            first.reason,
        ),
    }
    return _entry(public_uuid, "MedicationDispense", resource)


def _handovers(doses: Iterable[Dispensing]) -> list[list[Dispensing]]:
    groups: dict[uuid_lib.UUID, list[Dispensing]] = {}
    for dose in doses:
        key = dose.handover if dose.kind == DispensingKind.TAKE_HOME and dose.handover else None
        groups.setdefault(key or dose.uuid, []).append(dose)
    return list(groups.values())


# --- urine tests, vaccinations, consents -----------------------------------------------------


def urine_observations(test: UrineTest, *, patient_uuid: uuid_lib.UUID) -> list[Resource]:
    """A panel for the test, with one member per substance group tested."""
    category = [
        {
            "coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory"}],
            "text": _("Laboratory"),
        }
    ]
    method = text(_("Supervised sample") if test.supervised else _("Unsupervised sample"))
    members: list[Resource] = []
    for group in SubstanceGroup:
        value = test.results.get(group.value, TestResult.NOT_TESTED)
        if value not in URINE_VALUES:
            continue
        code, display = URINE_VALUES[TestResult(value)]
        member_uuid = uuid_lib.uuid5(URINE_SUBSTANCE_NAMESPACE, f"{test.uuid}:{group.value}")
        members.append(
            _entry(
                member_uuid,
                "Observation",
                {
                    "status": "final",
                    "category": category,
                    "code": text(_("Urine drug test: %(substance)s") % {"substance": group.label}),
                    "subject": ref(patient_uuid),
                    "effectiveDateTime": test.sampled_on.isoformat(),
                    "method": method,
                    "valueCodeableConcept": {
                        "coding": [{"system": SNOMED, "code": code, "display": display}],
                        "text": str(TestResult(value).label),
                    },
                },
            )
        )
    panel = _entry(
        test.uuid,
        "Observation",
        {
            "status": "final",
            "category": category,
            "code": text(_("Urine drug test")),
            "subject": ref(patient_uuid),
            "effectiveDateTime": test.sampled_on.isoformat(),
            "method": method,
            "hasMember": [{"reference": member["fullUrl"]} for member in members],
            "note": _notes(test.note),
        },
    )
    return [panel, *members]


def immunization(vaccination: Vaccination, *, patient_uuid: uuid_lib.UUID) -> Resource:
    schedule = vaccination_schedules()[vaccination.schedule]
    label = str(VaccinationSchedule(vaccination.schedule).label)
    vaccine_code: dict[str, Any] = {"text": label}
    atc = VACCINE_ATC.get(schedule.vaccine)
    if atc:
        vaccine_code["coding"] = [{"system": ATC, "code": atc}]
    resource: Resource = {
        "status": "completed",
        "vaccineCode": vaccine_code,
        "patient": ref(patient_uuid),
        "occurrenceDateTime": vaccination.given_on.isoformat(),
        "primarySource": True,
        "lotNumber": vaccination.batch,
        "protocolApplied": [
            {
                "series": label,
                "doseNumber": str(vaccination.dose),
                "seriesDoses": str(len(schedule.doses)),
            }
        ],
        "note": _notes(vaccination.note),
    }
    return _entry(vaccination.uuid, "Immunization", resource)


def consent(
    item: Consent, *, patient_uuid: uuid_lib.UUID, today: datetime.date, zone: ZoneInfo
) -> Resource:
    """PRV-2: what may be shared with whom, from when to when, given by whom."""
    end = item.valid_until
    if item.withdrawn_at is not None:
        withdrawn_on = timezone.localtime(item.withdrawn_at, zone).date()
        end = min(end, withdrawn_on) if end is not None else withdrawn_on
        end = max(end, item.valid_from)
    expired = item.valid_until is not None and item.valid_until < today
    status = "inactive" if item.withdrawn_at is not None or expired else "active"
    recipient = item.party_name or str(ConsentParty(item.party).label)
    if item.given_by == ConsentGiver.CLIENT:
        grantor: dict[str, Any] = ref(patient_uuid)
    else:
        grantor = {"display": item.given_by_name or str(ConsentGiver(item.given_by).label)}
    resource: Resource = {
        "status": status,
        "category": [text(_("Consent to share information"))],
        "subject": ref(patient_uuid),
        "date": _local_date(item.created_at, zone),
        "period": _compact(
            {"start": item.valid_from.isoformat(), "end": end.isoformat() if end else None}
        ),
        "grantor": [grantor],
        "grantee": [{"display": recipient}],
        "controller": [{"display": item.client.organisation.name}],
        "decision": "permit",
        "provision": [
            {
                "actor": [
                    {
                        "role": {
                            "coding": [{"system": PARTICIPATION_TYPE, "code": "IRCP"}],
                            "text": str(ConsentParty(item.party).label),
                        },
                        "reference": {"display": recipient},
                    }
                ],
                "action": [{"coding": [{"system": CONSENT_ACTION, "code": "disclose"}]}],
                "code": [text(item.scope)],
            }
        ],
    }
    return _entry(item.uuid, "Consent", resource)


def document_reference(
    note: Note,
    *,
    patient_uuid: uuid_lib.UUID,
    episode_uuids: dict[int, uuid_lib.UUID],
    superseded: bool,
) -> Resource:
    """JRN-1: one signed version of a journal note."""
    assert note.signed_at is not None  # noqa: S101 - only signed versions are exported
    signed_at = note.signed_at.isoformat()
    author = person(note.author)
    resource: Resource = {
        "version": str(note.version),
        "status": "superseded" if superseded else "current",
        "docStatus": "amended" if note.supersedes_id else "final",
        "type": text(ContactType(note.contact_type).label),
        "category": [text(_("Journal note"))],
        "subject": ref(patient_uuid),
        "context": [ref(episode_uuids[note.episode_id])]
        if note.episode_id in episode_uuids
        else [],
        "date": signed_at,
        "author": [author],
        "attester": [
            {
                "mode": {"coding": [{"system": ATTESTATION_MODE, "code": "professional"}]},
                "time": signed_at,
                "party": author,
            }
        ],
        "period": {"start": note.contact_at.isoformat()},
        "description": note.correction_reason,
        "securityLabel": [{"coding": [{"system": CONFIDENTIALITY, "code": "R"}]}]
        if note.restricted
        else [],
        "relatesTo": [
            {
                "code": {"coding": [{"system": DOCUMENT_RELATIONSHIP, "code": "replaces"}]},
                "target": ref(note.supersedes.uuid),
            }
        ]
        if note.supersedes is not None
        else [],
        "content": [
            {
                "attachment": {
                    "contentType": "text/plain; charset=utf-8",
                    "data": base64.b64encode(note.text.encode("utf-8")).decode("ascii"),
                    "title": str(ContactType(note.contact_type).label),
                    "creation": note.contact_at.isoformat(),
                }
            }
        ],
    }
    return _entry(note.uuid, "DocumentReference", resource)


# --- the bundle ------------------------------------------------------------------------------


def client_bundle(record: ClientRecord) -> Bundle:
    """The client's record as a validated FHIR R5 Bundle of type collection."""
    client = record.client
    zone = ZoneInfo(client.organisation.time_zone)
    patient_uuid = client.uuid
    entries: list[Resource] = [patient(client)]
    episodes = {episode.pk: episode for episode in record.episodes}
    for episode in record.episodes:
        episode.client = client
        entries.append(episode_of_care(episode, patient_uuid))
    for plan in record.plans:
        episode = episodes[plan.episode_id]
        goals = list(plan.goals.all())
        entries.append(care_plan(plan, episode=episode, goals=goals, patient_uuid=patient_uuid))
        entries.extend(
            goal(item, plan=plan, episode=episode, patient_uuid=patient_uuid) for item in goals
        )
    episode_uuids = {pk: episode.uuid for pk, episode in episodes.items()}
    prescriptions = {prescription.pk: prescription for prescription in record.prescriptions}
    entries.extend(
        medication_request(p, patient_uuid=patient_uuid, episode_uuids=episode_uuids)
        for p in record.prescriptions
    )
    supervised = [d for d in record.dispensings if d.kind == DispensingKind.SUPERVISED]
    handed = [d for d in record.dispensings if d.kind != DispensingKind.SUPERVISED]
    entries.extend(
        medication_administration(
            dose, prescriptions[dose.prescription_id], patient_uuid=patient_uuid
        )
        for dose in supervised
        if dose.prescription_id in prescriptions
    )
    entries.extend(
        medication_dispense(
            group, prescriptions[group[0].prescription_id], patient_uuid=patient_uuid
        )
        for group in _handovers(handed)
        if group[0].prescription_id in prescriptions
    )
    for test in record.urine_tests:
        entries.extend(urine_observations(test, patient_uuid=patient_uuid))
    entries.extend(immunization(v, patient_uuid=patient_uuid) for v in record.vaccinations)
    for item in record.consents:
        item.client = client
        entries.append(consent(item, patient_uuid=patient_uuid, today=record.today, zone=zone))
    superseded = {note.supersedes_id for note in record.notes if note.supersedes_id}
    entries.extend(
        document_reference(
            note,
            patient_uuid=patient_uuid,
            episode_uuids=episode_uuids,
            superseded=note.pk in superseded,
        )
        for note in record.notes
    )
    return Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": str(uuid_lib.uuid4()),
            "meta": {"lastUpdated": clock.now().isoformat()},
            "type": "collection",
            "timestamp": clock.now().isoformat(),
            "entry": entries,
        }
    )


def client_bundle_json(record: ClientRecord) -> str:
    return client_bundle(record).model_dump_json()
