"""The synthetic world: clients and their treatment histories over a number of years.

Pure: given the organisations' reference data (:class:`OrgWorld`), a seed and a client number,
:func:`client_history` returns the rows of one client's history as unsaved model instances
with their primary keys already chosen (by :class:`Ids`), and the client's daily doses as
plain tuples. Nothing here reads or writes the database; ``bedring.synthetic.load`` does.

Each client draws from its own ``random.Random`` seeded by (seed, client number): the same
seed gives the same rows, and a client's history does not depend on how many came before it.

What a history looks like (the shares are round figures, not statistics of any service):

- Up to 5 episodes, the next one a readmission (``previous_episode``): 45 % within 12 months
  of the end of the last one. Histories begin at any time, up to three years before the
  period (those episodes are not written), so inquiries come in a steady flow over the years
  and a client has about 2.7 episodes in a 10-year period.
- Each episode: an inquiry (in person, by phone or by referral) with the deadlines the
  pathway opens for it (``bedring.pathway.deadlines.inquiry_deadlines``, so the kinds and due
  dates follow the organisation's rule pack), first contact within days, an assessment with a
  TDI intake (3 % miss the primary substance, a mandatory item), a decision (3 % refused,
  5 % withdraw before), a granted intensity (85 % outpatient), the decision letter and its
  deadline, the start of treatment (3 % chose another provider: the start guarantee waived),
  a plan with 2 or 3 goals, evaluations every ``plan_evaluation_months`` with their deadlines
  (met or met late), an individual enrolment with a session every fortnight and attendance
  (12 % absent, 6 % cancelled), and a discharge with a status, an overall result and a result
  per goal. After the statuses that call for it, the follow-ups of ``follow_up_months`` with
  their deadlines: 65 % done on time, 20 % late, 15 % never.
- A share of clients (``dispensing_share``) are on opioid substitution: their episodes last
  longer and have a prescription with a supervised dose for every day of treatment.
- The history stops at ``until``: whatever comes later has not happened yet, so the client's
  last episode may be open (at most one open episode per client).
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models.base import ModelState

from bedring.catalogue.models import (
    Attendance,
    AttendanceStatus,
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionStatus,
)
from bedring.clients.models import Client
from bedring.medication.models import (
    Dispensing,
    DispensingKind,
    Prescription,
    PrescriptionStatus,
    PrescriptionVersion,
)
from bedring.pathway import tdi
from bedring.pathway.deadlines import (
    DeadlineSpec,
    add_months,
    decision_letter_due,
    inquiry_deadlines,
    plan_evaluation_due,
)
from bedring.pathway.models import (
    Assessment,
    Deadline,
    Decision,
    Discharge,
    Episode,
    Evaluation,
    FollowUp,
    Goal,
    GoalResult,
    Inquiry,
    Plan,
    TdiIntake,
)
from bedring.pathway.models.decision import DecisionKind, Intensity, Outcome
from bedring.pathway.models.discharge import (
    FOLLOW_UP_STATUSES,
    DischargeStatus,
    GoalOutcome,
    OverallResult,
    SituationChange,
    SubstanceUseNow,
)
from bedring.pathway.models.episode import DeadlineKind, DeadlineStatus
from bedring.pathway.questionnaires import LIFE_AREAS
from bedring.pathway.states import EpisodeState
from bedring.rules.packs import RulePack
from bedring.synthetic.people import synthetic_person

# Every table the world writes, in an order in which each row's references come first.
MODELS: tuple[type[models.Model], ...] = (
    Client,
    Episode,
    Inquiry,
    Assessment,
    TdiIntake,
    Decision,
    Plan,
    Goal,
    Evaluation,
    Enrolment,
    Session,
    Attendance,
    Prescription,
    PrescriptionVersion,
    Discharge,
    GoalResult,
    FollowUp,
    Deadline,
)

# The share of clients per organisation (by slug); an organisation not named weighs 10.
ORGANISATION_WEIGHTS = {
    "sonderborg": 30,
    "sandnes": 25,
    "msoc-oostende": 20,
    "assens": 15,
    "outreach-dk": 10,
}

# Episodes a client has (before the end of the period cuts some off: about 3 on average).
EPISODES_PER_CLIENT = ((1, 5), (2, 10), (3, 15), (4, 25), (5, 45))
LEAD_DAYS = 1095
DISCHARGE_MIX = (
    (DischargeStatus.COMPLETED, 45),
    (DischargeStatus.OWN_WISH, 15),
    (DischargeStatus.NO_SHOW, 12),
    (DischargeStatus.OTHER_OFFER, 10),
    (DischargeStatus.HOSPITAL, 5),
    (DischargeStatus.OTHER_REASON, 8),
    (DischargeStatus.INSTITUTION, 5),
)
RESULT_MIX = {
    True: (  # completed or transferred on: mostly reached
        (OverallResult.DRUG_FREE, 30),
        (OverallResult.REDUCED, 40),
        (OverallResult.STABILISED, 20),
        (OverallResult.NOT_REACHED, 10),
    ),
    False: (
        (OverallResult.DRUG_FREE, 5),
        (OverallResult.REDUCED, 15),
        (OverallResult.STABILISED, 15),
        (OverallResult.NOT_REACHED, 65),
    ),
}
GOALS = (
    ("No cannabis on weekdays", "Days without use a week", "5"),
    ("Keep my flat", "Rent paid on time", "Every month"),
    ("Back to school", "Days at school a week", "4"),
    ("Sleep better", "Nights with 6 hours of sleep a week", "5"),
    ("Fewer days of use", "Days of use a week", "2"),
    ("See my children", "Visits a month", "2"),
    ("A job or internship", "Hours of work a week", "15"),
)
# Primary substance -> weight, routes, and whether it is an opioid.
SUBSTANCES = (
    (tdi.Substance.CANNABIS, 45, (tdi.Route.SMOKE,)),
    (tdi.Substance.COCAINE_POWDER, 15, (tdi.Route.SNIFF, tdi.Route.SMOKE)),
    (tdi.Substance.AMPHETAMINES, 12, (tdi.Route.SNIFF, tdi.Route.EAT_DRINK, tdi.Route.INJECT)),
    (tdi.Substance.HEROIN, 8, (tdi.Route.SMOKE, tdi.Route.INJECT)),
    (tdi.Substance.BENZODIAZEPINES, 6, (tdi.Route.EAT_DRINK,)),
    (tdi.Substance.GHB, 4, (tdi.Route.EAT_DRINK,)),
    (tdi.Substance.MDMA, 4, (tdi.Route.EAT_DRINK,)),
    (tdi.Substance.CRACK, 3, (tdi.Route.SMOKE,)),
    (tdi.Substance.OTHER_OPIOIDS, 3, (tdi.Route.EAT_DRINK, tdi.Route.INJECT)),
)
OPIOIDS = (tdi.Substance.HEROIN, tdi.Substance.OTHER_OPIOIDS, tdi.Substance.FENTANYL)
REFERRER_TO_TDI = {
    "self": tdi.ReferralSource.SELF,
    "gp": tdi.ReferralSource.GP,
    "relative": tdi.ReferralSource.FAMILY_FRIENDS,
    "hospital": tdi.ReferralSource.HOSPITAL_MEDICAL,
    "probation": tdi.ReferralSource.JUSTICE,
    "social_services": tdi.ReferralSource.SOCIAL_SERVICES,
    "job_centre": tdi.ReferralSource.OTHER,
    "school": tdi.ReferralSource.EDUCATION,
}
REFERRERS = (
    ("self", 45),
    ("gp", 12),
    ("relative", 10),
    ("hospital", 8),
    ("probation", 8),
    ("social_services", 10),
    ("job_centre", 5),
    ("school", 2),
)


@dataclass(frozen=True)
class OrgWorld:
    """What the generator needs to know of one organisation (read once by the loader)."""

    organisation_id: int
    slug: str
    jurisdiction: str
    identifier: str
    language: str
    zone: ZoneInfo
    rules: RulePack
    site_ids: tuple[int, ...]
    counsellor_ids: tuple[int, ...]
    authority_id: int
    doctor_id: int
    nurse_id: int
    question_set_id: int
    offer_ids: tuple[int, ...]
    weight: int


@dataclass(frozen=True)
class WorldSpec:
    seed: int
    until: datetime.date
    years: int
    dispensing_share: float
    medicine_ids: tuple[int, int]  # methadone, buprenorphine

    @property
    def first_day(self) -> datetime.date:
        return self.until - datetime.timedelta(days=round(365.25 * self.years))


class Ids:
    """Primary keys handed out in order, from the highest one already in each table."""

    def __init__(self, start: dict[type[models.Model], int] | None = None) -> None:
        self.last: dict[type[models.Model], int] = dict(start or {})

    def take(self, model: type[models.Model]) -> int:
        n = self.last.get(model, 0) + 1
        self.last[model] = n
        return n


@dataclass
class History:
    """The rows of a batch of clients, per model, and the doses as tuples."""

    rows: dict[type[models.Model], list[models.Model]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # (id, uuid, created_at, client_id, prescription_id, version_id, organisation_id, site_id,
    #  day, quantity, handed_out_at, handed_out_by_id)
    doses: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, obj: models.Model) -> None:
        self.rows[type(obj)].append(obj)

    def count(self) -> int:
        return sum(len(v) for v in self.rows.values()) + len(self.doses)


M = TypeVar("M", bound=models.Model)
_DEFAULTS: dict[type[models.Model], dict[str, Any]] = {}


def new(model: type[M], **values: Any) -> M:
    """An unsaved instance with these field values (by attname) and the fields' defaults,
    without ``Model.__init__``: half the generator's time went there, for nothing it needs."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            f.attname: f.get_default() for f in model._meta.concrete_fields
        }
    obj = model.__new__(model)
    obj.__dict__.update(defaults)
    obj.__dict__.update(values)
    obj._state = ModelState()
    return obj


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _pick(rng: random.Random, mix: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _w in mix], weights=[w for _v, w in mix])[0]


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


