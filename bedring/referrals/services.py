"""Referral writes (REF-1, JRN-3, INT-1): keyword-only, typed, one transaction each;
django-auditlog keeps the old and new values, the referral its own history
(:class:`~bedring.referrals.models.ReferralEvent`) and the client's open episode a timeline
event.

Rules decided here where the sources are silent:

* **Consent first (PRV-2, PLN-6).** A referral out names the consent it relies on: one of
  the client's consents that covers the partner on the day (:func:`rules.consent_covers`).
  Given none, the latest covering consent is taken; without one the referral is refused with
  ``consent_missing`` (a consent given that does not cover the partner:
  ``consent_not_covering``). The consent is checked again on the day the referral is sent: if
  the draft's consent was withdrawn or ran out, another valid covering consent stands in,
  and without one the sending is refused (``consent_missing``).
* **Status.** Draft, sent, received, then the reply (accepted, refused, appointment given),
  or withdrawn; the table is :data:`rules.TRANSITIONS`, any other move is 409
  ``referral_transition``. Every step has its day: not in the future, not before the
  referral was sent, a reply not before its receipt.
* **Deadlines.** Sending opens a REFERRAL_REPLY deadline on the client's open episode (the
  partner's ``reply_days`` from the service pack); a reply closes it (met or met late), a
  withdrawal cancels it. For a partner that assesses patient rights (NO, pasient- og
  brukerrettighetsloven § 2-2) the receipt opens a RIGHTS_ASSESSMENT deadline in working days
  (the jurisdiction pack's ``rights_assessment_working_days``); a reply that comes without a
  receipt recorded first counts as the receipt. Recording the rights assessment closes it.
  A client without an open episode has no worklist row: the dates are on the referral.
* **Documents sent** become ``attached``: they can no longer be discarded.
* **A referral in** registers an inquiry through the pathway (channel "referral", with the
  referrer), so the first-contact deadlines follow. For a client already in an open episode
  the referral is recorded on that episode instead (a second inquiry would be refused). Its
  letter is stored as a document of the client (kind "referral"). A new person is registered
  through the client registration service in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import Organisation, Site, User
from bedring.accounts.selectors import rules_for
from bedring.clients import services as client_services
from bedring.clients.models import Client, Consent, ConsentParty
from bedring.core import clock
from bedring.core.errors import Conflict, NotFound, ValidationFailed
from bedring.core.roles import Perm
from bedring.core.text import clean_text
from bedring.documents import services as document_services
from bedring.documents import storage
from bedring.documents.models import Document, DocumentKind
from bedring.pathway.models import Episode
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus, Referrer
from bedring.pathway.selectors import open_episode
from bedring.pathway.services.episode import inquiry_register
from bedring.pathway.timeline import deadline_open, deadlines_close, record_event
from bedring.rules.packs import PartnerIn

from . import rules
from .models import IncomingReferral, Partner, Referral, ReferralEvent, ReferralStatus

EARLIEST_DAY = datetime.date(1900, 1, 1)
REASON_MAX = 4000
TEXT_MAX = 20000
NOTE_MAX = 2000
CLOCK_SKEW = datetime.timedelta(minutes=5)


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


# --- the registry (loaded from the service packs) ------------------------------------------


def partner_save(*, organisation: Organisation, spec: PartnerIn) -> Partner:
    """REF-1: create or update a partner of the organisation's registry from its pack."""
    partner, _created = Partner.objects.update_or_create(
        organisation=organisation,
        key=spec.key,
        defaults={
            "kind": spec.kind,
            "name": spec.name,
            "contact": spec.contact,
            "consent_party": spec.consent_party,
            "reply_days": spec.reply_days,
            "reply_source": spec.reply_source,
            "source": spec.source,
            "rights_assessment": spec.rights_assessment,
            "is_active": True,
        },
    )
    return partner


def partners_retire(*, organisation: Organisation, keep: Sequence[str]) -> None:
    """A partner taken out of the pack is retired, not deleted: its referrals keep it."""
    Partner.objects.filter(organisation=organisation).exclude(key__in=list(keep)).update(
        is_active=False
    )


# --- shared checks -------------------------------------------------------------------------


