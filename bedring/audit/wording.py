"""The access log and the change log in words a client and a clinician can read (PRV-1).

The logs store what the code knows: the name of the view that read a record
(``journal_note``), the channel (``html``), the model and field names of a change
(``clients.client``, ``phone``) and the values as stored. This module is the ONE table that
turns them into translated words: what was looked at or done ("Opened the journal"), through
which channel ("Web"), on which record ("Consent") and which field changed from what to what.
The client's access log page and the printable access report both read it, so they say the
same thing. A name missing from the table falls back to a generic label ("Opened the client
record", "A record of the client"): a page never shows a view name, a model name, a Python
value or a database id.

A view that writes is logged when the record is opened for that task; the change log says
what was actually saved.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Membership, User
from bedring.core.roles import Role

from .models import AccessEvent

# --- the table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewWords:
    """What a logged view did, in words; ``listed``: the client was only seen in a list
    (search results, a worklist), not opened."""

    label: Promise
    listed: bool = False


def _v(label: Promise, *, listed: bool = False) -> ViewWords:
    return ViewWords(label, listed)


OPENED_THE_RECORD = _("Opened the client record")
SEEN_IN_A_LIST = _("Saw the client in a list")

# Logged view name -> words. An API view ``api_x`` not named here reads as ``x``.
VIEWS: dict[str, ViewWords] = {
    # the record itself
    "client_detail": _v(_("Opened the client overview")),
    "api_client_detail": _v(_("Opened the client record")),
    "client_edit": _v(_("Opened the client's details to change them")),
    "client_update": _v(_("Changed the client's details")),
    "client_fhir": _v(_("Exported the client record (FHIR)")),
    "relatives": _v(_("Opened the relatives and network")),
    "relative_add": _v(_("Added a relative or network person")),
    "relative_create": _v(_("Added a relative or network person")),
    "relative_edit": _v(_("Changed a relative or network person")),
    "relative_update": _v(_("Changed a relative or network person")),
    "consents": _v(_("Opened the consents")),
    "consent_add": _v(_("Recorded a consent")),
    "consent_create": _v(_("Recorded a consent")),
    "consent_withdraw": _v(_("Withdrew a consent")),
    "children": _v(_("Opened the children living at home")),
    "child_add": _v(_("Added a child living at home")),
    "child_create": _v(_("Added a child living at home")),
    "child_concern_new": _v(_("Recorded a concern for a child")),
    "child_concern_create": _v(_("Recorded a concern for a child")),
    "child_notification_made": _v(_("Recorded a notification to children's services")),
    "child_notification_notified": _v(_("Recorded a notification to children's services")),
    "contact_preferences": _v(_("Opened the contact and reminder preferences")),
    "contact_preferences_update": _v(_("Changed the contact and reminder preferences")),
    "messaging_client": _v(_("Opened the messages to the client")),
    "messaging_retry": _v(_("Sent a message to the client again")),
    "message_retry": _v(_("Sent a message to the client again")),
    "access_log": _v(_("Opened the access log")),
    "access_report": _v(_("Printed the access report")),
    # lists where the client was only seen
    "client_search": _v(_("Saw the client in search results"), listed=True),
    "recent_clients": _v(_("Saw the client in the list of recent clients"), listed=True),
    "appointment_book_search": _v(_("Saw the client in search results"), listed=True),
    "course_enrol_search": _v(_("Saw the client in search results"), listed=True),
    "home": _v(_("Saw the client on a home page"), listed=True),
    "worklist": _v(_("Saw the client on a worklist"), listed=True),
    "dispensing_desk": _v(_("Saw the client at the dispensing desk"), listed=True),
    "desk": _v(_("Saw the client at the dispensing desk"), listed=True),
    "attendance_grid": _v(_("Saw the client on a course's attendance list"), listed=True),
    "course_detail": _v(_("Saw the client on a course's list"), listed=True),
    "appointments_day": _v(_("Saw the client in a staff calendar"), listed=True),
    "appointments_week": _v(_("Saw the client in a staff calendar"), listed=True),
    "staff_appointments": _v(_("Saw the client in a staff calendar"), listed=True),
    "messaging_outbox": _v(_("Saw a message to the client in the outbox"), listed=True),
    "outbox": _v(_("Saw a message to the client in the outbox"), listed=True),
    "outcomes_drill": _v(_("Saw the client in the outcome figures"), listed=True),
    "outreach_contacts": _v(_("Saw the client in a list of street contacts"), listed=True),
    "outreach_recent": _v(_("Saw the client among the people met recently"), listed=True),
    "outreach_codes": _v(_("Saw the client in the list of codes"), listed=True),
    "outreach_code": _v(_("Saw the client on a code's page"), listed=True),
    # pathway
    "client_episodes": _v(_("Opened the pathway")),
    "episode": _v(_("Opened an episode")),
    "episode_detail": _v(_("Opened an episode")),
    "episode_timeline": _v(_("Opened the episode's timeline")),
    "inquiry_new": _v(_("Recorded an inquiry")),
    "inquiry_create": _v(_("Recorded an inquiry")),
    "episode_assign": _v(_("Assigned the responsible counsellor")),
    "episode_first_contact": _v(_("Recorded the first contact")),
    "episode_free_choice": _v(_("Recorded the client's free choice of provider")),
    "episode_begin_assessment": _v(_("Began the assessment")),
    "episode_start": _v(_("Started the treatment")),
    "episode_withdraw": _v(_("Ended the episode before treatment")),
    "assessment_new": _v(_("Started an assessment")),
    "assessment_create": _v(_("Started an assessment")),
    "assessment_detail": _v(_("Opened the assessment")),
    "assessment_edit": _v(_("Worked on the assessment")),
    "assessment_answers": _v(_("Worked on the assessment")),
    "assessment_complete": _v(_("Completed the assessment")),
    "assessment_offers": _v(_("Opened the offers suggested by the assessment")),
    "assessment_tdi": _v(_("Worked on the treatment demand questions")),
    "decision_new": _v(_("Recorded a decision")),
    "decision_create": _v(_("Recorded a decision")),
    "decision_medical_new": _v(_("Recorded a medical decision")),
    "decision_detail": _v(_("Opened a decision")),
    "decision_letter": _v(_("Opened the decision letter")),
    "decision_letter_warning": _v(_("Opened the decision letter")),
    "decision_letter_sent": _v(_("Recorded that the decision letter was sent")),
    "complaint_new": _v(_("Recorded a complaint")),
    "complaint_create": _v(_("Recorded a complaint")),
    "episode_complaint_create": _v(_("Recorded a complaint")),
    "complaint_reevaluate": _v(_("Re-evaluated a complaint")),
    "complaint_reevaluation": _v(_("Re-evaluated a complaint")),
    "plan_create": _v(_("Made a treatment plan")),
    "plan_detail": _v(_("Opened the treatment plan")),
    "plan_version": _v(_("Opened the treatment plan")),
    "plan_list": _v(_("Opened the versions of the treatment plan")),
    "plan_versions": _v(_("Opened the versions of the treatment plan")),
    "plan_evaluate": _v(_("Evaluated the treatment plan")),
    "evaluation_create": _v(_("Evaluated the treatment plan")),
    "discharge_create": _v(_("Worked on the discharge")),
    "api_discharge_create": _v(_("Discharged the client")),
    "discharge_detail": _v(_("Opened the discharge")),
    "follow_up_record": _v(_("Recorded a follow-up after the discharge")),
    # catalogue
    "client_enrol": _v(_("Enrolled the client in an offer")),
    "enrol": _v(_("Enrolled the client in an offer")),
    "course_enrol": _v(_("Enrolled the client in a course")),
    "enrolment_detail": _v(_("Opened an enrolment")),
    "enrolment_book": _v(_("Booked sessions")),
    "enrolment_end": _v(_("Ended an enrolment")),
    "enrolment_goals": _v(_("Opened the goals of an enrolment")),
    "enrolment_goal_add": _v(_("Set a goal in an offer")),
    "enrolment_goal_progress": _v(_("Recorded progress on a goal")),
    "gift_cards": _v(_("Opened the gift cards")),
    "gift_card_hand_out": _v(_("Handed out a gift card")),
    # journal
    "journal": _v(_("Opened the journal")),
    "journal_note": _v(_("Read a journal note")),
    "journal_restricted": _v(_("Read a restricted journal note")),
    "journal_versions": _v(_("Opened the versions of a journal note")),
    "journal_note_new": _v(_("Wrote a journal note")),
    "journal_note_edit": _v(_("Changed a draft journal note")),
    "journal_note_delete": _v(_("Deleted a draft journal note")),
    "journal_note_sign": _v(_("Signed a journal note")),
    "journal_note_correct": _v(_("Corrected a journal note")),
    "journal_pdf": _v(_("Printed the journal")),
    # appointments
    "appointments": _v(_("Opened the appointments")),
    "appointment": _v(_("Opened an appointment")),
    "appointment_book": _v(_("Booked an appointment")),
    "appointment_move": _v(_("Moved an appointment")),
    "appointment_cancel": _v(_("Cancelled an appointment")),
    "appointment_outcome": _v(_("Recorded whether an appointment was kept")),
    "appointment_requests": _v(_("Opened the requests for an appointment")),
    "appointment_request_add": _v(_("Recorded a request for an appointment")),
    "appointment_request_withdraw": _v(_("Withdrew a request for an appointment")),
    # referrals
    "referrals": _v(_("Opened the referrals")),
    "referrals_in": _v(_("Opened the incoming referrals")),
    "referral": _v(_("Opened a referral")),
    "referral_in": _v(_("Opened an incoming referral")),
    "referral_new": _v(_("Made a referral")),
    "referral_create": _v(_("Made a referral")),
    "referral_step": _v(_("Updated a referral")),
    "referral_status": _v(_("Updated a referral")),
    "referral_rights": _v(_("Recorded the assessment of the patient's rights")),
    # documents
    "documents": _v(_("Opened the documents")),
    "document_download": _v(_("Opened a document")),
    "document_upload": _v(_("Added a document")),
    "document_discard": _v(_("Discarded a document")),
    # health
    "health": _v(_("Opened the health records")),
    "health_screenings": _v(_("Opened the screenings")),
    "health_screening_add": _v(_("Recorded a screening")),
    "health_screening_result": _v(_("Recorded a screening result")),
    "health_vaccinations": _v(_("Opened the vaccinations")),
    "health_vaccination_add": _v(_("Recorded a vaccination")),
    "health_contacts": _v(_("Opened the health contacts")),
    "health_contact_add": _v(_("Recorded a health contact")),
    "health_follow_ups": _v(_("Opened the health follow-ups")),
    "health_follow_up_add": _v(_("Recorded a health follow-up")),
    "health_pregnancies": _v(_("Opened the pregnancy records")),
    "health_pregnancy_add": _v(_("Recorded a pregnancy")),
    "health_pregnancy_end": _v(_("Recorded the end of a pregnancy")),
    # street work (outreach)
    "outreach_contact": _v(_("Recorded or opened a street contact")),
    "outreach_contact_checked": _v(_("Checked a street contact")),
    "outreach_client": _v(_("Opened the street contacts")),
    "pseudonym_client": _v(_("Joined a code's street contacts to the record")),
    # medication
    "client_medication": _v(_("Opened the medication")),
    "prescriptions": _v(_("Opened the prescriptions")),
    "prescription": _v(_("Opened a prescription")),
    "prescribe": _v(_("Prescribed a medicine")),
    "prescription_change": _v(_("Changed a prescription")),
    "prescription_end": _v(_("Ended a prescription")),
    "prescription_review": _v(_("Reviewed a prescription")),
    "dispensing": _v(_("Opened the medicine handed out")),
    "dispensings": _v(_("Opened the medicine handed out")),
    "take_home": _v(_("Opened the take-home doses")),
    "urine_tests": _v(_("Opened the urine tests")),
    "urine_test_new": _v(_("Recorded a urine test")),
    "urine_test_create": _v(_("Recorded a urine test")),
    "travel_certificates": _v(_("Opened the travel certificates")),
    "travel_certificate": _v(_("Opened a travel certificate")),
    "certificate_new": _v(_("Issued a travel certificate")),
    "travel_certificate_issue": _v(_("Issued a travel certificate")),
    "travel_certificate_pdf": _v(_("Printed a travel certificate")),
    "copayments": _v(_("Opened the co-payments")),
    "copayment_charge": _v(_("Recorded a co-payment charge")),
    "copayment_payment": _v(_("Recorded a co-payment")),
    "copayment_write_off": _v(_("Wrote off a co-payment")),
}

CHANNELS: dict[str, Promise] = {
    AccessEvent.Channel.HTML: _("Web"),
    AccessEvent.Channel.API: _("API"),
    AccessEvent.Channel.PRINT: _("Print or export"),
}
OTHER_CHANNEL = _("Other")

# "app_label.model" of a change-log entry -> the record, in words.
RECORDS: dict[str, Promise] = {
    "clients.client": _("Client record"),
    "clients.relative": _("Relative or network person"),
    "clients.consent": _("Consent"),
    "clients.childathome": _("Child living at home"),
    "pathway.episode": _("Episode"),
    "pathway.inquiry": _("Inquiry"),
    "pathway.deadline": _("Deadline"),
    "pathway.assessment": _("Assessment"),
    "pathway.tdiintake": _("Treatment demand questions"),
    "pathway.decision": _("Decision"),
    "pathway.complaint": _("Complaint"),
    "pathway.childnotification": _("Notification to children's services"),
    "pathway.plan": _("Treatment plan"),
    "pathway.goal": _("Goal"),
    "pathway.evaluation": _("Evaluation of the plan"),
    "pathway.goalprogress": _("Progress on a goal"),
    "pathway.discharge": _("Discharge"),
    "pathway.goalresult": _("Result of a goal"),
    "pathway.followup": _("Follow-up after the discharge"),
    "documents.document": _("Document"),
    "messaging.message": _("Message to the client"),
    "catalogue.enrolment": _("Enrolment"),
    "catalogue.enrolmentgoal": _("Goal"),
    "catalogue.session": _("Session"),
    "catalogue.attendance": _("Attendance"),
    "catalogue.giftcard": _("Gift card"),
    "journal.note": _("Journal note"),
    "appointments.appointmentrequest": _("Request for an appointment"),
    "appointments.appointment": _("Appointment"),
    "referrals.referral": _("Referral"),
    "referrals.incomingreferral": _("Incoming referral"),
    "medication.prescription": _("Prescription"),
    "medication.prescriptionversion": _("Prescription"),
    "medication.dispensing": _("Medicine handed out"),
    "medication.urinetest": _("Urine test"),
    "medication.travelcertificate": _("Travel certificate"),
    "medication.copaymententry": _("Co-payment"),
    "health.screening": _("Screening"),
    "health.vaccination": _("Vaccination"),
    "health.healthcontact": _("Health contact"),
    "health.pregnancy": _("Pregnancy"),
    "health.pregnancyfollowup": _("Pregnancy follow-up"),
    "outreach.outreachcontact": _("Street contact"),
    "outreach.pseudonym": _("Code (pseudonym)"),
}
OTHER_RECORD = _("A record of the client")

# Field names -> words, for the fields whose model gives no verbose name of its own and
# for values a service writes into the log by name (not fields of the model).
EXTRA_FIELDS: dict[str, Promise] = {
    "criteria_met": _("criteria met"),
    "withdrawn_at": _("withdrawn on"),
    "withdrawn_reason": _("reason for withdrawal"),
    "ended_on": _("ended on"),
    "end_reason": _("reason for ending"),
    "archived_at": _("archived on"),
    "no_show_flag": _("repeated no-shows"),
}
OTHER_FIELD = _("a detail")
# Bookkeeping every row has: never listed as a change.
HIDDEN_FIELDS = frozenset({"id", "uuid", "created_at", "updated_at", "client", "organisation"})
LONGEST_VALUE = 80

ACTIONS: dict[int, Promise] = {
    LogEntry.Action.CREATE: _("%(record)s created"),
    LogEntry.Action.UPDATE: _("%(record)s changed"),
    LogEntry.Action.DELETE: _("%(record)s deleted"),
}


def view_words(view: str) -> ViewWords:
    """The words of a logged view; an unknown view is "Opened the client record"."""
    found = VIEWS.get(view)
    if found is None and view.startswith("api_"):
        found = VIEWS.get(view.removeprefix("api_"))
    return found or ViewWords(OPENED_THE_RECORD)


def listing_views() -> frozenset[str]:
    """The views that only showed the client in a list: not an opened record."""
    names = {name for name, words in VIEWS.items() if words.listed}
    return frozenset(names | {f"api_{name}" for name in names})


def channel_label(channel: str) -> str:
    return str(CHANNELS.get(channel, OTHER_CHANNEL))


def record_label(app_label: str, model: str) -> str:
    return str(RECORDS.get(f"{app_label}.{model}", OTHER_RECORD))


# --- who and when -----------------------------------------------------------------------------


def moment(at: datetime.datetime, zone: datetime.tzinfo) -> str:
    """A date and a time to the minute, in the active language and the organisation's zone."""
    local = timezone.localtime(at, zone)
    return f"{date_format(local, 'DATE_FORMAT')} {local:%H:%M}"


