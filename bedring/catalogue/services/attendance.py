"""Attendance per session, no-show flags and MOVE gift cards (SCH-1, SCH-2, CAT-3).

Writes are keyword-only services in one transaction each; django-auditlog keeps the old and
new status of a corrected record. Reads for the attendance grid and the gift-card pages sit
here too, next to the rules they show, and issue a fixed number of queries.

Rules decided here where the sources are silent:

* **Which sessions can be recorded.** A session of the client's course (or the client's own
  individual session), not cancelled, on or before today in the organisation's time zone,
  not before the enrolment started, for an active enrolment. Recording the first attendance
  marks a planned session as held.
* **No-shows (SCH-2).** The flag is raised when the client's most recent recorded sessions, in
  session order, are ``no_show_flag_after`` absences in a row (the rule pack, default 3,
  overridable per organisation; an outreach client's own number, or never, where the pack sets
  ``outreach_no_show_flag_after``: ``bedring.clients.no_show``). *Cancelled with notice neither
  counts nor breaks the run*: a client who rings to say they cannot come is not a no-show, but
  the call does not wipe out the absences before it either. A session without a record is
  treated the same way (it is not known yet). An attended session ends the run and clears the
  flag. The flag always follows the record, so correcting an absence to "attended" or
  "cancelled" clears a flag it had raised. Raising and clearing are written on the client's open
  episode's timeline (``no_show_flag`` / ``no_show_cleared``); without an open episode only the
  flag is set.
* **Short notes (SCH-1).** An attendance may carry a short note (at most 300 characters:
  "took part actively", "left early"), set with the status and corrected like it; a note
  without a status is refused (``note_without_status``). It is a remark on the attendance,
  not the journal: a contact worth documenting is a journal note of type group session
  (bedring.journal, on the same layer, is not imported here). The client's enrolment page
  shows the notes of its sessions.
* **Gift cards (CAT-3, MOVE).** Attended conversations are counted in session order over
  the whole enrolment; the ``every``-th, ``2 * every``-th, ... is due when the client's age
  on that session's date is within ``gift_card.ages`` (completed years, both ends inclusive,
  as in eligibility: ``max: 25`` includes the day before the 26th birthday). Without a birth
  date no card is due. A card handed out stays in the ledger even if the attendance is
  corrected later; it is never due twice for one session.
"""

from __future__ import annotations

import datetime
import uuid as uuid_lib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import Staff
from bedring.accounts.models import User
from bedring.clients.models import Client
from bedring.clients.no_show import no_show_thresholds
from bedring.core import clock
from bedring.core.ages import age_on
from bedring.core.errors import Conflict, ValidationFailed
from bedring.core.roles import Perm
from bedring.pathway.selectors import open_episode
from bedring.pathway.timeline import record_event

from ..models import (
    Attendance,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    GiftCard,
    Session,
    SessionStatus,
)
from ..terms import GiftCard as GiftCardTerms

SESSION_ORDER = ("session__on", "session__start_time", "session__index", "session__id")
# SCH-1: the short note an attendance may carry.
NOTE_MAX = 300

# --- pure rules ----------------------------------------------------------------------------


def absences_in_a_row(statuses: Iterable[str]) -> int:
    """SCH-2: the absences at the end of ``statuses`` (in session order). Attended ends the
    run; cancelled with notice neither counts nor ends it."""
    run = 0
    for status in statuses:
        if status == AttendanceStatus.ATTENDED:
            run = 0
        elif status == AttendanceStatus.ABSENT:
            run += 1
    return run


def gift_card_positions(
    attended_on: Sequence[datetime.date], *, birth_date: datetime.date | None, card: GiftCardTerms
) -> list[int]:
    """CAT-3: the 0-based positions in ``attended_on`` (the dates of the attended
    conversations, in order) at which a gift card is due: every ``card.every``-th one, when
    the client's age on that day is within ``card.ages``. No birth date, no card."""
    if birth_date is None:
        return []
    due = []
    for number, day in enumerate(attended_on, start=1):
        if number % card.every:
            continue
        age = age_on(birth_date, day)
        if card.ages.min is not None and age < card.ages.min:
            continue
        if card.ages.max is not None and age > card.ages.max:
            continue
        due.append(number - 1)
    return due


# --- permission-checked getters ------------------------------------------------------------


def session_for(
    staff: Staff,
    session_uuid: uuid_lib.UUID | str,
    *,
    perm: Perm,
    organisation_ids: Iterable[int],
) -> Session:
    """A session of one of ``organisation_ids`` (the HTML pages pass the active organisation,
    the API every membership); another organisation's is 404, a role without ``perm`` 403."""
    try:
        session = Session.objects.select_related(
            "organisation", "course__offer", "course__site", "enrolment__offer"
        ).get(uuid=session_uuid, organisation_id__in=list(organisation_ids))
    except (Session.DoesNotExist, DjangoValidationError) as exc:
        raise Http404 from exc
    if not staff.can(perm, session.organisation_id):
        raise PermissionDenied
    return session