def _check_day(organisation: Organisation, day: datetime.date, field: str = "on") -> None:
    if day < EARLIEST_DAY:
        raise ValidationFailed(
            "date_too_early", _("The date cannot be before 1 January 1900."), field=field
        )
    if day > clock.today(organisation):
        raise ValidationFailed(
            "date_in_future", _("The date cannot be in the future."), field=field
        )


def _event(referral: Referral, actor: User, step: str, on: datetime.date, note: str = "") -> None:
    ReferralEvent.objects.create(
        referral=referral, actor=actor, status=referral.status, step=step, on=on, note=note
    )
    episode = referral.episode
    if episode is not None and episode.is_open:
        record_event(
            episode=episode,
            actor=actor,
            kind=f"referral_{step}",
            summary=f"{referral.partner.name}: {referral.get_status_display()}",
            data={"referral": str(referral.uuid), "status": referral.status, "on": str(on)},
        )


def _documents(client: Client, documents: Sequence[Document]) -> list[Document]:
    for document in documents:
        if document.client_id != client.pk or document.discarded_at is not None:
            raise ValidationFailed(
                "document_not_in_record",
                _("Attach only documents of this client's record."),
                field="documents",
            )
    return list(documents)


def _party_label(party: str) -> str:
    return str(ConsentParty(party).label) if party in ConsentParty.values else party


def _consent_for(
    client: Client, partner: Partner, consent: Consent | None, on: datetime.date
) -> Consent:
    """The consent a referral to ``partner`` on ``on`` relies on, or a refusal."""
    if consent is not None:
        if consent.client_id != client.pk:
            raise NotFound("consent_not_found", _("No such consent."), field="consent")
        if not rules.consent_covers(consent, partner, on):
            raise ValidationFailed(
                "consent_not_covering",
                _(
                    "This consent does not cover sharing with %(partner)s on %(date)s "
                    "(it must be for “%(party)s”, valid that day and not withdrawn)."
                )
                % {
                    "partner": partner.name,
                    "date": _day(on),
                    "party": _party_label(partner.consent_party),
                },
                field="consent",
                details={"partner": partner.key, "party": partner.consent_party},
            )
        return consent
    found = next(
        (
            c
            for c in Consent.objects.filter(client=client, party=partner.consent_party).order_by(
                "-valid_from", "-id"
            )
            if rules.consent_covers(c, partner, on)
        ),
        None,
    )
    if found is None:
        raise ValidationFailed(
            "consent_missing",
            _(
                "The client has no valid consent to share information with %(partner)s "
                "(“%(party)s”). Record the client's consent first, then make the referral."
            )
            % {"partner": partner.name, "party": _party_label(partner.consent_party)},
            field="consent",
            details={"partner": partner.key, "party": partner.consent_party},
        )
    return found


def _lock_client(client: Client) -> None:
    Client.objects.select_for_update(of=("self",)).filter(pk=client.pk).first()


def _lock(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update(of=("self",))
        .select_related("client__organisation", "partner", "consent", "episode")
        .get(pk=referral.pk)
    )


def _worklist_episode(referral: Referral) -> Episode | None:
    """The episode whose worklist carries the referral's deadlines: the one it was made in,
    or the client's open one when it was made without."""
    if referral.episode is not None and referral.episode.is_open:
        return referral.episode
    episode = open_episode(referral.client)
    if episode is not None:
        referral.episode = episode
    return episode


# --- referrals out -------------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    client: Client,
    actor: User,
    partner: Partner,
    reason: str,
    text: str = "",
    documents: Sequence[Document] = (),
    consent: Consent | None = None,
    send_on: datetime.date | None = None,
) -> Referral:
    """REF-1: a referral out to a partner of the registry, as a draft, or sent on
    ``send_on``. Refused without a valid consent covering the partner."""
    organisation = client.organisation
    if partner.organisation_id != client.organisation_id or not partner.is_active:
        raise NotFound("partner_not_found", _("No such partner service."), field="partner")
    reason = clean_text(reason, "reason", REASON_MAX, required=True)
    text = clean_text(text, "text", TEXT_MAX)
    attached = _documents(client, documents)
    day = send_on or clock.today(organisation)
    if send_on is not None:
        _check_day(organisation, send_on, "send_on")
    chosen = _consent_for(client, partner, consent, day)
    _lock_client(client)
    referral = Referral.objects.create(
        client=client,
        partner=partner,
        episode=open_episode(client),
        reason=reason,
        text=text,
        consent=chosen,
        created_by=actor,
    )
    if attached:
        referral.documents.set(attached)
    _event(referral, actor, "created", clock.today(organisation))
    if send_on is not None:
        _send(referral, actor, send_on)
    return referral


