"""Episodes and inquiries: opening a course, moving it along the state table, its deadlines
and its timeline (INT-1..7, DEC-4)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bedring.accounts.access import may, may_have_case
from bedring.accounts.models import Organisation, Site, User
from bedring.accounts.selectors import rules_for, site_calendar
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.errors import Conflict, NotFound, ValidationFailed
from bedring.core.roles import Perm

from ..deadlines import inquiry_deadlines
from ..models import Deadline, Episode, Inquiry
from ..models.episode import Channel, DeadlineKind, DeadlineStatus, Referrer
from ..states import EpisodeState, check_move
from ..timeline import deadline_open, deadlines_close, record_event

CLOCK_SKEW = datetime.timedelta(minutes=5)
EARLIEST_INQUIRY = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
ENDED_WITH_EPISODE = (
    DeadlineKind.FIRST_CONTACT,
    DeadlineKind.CALLBACK,
    DeadlineKind.ASSESSMENT,
    DeadlineKind.TREATMENT_START,
    DeadlineKind.PLAN_EVALUATION,
    # HLT-1, HLT-2: the intake screenings and the next vaccination dose belong to the course.
    DeadlineKind.SCREENING,
    DeadlineKind.VACCINATION,
)
# The decisions that authorise treatment (DEC-1); a doctor's medical decision does not.
TREATMENT_DECISIONS = ("treatment", "day_residential")
# Channels where "outside hours" means something: someone tried to reach a person.
CHANNEL_HOURS: dict[str, str] = {"phone": "phone", "sms": "phone", "in_person": "opening"}


def episode_for_update(episode: Episode) -> Episode:
    """Lock the episode row: two people moving one episode at once queue up."""
    return (
        Episode.objects.select_for_update(of=("self",))
        .select_related("organisation", "client")
        .get(pk=episode.pk)
    )


def episode_move(
    *,
    episode: Episode,
    actor: User | None,
    to_state: str,
    summary: str = "",
    on: datetime.date | None = None,
) -> Episode:
    """Move along the declared state table (bedring.pathway.states), or refuse with 409."""
    check_move(episode.state, to_state)
    from_state = episode.state
    episode.state = to_state
    fields = ["state", "updated_at"]
    if to_state in (EpisodeState.WITHDRAWN, EpisodeState.DISCHARGED):
        episode.closed_on = on or clock.today(episode.organisation)
        fields.append("closed_on")
        # The course's own deadlines end with it; duties owed to the client or a child do not:
        # the decision letter (DEC-6), a complaint's re-evaluation (DEC-2) and the
        # notification to children's services (DEC-7) stay on the worklist.
        deadlines_close(
            episode=episode,
            kinds=ENDED_WITH_EPISODE,
            on=episode.closed_on,
            status=DeadlineStatus.CANCELLED,
            note="episode ended",
        )
    episode.save(update_fields=fields)
    record_event(
        episode=episode,
        actor=actor,
        kind="state",
        summary=summary,
        data={"from": from_state, "to": to_state},
    )
    return episode


def _check_received_at(received_at: datetime.datetime) -> None:
    if timezone.is_naive(received_at):
        raise ValidationFailed(
            "received_at_naive", _("Give the time with its time zone."), field="received_at"
        )
    if received_at < EARLIEST_INQUIRY:
        raise ValidationFailed(
            "received_at_too_early",
            _("The inquiry date is implausibly early."),
            field="received_at",
        )
    if received_at > clock.now() + CLOCK_SKEW:
        raise ValidationFailed(
            "received_at_future",
            _("The inquiry cannot be received in the future."),
            field="received_at",
        )


def _check_counsellor(person: User, organisation_id: int, *, field: str) -> None:
    """INT-7: only a counsellor of the organisation has a case (``record_staff``): someone
    who is not staff here is ``assignee_not_staff``, other staff (the authority, a doctor)
    ``assignee_not_counsellor``."""
    if may_have_case(person, organisation_id):
        return
    if not may(person, Perm.CLIENT_READ, organisation_id):
        raise ValidationFailed(
            "assignee_not_staff", _("The counsellor is not staff here."), field=field
        )
    raise ValidationFailed(
        "assignee_not_counsellor",
        _("%(name)s is not a counsellor here: only a counsellor can be responsible for a case.")
        % {"name": person.get_full_name() or person.username},
        field=field,
    )


@transaction.atomic
def inquiry_register(
    *,
    organisation: Organisation,
    site: Site,
    actor: User,
    channel: str,
    referrer: str,
    received_at: datetime.datetime,
    client: Client | None = None,
    anonymous_counselling: bool = False,
    walk_in: bool = False,
    assign_to: User | None = None,
    referrer_name: str = "",
    notes: str = "",
) -> Inquiry:
    """INT-1..7: record an inquiry, open the episode, compute and store its deadlines.

    Anonymous open counselling (INT-2) records the inquiry without a person and opens nothing.
    """
    if site.organisation_id != organisation.pk or not site.is_active:
        raise NotFound("not_found", _("No such site."))
    if channel not in Channel.values:
        raise ValidationFailed("invalid_channel", _("Unknown channel."), field="channel")
    if referrer not in Referrer.values:
        raise ValidationFailed("invalid_referrer", _("Unknown referrer."), field="referrer")
    _check_received_at(received_at)
    if anonymous_counselling and client is not None:
        raise ValidationFailed(
            "anonymous_with_client", _("Anonymous counselling records no person."), field="client"
        )
    if not anonymous_counselling and client is None:
        raise ValidationFailed(
            "client_required",
            _("Choose the client, or record anonymous counselling."),
            field="client",
        )
    if client is not None and client.organisation_id != organisation.pk:
        raise NotFound("not_found", _("No such client."))
    if assign_to is not None:
        _check_counsellor(assign_to, organisation.pk, field="assign_to")

    calendar = site_calendar(site)
    hours_kind = CHANNEL_HOURS.get(channel)
    outside_hours = hours_kind is not None and not calendar.is_open(hours_kind, received_at)
    inquiry = Inquiry(
        organisation=organisation,
        site=site,
        client=client,
        channel=channel,
        referrer=referrer,
        referrer_name=referrer_name.strip(),
        received_at=received_at,
        outside_hours=outside_hours,
        walk_in=walk_in,
        anonymous_counselling=anonymous_counselling,
        received_by=actor,
        notes=notes.strip(),
    )
    if anonymous_counselling:
        inquiry.save()
        return inquiry

    assert client is not None  # noqa: S101 - checked above; narrows the type
    received_on = calendar.local(received_at).date()
    # Lock the client: two inquiries for one person at the same moment open one episode.
    Client.objects.select_for_update(of=("self",)).filter(pk=client.pk).first()
    open_episode = Episode.objects.filter(
        client=client,
        organisation=organisation,
        state__in=[
            EpisodeState.INQUIRY,
            EpisodeState.ASSESSMENT,
            EpisodeState.DECIDED,
            EpisodeState.ACTIVE,
        ],
    ).first()
    if open_episode is not None:
        raise Conflict(
            "episode_open",
            _("This client already has an open episode; record the contact there."),
            details={"episode": str(open_episode.uuid)},
        )
    previous = (
        Episode.objects.filter(client=client, organisation=organisation)
        .order_by("-opened_on", "-id")
        .first()
    )
    try:
        with transaction.atomic():
            episode = Episode.objects.create(
                organisation=organisation,
                client=client,
                site=site,
                state=EpisodeState.INQUIRY,
                responsible=assign_to,
                opened_on=received_on,
                previous_episode=previous,
            )
    except IntegrityError as exc:  # the constraint: one open episode per client
        raise Conflict(
            "episode_open", _("This client already has an open episode; record the contact there.")
        ) from exc
    inquiry.episode = episode
    inquiry.save()
    rules = rules_for(organisation)
    next_phone = calendar.next_opening("phone", received_at) if outside_hours else None
    for spec in inquiry_deadlines(
        rules,
        received_on=received_on,
        outside_phone_hours=outside_hours,
        next_phone_day=next_phone.date() if next_phone else None,
        closed_days=calendar.closed_days,
    ):
        deadline_open(episode=episode, spec=spec)
    record_event(
        episode=episode,
        actor=actor,
        kind="inquiry",
        summary=str(inquiry.get_channel_display()),
        data={
            "channel": channel,
            "referrer": referrer,
            "outside_hours": outside_hours,
            "walk_in": walk_in,
        },
    )
    if assign_to is not None:
        record_event(
            episode=episode, actor=actor, kind="assigned", summary=assign_to.get_full_name()
        )
    return inquiry


@transaction.atomic
def episode_assign(*, episode: Episode, actor: User, responsible: User) -> Episode:
    """INT-7: assign the responsible counsellor (on the spot for a walk-in)."""
    episode = episode_for_update(episode)
    _check_counsellor(responsible, episode.organisation_id, field="responsible")
    episode.responsible = responsible
    episode.save(update_fields=["responsible", "updated_at"])
    Deadline.objects.filter(episode=episode, status=DeadlineStatus.OPEN).update(
        responsible=responsible
    )
    record_event(episode=episode, actor=actor, kind="assigned", summary=responsible.get_full_name())
    return episode


@transaction.atomic
def episode_record_first_contact(
    *, episode: Episode, actor: User, at: datetime.datetime | None = None
) -> Episode:
    """INT-6: the person was contacted (the call-back made, the mapping conversation agreed)."""
    episode = episode_for_update(episode)
    if not episode.is_open:
        raise Conflict("episode_closed", _("The episode has ended."))
    at = at or clock.now()
    _check_received_at(at)
    if episode.first_contact_at is None:
        episode.first_contact_at = at
        episode.save(update_fields=["first_contact_at", "updated_at"])
    on = at.astimezone(ZoneInfo(episode.organisation.time_zone)).date()
    if on < episode.opened_on:
        raise ValidationFailed(
            "contact_before_inquiry", _("The contact cannot be before the inquiry."), field="at"
        )
    deadlines_close(
        episode=episode, kinds=[DeadlineKind.FIRST_CONTACT, DeadlineKind.CALLBACK], on=on
    )
    record_event(episode=episode, actor=actor, kind="first_contact")
    return episode


@transaction.atomic
def episode_free_choice(
    *,
    episode: Episode,
    actor: User,
    provider: str,
    on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Episode:
    """DEC-4: the client chose an equivalent provider: the start guarantee is waived, not missed."""
    episode = episode_for_update(episode)
    if not episode.is_open:
        raise Conflict("episode_closed", _("The episode has ended."))
    provider = provider.strip()
    if not provider:
        raise ValidationFailed(
            "provider_required", _("Name the provider the client chose."), field="provider"
        )
    today = today or clock.today(episode.organisation)
    on = on or today
    if not episode.opened_on <= on <= today:
        raise ValidationFailed(
            "free_choice_date", _("The date must be between the inquiry and today."), field="on"
        )
    episode.free_choice_provider = provider
    episode.free_choice_on = on
    episode.save(update_fields=["free_choice_provider", "free_choice_on", "updated_at"])
    deadlines_close(
        episode=episode,
        kinds=[DeadlineKind.TREATMENT_START],
        on=episode.free_choice_on,
        status=DeadlineStatus.WAIVED,
        note=f"free choice: {provider}",
    )
    record_event(episode=episode, actor=actor, kind="free_choice", summary=provider)
    return episode


@transaction.atomic
def episode_begin_assessment(*, episode: Episode, actor: User) -> Episode:
    episode = episode_for_update(episode)
    return episode_move(episode=episode, actor=actor, to_state=EpisodeState.ASSESSMENT)


@transaction.atomic
def episode_start_treatment(
    *,
    episode: Episode,
    actor: User,
    on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Episode:
    """Treatment starts: needs a granted decision in force. Closes the start guarantee (INT-5)."""
    episode = episode_for_update(episode)
    today = today or clock.today(episode.organisation)
    on = on or today
    in_force = list(
        episode.decisions.filter(
            kind__in=TREATMENT_DECISIONS, superseded_by__isnull=True
        ).values_list("outcome", flat=True)
    )
    if episode.state == EpisodeState.DECIDED and (
        "granted" not in in_force or "refused" in in_force
    ):
        raise Conflict(
            "not_granted", _("Treatment can start only after a decision that grants it.")
        )
    if on > today:
        raise ValidationFailed(
            "start_in_future", _("Record the start when the treatment has started."), field="on"
        )
    if on < episode.opened_on:
        raise ValidationFailed(
            "start_before_inquiry", _("Treatment cannot start before the inquiry."), field="on"
        )
    episode_move(episode=episode, actor=actor, to_state=EpisodeState.ACTIVE, on=on)
    episode.started_on = on
    episode.save(update_fields=["started_on", "updated_at"])
    deadlines_close(
        episode=episode, kinds=[DeadlineKind.TREATMENT_START, DeadlineKind.ASSESSMENT], on=on
    )
    return episode


@transaction.atomic
def episode_withdraw(
    *, episode: Episode, actor: User, reason: str, on: datetime.date | None = None
) -> Episode:
    """The course ends before treatment: referred elsewhere, changed their mind, never came."""
    episode = episode_for_update(episode)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("reason_required", _("Give the reason."), field="reason")
    episode.closing_reason = reason[:300]
    episode.save(update_fields=["closing_reason", "updated_at"])
    return episode_move(
        episode=episode, actor=actor, to_state=EpisodeState.WITHDRAWN, summary=reason, on=on
    )