# --- reads ---------------------------------------------------------------------------------


@dataclass
class GridRow:
    enrolment: Enrolment
    status: str  # "" when nothing is recorded yet
    editable: bool  # an active enrolment; an ended one keeps its record but is read-only
    due_cards: list[Session] = field(default_factory=list)
    note: str = ""  # the attendance's short note


@dataclass
class AttendanceGrid:
    session: Session
    rows: list[GridRow]
    has_gift_cards: bool

    @property
    def clients(self) -> list[Client]:
        return [row.enrolment.client for row in self.rows]


def session_enrolments(session: Session) -> list[Enrolment]:
    """Who belongs on a session's attendance grid: the course's active enrolments that had
    started by the session's date, and anyone already recorded for it; or the individual
    session's own enrolment."""
    if session.course_id is None:
        return list(
            Enrolment.objects.filter(individual_sessions=session).select_related("client", "offer")
        )
    return list(
        Enrolment.objects.filter(course_id=session.course_id)
        .filter(
            Q(status=EnrolmentStatus.ACTIVE, starts_on__lte=session.on)
            | Q(attendance__session=session)
        )
        .distinct()
        .select_related("client", "offer")
        .order_by("client__last_name", "client__first_name", "client__code", "pk")
    )


def _gift_card_terms(
    enrolment: Enrolment, cache: dict[int, GiftCardTerms | None]
) -> GiftCardTerms | None:
    if enrolment.offer_id not in cache:
        cache[enrolment.offer_id] = enrolment.offer.parsed.gift_card
    return cache[enrolment.offer_id]


def gift_cards_due_for(enrolments: Sequence[Enrolment]) -> dict[int, list[Session]]:
    """CAT-3: per enrolment (``offer`` and ``client`` loaded), the sessions with a gift card
    due and not handed out, oldest first. Two queries, however many enrolments."""
    cache: dict[int, GiftCardTerms | None] = {}
    with_cards = [e for e in enrolments if _gift_card_terms(e, cache) is not None]
    result: dict[int, list[Session]] = {e.pk: [] for e in enrolments}
    if not with_cards:
        return result
    attended: dict[int, list[Session]] = defaultdict(list)
    for record in (
        Attendance.objects.filter(
            enrolment_id__in=[e.pk for e in with_cards], status=AttendanceStatus.ATTENDED
        )
        .select_related("session")
        .order_by(*SESSION_ORDER)
    ):
        attended[record.enrolment_id].append(record.session)
    given = set(
        GiftCard.objects.filter(enrolment_id__in=[e.pk for e in with_cards]).values_list(
            "session_id", flat=True
        )
    )
    for enrolment in with_cards:
        card = cache[enrolment.offer_id]
        if card is None:  # pragma: no cover - filtered above
            continue
        sessions = attended[enrolment.pk]
        positions = gift_card_positions(
            [s.on for s in sessions], birth_date=enrolment.client.birth_date, card=card
        )
        result[enrolment.pk] = [sessions[i] for i in positions if sessions[i].pk not in given]
    return result


def gift_cards_due(enrolment: Enrolment) -> list[Session]:
    """CAT-3: the sessions of ``enrolment`` with a gift card due and not yet handed out."""
    return gift_cards_due_for([enrolment])[enrolment.pk]


def gift_cards_given(enrolment: Enrolment) -> list[GiftCard]:
    """The ledger of an enrolment's gift cards, oldest session first."""
    return list(
        GiftCard.objects.filter(enrolment=enrolment)
        .select_related("session", "handed_out_by")
        .order_by("session__on", "session__index", "pk")
    )


def attendance_grid(session: Session) -> AttendanceGrid:
    """The attendance grid of a session: each enrolled client with the recorded status, the
    no-show flag and the gift cards due. A fixed number of queries (SCH-1, SCH-2, CAT-3)."""
    enrolments = session_enrolments(session)
    recorded = {
        enrolment_id: (status, note)
        for enrolment_id, status, note in Attendance.objects.filter(session=session).values_list(
            "enrolment_id", "status", "note"
        )
    }
    due = gift_cards_due_for(enrolments)
    cache: dict[int, GiftCardTerms | None] = {}
    return AttendanceGrid(
        session=session,
        rows=[
            GridRow(
                enrolment=e,
                status=recorded.get(e.pk, ("", ""))[0],
                editable=e.status == EnrolmentStatus.ACTIVE,
                due_cards=due[e.pk],
                note=recorded.get(e.pk, ("", ""))[1],
            )
            for e in enrolments
        ],
        has_gift_cards=any(_gift_card_terms(e, cache) is not None for e in enrolments),
    )


