"""Decisions, their letters, complaints about them and notifications to children's services
(DEC-1..7). Every function is keyword-only, typed and atomic, locks the episode, and writes
the episode's timeline in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may
from bedring.accounts.models import User
from bedring.accounts.selectors import rules_for, site_calendar
from bedring.clients.models import ChildAtHome
from bedring.core import clock
from bedring.core.ages import age_on
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.core.roles import Perm, Role

from .. import deadlines
from ..models import ChildNotification, Complaint, Decision, Episode
from ..models.decision import ComplaintKind, ComplaintStatus, DecisionKind, Intensity, Outcome
from ..models.episode import DeadlineKind, DeadlineStatus
from ..offers import OfferRef, resolve_offer
from ..states import EpisodeState, check_move
from ..timeline import deadline_open, deadlines_close, record_event
from .episode import episode_for_update, episode_move

# DEC-1: who decides what. The authority unit decides on social treatment and on day or
# residential treatment (DEC-3); the need for medical treatment is a doctor's decision.
DECIDER: dict[str, tuple[Perm, Role]] = {
    DecisionKind.TREATMENT: (Perm.DECIDE, Role.AUTHORITY),
    DecisionKind.DAY_OR_RESIDENTIAL: (Perm.DECIDE, Role.AUTHORITY),
    DecisionKind.MEDICAL: (Perm.DECIDE_MEDICAL, Role.DOCTOR),
}
# Which intensities each kind of decision may grant (CAT-1 intensity levels).
INTENSITIES: dict[str, frozenset[str]] = {
    DecisionKind.TREATMENT: frozenset({Intensity.OUTPATIENT}),
    DecisionKind.MEDICAL: frozenset({Intensity.OUTPATIENT}),
    DecisionKind.DAY_OR_RESIDENTIAL: frozenset({Intensity.DAY, Intensity.RESIDENTIAL}),
}
REEVALUATION_RESULTS = ("upheld", "changed")
# DEC-2: the complaints the deciding unit re-evaluates before they go on to the appeals body.
REEVALUATED_KINDS = (ComplaintKind.DECISION, ComplaintKind.LATE_START)


def _check_decider(actor: User, kind: str, organisation_id: int) -> None:
    perm, role = DECIDER[kind]
    if not may(actor, perm, organisation_id):
        raise Forbidden(
            "decision_role",
            _("Only staff with the role “%(role)s” may make this decision.") % {"role": role.label},
            field="kind",
            details={"role": role.value},
        )


def _check_day(
    day: datetime.date, *, today: datetime.date, not_before: datetime.date, field: str
) -> None:
    if day > today:
        raise ValidationFailed(
            "date_in_future", _("The date cannot be in the future."), field=field
        )
    if day < not_before:
        raise ValidationFailed(
            "date_too_early",
            _("The date cannot be before %(date)s.") % {"date": not_before.isoformat()},
            field=field,
        )


def _closed_days(episode: Episode) -> Collection[datetime.date]:
    return site_calendar(episode.site).closed_days if episode.site is not None else ()


def _offer_for(episode: Episode, *, kind: str, intensity: str, offer: str) -> OfferRef | None:
    """CAT-1: the offer a decision names is one of the organisation's catalogue (by its key
    or id): ``unknown_offer`` else, ``offer_other_organisation`` for another organisation's.
    Its intensity is the decision's: day treatment is not granted as outpatient treatment."""
    chosen = resolve_offer(episode.organisation_id, offer)
    if chosen is not None and chosen.intensity != intensity:
        labels = dict(Intensity.choices)
        raise ValidationFailed(
            "offer_intensity_mismatch",
            _("“%(offer)s” is %(offer_intensity)s, not %(intensity)s.")
            % {
                "offer": chosen.name,
                "offer_intensity": str(labels.get(chosen.intensity, chosen.intensity)).lower(),
                "intensity": str(labels.get(intensity, intensity)).lower(),
            },
            field="offer",
            details={"offer_intensity": chosen.intensity, "kind": kind},
        )
    return chosen


def letter_language(decision: Decision) -> str:
    """The language of the decision letter: the one it was sent in, else the client's,
    else the organisation's (DEC-2, DEC-6)."""
    episode = decision.episode
    return decision.letter_language or episode.client.language or episode.organisation.language