class _ClientBuilder:
    """One client's history; a class only to share the rng, the organisation and the ids."""

    def __init__(
        self,
        number: int,
        spec: WorldSpec,
        org: OrgWorld,
        ids: Ids,
        history: History,
        rng: random.Random,
    ) -> None:
        self.number = number
        self.spec = spec
        self.org = org
        self.ids = ids
        self.history = history
        self.rng = rng

    # -- small helpers ---------------------------------------------------------------------

    def at(self, day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.org.zone)

    def base(self, model: type[models.Model], day: datetime.date) -> dict[str, Any]:
        stamp = self.at(day, 12)
        return {
            "id": self.ids.take(model),
            "uuid": _uuid(self.rng),
            "created_at": stamp,
            "updated_at": stamp,
        }

    def deadline(
        self,
        episode: Episode,
        spec: DeadlineSpec,
        done_on: datetime.date | None,
        *,
        status: str | None = None,
        subject_id: int | None = None,
    ) -> Deadline:
        """A deadline closed on ``done_on`` (met, or met late), or open when that is None or
        after the end of the world; ``status`` forces waived or cancelled."""
        until = self.spec.until
        if done_on is not None and done_on > until:
            done_on = None
        if status is not None and done_on is not None:
            closed_status = status
        elif done_on is not None:
            closed_status = DeadlineStatus.MET if done_on <= spec.due_on else DeadlineStatus.MISSED
        else:
            closed_status = DeadlineStatus.OPEN
        row = new(
            Deadline,
            **self.base(Deadline, min(spec.due_on, until)),
            episode_id=episode.pk,
            client_id=episode.client_id,
            organisation_id=episode.organisation_id,
            site_id=episode.site_id,
            responsible_id=episode.responsible_id,
            kind=spec.kind,
            due_on=spec.due_on,
            basis=spec.basis,
            status=closed_status,
            closed_on=done_on if closed_status != DeadlineStatus.OPEN else None,
            subject_id=subject_id,
        )
        self.history.add(row)
        return row

    # -- the client ------------------------------------------------------------------------

    def client(self, taken: set[str]) -> Client:
        rng, org = self.rng, self.org
        person = synthetic_person(org.jurisdiction, rng, today=self.spec.until)
        while person.national_id in taken:
            person = synthetic_person(org.jurisdiction, rng, today=self.spec.until)
        taken.add(person.national_id)
        row = new(
            Client,
            **self.base(Client, self.spec.first_day),
            organisation_id=org.organisation_id,
            code=f"SYN{self.number:09d}",
            identifier_kind=org.identifier,
            national_id=person.national_id,
            first_name=person.first_name,
            last_name=person.last_name,
            birth_date=person.birth_date,
            sex=person.sex,
            phone=person.phone,
            address=person.address,
            postal_code=person.postal_code,
            city=person.city,
        )
        self.history.add(row)
        return row

    def build(self, taken: set[str]) -> None:
        rng, spec = self.rng, self.spec
        client = self.client(taken)
        on_substitution = rng.random() < spec.dispensing_share
        wanted = _pick(rng, EPISODES_PER_CLIENT)
        span = (spec.until - spec.first_day).days
        # A steady flow of inquiries over the years: a client's history may have begun before
        # the period (those episodes are not written; the client counts as treated before).
        day = spec.first_day + _days(rng.randint(-LEAD_DAYS, span - 1))
        before = 0
        while day < spec.first_day and wanted > 1:
            day += _days(rng.randint(250, 1000))
            wanted -= 1
            before += 1
        day = max(day, spec.first_day)
        client.created_at = client.updated_at = self.at(day, 9)
        previous: Episode | None = None
        for n in range(wanted):
            if day > spec.until:
                break
            previous, ended_on = self.episode(client, day, previous, before + n, on_substitution)
            if ended_on is None:
                break  # still open at the end of the world
            within_a_year = rng.random() < 0.45
            gap = rng.randint(30, 365) if within_a_year else rng.randint(366, 800)
            day = ended_on + _days(gap)

    # -- one episode -----------------------------------------------------------------------

    def episode(
        self,
        client: Client,
        received_on: datetime.date,
        previous: Episode | None,
        n: int,
        on_substitution: bool,
    ) -> tuple[Episode, datetime.date | None]:
        """The episode from inquiry to discharge, as far as ``until``. Answers the episode and
        the day it ended (None if still open)."""
        rng, org, until = self.rng, self.org, self.spec.until
        site_id = rng.choice(org.site_ids)
        responsible_id = rng.choice(org.counsellor_ids)
        episode = new(
            Episode,
            **self.base(Episode, received_on),
            organisation_id=org.organisation_id,
            client_id=client.pk,
            site_id=site_id,
            state=EpisodeState.INQUIRY,
            responsible_id=responsible_id,
            opened_on=received_on,
            previous_episode_id=previous.pk if previous is not None else None,
        )
        self.history.add(episode)
        channel = _pick(rng, (("in_person", 40), ("phone", 50), ("referral", 10)))
        referrer = _pick(rng, REFERRERS)
        received_at = self.at(received_on, rng.randint(8, 15), rng.choice((0, 15, 30, 45)))
        self.history.add(
            new(
                Inquiry,
                **self.base(Inquiry, received_on),
                organisation_id=org.organisation_id,
                site_id=site_id,
                episode_id=episode.pk,
                client_id=client.pk,
                channel=channel,
                referrer=referrer,
                received_at=received_at,
                walk_in=channel == "in_person" and rng.random() < 0.5,
                received_by_id=responsible_id,
            )
        )
        # The timeline of the episode, decided up front; what is after ``until`` is cut off.
        contact_on = received_on + _days(rng.choice((0, 0, 1, 1, 2, 3, 4, 6)))
        assessed_on = received_on + _days(rng.randint(3, 16))
        withdraws = rng.random() < 0.05
        refused = not withdraws and rng.random() < 0.03
        decided_on = assessed_on + _days(rng.choice((0, 0, 1, 2, 5)))
        free_choice = rng.random() < 0.03
        started_on = decided_on + _days(rng.randint(15, 40) if free_choice else rng.randint(0, 7))
        intensity = _pick(
            rng, ((Intensity.OUTPATIENT, 85), (Intensity.DAY, 10), (Intensity.RESIDENTIAL, 5))
        )
        if on_substitution:
            length = rng.randint(270, 1100)
        elif intensity == Intensity.RESIDENTIAL:
            length = rng.randint(60, 150)
        else:
            length = rng.randint(60, 330)
        ends_on = started_on + _days(length)
        withdrawn_on = assessed_on + _days(rng.randint(1, 20)) if withdraws else None
        if refused:
            withdrawn_on = decided_on

        # Deadlines the inquiry opens, closed by the step that meets them.
        closing: dict[str, datetime.date] = {
            DeadlineKind.FIRST_CONTACT: contact_on,
            DeadlineKind.CALLBACK: contact_on,
            DeadlineKind.ASSESSMENT: assessed_on,
            DeadlineKind.TREATMENT_START: started_on,
        }
        for dl in inquiry_deadlines(
            org.rules, received_on=received_on, outside_phone_hours=False, next_phone_day=None
        ):
            done: datetime.date | None = closing.get(dl.kind)
            status = None
            if dl.kind == DeadlineKind.TREATMENT_START and free_choice:
                done, status = decided_on, DeadlineStatus.WAIVED
            if withdrawn_on is not None and done is not None and done > withdrawn_on:
                done, status = withdrawn_on, DeadlineStatus.CANCELLED
            self.deadline(episode, dl, done, status=status)
        if contact_on <= until:
            episode.first_contact_at = self.at(contact_on, rng.randint(9, 15))
        if assessed_on > until:
            return episode, None

        # The assessment, with the TDI intake.
        episode.state = EpisodeState.ASSESSMENT
        assessment = new(
            Assessment,
            **self.base(Assessment, assessed_on),
            episode_id=episode.pk,
            question_set_id=org.question_set_id,
            conducted_on=assessed_on,
            counsellor_id=responsible_id,
            doctor_id=org.doctor_id if org.rules.intake_requires_doctor else None,
            consents_discussed=True,
            summary="Synthetic assessment.",
            completed_at=self.at(assessed_on, 15),
            completed_by_id=responsible_id,
        )
        self.history.add(assessment)
        self.tdi_intake(assessment, client, assessed_on, n, on_substitution, referrer)
        if withdraws and withdrawn_on is not None:
            if withdrawn_on > until:
                return episode, None
            return self.withdraw(episode, withdrawn_on, "The client did not come back.")
        if decided_on > until:
            return episode, None

        # The decision and its letter.
        episode.state = EpisodeState.DECIDED
        if on_substitution:
            kind = DecisionKind.MEDICAL
        elif intensity == Intensity.OUTPATIENT:
            kind = DecisionKind.TREATMENT
        else:
            kind = DecisionKind.DAY_OR_RESIDENTIAL
        letter_spec = decision_letter_due(org.rules, decided_on)
        letter_on = decided_on + _days(rng.choice((0, 1, 1, 2, 3, 4, 9)))
        self.history.add(
            new(
                Decision,
                **self.base(Decision, decided_on),
                episode_id=episode.pk,
                kind=kind,
                outcome=Outcome.REFUSED if refused else Outcome.GRANTED,
                intensity=intensity,
                justification="Synthetic decision.",
                decided_on=decided_on,
                decided_by_id=org.doctor_id if on_substitution else org.authority_id,
                letter_language=org.language,
                letter_sent_on=letter_on if letter_on <= until else None,
            )
        )
        self.deadline(episode, letter_spec, letter_on)
        if refused:
            return self.withdraw(episode, decided_on, "Treatment refused.")
        if free_choice:
            episode.free_choice_provider = "Another provider"
            episode.free_choice_on = decided_on
        if started_on > until:
            return episode, None

        # Treatment: the plan, its goals and evaluations, the sessions, the medication.
        episode.state = EpisodeState.ACTIVE
        episode.started_on = started_on
        discharged = ends_on <= until
        last_day = ends_on if discharged else until
        plan = new(
            Plan,
            **self.base(Plan, started_on),
            episode_id=episode.pk,
            aims=[rng.choice(("stop", "reduce", "stabilise"))],
            agreed_on=started_on,
            made_by_id=responsible_id,
            client_words="Synthetic plan.",
            action_plan=org.jurisdiction == "DK" and rng.random() < 0.3,
            individual_plan=org.jurisdiction == "NO" and rng.random() < 0.3,
            next_evaluation_on=started_on,
        )
        self.history.add(plan)
        goals = []
        for position, (text, measure, target) in enumerate(rng.sample(GOALS, rng.randint(2, 3))):
            goal = new(
                Goal,
                **self.base(Goal, started_on),
                plan_id=plan.pk,
                position=position,
                text=text,
                measure=measure,
                target=target,
                due_on=started_on + _days(rng.randint(90, 180)),
            )
            goals.append(goal)
            self.history.add(goal)
        since = started_on
        while True:
            due = plan_evaluation_due(org.rules, since)
            evaluated_on = due.due_on + _days(rng.randint(-20, 25))
            if evaluated_on >= last_day or evaluated_on > until:
                # Not evaluated (yet): open, or no longer needed once discharged.
                if discharged:
                    self.deadline(
                        episode,
                        due,
                        ends_on,
                        status=DeadlineStatus.CANCELLED,
                        subject_id=plan.pk,
                    )
                else:
                    self.deadline(episode, due, None, subject_id=plan.pk)
                plan.next_evaluation_on = due.due_on
                break
            following = plan_evaluation_due(org.rules, evaluated_on).due_on
            self.history.add(
                new(
                    Evaluation,
                    **self.base(Evaluation, evaluated_on),
                    plan_id=plan.pk,
                    evaluated_on=evaluated_on,
                    evaluated_by_id=responsible_id,
                    client_view="Synthetic evaluation.",
                    next_evaluation_on=following,
                )
            )
            self.deadline(episode, due, evaluated_on, subject_id=plan.pk)
            since = evaluated_on
        status = _pick(rng, DISCHARGE_MIX) if discharged else None
        self.sessions(episode, started_on, last_day, status)
        if on_substitution:
            self.medication(episode, started_on, ends_on if discharged else None)
        if status is None:
            return episode, None

        # The discharge, the goals' results, the follow-ups.
        episode.state = EpisodeState.DISCHARGED
        episode.closed_on = ends_on
        result = _pick(rng, RESULT_MIX[status in FOLLOW_UP_STATUSES])
        discharge = new(
            Discharge,
            **self.base(Discharge, ends_on),
            episode_id=episode.pk,
            organisation_id=org.organisation_id,
            site_id=site_id,
            client_id=client.pk,
            discharged_on=ends_on,
            status=status,
            overall_result=result,
            intensity=intensity,
            destination="Another service"
            if status in (DischargeStatus.OTHER_OFFER, DischargeStatus.INSTITUTION)
            else "",
            discharged_by_id=responsible_id,
        )
        self.history.add(discharge)
        reached = result != OverallResult.NOT_REACHED
        for goal in goals:
            outcome = _pick(
                rng,
                (
                    (GoalOutcome.REACHED, 50 if reached else 5),
                    (GoalOutcome.PARTLY, 30 if reached else 25),
                    (GoalOutcome.NOT_REACHED, 15 if reached else 60),
                    (GoalOutcome.DROPPED, 5 if reached else 10),
                ),
            )
            self.history.add(
                new(
                    GoalResult,
                    **self.base(GoalResult, ends_on),
                    discharge_id=discharge.pk,
                    goal_id=goal.pk,
                    outcome=outcome,
                )
            )
        if status in FOLLOW_UP_STATUSES:
            for months in org.rules.follow_up_months:
                self.follow_up(episode, discharge, months, result)
        return episode, ends_on

    def withdraw(
        self, episode: Episode, on: datetime.date, reason: str
    ) -> tuple[Episode, datetime.date | None]:
        episode.state = EpisodeState.WITHDRAWN
        episode.closed_on = on
        episode.closing_reason = reason
        return episode, on

    def tdi_intake(
        self,
        assessment: Assessment,
        client: Client,
        on: datetime.date,
        n: int,
        on_substitution: bool,
        referrer: str,
    ) -> None:
        rng = self.rng
        assert client.birth_date is not None  # noqa: S101 - every synthetic client has one
        age = (on - client.birth_date).days // 366
        routes: tuple[tdi.Route, ...]
        if on_substitution:
            primary, routes = tdi.Substance.HEROIN, (tdi.Route.SMOKE, tdi.Route.INJECT)
        else:
            primary, _weight, routes = rng.choices(SUBSTANCES, weights=[s[1] for s in SUBSTANCES])[
                0
            ]
        route = rng.choice(routes)
        first_use = min(age, rng.randint(13, 25))
        injected = route == tdi.Route.INJECT or (primary in OPIOIDS and rng.random() < 0.4)
        ever_injected = (
            rng.choice(
                (
                    tdi.Injecting.LAST_30_DAYS,
                    tdi.Injecting.LAST_12_MONTHS,
                    tdi.Injecting.NOT_LAST_12_MONTHS,
                )
            )
            if injected
            else tdi.Injecting.NEVER
        )
        secondaries = []
        if rng.random() < 0.6:
            secondaries.append(
                {
                    "substance": int(tdi.Substance.ALCOHOL),
                    "route": int(tdi.Route.EAT_DRINK),
                    "frequency": int(rng.choice(tdi.Frequency.values[:4])),
                    "age_first_use": min(age, rng.randint(12, 18)),
                }
            )
        complete = rng.random() >= 0.03  # a few miss a mandatory item (the primary substance)
        self.history.add(
            new(
                TdiIntake,
                **self.base(TdiIntake, on),
                assessment_id=assessment.pk,
                previously_treated=tdi.PreviouslyTreated.PREVIOUSLY
                if n > 0 or rng.random() < 0.3
                else tdi.PreviouslyTreated.NEVER,
                referral_source=REFERRER_TO_TDI.get(referrer, tdi.ReferralSource.OTHER),
                living_with=rng.choice(tdi.LivingWith.values[:7]),
                living_where=_pick(
                    rng,
                    (
                        (tdi.LivingWhere.STABLE, 80),
                        (tdi.LivingWhere.UNSTABLE, 15),
                        (tdi.LivingWhere.INSTITUTION, 5),
                    ),
                ),
                children=rng.choice((tdi.YesNo.YES, tdi.YesNo.NO, tdi.YesNo.NO)),
                nationality=self.org.jurisdiction,
                education=rng.choice(tdi.Education.values[1:5]),
                labour_status=rng.choice(tdi.LabourStatus.values[:5]),
                primary_substance=primary if complete else None,
                primary_route=route if complete else None,
                primary_frequency=rng.choice(tdi.Frequency.values[:4]) if complete else None,
                primary_age_first_use=max(tdi.MIN_AGE_FIRST_USE, first_use) if complete else None,
                secondary_substances=secondaries if complete else [],
                ever_injected=ever_injected,
                age_first_injection=min(age, first_use + rng.randint(0, 5)) if injected else None,
                injected_last_30_days=tdi.YesNo.YES
                if ever_injected == tdi.Injecting.LAST_30_DAYS
                else tdi.YesNo.NO,
                ever_shared_equipment=rng.choice(
                    (tdi.Sharing.NEVER, tdi.Sharing.NOT_LAST_12_MONTHS, tdi.Sharing.NOT_KNOWN)
                )
                if injected
                else tdi.Sharing.NEVER,
                opioid_substitution_ever=tdi.YesNo.YES
                if on_substitution and n > 0
                else tdi.YesNo.NO,
                opioid_substitution_age_first=None,
            )
        )

    def sessions(
        self,
        episode: Episode,
        started_on: datetime.date,
        last_day: datetime.date,
        status: str | None,
    ) -> None:
        """An individual enrolment with a session a fortnight and its attendance."""
        rng, until = self.rng, self.spec.until
        responsible_id = episode.responsible_id
        assert responsible_id is not None  # noqa: S101 - every synthetic episode has one
        if status is None:
            enrolment_status, ended_on = EnrolmentStatus.ACTIVE, None
        elif status == DischargeStatus.COMPLETED:
            enrolment_status, ended_on = EnrolmentStatus.COMPLETED, last_day
        else:
            enrolment_status, ended_on = EnrolmentStatus.ENDED, last_day
        enrolment = new(
            Enrolment,
            **self.base(Enrolment, started_on),
            client_id=episode.client_id,
            episode_id=episode.pk,
            offer_id=rng.choice(self.org.offer_ids),
            organisation_id=self.org.organisation_id,
            starts_on=started_on,
            status=enrolment_status,
            ended_on=ended_on,
            enrolled_by_id=responsible_id,
        )
        self.history.add(enrolment)
        day, index = started_on, 1
        # The last three of a no-show discharge were missed.
        no_show_from = last_day - _days(42) if status == DischargeStatus.NO_SHOW else None
        while day < last_day and day <= until:
            session = new(
                Session,
                **self.base(Session, day),
                enrolment_id=enrolment.pk,
                organisation_id=self.org.organisation_id,
                index=index,
                on=day,
                start_time=datetime.time(rng.choice((9, 10, 11, 13, 14))),
                minutes=60,
                status=SessionStatus.HELD,
            )
            self.history.add(session)
            if no_show_from is not None and day >= no_show_from:
                attended = AttendanceStatus.ABSENT
            else:
                attended = _pick(
                    rng,
                    (
                        (AttendanceStatus.ATTENDED, 82),
                        (AttendanceStatus.ABSENT, 12),
                        (AttendanceStatus.CANCELLED, 6),
                    ),
                )
            self.history.add(
                new(
                    Attendance,
                    **self.base(Attendance, day),
                    session_id=session.pk,
                    enrolment_id=enrolment.pk,
                    status=attended,
                    recorded_by_id=responsible_id,
                )
            )
            day += _days(14)
            index += 1

    def medication(
        self, episode: Episode, started_on: datetime.date, ended_on: datetime.date | None
    ) -> None:
        """A substitution prescription with a supervised dose every day of treatment, up to
        yesterday (``until`` minus a day) while it goes on."""
        rng, org = self.rng, self.org
        methadone = rng.random() < 0.6
        medicine_id = self.spec.medicine_ids[0 if methadone else 1]
        dose = Decimal(rng.choice((40, 60, 80, 100, 120))) if methadone else Decimal(16)
        prescription = new(
            Prescription,
            **self.base(Prescription, started_on),
            client_id=episode.client_id,
            organisation_id=org.organisation_id,
            episode_id=episode.pk,
            medicine_id=medicine_id,
            status=PrescriptionStatus.ENDED if ended_on else PrescriptionStatus.ACTIVE,
            doses_counted_from=started_on,
            ended_on=ended_on,
            end_reason="Discharged." if ended_on else "",
        )
        assert episode.site_id is not None  # noqa: S101 - every synthetic episode has a site
        version = new(
            PrescriptionVersion,
            **self.base(PrescriptionVersion, started_on),
            prescription_id=prescription.pk,
            client_id=episode.client_id,
            prescriber_id=org.doctor_id,
            site_id=episode.site_id,
            daily_dose=dose,
            starts_on=started_on,
            ends_on=ended_on,
            supervised_weekdays=[0, 1, 2, 3, 4, 5, 6],
            take_home_weekdays=[],
            pickup_interval_days=1,
        )
        self.history.add(prescription)
        self.history.add(version)
        last = ended_on or (self.spec.until - _days(1))
        day = started_on
        one_day = _days(1)
        getrandbits = rng.getrandbits
        doses = self.history.doses
        while day <= last:
            handed = datetime.datetime.combine(day, datetime.time(9, 15), tzinfo=org.zone)
            doses.append(
                (
                    self.ids.take(Dispensing),
                    uuid.UUID(int=getrandbits(128), version=4),
                    handed,
                    episode.client_id,
                    prescription.pk,
                    version.pk,
                    org.organisation_id,
                    episode.site_id,
                    day,
                    dose,
                    handed,
                    org.nurse_id,
                )
            )
            day += one_day

    def follow_up(self, episode: Episode, discharge: Discharge, months: int, result: str) -> None:
        rng, until = self.rng, self.spec.until
        due_on = add_months(discharge.discharged_on, months)
        timing = _pick(rng, (("on_time", 65), ("late", 20), ("never", 15)))
        done_on: datetime.date | None
        if timing == "on_time":
            done_on = due_on - _days(rng.randint(0, 14))
        elif timing == "late":
            done_on = due_on + _days(rng.randint(1, 60))
        else:
            done_on = None
        if done_on is not None and done_on > until:
            done_on = None
        contact = rng.random() < 0.85 if done_on else None
        use: str = {
            OverallResult.DRUG_FREE.value: SubstanceUseNow.DRUG_FREE,
            OverallResult.REDUCED.value: SubstanceUseNow.REDUCED,
        }.get(result, SubstanceUseNow.UNCHANGED)
        if done_on is not None and rng.random() < 0.2:
            use = rng.choice((SubstanceUseNow.INCREASED, SubstanceUseNow.REDUCED))
        follow_up = new(
            FollowUp,
            **self.base(FollowUp, min(discharge.discharged_on, until)),
            discharge_id=discharge.pk,
            episode_id=episode.pk,
            client_id=episode.client_id,
            organisation_id=episode.organisation_id,
            months=months,
            due_on=due_on,
            responsible_id=episode.responsible_id,
            done_on=done_on,
            contact_made=contact,
            substance_use=use if contact else "",
            situation={
                area: rng.choice(
                    (SituationChange.BETTER, SituationChange.SAME, SituationChange.NOT_KNOWN)
                ).value
                for area in LIFE_AREAS
            }
            if contact
            else {},
            recorded_by_id=episode.responsible_id if done_on else None,
        )
        self.history.add(follow_up)
        self.deadline(
            episode,
            DeadlineSpec(
                DeadlineKind.DISCHARGE_FOLLOW_UP,
                due_on,
                {"rule": "follow_up_months", "value": months, "req": "DIS-2"},
            ),
            done_on,
            subject_id=follow_up.pk,
        )