def person_name(user: User | None) -> str:
    if user is None:
        return gettext("The system")
    return user.get_full_name() or user.username


def roles_of(users: Iterable[User | None], organisation_id: int) -> dict[int, str]:
    """user id -> the person's roles in the organisation, in words (one query)."""
    ids = {u.pk for u in users if u is not None}
    if not ids:
        return {}
    labels = dict(Role.choices)
    roles: dict[int, str] = {}
    for user_id, held in Membership.objects.filter(
        organisation_id=organisation_id, user_id__in=ids
    ).values_list("user_id", "roles"):
        roles[user_id] = ", ".join(str(labels[r]) for r in held if r in labels)
    return roles


# --- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessRow:
    when: str
    who: str
    role: str
    what: str
    channel: str


def access_rows(
    events: Iterable[AccessEvent], *, organisation_id: int, zone: datetime.tzinfo
) -> list[AccessRow]:
    """The access log in words: one more query (the roles), whatever the number of rows.
    ``events`` come with their actor (``select_related``)."""
    events = list(events)
    roles = roles_of((e.actor for e in events), organisation_id)
    return [
        AccessRow(
            when=moment(e.at, zone),
            who=person_name(e.actor),
            role=roles.get(e.actor_id, ""),
            what=str(view_words(e.view).label),
            channel=channel_label(e.channel),
        )
        for e in events
    ]