@transaction.atomic
def decision_make(
    *,
    episode: Episode,
    actor: User,
    kind: str,
    outcome: str,
    justification: str,
    intensity: str | None = None,
    offer: str = "",
    recommendation: str = "",
    decided_on: datetime.date | None = None,
    immediate: bool = False,
    supersedes: Decision | None = None,
    today: datetime.date | None = None,
) -> Decision:
    """DEC-1: grant or refuse treatment, always with a written justification. The authority
    decides on treatment and on day or residential treatment, a doctor on medical treatment.

    DEC-3: day or residential treatment needs the centre's recommendation. ASM-2: an
    ``immediate`` decision is taken at the assessment (straksvisitering). The episode moves
    from assessment to decided; in decided, a new decision replaces the one in force of the
    same kind (``supersedes``; a complaint's re-evaluation passes it explicitly). The letter
    is due within the rule pack's working days (DEC-1, DEC-6).
    """
    if kind not in DecisionKind.values:
        raise ValidationFailed("invalid_kind", _("Unknown kind of decision."), field="kind")
    _check_decider(actor, kind, episode.organisation_id)
    episode = episode_for_update(episode)
    if outcome not in Outcome.values:
        raise ValidationFailed("invalid_outcome", _("Choose grant or refusal."), field="outcome")
    allowed = INTENSITIES[kind]
    if intensity in (None, "") and kind == DecisionKind.DAY_OR_RESIDENTIAL:
        # The offer chosen says which: day treatment or a residential stay.
        named = resolve_offer(episode.organisation_id, offer)
        if named is not None and named.intensity in allowed:
            intensity = named.intensity
    if intensity in (None, ""):
        if len(allowed) != 1:
            raise ValidationFailed(
                "intensity_required",
                _("Choose day or residential treatment."),
                field="intensity",
            )
        intensity = next(iter(allowed))
    if intensity not in allowed:
        raise ValidationFailed(
            "intensity_mismatch",
            _("This intensity does not fit this kind of decision."),
            field="intensity",
        )
    chosen = _offer_for(episode, kind=kind, intensity=intensity, offer=offer)
    justification = justification.strip()
    if not justification:
        raise ValidationFailed(
            "justification_required",
            _("Write the justification: every decision is justified in writing."),
            field="justification",
        )
    recommendation = recommendation.strip()
    if kind == DecisionKind.DAY_OR_RESIDENTIAL and not recommendation:
        raise ValidationFailed(
            "recommendation_required",
            _("Day or residential treatment needs the centre's assessment and recommendation."),
            field="recommendation",
        )
    today = today or clock.today(episode.organisation)
    decided_on = decided_on or today
    _check_day(decided_on, today=today, not_before=episode.opened_on, field="decided_on")
    # During treatment a decision (a doctor's on medication, a re-evaluation that changes the
    # authority's) is made without leaving "active"; before it, the episode becomes "decided".
    during_treatment = episode.state == EpisodeState.ACTIVE
    if not during_treatment:
        check_move(episode.state, EpisodeState.DECIDED)

    # No row lock here: the episode row is locked above, which serialises every decision on
    # the episode (and PostgreSQL cannot lock across the outer join of superseded_by).
    in_force = Decision.objects.filter(episode=episode, kind=kind, superseded_by__isnull=True)
    if supersedes is not None:
        if supersedes.episode_id != episode.pk or supersedes.kind != kind:
            raise ValidationFailed(
                "supersedes_mismatch",
                _("A decision can only replace an earlier decision of the same kind."),
                field="supersedes",
            )
        if not in_force.filter(pk=supersedes.pk).exists():
            raise Conflict("already_superseded", _("That decision has already been replaced."))
    else:
        supersedes = in_force.order_by("-decided_on", "-id").first()

    if episode.state not in (EpisodeState.DECIDED, EpisodeState.ACTIVE):
        episode_move(episode=episode, actor=actor, to_state=EpisodeState.DECIDED, on=decided_on)
    decision = Decision.objects.create(
        episode=episode,
        kind=kind,
        outcome=outcome,
        intensity=intensity,
        offer_key=chosen.key if chosen is not None else "",
        offer=chosen.name[:200] if chosen is not None else "",
        justification=justification,
        decided_on=decided_on,
        decided_by=actor,
        immediate=immediate,
        recommendation=recommendation,
        supersedes=supersedes,
    )
    if supersedes is not None:
        # The replaced decision's letter is no longer needed if it has not gone out.
        deadlines_close(
            episode=episode,
            kinds=[DeadlineKind.DECISION_LETTER],
            subject_id=supersedes.pk,
            on=decided_on,
            status=DeadlineStatus.CANCELLED,
            note="decision replaced",
        )
    spec = deadlines.decision_letter_due(
        rules_for(episode.organisation), decided_on, _closed_days(episode)
    )
    deadline_open(episode=episode, spec=spec, subject_id=decision.pk)
    record_event(
        episode=episode,
        actor=actor,
        kind="decision",
        summary=str(decision),
        data={
            "decision": str(decision.uuid),
            "kind": kind,
            "outcome": outcome,
            "intensity": intensity,
            "offer": decision.offer_key,
            "immediate": immediate,
            "supersedes": str(supersedes.uuid) if supersedes else None,
        },
    )
    return decision