# The dose table is written from tuples (tens of millions of rows), in these columns.
DOSE_COLUMNS = (
    "id",
    "uuid",
    "created_at",
    "client_id",
    "prescription_id",
    "version_id",
    "organisation_id",
    "site_id",
    "day",
    "quantity",
    "handed_out_at",
    "handed_out_by_id",
)
# The columns every dose has the same value in (updated_at is created_at).
DOSE_CONSTANTS = {
    "kind": DispensingKind.SUPERVISED.value,
    "recipient": "clinic",
    "exception_reason": "",
    "reason": "",
    "effect": "",
    "side_effects": "",
    "intoxication_signs": "",
}


def pick_organisation(rng: random.Random, orgs: list[OrgWorld]) -> OrgWorld:
    return rng.choices(orgs, weights=[o.weight for o in orgs])[0]


def client_history(
    number: int,
    spec: WorldSpec,
    orgs: list[OrgWorld],
    ids: Ids,
    history: History,
    taken: dict[int, set[str]],
) -> None:
    """Add client ``number``'s history to ``history``. ``taken``: the national identifiers
    already used, per organisation (two clients of one organisation never share one)."""
    rng = random.Random(spec.seed * 1_000_003 + number)
    org = pick_organisation(rng, orgs)
    builder = _ClientBuilder(number, spec, org, ids, history, rng)
    builder.build(taken.setdefault(org.organisation_id, set()))