@dataclass(frozen=True)
class ChangeRow:
    when: str
    who: str
    role: str
    what: str
    details: list[str] = field(default_factory=list)


def _model_field(model: type[models.Model] | None, name: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """The model field's verbose name where the model gives one (translated); else the
    words of EXTRA_FIELDS; else the name Django makes of the field's."""
    found = _model_field(model, name)
    if found is not None and isinstance(found.verbose_name, Promise):
        return str(found.verbose_name)
    if name in EXTRA_FIELDS:
        return str(EXTRA_FIELDS[name])
    if found is not None:
        return str(found.verbose_name)
    return str(OTHER_FIELD)


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def value_words(
    model_field: models.Field[Any, Any] | None,
    value: Any,
    *,
    zone: datetime.tzinfo,
    people: Mapping[str, str],
) -> str | None:
    """A logged value in words: "—" for nothing, the label of a choice, yes or no, a date
    and time to the minute, a person's name. None where it cannot be said without showing a
    database id or a structure (another record, a list): the change is then named without
    its values."""
    if value is None or value == "" or value == "None":
        return "—"
    if model_field is not None and model_field.is_relation:
        related = model_field.related_model
        if related is not None and issubclass(related, User):
            return people.get(str(value))
        return None
    if isinstance(value, (dict, list)):
        return None
    text = str(value)
    if text[:1] in "{[":
        return None
    if model_field is not None and model_field.choices:
        choices = {str(key): label for key, label in model_field.flatchoices}
        return str(choices.get(text, text))
    if isinstance(model_field, models.BooleanField) or isinstance(value, bool):
        truth = value if isinstance(value, bool) else text in ("True", "true", "1")
        return gettext("Yes") if truth else gettext("No")
    if isinstance(model_field, models.DateTimeField):
        parsed = parse_datetime(text)
        if parsed is not None:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, datetime.UTC)
            return moment(parsed, zone)
    if isinstance(model_field, models.DateField):
        day = parse_date(text[:10])
        if day is not None:
            return date_format(day, "DATE_FORMAT")
    return _shown(text)