def _send(referral: Referral, actor: User, on: datetime.date) -> None:
    rules.check_move(referral.status, ReferralStatus.SENT)
    # A draft's documents are not attached yet: one discarded since cannot be sent.
    documents = _documents(referral.client, list(referral.documents.all()))
    if not rules.consent_covers(referral.consent, referral.partner, on):
        # The draft's consent was withdrawn or ran out: another valid one may stand in.
        referral.consent = _consent_for(referral.client, referral.partner, None, on)
    spec = rules.reply_due(
        partner_key=referral.partner.key, reply_days=referral.partner.reply_days, sent_on=on
    )
    referral.status = ReferralStatus.SENT
    referral.sent_on = on
    referral.reply_due_on = spec.due_on
    episode = _worklist_episode(referral)
    referral.save(
        update_fields=["status", "sent_on", "reply_due_on", "episode", "consent", "updated_at"]
    )
    if episode is not None:
        deadline_open(episode=episode, spec=spec, subject_id=referral.pk)
    document_services.documents_attach(documents=documents)
    _event(referral, actor, "sent", on)


def _receive(referral: Referral, on: datetime.date) -> None:
    """The partner has the referral; for the specialist health service (NO) this starts the
    rights assessment's working days."""
    referral.received_on = on
    if not referral.partner.rights_assessment or referral.rights_outcome:
        return
    spec = rules.rights_assessment_due(rules_for(referral.client.organisation), on)
    if spec is None:
        return
    referral.rights_due_on = spec.due_on
    episode = _worklist_episode(referral)
    if episode is not None:
        deadline_open(episode=episode, spec=spec, subject_id=referral.pk)


def _close(referral: Referral, kinds: Sequence[str], on: datetime.date, **kwargs: Any) -> None:
    if referral.episode is not None:
        deadlines_close(
            episode=referral.episode, kinds=kinds, on=on, subject_id=referral.pk, **kwargs
        )


@transaction.atomic
def referral_update(
    *,
    referral: Referral,
    actor: User,
    status: str,
    on: datetime.date,
    note: str = "",
    appointment_on: datetime.date | None = None,
) -> Referral:
    """REF-1: the next step of a referral out: sent, received, the reply (accepted, refused,
    appointment given, with its note) or withdrawn (with the reason in ``note``)."""
    if status not in ReferralStatus.values or status == ReferralStatus.DRAFT:
        raise ValidationFailed(
            "referral_status", _("Choose one of the listed steps."), field="status"
        )
    referral = _lock(referral)
    organisation = referral.client.organisation
    rules.check_move(referral.status, status)
    _check_day(organisation, on)
    note = clean_text(note, "note", NOTE_MAX)
    if status == ReferralStatus.SENT:
        _send(referral, actor, on)
        return referral
    if referral.sent_on is not None and on < referral.sent_on:
        raise ValidationFailed(
            "date_before_sent",
            _("This cannot be before the referral was sent (%(date)s).")
            % {"date": _day(referral.sent_on)},
            field="on",
        )
    fields = ["status", "updated_at"]
    if status == ReferralStatus.RECEIVED:
        _receive(referral, on)
        fields += ["received_on", "rights_due_on", "episode"]
    elif status in rules.REPLIES:
        if referral.received_on is not None and on < referral.received_on:
            raise ValidationFailed(
                "date_before_received",
                _("The reply cannot be before the partner received the referral (%(date)s).")
                % {"date": _day(referral.received_on)},
                field="on",
            )
        if status == ReferralStatus.REFUSED and not note:
            raise ValidationFailed(
                "reply_note_required",
                _("Write down the reason given for the refusal."),
                field="note",
            )
        if status == ReferralStatus.APPOINTMENT:
            if appointment_on is None:
                raise ValidationFailed(
                    "appointment_required",
                    _("Give the day of the appointment."),
                    field="appointment_on",
                )
            if appointment_on < on:
                raise ValidationFailed(
                    "appointment_before_reply",
                    _("The appointment cannot be before the day it was given."),
                    field="appointment_on",
                )
            referral.appointment_on = appointment_on
            fields.append("appointment_on")
        elif appointment_on is not None:
            raise ValidationFailed(
                "appointment_not_given",
                _("An appointment day belongs to “appointment given”."),
                field="appointment_on",
            )
        if referral.received_on is None:
            _receive(referral, on)
            fields += ["received_on", "rights_due_on", "episode"]
        if referral.replied_on is None:
            referral.replied_on = on
            fields.append("replied_on")
        if note:
            referral.reply_note = f"{referral.reply_note}\n{note}".strip()
            fields.append("reply_note")
        _close(referral, [DeadlineKind.REFERRAL_REPLY], on, note=str(status))
    else:  # withdrawn
        if not note:
            raise ValidationFailed(
                "withdraw_reason_required", _("Say why the referral is withdrawn."), field="note"
            )
        referral.withdrawn_on = on
        fields.append("withdrawn_on")
        _close(
            referral,
            [DeadlineKind.REFERRAL_REPLY, DeadlineKind.RIGHTS_ASSESSMENT],
            on,
            status=DeadlineStatus.CANCELLED,
            note="referral withdrawn",
        )
    referral.status = status
    referral.save(update_fields=list(dict.fromkeys(fields)))
    _event(referral, actor, status, on, note)
    return referral


