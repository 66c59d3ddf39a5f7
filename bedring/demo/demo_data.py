"""The demo installation: every service pack, staff of every role, synthetic clients."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import TYPE_CHECKING

from auditlog.context import disable_auditlog
from django.db import transaction

from bedring.accounts import services as account_services
from bedring.accounts.models import Organisation, Team, User
from bedring.clients import services as client_services
from bedring.core import clock
from bedring.core.roles import Role
from bedring.demo.appointments import demo_appointments
from bedring.demo.evaluation import demo_evaluation
from bedring.demo.exchange import demo_exchange
from bedring.demo.health import demo_health
from bedring.demo.journal import demo_journal
from bedring.demo.messaging import demo_reminder_preferences
from bedring.demo.outreach import demo_outreach
from bedring.demo.referrals import demo_referrals
from bedring.rules.loader import available_packs, load_pack
from bedring.synthetic.people import synthetic_person

if TYPE_CHECKING:
    from bedring.accounts.models import Site
    from bedring.clients.models import Client
    from bedring.medication.models import Medicine
    from bedring.medication.rules import DoseWeek
    from bedring.pathway.models import Episode

DEMO_PASSWORD = "bedring-demo-2026"  # noqa: S105 - printed by make run, demo installs only
DEMO_CLIENTS_PER_ORGANISATION = 80
# One login per role and organisation: <organisation slug>.<role>, e.g. sonderborg.counsellor.
STAFF_NAMES = [
    ("Alex", "Holm"),
    ("Sam", "Lund"),
    ("Robin", "Dahl"),
    ("Kim", "Berg"),
    ("Noa", "Vik"),
    ("Eli", "Strand"),
    ("Mika", "Aas"),
    ("Jo", "Moe"),
    ("Toni", "Bakke"),
    ("Ulrik", "Hav"),
    ("Vera", "Lie"),
    ("Wim", "Claes"),
    ("Yara", "Dam"),
]


def demo_is_loaded() -> bool:
    return Organisation.objects.exists()


@transaction.atomic
def load_demo(
    *, clients_per_organisation: int = DEMO_CLIENTS_PER_ORGANISATION, seed: int = 2026
) -> None:
    rng = random.Random(seed)
    today = clock.today()
    organisations = [load_pack(name) for name in available_packs()]
    manager = User.objects.filter(username="demo.manager").first()
    if manager is None:
        manager = User(username="demo.manager", first_name="Dana", last_name="Demo")
        manager.set_password(DEMO_PASSWORD)
        manager.save()
    for organisation in organisations:
        team, _created = Team.objects.get_or_create(organisation=organisation, name="Team 1")
        account_services.membership_add(
            user=manager, organisation=organisation, roles=[Role.MANAGER, Role.COUNSELLOR]
        )
        for i, role in enumerate(Role.values):
            username = f"{organisation.slug}.{role}"
            if User.objects.filter(username=username).exists():
                continue
            first, last = STAFF_NAMES[i % len(STAFF_NAMES)]
            account_services.staff_create(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                organisation=organisation,
                roles=[role],
                team=team,
            )
        taken = set(organisation.clients.values_list("national_id", flat=True))
        missing = clients_per_organisation - len(taken)
        # Synthetic registrations are bulk set-up, not staff actions: no change-log rows.
        with disable_auditlog():
            while missing > 0:
                person = synthetic_person(organisation.jurisdiction, rng, today=today)
                if person.national_id in taken:
                    continue  # a second load with more clients meets the first load's people
                taken.add(person.national_id)
                missing -= 1
                client_services.client_register(
                    organisation=organisation,
                    national_id=person.national_id,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    phone=person.phone,
                    address=person.address,
                    postal_code=person.postal_code,
                    city=person.city,
                    today=today,
                )
        with disable_auditlog():
            demo_pathways(organisation, rng, today=today)
            demo_medication(organisation, rng, today=today)
            demo_health(organisation, rng, today=today)
            demo_discharges(organisation, today=today)
            demo_journal(organisation, rng, today=today)
            demo_reminder_preferences(organisation, rng)
            demo_referrals(organisation, today=today)
            # After the reminder preferences: the future appointments queue their reminders.
            demo_appointments(organisation, rng, today=today)
            # After the health demo, which adds nothing where screenings exist already.
            demo_outreach(organisation, rng)
            # HRM-10: the outreach model's fidelity checklists (outreach-dk's sites only).
            demo_evaluation(organisation, today=today)
            # Its own seeded generator: the other demo data stay as they were.
            demo_exchange(organisation)


DEMO_EPISODES_PER_ORGANISATION = 12


def demo_pathways(organisation: Organisation, rng: random.Random, *, today: datetime.date) -> None:
    """A dozen clients in every stage of the pathway, so the worklists have something on them:
    inquiries of the last weeks (some overdue), assessments, decisions and active treatment
    with a plan. Only clients without an episode are used, so a second load adds nothing."""
    from zoneinfo import ZoneInfo

    from bedring.pathway.models import Episode
    from bedring.pathway.services import decision as decisions
    from bedring.pathway.services import episode as episodes
    from bedring.pathway.services import plan as plans

    if Episode.objects.filter(organisation=organisation).exists():
        return
    counsellor = User.objects.get(username=f"{organisation.slug}.counsellor")
    authority = User.objects.get(username=f"{organisation.slug}.authority")
    site = organisation.sites.filter(kind="main").first() or organisation.sites.first()
    assert site is not None  # noqa: S101 - every pack has a site
    zone = ZoneInfo(organisation.time_zone)
    clients = list(organisation.clients.order_by("id")[:DEMO_EPISODES_PER_ORGANISATION])
    for i, client in enumerate(clients):
        received = today - datetime.timedelta(days=rng.randint(1, 40))
        hour = rng.choice([9, 10, 11, 13, 14, 17, 20])
        inquiry = episodes.inquiry_register(
            organisation=organisation,
            site=site,
            actor=counsellor,
            channel=rng.choice(["phone", "in_person", "email", "referral"]),
            referrer=rng.choice(["self", "gp", "job_centre", "relative", "hospital"]),
            received_at=datetime.datetime.combine(received, datetime.time(hour), tzinfo=zone),
            client=client,
            assign_to=counsellor,
        )
        episode = inquiry.episode
        assert episode is not None  # noqa: S101 - a client's inquiry opens an episode
        stage = i % 4  # 0 inquiry, 1 assessment, 2 decided, 3 active with a plan
        if stage == 1:
            # REF-2: assessed, with a recommendation, waiting on the authority's home page
            # (every other one still in progress on the counsellor's).
            demo_assessment(episode, counsellor, on=received, complete=i % 8 == 1)
        elif stage >= 2:
            episodes.episode_begin_assessment(episode=episode, actor=counsellor)
        if stage >= 2:
            decisions.decision_make(
                episode=episode,
                actor=authority,
                kind="treatment",
                outcome="granted",
                justification="Demo: outpatient treatment matches the assessment.",
                decided_on=received,
            )
        if stage == 3:
            plans.plan_save(
                episode=episode,
                actor=counsellor,
                agreed_on=received,
                aims=["reduce"],
                client_words="Demo: I want to keep my job and see my children.",
                goals=[
                    plans.GoalInput(
                        text="Fewer days of use",
                        measure="Days of use a week, from the diary",
                        target="At most two days a week",
                        due_on=received + datetime.timedelta(days=90),
                    )
                ],
                today=today,
            )
            episodes.episode_start_treatment(episode=episode, actor=counsellor, on=received)


def demo_assessment(
    episode: Episode, counsellor: User, *, on: datetime.date, complete: bool
) -> None:
    """An assessment with every required question answered and the counsellor's
    recommendation of the organisation's first treatment offer; completed if ``complete``.
    (BE: the intake is with the organisation's doctor too, ASM-1.)"""
    from bedring.accounts.selectors import rules_for
    from bedring.pathway.offers import decidable_offers
    from bedring.pathway.services import assessment as assessments

    assessment = assessments.assessment_start(episode=episode, actor=counsellor, conducted_on=on)
    examples = {"text": "Demo.", "bool": True, "number": 1, "date": on.isoformat()}
    answers = {
        q["key"]: q["choices"][0]["value"] if q["type"] == "choice" else examples[q["type"]]
        for q in assessment.question_set.questions
        if q.get("required")
    }
    offers = decidable_offers(episode.organisation_id)
    doctor = None
    if rules_for(episode.organisation).intake_requires_doctor:
        doctor = User.objects.get(username=f"{episode.organisation.slug}.doctor")
    assessments.assessment_save(
        assessment=assessment,
        actor=counsellor,
        answers=answers,
        veteran=False,
        doctor_conversation_offered=True,
        action_plan_offered=True,
        consents_discussed=True,
        doctor=doctor,
        recommendation="Demo: motivated; outpatient treatment as recommended.",
        recommended_offer=offers[0].key if offers else "",
    )
    if complete:
        assessments.assessment_complete(assessment=assessment, actor=counsellor)


# DIS-1, DIS-2: (status, overall result, days since discharge, goal result, destination,
# follow-ups done: {months: days after due, negative = early}).
DEMO_DISCHARGES: list[tuple[str, str, int, str, str, dict[int, int]]] = [
    ("completed", "drug_free", 200, "reached", "", {1: -2, 6: 0}),
    ("completed", "reduced", 70, "partly", "", {1: 6}),
    ("other_offer", "stabilised", 45, "partly", "Day treatment in the municipality", {}),
    ("hospital", "not_reached", 25, "not_reached", "Psychiatric ward", {}),
    ("other_reason", "reduced", 120, "reached", "", {1: 0}),
    ("own_wish", "not_reached", 30, "dropped", "", {}),
    ("no_show", "not_reached", 90, "not_reached", "", {}),
]
DEMO_DISCHARGED_FROM = DEMO_EPISODES_PER_ORGANISATION  # the clients after the pathway's


def demo_discharges(organisation: Organisation, *, today: datetime.date) -> None:
    """Ended episodes with their results and follow-ups, done and due, so the outcome
    figures have something to show. Uses clients without an episode after the pathway's;
    nothing when the organisation has a discharge already, so a second load adds nothing."""
    from zoneinfo import ZoneInfo

    from bedring.pathway.models import Discharge
    from bedring.pathway.services import decision as decisions
    from bedring.pathway.services import discharge as discharges
    from bedring.pathway.services import episode as episodes
    from bedring.pathway.services import plan as plans

    if Discharge.objects.filter(organisation=organisation).exists():
        return
    counsellor = User.objects.get(username=f"{organisation.slug}.counsellor")
    authority = User.objects.get(username=f"{organisation.slug}.authority")
    site = organisation.sites.filter(kind="main").first() or organisation.sites.first()
    assert site is not None  # noqa: S101 - every pack has a site
    zone = ZoneInfo(organisation.time_zone)
    end = DEMO_DISCHARGED_FROM + len(DEMO_DISCHARGES)
    candidates = organisation.clients.order_by("id")[DEMO_DISCHARGED_FROM:end]
    clients = [c for c in candidates if not c.episodes.exists()]
    for client, spec in zip(clients, DEMO_DISCHARGES, strict=False):
        status, overall, days_ago, goal_outcome, destination, done = spec
        discharged_on = today - datetime.timedelta(days=days_ago)
        received = discharged_on - datetime.timedelta(days=120)
        episode = episodes.inquiry_register(
            organisation=organisation,
            site=site,
            actor=counsellor,
            channel="phone",
            referrer="self",
            received_at=datetime.datetime.combine(received, datetime.time(10), tzinfo=zone),
            client=client,
            assign_to=counsellor,
        ).episode
        assert episode is not None  # noqa: S101 - a client's inquiry opens an episode
        episodes.episode_begin_assessment(episode=episode, actor=counsellor)
        decision = decisions.decision_make(
            episode=episode,
            actor=authority,
            kind="treatment",
            outcome="granted",
            justification="Demo: outpatient treatment matches the assessment.",
            decided_on=received + datetime.timedelta(days=7),
        )
        decisions.decision_letter_sent(
            decision=decision, actor=authority, sent_on=received + datetime.timedelta(days=8)
        )
        episodes.episode_start_treatment(
            episode=episode, actor=counsellor, on=received + datetime.timedelta(days=10)
        )
        plan = plans.plan_save(
            episode=episode,
            actor=counsellor,
            agreed_on=received + datetime.timedelta(days=10),
            aims=["reduce"],
            client_words="Demo: I want to keep my job.",
            goals=[
                plans.GoalInput(
                    text="Fewer days of use",
                    measure="Days of use a week, from the diary",
                    target="At most two days a week",
                    due_on=received + datetime.timedelta(days=100),
                )
            ],
            today=today,
        )
        discharge = discharges.episode_discharge(
            episode=episode,
            actor=counsellor,
            discharged_on=discharged_on,
            status=status,
            overall_result=overall,
            goal_results={str(g.uuid): (goal_outcome, "") for g in plan.goals.all()},
            destination=destination,
            note="Demo discharge.",
        )
        for follow_up in discharge.follow_ups.all():
            late = done.get(follow_up.months)
            done_on = follow_up.due_on + datetime.timedelta(days=late or 0)
            if late is None or done_on > today:
                continue
            discharges.follow_up_record(
                follow_up=follow_up,
                actor=counsellor,
                done_on=done_on,
                contact_made=True,
                substance_use="drug_free" if overall == "drug_free" else "reduced",
                situation={"housing": "better", "work_education": "same", "health": "better"},
                note="Demo: spoke on the phone.",
            )


DEMO_ON_SUBSTITUTION = 8
DEMO_HISTORY_DAYS = 21


def demo_medication(
    organisation: Organisation, rng: random.Random, *, today: datetime.date
) -> None:
    """A desk with something on it (MED-1, MED-2): eight clients on methadone or
    buprenorphine at the main dispensing site, three weeks of doses handed out through the
    real services at medication-hour times, stock received, take-home doses on the days
    the desk is closed, and one who stopped coming three dose days ago (the desk shows the hold).
    Organisations without medication hours (outreach) get none. Only once."""
    from decimal import Decimal
    from zoneinfo import ZoneInfo

    from bedring.accounts.selectors import rules_for, site_calendar
    from bedring.medication.models import Medicine, Prescription
    from bedring.medication.rules import DoseWeek, take_home_reach
    from bedring.medication.services import dispensing, prescribing, stock

    if Prescription.objects.filter(organisation=organisation).exists():
        return
    sites = [
        s for s in organisation.sites.filter(is_active=True) if s.hours.filter(kind="medication")
    ]
    if not sites:
        return
    site = next((s for s in sites if s.kind == "main"), sites[0])
    calendar = site_calendar(site)
    zone = ZoneInfo(organisation.time_zone)
    doctor = User.objects.get(username=f"{organisation.slug}.doctor")
    nurse = User.objects.get(username=f"{organisation.slug}.nurse")
    methadone = Medicine.objects.get(key="methadone-oral-solution")
    buprenorphine = Medicine.objects.get(key="buprenorphine-sublingual")
    start = today - datetime.timedelta(days=DEMO_HISTORY_DAYS)
    desk_days = [d for d in sorted(calendar.hours.get("medication", {}))]
    for medicine, quantity in ((methadone, "20000"), (buprenorphine, "2000")):
        stock.stock_record(
            site=site,
            medicine=medicine,
            actor=nurse,
            kind="received",
            quantity=Decimal(quantity),
            batch="DEMO-2026",
            at=datetime.datetime.combine(start, datetime.time(8), tzinfo=zone),
        )
    adults = [c for c in organisation.clients.order_by("id")[20:] if (c.age_on(start) or 0) >= 20]
    clients = adults[:DEMO_ON_SUBSTITUTION]
    # The last client stopped coming: no dose on the three latest days the desk was open.
    open_days = [
        today - datetime.timedelta(days=back)
        for back in range(1, 15)
        if calendar.hours.get("medication", {}).get(
            (today - datetime.timedelta(days=back)).weekday()
        )
        and not calendar.is_closed_day(today - datetime.timedelta(days=back))
    ]
    stayed_away_from = open_days[2] if len(open_days) >= 3 else today
    # The days the desk is closed are take-home days for everyone: a dose every day.
    home_days = tuple(d for d in range(7) if d not in desk_days)
    reach = max(1, take_home_reach(DoseWeek(frozenset(desk_days), frozenset(home_days))))
    for n, client in enumerate(clients):
        on_methadone = n % 3 != 2
        prescription = prescribing.prescription_create(
            client=client,
            actor=doctor,
            medicine=methadone if on_methadone else buprenorphine,
            terms=prescribing.PrescriptionTerms(
                site=site,
                daily_dose=Decimal(rng.choice([40, 60, 80, 100]) if on_methadone else 16),
                starts_on=start,
                ends_on=None,
                supervised_weekdays=tuple(desk_days),
                take_home_weekdays=home_days,
                pickup_interval_days=reach,
            ),
            today=start,
        )
        until = stayed_away_from if n == len(clients) - 1 else today
        day = start
        while day < until:
            intervals = calendar.hours.get("medication", {}).get(day.weekday(), ())
            if intervals and not calendar.is_closed_day(day):
                first = intervals[0]
                moment = datetime.datetime.combine(day, first.start, tzinfo=zone) + (
                    datetime.timedelta(minutes=10 + n)
                )
                dispensing.dispense(prescription=prescription, actor=nurse, site=site, at=moment)
                # The take-home days up to the next desk day, handed out at this visit.
                next_visit = []
                ahead = day + datetime.timedelta(days=1)
                while ahead.weekday() in home_days and (until == today or ahead < until):
                    next_visit.append(ahead)
                    ahead += datetime.timedelta(days=1)
                if next_visit:
                    dispensing.take_home_handover(
                        prescription=prescription,
                        actor=nurse,
                        site=site,
                        days=next_visit,
                        at=moment,
                    )
            day += datetime.timedelta(days=1)
    demo_starters(
        organisation,
        rng,
        clients=adults[DEMO_ON_SUBSTITUTION:],
        site=site,
        doctor=doctor,
        medicines=(methadone, buprenorphine),
        week=DoseWeek(frozenset(desk_days), frozenset(home_days)),
        reach=reach,
        desk_open=lambda day: (
            bool(calendar.hours.get("medication", {}).get(day.weekday()))
            and not calendar.is_closed_day(day)
        ),
        limit=rules_for(organisation).missed_dose_hold_days,
        today=today,
    )


def demo_starters(
    organisation: Organisation,
    rng: random.Random,
    *,
    clients: list[Client],
    site: Site,
    doctor: User,
    medicines: tuple[Medicine, Medicine],
    week: DoseWeek,
    reach: int,
    desk_open: Callable[[datetime.date], bool],
    limit: int,
    today: datetime.date,
) -> None:
    """The desk stays alive after loading: nobody hands out doses in a demo left alone, so
    the clients above go on hold within days. New clients therefore start substitution over
    the months after the load, each on the first desk day on which the one before has missed
    ``missed_dose_hold_days`` doses, so on every desk day (until the clients run out: about
    half a year with the default 80 clients) someone is due at the desk."""
    from decimal import Decimal

    from bedring.medication.rules import missed_in_a_row
    from bedring.medication.services import prescribing as medication

    def alive(starts_on: datetime.date, day: datetime.date) -> bool:
        missed, _since = missed_in_a_row(
            today=day,
            counted_from=starts_on,
            week=week,
            ends_on=None,
            covered=frozenset(),
            desk_open=desk_open,
            limit=limit,
        )
        return missed < limit

    day = today + datetime.timedelta(days=1)
    for n, client in enumerate(clients):
        while not desk_open(day):
            day += datetime.timedelta(days=1)
        on_methadone = n % 3 != 2
        methadone, buprenorphine = medicines
        medication.prescription_create(
            client=client,
            actor=doctor,
            medicine=methadone if on_methadone else buprenorphine,
            terms=medication.PrescriptionTerms(
                site=site,
                daily_dose=Decimal(rng.choice([30, 40]) if on_methadone else 8),
                starts_on=day,
                ends_on=None,
                supervised_weekdays=tuple(sorted(week.supervised)),
                take_home_weekdays=tuple(sorted(week.take_home)),
                pickup_interval_days=reach,
            ),
            today=today,
        )
        starts_on = day
        while alive(starts_on, day) or not desk_open(day):
            day += datetime.timedelta(days=1)