def _change_lines(
    model: type[models.Model] | None,
    changes: Mapping[str, Any],
    *,
    zone: datetime.tzinfo,
    people: Mapping[str, str],
) -> list[str]:
    lines = []
    for name, values in changes.items():
        if name in HIDDEN_FIELDS:
            continue
        label = field_label(model, name)
        model_field = _model_field(model, name)
        if not isinstance(values, (list, tuple)) or len(values) != 2:
            lines.append(gettext("Changed %(field)s") % {"field": label})
            continue
        old = value_words(model_field, values[0], zone=zone, people=people)
        new = value_words(model_field, values[1], zone=zone, people=people)
        if old is None or new is None:
            lines.append(gettext("Changed %(field)s") % {"field": label})
        elif old == "—":
            lines.append(gettext("Set %(field)s to %(new)s") % {"field": label, "new": new})
        elif new == "—":
            lines.append(gettext("Cleared %(field)s (was %(old)s)") % {"field": label, "old": old})
        else:
            lines.append(
                gettext("Changed %(field)s from %(old)s to %(new)s")
                % {"field": label, "old": old, "new": new}
            )
    return lines


def _changes_of(entry: LogEntry) -> dict[str, Any]:
    changes = entry.changes
    if isinstance(changes, str):
        try:
            changes = json.loads(changes)
        except ValueError:
            return {}
    return changes if isinstance(changes, dict) else {}