@transaction.atomic
def decision_letter_sent(
    *,
    decision: Decision,
    actor: User,
    sent_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Decision:
    """DEC-2, DEC-6: the decision letter went out (by post where the person is entitled to
    it). Its date starts the complaint window and closes the letter deadline."""
    episode = episode_for_update(decision.episode)
    decision = Decision.objects.select_for_update(of=("self",)).get(pk=decision.pk)
    decision.episode = episode
    if decision.letter_sent_on is not None:
        raise Conflict(
            "letter_already_sent",
            _("The letter was already sent on %(date)s.")
            % {"date": decision.letter_sent_on.isoformat()},
        )
    today = today or clock.today(episode.organisation)
    sent_on = sent_on or today
    _check_day(sent_on, today=today, not_before=decision.decided_on, field="sent_on")
    decision.letter_sent_on = sent_on
    decision.letter_language = letter_language(decision)
    decision.save(update_fields=["letter_sent_on", "letter_language", "updated_at"])
    deadlines_close(
        episode=episode, kinds=[DeadlineKind.DECISION_LETTER], subject_id=decision.pk, on=sent_on
    )
    record_event(
        episode=episode,
        actor=actor,
        kind="letter_sent",
        summary=str(decision),
        data={"decision": str(decision.uuid), "sent_on": sent_on.isoformat()},
    )
    return decision


@transaction.atomic
def complaint_register(
    *,
    actor: User,
    kind: str,
    text: str,
    decision: Decision | None = None,
    episode: Episode | None = None,
    received_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Complaint:
    """DEC-2: register a complaint with the day it was received.

    A complaint about the decision goes to the unit that decided, which re-evaluates it
    within the rule pack's weeks. One received after the complaint window is still
    registered, and flagged late. A complaint about health treatment is not the
    municipality's to decide: it is sent to the patient complaints body. A complaint about
    the service goes to the service's leader.

    A complaint that treatment did not start within the start guarantee (``late_start``;
    seed 002 §12: "manglende iværksættelse af tilbud inden for 14 dage") has no decision to
    point at: it is registered on the ``episode`` and re-evaluated like a complaint about a
    decision. Other kinds need no decision either, except ``decision``.
    """
    if kind not in ComplaintKind.values:
        raise ValidationFailed("invalid_kind", _("Unknown kind of complaint."), field="kind")
    target = decision.episode if decision is not None else episode
    if target is None:
        raise ValidationFailed(
            "decision_required", _("Choose the decision the complaint is about."), field="kind"
        )
    episode = episode_for_update(target)
    if decision is not None:
        decision = Decision.objects.get(pk=decision.pk)
        decision.episode = episode
    rules = rules_for(episode.organisation)
    text = text.strip()
    if not text:
        raise ValidationFailed(
            "complaint_text_required", _("Write down what the complaint is about."), field="text"
        )
    if kind == ComplaintKind.DECISION:
        if decision is None:
            raise ValidationFailed(
                "decision_required",
                _("Choose the decision the complaint is about."),
                field="kind",
            )
        if decision.kind == DecisionKind.MEDICAL:
            raise ValidationFailed(
                "medical_complaint_is_health",
                _(
                    "A complaint about a doctor's decision on medical treatment is a complaint "
                    "about health treatment."
                ),
                field="kind",
            )
        if Decision.objects.filter(supersedes=decision).exists():
            raise Conflict(
                "decision_superseded",
                _("This decision has been replaced; register the complaint on the new one."),
            )
    if kind == ComplaintKind.LATE_START and rules.start_guarantee_days is None:
        raise ValidationFailed(
            "no_start_guarantee",
            _("This organisation has no start guarantee to complain about."),
            field="kind",
        )
    today = today or clock.today(episode.organisation)
    received_on = received_on or today
    not_before = decision.decided_on if decision is not None else episode.opened_on
    _check_day(received_on, today=today, not_before=not_before, field="received_on")
    complaint = Complaint(
        episode=episode,
        decision=decision,
        kind=kind,
        received_on=received_on,
        received_by=actor,
        text=text,
        late=decision is not None
        and deadlines.complaint_is_late(
            rules, letter_received_on=decision.letter_sent_on, complaint_received_on=received_on
        ),
    )
    if kind == ComplaintKind.HEALTH:
        complaint.status = ComplaintStatus.REDIRECTED
        complaint.forwarded_to = rules.health_complaints_body[:200]
        complaint.forwarded_on = received_on
    complaint.save()
    if kind in REEVALUATED_KINDS:
        deadline_open(
            episode=episode,
            spec=deadlines.complaint_reevaluation_due(rules, received_on),
            subject_id=complaint.pk,
        )
    record_event(
        episode=episode,
        actor=actor,
        kind="complaint",
        summary=str(complaint.get_kind_display()),
        data={
            "complaint": str(complaint.uuid),
            "decision": str(decision.uuid) if decision is not None else None,
            "kind": kind,
            "late": complaint.late,
            "status": complaint.status,
        },
    )
    return complaint


@transaction.atomic
def complaint_reevaluate(
    *,
    complaint: Complaint,
    actor: User,
    result: str,
    justification: str,
    on: datetime.date | None = None,
    outcome: str | None = None,
    intensity: str | None = None,
    offer: str | None = None,
    recommendation: str | None = None,
    today: datetime.date | None = None,
) -> Complaint:
    """DEC-2: the unit that decided re-evaluates the decision complained about.

    ``upheld``: the complaint goes on to the appeals body (DK Ankestyrelsen, NO
    Statsforvalteren) and the client is told; where the rule pack names no appeals body the
    decision simply stands. ``changed``: a new decision replaces the old one, with the same
    rules as any decision (DEC-1). Either way the re-evaluation deadline is closed.
    """
    episode = episode_for_update(complaint.episode)
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("decision")
        .get(pk=complaint.pk)
    )
    complaint.episode = episode
    decision = complaint.decision
    if decision is not None:
        decision.episode = episode
    if complaint.kind not in REEVALUATED_KINDS:
        raise Conflict(
            "not_a_decision_complaint",
            _("Only a complaint about the decision is re-evaluated by the unit that decided."),
        )
    _check_decider(
        actor,
        decision.kind if decision is not None else DecisionKind.TREATMENT,
        episode.organisation_id,
    )
    if complaint.status != ComplaintStatus.RECEIVED:
        raise Conflict("complaint_handled", _("This complaint has already been re-evaluated."))
    if result not in REEVALUATION_RESULTS:
        raise ValidationFailed(
            "invalid_result", _("Choose whether the decision is upheld or changed."), field="result"
        )
    if result == "changed" and decision is None:
        raise ValidationFailed(
            "no_decision_to_change",
            _(
                "This complaint is not about a decision, so there is none to change: uphold "
                "the position, or start the treatment and record the decision."
            ),
            field="result",
        )
    justification = justification.strip()
    if not justification:
        raise ValidationFailed(
            "justification_required",
            _("Write the justification of the re-evaluation."),
            field="justification",
        )
    today = today or clock.today(episode.organisation)
    on = on or today
    _check_day(on, today=today, not_before=complaint.received_on, field="on")
    rules = rules_for(episode.organisation)
    complaint.reevaluated_on = on
    complaint.reevaluation_note = justification
    new_decision: Decision | None = None
    if result == "upheld":
        if rules.appeals_body:
            complaint.status = ComplaintStatus.FORWARDED
            complaint.forwarded_to = rules.appeals_body[:200]
            complaint.forwarded_on = on
        else:
            complaint.status = ComplaintStatus.UPHELD
        complaint.client_informed_on = on
    else:
        assert decision is not None  # noqa: S101 - refused above when there is none
        if outcome is None:
            raise ValidationFailed(
                "outcome_required", _("Choose the outcome of the new decision."), field="outcome"
            )
        new_intensity = intensity or decision.intensity
        # None keeps the offer decided; "" takes it away; else a key or id of the catalogue.
        carried_name: str | None = None
        if offer is None:
            new_offer = new_key = decision.offer_key
            if not decision.offer_key:
                carried_name = decision.offer  # a name from before the catalogue, kept
        else:
            chosen = resolve_offer(episode.organisation_id, offer)
            new_offer, new_key = offer, chosen.key if chosen is not None else ""
        same_offer = new_key == decision.offer_key and bool(
            new_key or carried_name == decision.offer or not decision.offer
        )
        if (outcome, new_intensity) == (decision.outcome, decision.intensity) and same_offer:
            raise ValidationFailed(
                "decision_unchanged",
                _("The new decision is the same as the old one: uphold it instead."),
                field="outcome",
            )
        new_decision = decision_make(
            episode=episode,
            actor=actor,
            today=today,
            kind=decision.kind,
            outcome=outcome,
            intensity=new_intensity,
            offer=new_offer,
            justification=justification,
            recommendation=decision.recommendation if recommendation is None else recommendation,
            decided_on=on,
            supersedes=decision,
        )
        if carried_name:
            new_decision.offer = carried_name
            new_decision.save(update_fields=["offer", "updated_at"])
        complaint.status = ComplaintStatus.CHANGED
    complaint.save(
        update_fields=[
            "status",
            "reevaluated_on",
            "reevaluation_note",
            "forwarded_on",
            "forwarded_to",
            "client_informed_on",
            "updated_at",
        ]
    )
    deadlines_close(
        episode=episode,
        kinds=[DeadlineKind.COMPLAINT_REEVALUATION],
        subject_id=complaint.pk,
        on=on,
    )
    record_event(
        episode=episode,
        actor=actor,
        kind="complaint_reevaluated",
        summary=str(complaint.get_status_display()),
        data={
            "complaint": str(complaint.uuid),
            "result": result,
            "status": complaint.status,
            "forwarded_to": complaint.forwarded_to,
            "new_decision": str(new_decision.uuid) if new_decision else None,
        },
    )
    return complaint


@transaction.atomic
def child_concern_record(
    *,
    episode: Episode,
    actor: User,
    concern: str,
    child: ChildAtHome | None = None,
    noted_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ChildNotification:
    """DEC-7: the client has children under 18 at home and there is concern for a child: the
    heightened duty to notify children's services starts a deadline (without delay)."""
    episode = episode_for_update(episode)
    if not episode.is_open:
        raise Conflict("episode_closed", _("The episode has ended."))
    concern = concern.strip()
    if not concern:
        raise ValidationFailed(
            "concern_required", _("Describe the concern for the child."), field="concern"
        )
    today = today or clock.today(episode.organisation)
    noted_on = noted_on or today
    _check_day(noted_on, today=today, not_before=episode.opened_on, field="noted_on")
    rules = rules_for(episode.organisation)
    if child is not None:
        if child.client_id != episode.client_id or child.archived_at is not None:
            raise ValidationFailed(
                "child_not_clients", _("Choose one of the client's children."), field="child"
            )
        if age_on(child.birth_date, noted_on) >= rules.adult_age:
            raise ValidationFailed(
                "child_adult",
                _("The duty to notify concerns children under 18."),
                field="child",
            )
    notification = ChildNotification.objects.create(
        episode=episode,
        child=child,
        concern=concern,
        concern_noted_on=noted_on,
        noted_by=actor,
    )
    deadline_open(
        episode=episode,
        spec=deadlines.child_notification_due(rules, noted_on),
        subject_id=notification.pk,
    )
    record_event(
        episode=episode,
        actor=actor,
        kind="child_concern",
        summary=child.first_name if child else "",
        data={"notification": str(notification.uuid)},
    )
    return notification


@transaction.atomic
def child_notification_made(
    *,
    notification: ChildNotification,
    actor: User,
    recipient: str,
    reference: str = "",
    notified_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ChildNotification:
    """DEC-7: the notification to children's services was made: when, by whom, to whom and
    under which reference. Closes the notification deadline."""
    episode = episode_for_update(notification.episode)
    notification = ChildNotification.objects.select_for_update(of=("self",)).get(pk=notification.pk)
    notification.episode = episode
    if notification.notified_on is not None:
        raise Conflict("notification_already_made", _("The notification has already been made."))
    recipient = recipient.strip()
    if not recipient:
        raise ValidationFailed(
            "recipient_required",
            _("Name the children's services the notification was sent to."),
            field="recipient",
        )
    today = today or clock.today(episode.organisation)
    notified_on = notified_on or today
    _check_day(
        notified_on, today=today, not_before=notification.concern_noted_on, field="notified_on"
    )
    notification.notified_on = notified_on
    notification.notified_by = actor
    notification.recipient = recipient[:200]
    notification.reference = reference.strip()[:100]
    notification.save(
        update_fields=["notified_on", "notified_by", "recipient", "reference", "updated_at"]
    )
    deadlines_close(
        episode=episode,
        kinds=[DeadlineKind.CHILD_NOTIFICATION],
        subject_id=notification.pk,
        on=notified_on,
    )
    record_event(
        episode=episode,
        actor=actor,
        kind="child_notified",
        summary=notification.recipient,
        data={"notification": str(notification.uuid), "reference": notification.reference},
    )
    return notification