# --- writes --------------------------------------------------------------------------------


def _check_status(status: str) -> None:
    if status not in AttendanceStatus.values:
        raise ValidationFailed(
            "bad_status",
            _("Choose attended, absent or cancelled with notice."),
            field="status",
        )


def _check_session(session: Session, today: datetime.date) -> None:
    cancelled = session.status == SessionStatus.CANCELLED or (
        session.course is not None and session.course.cancelled_at is not None
    )
    if cancelled:
        raise Conflict("session_cancelled", _("The session is cancelled; nothing to record."))
    if session.on > today:
        raise ValidationFailed(
            "session_in_future",
            _("Attendance can be recorded from the day of the session, not before."),
        )


def _check_enrolment(session: Session, enrolment: Enrolment) -> None:
    belongs = (session.course_id is not None and enrolment.course_id == session.course_id) or (
        session.enrolment_id is not None and session.enrolment_id == enrolment.pk
    )
    if not belongs:
        raise ValidationFailed(
            "not_in_session",
            _("The client is not enrolled in this session's course."),
            field="enrolment",
        )
    if enrolment.status != EnrolmentStatus.ACTIVE:
        raise Conflict(
            "enrolment_not_active",
            _("%(client)s's enrolment has ended; attendance can no longer be recorded.")
            % {"client": enrolment.client.display_name},
            field="enrolment",
        )
    if session.on < enrolment.starts_on:
        raise ValidationFailed(
            "before_enrolment",
            _("%(client)s was not enrolled yet on %(date)s.")
            % {"client": enrolment.client.display_name, "date": session.on.isoformat()},
            field="enrolment",
        )


def _no_show_update(*, enrolment: Enrolment, actor: User, threshold: int | None) -> None:
    """SCH-2: set or clear the flag from the record; write the change on the timeline.
    ``threshold`` None: the client is not flagged (an outreach client, see
    ``bedring.clients.no_show``); a flag raised before is cleared."""
    statuses = Attendance.objects.filter(enrolment=enrolment).order_by(*SESSION_ORDER)
    run = absences_in_a_row(statuses.values_list("status", flat=True))
    flagged = threshold is not None and run >= threshold
    if flagged == enrolment.no_show_flag:
        return
    enrolment.no_show_flag = flagged
    enrolment.save(update_fields=["no_show_flag", "updated_at"])
    episode = open_episode(enrolment.client)
    if episode is not None:
        record_event(
            episode=episode,
            actor=actor,
            kind="no_show_flag" if flagged else "no_show_cleared",
            summary=enrolment.offer.name,
            data={
                "enrolment": str(enrolment.uuid),
                "offer": enrolment.offer.key,
                "absences_in_a_row": run,
                "threshold": threshold,
            },
        )


def _record_one(
    *,
    session: Session,
    enrolment: Enrolment,
    status: str,
    actor: User,
    threshold: int | None,
    note: str | None = None,
) -> Attendance:
    """``note`` None keeps the record's short note; a string replaces it."""
    _check_enrolment(session, enrolment)
    record = Attendance.objects.filter(session=session, enrolment=enrolment).first()
    if record is None:
        record = Attendance.objects.create(
            session=session,
            enrolment=enrolment,
            status=status,
            note=note or "",
            recorded_by=actor,
        )
    elif record.status != status or (note is not None and note != record.note):
        # A correction: the change log keeps the old and the new values and who changed them.
        status_changed = record.status != status
        record.status = status
        if note is not None:
            record.note = note
        record.recorded_by = actor
        record.save(update_fields=["status", "note", "recorded_by", "updated_at"])
        if not status_changed:
            return record
    else:
        return record
    _no_show_update(enrolment=enrolment, actor=actor, threshold=threshold)
    return record


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise ValidationFailed(
            "note_too_long",
            _("The short note can be at most %(max)d characters.") % {"max": NOTE_MAX},
            field="note",
        )
    return note


def _locked_session(session: Session) -> Session:
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("course", "organisation")
        .get(pk=session.pk)
    )


def _locked_enrolments(ids: Iterable[int]) -> dict[int, Enrolment]:
    # In primary-key order, so that two people saving overlapping grids queue up, never
    # deadlock.
    return {
        e.pk: e
        for e in Enrolment.objects.select_for_update(of=("self",))
        .select_related("client", "offer")
        .filter(pk__in=sorted(set(ids)))
        .order_by("pk")
    }