@transaction.atomic
def referral_rights_record(
    *,
    referral: Referral,
    actor: User,
    assessed_on: datetime.date,
    granted: bool,
    latest_start_on: datetime.date | None = None,
    note: str = "",
) -> Referral:
    """REF-1 (NO, pasient- og brukerrettighetsloven § 2-2): the specialist health service's
    assessment: a right to necessary health care with the latest day it starts, or none.
    Closes the rights-assessment deadline, met or met late."""
    referral = _lock(referral)
    if not referral.partner.rights_assessment:
        raise ValidationFailed(
            "rights_not_applicable",
            _("%(partner)s does not assess patient rights.") % {"partner": referral.partner.name},
        )
    if referral.rights_outcome:
        raise Conflict("rights_already_recorded", _("The rights assessment is already recorded."))
    if referral.status not in rules.RECEIVED_OR_LATER or referral.received_on is None:
        raise Conflict(
            "rights_not_received",
            _("Record first that the partner received the referral."),
        )
    _check_day(referral.client.organisation, assessed_on, "assessed_on")
    if assessed_on < referral.received_on:
        raise ValidationFailed(
            "date_before_received",
            _("The assessment cannot be before the referral was received (%(date)s).")
            % {"date": _day(referral.received_on)},
            field="assessed_on",
        )
    if granted:
        if latest_start_on is None:
            raise ValidationFailed(
                "rights_start_required",
                _("A right to health care comes with the latest day it starts."),
                field="latest_start_on",
            )
        if latest_start_on < assessed_on:
            raise ValidationFailed(
                "rights_start_before_assessment",
                _("The latest start cannot be before the assessment."),
                field="latest_start_on",
            )
    elif latest_start_on is not None:
        raise ValidationFailed(
            "rights_start_not_granted",
            _("A latest start belongs only to a granted right."),
            field="latest_start_on",
        )
    referral.rights_outcome = "granted" if granted else "not_granted"
    referral.rights_assessed_on = assessed_on
    referral.rights_latest_start_on = latest_start_on
    referral.rights_note = clean_text(note, "note", NOTE_MAX)
    referral.save(
        update_fields=[
            "rights_outcome",
            "rights_assessed_on",
            "rights_latest_start_on",
            "rights_note",
            "updated_at",
        ]
    )
    _close(referral, [DeadlineKind.RIGHTS_ASSESSMENT], assessed_on, note=referral.rights_outcome)
    _event(referral, actor, "rights", assessed_on, referral.rights_note)
    return referral


# --- referrals in --------------------------------------------------------------------------


def _check_received_at(organisation: Organisation, received_at: datetime.datetime) -> None:
    if timezone.is_naive(received_at):
        raise ValidationFailed(
            "received_at_naive", _("Give the time with its time zone."), field="received_at"
        )
    if received_at.date() < EARLIEST_DAY:
        raise ValidationFailed(
            "received_at_too_early",
            _("The date cannot be before 1 January 1900."),
            field="received_at",
        )
    if received_at > clock.now() + CLOCK_SKEW:
        raise ValidationFailed(
            "received_at_future",
            _("The referral cannot be received in the future."),
            field="received_at",
        )