def _people_named(entries: Sequence[tuple[type[models.Model] | None, dict[str, Any]]]) -> set[str]:
    ids: set[str] = set()
    for model, changes in entries:
        for name, values in changes.items():
            model_field = _model_field(model, name)
            if model_field is None or not model_field.is_relation:
                continue
            related = model_field.related_model
            if related is None or not issubclass(related, User):
                continue
            if isinstance(values, (list, tuple)):
                ids |= {str(v) for v in values if v not in (None, "", "None")}
    return {i for i in ids if i.isdigit()}


def change_rows(
    entries: Iterable[LogEntry], *, organisation_id: int, zone: datetime.tzinfo
) -> list[ChangeRow]:
    """The change log in words: which record, created, changed or deleted, and for a change
    each field's label with the old and new values. Two more queries (the roles of the
    people who changed, the names of the people a change names), whatever the number of
    rows. ``entries`` come with their actor and content type (``select_related``)."""
    entries = list(entries)
    parsed = [
        (e.content_type.model_class() if e.content_type_id else None, _changes_of(e))
        for e in entries
    ]
    wanted = _people_named(parsed)
    people = (
        {str(u.pk): person_name(u) for u in User.objects.filter(pk__in=[int(i) for i in wanted])}
        if wanted
        else {}
    )
    roles = roles_of((e.actor for e in entries), organisation_id)
    rows = []
    for entry, (model, changes) in zip(entries, parsed, strict=True):
        record = (
            record_label(entry.content_type.app_label, entry.content_type.model)
            if entry.content_type_id
            else str(OTHER_RECORD)
        )
        action = ACTIONS.get(entry.action, ACTIONS[LogEntry.Action.UPDATE])
        details = (
            _change_lines(model, changes, zone=zone, people=people)
            if entry.action == LogEntry.Action.UPDATE
            else []
        )
        rows.append(
            ChangeRow(
                when=moment(entry.timestamp, zone),
                who=person_name(entry.actor),
                role=roles.get(entry.actor_id, "") if entry.actor_id else "",
                what=str(action) % {"record": record},
                details=details,
            )
        )
    return rows