@transaction.atomic
def attendance_record_grid(
    *,
    session: Session,
    marks: Sequence[tuple[Enrolment, str]],
    actor: User,
    today: datetime.date | None = None,
    notes: Mapping[int, str] | None = None,
) -> list[Attendance]:
    """SCH-1, SCH-2: record (or correct) the attendance of several enrolments at one session
    in one transaction: any refusal writes nothing. Marks the session held, and raises or
    clears each enrolment's no-show flag (see the module docstring). ``notes`` (enrolment
    primary key to text, at most :data:`NOTE_MAX` characters) sets the short note of the
    enrolments it names; the others keep theirs."""
    locked = _locked_session(session)
    for _enrolment, status in marks:
        _check_status(status)
    notes = {pk: _check_note(text) for pk, text in (notes or {}).items()}
    marked = {e.pk for e, _status in marks}
    if set(notes) - marked:
        raise ValidationFailed(
            "note_without_status",
            _("A short note goes with an attendance: choose attended, absent or cancelled."),
            field="note",
        )
    _check_session(locked, today or clock.today(locked.organisation))
    if not marks:
        return []
    enrolments = _locked_enrolments(e.pk for e, _status in marks)
    thresholds = no_show_thresholds(locked.organisation, [e.client_id for e in enrolments.values()])
    records = [
        _record_one(
            session=locked,
            enrolment=enrolments[enrolment.pk],
            status=status,
            actor=actor,
            threshold=thresholds[enrolments[enrolment.pk].client_id],
            note=notes.get(enrolment.pk),
        )
        for enrolment, status in marks
    ]
    if locked.status == SessionStatus.PLANNED:
        locked.status = SessionStatus.HELD
        locked.save(update_fields=["status", "updated_at"])
    session.status = locked.status
    return records


@transaction.atomic
def attendance_record(
    *,
    session: Session,
    enrolment: Enrolment,
    status: str,
    actor: User,
    today: datetime.date | None = None,
    note: str | None = None,
) -> Attendance:
    """SCH-1, SCH-2: record whether a client attended, was absent or cancelled with notice;
    a second call for the same session corrects the record (its old value stays in the
    change log). Refusals: ``bad_status``, ``session_cancelled``, ``session_in_future``,
    ``not_in_session``, ``enrolment_not_active``, ``before_enrolment``, ``note_too_long``."""
    return attendance_record_grid(
        session=session,
        marks=[(enrolment, status)],
        actor=actor,
        today=today,
        notes={enrolment.pk: note} if note is not None else None,
    )[0]


@transaction.atomic
def gift_card_hand_out(
    *,
    enrolment: Enrolment,
    session: Session,
    actor: User,
    on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> GiftCard:
    """CAT-3: record a MOVE gift card handed out for a due attended conversation: one per
    session (``gift_card_already_given``, 409); only when due (``gift_card_not_due``, 422);
    ``on`` (default today) between the session and today."""
    locked = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("client", "offer", "organisation")
        .get(pk=enrolment.pk)
    )
    card = locked.offer.parsed.gift_card
    if card is None:
        raise ValidationFailed(
            "gift_card_not_due", _("This offer has no gift cards."), field="session"
        )
    given = GiftCard.objects.filter(session_id=session.pk).first()
    if given is not None:
        if given.enrolment_id == locked.pk:
            raise Conflict(
                "gift_card_already_given",
                _("The gift card for this conversation was handed out on %(date)s.")
                % {"date": given.handed_out_on.isoformat()},
                field="session",
            )
        # The ledger allows one card per session (a OneToOne); gift-card offers are
        # individual conversations, so a shared group session cannot carry two.
        raise Conflict(
            "gift_card_already_given",
            _("A gift card has already been handed out for this session."),
            field="session",
        )
    if session.pk not in {s.pk for s in gift_cards_due(locked)}:
        raise ValidationFailed(
            "gift_card_not_due",
            _("No gift card is due for this conversation."),
            field="session",
        )
    today = today or clock.today(locked.organisation)
    on = on or today
    if on > today:
        raise ValidationFailed(
            "hand_out_in_future", _("The day handed out cannot be in the future."), field="on"
        )
    if on < session.on:
        raise ValidationFailed(
            "hand_out_before_session",
            _("The gift card cannot be handed out before the conversation."),
            field="on",
        )
    try:
        with transaction.atomic():
            return GiftCard.objects.create(
                enrolment=locked,
                session=session,
                amount=card.amount,
                currency=card.currency,
                handed_out_on=on,
                handed_out_by=actor,
            )
    except IntegrityError as exc:  # two people at once: the OneToOne decides
        raise Conflict(
            "gift_card_already_given",
            _("A gift card has already been handed out for this session."),
            field="session",
        ) from exc