def referral_in_record(
    *,
    organisation: Organisation,
    actor: User,
    referrer: str,
    received_at: datetime.datetime,
    site: Site | None = None,
    client: Client | None = None,
    new_client: dict[str, Any] | None = None,
    referrer_name: str = "",
    reason: str = "",
    letter: Document | None = None,
    letter_file: File | None = None,  # type: ignore[type-arg]
    assign_to: User | None = None,
) -> IncomingReferral:
    """REF-1, INT-1: a referral in. Registers the inquiry (and a new client, given
    ``new_client``: the fields of the client registration) and stores the letter, all or
    nothing: a refusal leaves no client, no inquiry, no document row and no file."""
    with storage.removed_on_failure():
        return _referral_in_record(
            organisation=organisation,
            actor=actor,
            referrer=referrer,
            received_at=received_at,
            site=site,
            client=client,
            new_client=new_client,
            referrer_name=referrer_name,
            reason=reason,
            letter=letter,
            letter_file=letter_file,
            assign_to=assign_to,
        )


@transaction.atomic
def _referral_in_record(
    *,
    organisation: Organisation,
    actor: User,
    referrer: str,
    received_at: datetime.datetime,
    site: Site | None,
    client: Client | None,
    new_client: dict[str, Any] | None,
    referrer_name: str,
    reason: str,
    letter: Document | None,
    letter_file: File | None,  # type: ignore[type-arg]
    assign_to: User | None,
) -> IncomingReferral:
    if referrer not in Referrer.values or referrer == Referrer.SELF:
        raise ValidationFailed(
            "referrer_invalid",
            _("Say who referred: a GP, a hospital, another municipality or agency."),
            field="referrer",
        )
    referrer_name = clean_text(referrer_name, "referrer_name", 200)
    reason = clean_text(reason, "reason", REASON_MAX)
    _check_received_at(organisation, received_at)
    if (client is None) == (new_client is None):
        raise ValidationFailed(
            "client_required", _("Choose the client, or register a new one."), field="client"
        )
    if letter is not None and letter_file is not None:
        raise ValidationFailed(
            "letter_twice", _("Give the letter once: a stored document or a file."), field="letter"
        )
    if site is not None and (site.organisation_id != organisation.pk or not site.is_active):
        raise NotFound("not_found", _("No such site."), field="site")
    if assign_to is not None and not may(assign_to, Perm.CLIENT_READ, organisation.pk):
        raise ValidationFailed(
            "assignee_not_staff", _("The counsellor is not staff here."), field="assign_to"
        )
    if new_client is not None:
        client = client_services.client_register(organisation=organisation, **new_client)
    assert client is not None  # noqa: S101 - one of the two, checked above
    if client.organisation_id != organisation.pk:
        raise NotFound("not_found", _("No such client."), field="client")
    if letter is not None:
        _documents(client, [letter])
    _lock_client(client)
    episode = open_episode(client)
    inquiry = None
    if episode is None:
        if site is None:
            raise ValidationFailed(
                "site_required", _("Choose the site that takes the inquiry."), field="site"
            )
        inquiry = inquiry_register(
            organisation=organisation,
            site=site,
            actor=actor,
            channel="referral",
            referrer=referrer,
            referrer_name=referrer_name,
            received_at=received_at,
            client=client,
            assign_to=assign_to,
            notes=reason,
        )
        assert inquiry.episode is not None  # noqa: S101 - a client's inquiry opens one
        episode = inquiry.episode
    else:
        record_event(
            episode=episode,
            actor=actor,
            kind="referral_in",
            summary=referrer_name or str(Referrer(referrer).label),
            data={"referrer": referrer},
        )
    if letter_file is not None:
        local_day = received_at.astimezone(ZoneInfo(organisation.time_zone)).date()
        letter = document_services.document_upload(
            client=client,
            actor=actor,
            upload=letter_file,
            kind=DocumentKind.REFERRAL,
            dated_on=local_day,
            source=referrer_name or str(Referrer(referrer).label),
        )
    incoming = IncomingReferral.objects.create(
        client=client,
        referrer=referrer,
        referrer_name=referrer_name,
        received_at=received_at,
        reason=reason,
        letter=letter,
        inquiry=inquiry,
        episode=episode,
        recorded_by=actor,
    )
    if letter is not None:
        document_services.documents_attach(documents=[letter])
    return incoming
