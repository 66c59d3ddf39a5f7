"""What the authorisation walk needs to build URLs and request bodies for every route.

Each capability adds a world builder (objects of the client's organisation to put in URLs),
its URL converters, and request bodies for its API operations. Fresh objects are made per
request where an action would otherwise use them up (a consent withdrawn, an episode ended).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from bedring.clients import services as client_services
from bedring.core import clock
from bedring.pathway.services.episode import inquiry_register
from bedring.synthetic.people import GENERATORS


def _fresh_episode(world: dict[str, Any]) -> Any:
    org = world["org"]
    client = world["make_client"](org)
    return inquiry_register(
        organisation=org,
        site=world["site"],
        actor=world["staff"]["counsellor"],
        channel="phone",
        referrer="self",
        received_at=datetime.datetime(2026, 11, 17, 10, 0, tzinfo=datetime.UTC),
        client=client,
    ).episode


def build_pathway(world: dict[str, Any]) -> None:
    world["episode"] = _fresh_episode(world)
    world["fresh_episode"] = lambda: _fresh_episode(world)


def build_decisions(world: dict[str, Any]) -> None:
    from bedring.pathway.services.decision import (
        child_concern_record,
        complaint_register,
        decision_make,
    )
    from bedring.pathway.services.episode import episode_begin_assessment

    staff = world["staff"]
    episode = world["episode"]
    episode_begin_assessment(episode=episode, actor=staff["counsellor"])
    decision = decision_make(
        episode=episode,
        actor=staff["authority"],
        kind="treatment",
        outcome="granted",
        justification="Outpatient treatment fits.",
        decided_on=datetime.date(2026, 11, 18),
    )
    world["decision"] = decision
    world["complaint"] = complaint_register(
        decision=decision,
        actor=staff["counsellor"],
        kind="decision",
        text="I want more sessions.",
        received_on=datetime.date(2026, 11, 19),
    )
    world["notification"] = child_concern_record(
        episode=episode,
        actor=staff["counsellor"],
        concern="The child misses school.",
        noted_on=datetime.date(2026, 11, 19),
    )


def build_plans(world: dict[str, Any]) -> None:
    from bedring.pathway.services.plan import GoalInput, plan_save

    world["plan"] = plan_save(
        episode=world["episode"],
        actor=world["staff"]["counsellor"],
        agreed_on=datetime.date(2026, 11, 20),
        aims=["reduce"],
        client_words="I want to keep my job.",
        goals=[
            GoalInput(
                text="Fewer days of use",
                measure="Days a week",
                target="At most 2",
                due_on=datetime.date(2027, 2, 1),
            )
        ],
        today=datetime.date(2026, 11, 20),
    )


def _active_episode(world: dict[str, Any]) -> Any:
    """DIS-1: a fresh episode in active treatment with a plan of one goal."""
    from bedring.pathway.services.decision import decision_make
    from bedring.pathway.services.episode import (
        episode_begin_assessment,
        episode_start_treatment,
    )
    from bedring.pathway.services.plan import GoalInput, plan_save

    staff = world["staff"]
    episode = _fresh_episode(world)
    episode_begin_assessment(episode=episode, actor=staff["counsellor"])
    decision_make(
        episode=episode,
        actor=staff["authority"],
        kind="treatment",
        outcome="granted",
        justification="Outpatient treatment fits.",
        decided_on=datetime.date(2026, 11, 18),
    )
    episode_start_treatment(
        episode=episode, actor=staff["counsellor"], on=datetime.date(2026, 11, 19)
    )
    plan_save(
        episode=episode,
        actor=staff["counsellor"],
        agreed_on=datetime.date(2026, 11, 20),
        aims=["stop"],
        client_words="Walk.",
        goals=[
            GoalInput(
                text="Walk goal", measure="Days", target="0", due_on=datetime.date(2027, 2, 1)
            )
        ],
        today=datetime.date(2026, 11, 20),
    )
    world["last_active_episode"] = episode
    return episode


def build_discharge(world: dict[str, Any]) -> None:
    """DIS-1, DIS-2: fresh active episodes with a plan for the discharge routes (a discharge
    uses the episode up), and a follow-up due after a completed treatment."""
    from bedring.pathway.services.discharge import episode_discharge

    world["fresh_active_episode"] = lambda: _active_episode(world)
    episode = _active_episode(world)
    goal = episode.plans.get(is_current=True).goals.get()
    discharge = episode_discharge(
        episode=episode,
        actor=world["staff"]["counsellor"],
        discharged_on=datetime.date(2026, 11, 21),
        status="completed",
        overall_result="reduced",
        goal_results={str(goal.uuid): ("reached", "")},
    )
    world["follow_up"] = discharge.follow_ups.order_by("months").first()


def valid_answers(question_set: Any) -> dict[str, Any]:
    """An answer of the right type for every question of a question set."""
    examples = {"text": "Walk answer", "bool": True, "number": 1, "date": "2026-11-20"}
    answers: dict[str, Any] = {}
    for question in question_set.questions:
        if question["type"] == "choice":
            answers[question["key"]] = question["choices"][0]["value"]
        else:
            answers[question["key"]] = examples[question["type"]]
    return answers


def build_assessments(world: dict[str, Any]) -> None:
    """An assessment with every question answered: each route starts from the world as built,
    so completing it must not wait for the answers route."""
    from bedring.pathway.services.assessment import assessment_save_answers, assessment_start

    assessment = assessment_start(
        episode=world["episode"],
        actor=world["staff"]["counsellor"],
        conducted_on=datetime.date(2026, 11, 18),
    )
    world["assessment"] = assessment_save_answers(
        assessment=assessment,
        actor=world["staff"]["counsellor"],
        answers=valid_answers(assessment.question_set),
    )


def build_catalogue(world: dict[str, Any]) -> None:
    from bedring.catalogue.models import Offer
    from bedring.catalogue.services.courses import course_create
    from bedring.catalogue.services.enrolments import enrol

    org, counsellor = world["org"], world["staff"]["counsellor"]

    def offer(key: str) -> Offer:
        return Offer.objects.get(organisation=org, key=key, is_current=True)

    world["offer"] = offer("relatives-course")
    world["alcohol_offer"] = offer("alcohol-treatment")
    world["tally_offer"] = offer("youth-counselling")
    world["course"] = course_create(
        offer=world["offer"],
        site=world["site"],
        actor=counsellor,
        starts_on=datetime.date(2026, 11, 1),
        capacity=200,
    )
    world["course_enrolment"] = enrol(
        client=world["make_client"](org),
        actor=counsellor,
        course=world["course"],
        starts_on=datetime.date(2026, 11, 1),
    )
    world["session"] = world["course"].sessions.filter(on__lte=datetime.date(2026, 11, 20)).first()
    world["enrolment"] = enrol(
        client=world["make_client"](org),
        actor=counsellor,
        offer=world["alcohol_offer"],
        starts_on=datetime.date(2026, 11, 2),
    )
    world["fresh_course_enrolment"] = lambda: enrol(
        client=world["make_client"](org),
        actor=counsellor,
        course=world["course"],
        starts_on=datetime.date(2026, 11, 1),
    )
    # Lykken's individual SMART goals (seed 003 line 541) on the enrolment itself. The
    # visitor is registered without drawing from the world's people, so the clients drawn
    # after the build stay the ones the other routes were written for.
    from bedring.catalogue.services.goals import enrolment_goal_add
    from bedring.pathway.services.plan import GoalInput

    visitor = client_services.client_register(
        organisation=org, first_name="Lea", last_name="Lykke", birth_date=datetime.date(1980, 5, 1)
    )
    world["lykken_enrolment"] = lykken = enrol(
        client=visitor,
        actor=counsellor,
        offer=offer("lykken"),
        starts_on=datetime.date(2026, 11, 2),
    )
    world["enrolment_goal"] = enrolment_goal_add(
        enrolment=lykken,
        actor=counsellor,
        goal=GoalInput(
            text="Breakfast at Lykken",
            measure="Mornings a week",
            target="Three",
            due_on=datetime.date(2027, 2, 1),
        ),
        agreed_on=datetime.date(2026, 11, 2),
        today=datetime.date(2026, 11, 2),
    )


def build_medication_records(world: dict[str, Any]) -> None:
    """MED-4, MED-5, MED-9: a prescription of the walk's client and a travel certificate
    issued from it (the world is Danish: the co-payment routes answer no_charges)."""
    from bedring.medication.services.records import travel_certificate_issue
    from tests.medication.records_fixtures import make_prescription

    client, doctor = world["client"], world["staff"]["doctor"]
    world["records_prescription"] = make_prescription(client, prescriber=doctor)
    today = clock.today(world["org"])
    world["travel_certificate"] = travel_certificate_issue(
        client=client,
        prescription=world["records_prescription"],
        actor=doctor,
        travel_from=today + datetime.timedelta(days=7),
        travel_to=today + datetime.timedelta(days=14),
        countries="Germany",
    )


def build_health(world: dict[str, Any]) -> None:
    """HLT-1, HLT-4: a pending screening of the walk's client, and a pregnancy of a client
    who may be pregnant (the walk's client may be a man); fresh ones where an action would
    end it."""
    from bedring.health.services import pregnancy_record, screening_record

    org, nurse = world["org"], world["staff"]["nurse"]
    today = clock.today(org)
    world["screening"] = screening_record(
        client=world["client"], actor=nurse, kind="hiv", offered_on=today, tested_on=today
    )

    def fresh_pregnancy() -> Any:
        return pregnancy_record(
            client=world["make_client"](org, national_id="", sex="female"),
            actor=nurse,
            estimated_due_on=today + datetime.timedelta(days=100),
        )

    world["pregnancy"] = fresh_pregnancy()
    world["fresh_pregnancy"] = fresh_pregnancy


def build_medication(world: dict[str, Any]) -> None:
    """MED-1, MED-2, MED-6: a dispensing site that gives medication all day every day (the
    walk dispenses at the real clock; Skurvogne is open on public holidays and holds no one
    else's doses), a prescription from today of a client of its own (one substitution at a
    time), and fresh ones where an action uses one up (ending, reviewing a hold)."""
    from decimal import Decimal

    from bedring.accounts.services import site_set_hours
    from bedring.core.hours import Interval
    from bedring.medication.models import Medicine
    from bedring.medication.services import dispensing, holds, prescribing

    org, doctor = world["org"], world["staff"]["doctor"]
    desk = org.sites.get(slug="skurvogne")
    all_day = [Interval(datetime.time(0, 0), datetime.time(23, 59, 59, 999999))]
    site_set_hours(site=desk, kind="medication", week=dict.fromkeys(range(7), all_day))
    world["desk_site"] = desk
    today = clock.today(org)

    def fresh_prescription() -> Any:
        """At the desk today, take-home on the six days after, handed out up to 6 ahead."""
        return prescribing.prescription_create(
            client=world["make_client"](org),
            actor=doctor,
            medicine=Medicine.objects.get(key="methadone-oral-solution"),
            terms=prescribing.PrescriptionTerms(
                site=desk,
                daily_dose=Decimal("60"),
                starts_on=today,
                ends_on=None,
                supervised_weekdays=(today.weekday(),),
                take_home_weekdays=tuple(d for d in range(7) if d != today.weekday()),
                pickup_interval_days=6,
            ),
            today=today,
        )

    def fresh_held_prescription() -> Any:
        prescription = fresh_prescription()
        holds.hold_for_missed_doses(prescription=prescription, missed=3, since=today, today=today)
        return prescription

    world["prescription"] = fresh_prescription()
    world["fresh_prescription"] = fresh_prescription
    world["fresh_held_prescription"] = fresh_held_prescription
    # MED-2: a dose the walk's nurse recorded today, for the correction of a dose.
    world["dose"] = dispensing.dispense(
        prescription=fresh_prescription(), actor=world["staff"]["nurse"], site=desk
    )


def build_journal(world: dict[str, Any]) -> None:
    """JRN-1: a draft and a signed note of the walk's client, both the counsellor's, and
    fresh ones where an action uses one up (signing, deleting, correcting)."""
    from bedring.journal import services as journal

    client, counsellor = world["client"], world["staff"]["counsellor"]

    def fresh_note(*, signed: bool = False) -> Any:
        note = journal.note_draft_create(
            client=client,
            actor=counsellor,
            contact_type="conversation",
            contact_at=clock.now() - datetime.timedelta(hours=1),
            text="Walk note.",
        )
        return journal.note_sign(note=note, actor=counsellor) if signed else note

    world["draft_note"] = fresh_note()
    world["signed_note"] = fresh_note(signed=True)
    world["fresh_note"] = fresh_note


def _note_for_route(name: str, world: dict[str, Any]) -> Any:
    """The correction and the versions are of a signed note; the other pages of a draft."""
    return (
        world["signed_note"]
        if name in ("journal:correct", "journal:versions")
        else (world["draft_note"])
    )


def _note_in(path: str, world: dict[str, Any]) -> Any:
    """A fresh note where the action uses it up; a signed one to correct or read."""
    if path.endswith("/corrections"):
        return world["fresh_note"](signed=True)
    if path.endswith("/sign") or path == "/api/v1/journal-notes/{note_id}":
        return world["fresh_note"]()
    return world["signed_note"]


def _journal_body(method: str, path: str) -> Any:
    if path.endswith(("/sign", "/versions")) or method == "delete":
        return None
    if path.endswith("/corrections"):
        return {"text": "Walk correction.", "reason": "Walk."}
    return {
        "contact_type": "phone",
        "contact_at": (clock.now() - datetime.timedelta(hours=1)).isoformat(),
        "text": "Walk note by the API.",
    }


def build_messaging(world: dict[str, Any]) -> None:
    """APT-3: the walk's client agrees to SMS reminders, and one reminder of theirs failed (a
    retry uses it up: the roles after the first meet 409 message_not_failed)."""
    from bedring.messaging import services as messaging_services
    from bedring.messaging.models import Message, MessageStatus

    org, now = world["org"], clock.now()
    client = messaging_services.contact_preferences_save(
        client=world["client"],
        actor=world["staff"]["counsellor"],
        at=now,
        phone="+45 20 00 01 23",
        email="walk@example.org",
        reminder_consent=True,
        reminder_channel="sms",
        reminder_label="neutral",
    )
    message = messaging_services.schedule_appointment_reminder(
        client=client,
        organisation=org,
        starts_at=now + datetime.timedelta(days=3),
        place="Kongevej 19, 6400 Sønderborg",
        reference="appointment:walk",
        at=now,
    )
    assert message is not None
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=5, last_error="Walk: the provider gave up."
    )
    world["failed_message"] = Message.objects.get(pk=message.pk)


def _walk_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, "PNG")
    return buffer.getvalue()


def build_referrals(world: dict[str, Any]) -> None:
    """REF-1, JRN-3: a document of the walk's client, a referral sent to its GP (the world's
    consent is for the GP), and fresh documents where an action uses one up (discarding)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bedring.documents.services import document_upload
    from bedring.referrals.models import Partner
    from bedring.referrals.services import referral_create

    client, counsellor = world["client"], world["staff"]["counsellor"]

    def fresh_document() -> Any:
        return document_upload(
            client=client,
            actor=counsellor,
            upload=SimpleUploadedFile("walk.png", _walk_png(), "image/png"),
            kind="letter",
            dated_on=datetime.date(2026, 11, 20),
            source="Walk",
        )

    world["document"] = fresh_document()
    world["fresh_document"] = fresh_document
    world["referral"] = referral_create(
        client=client,
        actor=counsellor,
        partner=Partner.objects.get(organisation=world["org"], key="egen-laege"),
        reason="Walk: blood tests",
        send_on=datetime.date(2026, 11, 20),
    )


def _prescription_in(path: str, world: dict[str, Any]) -> Any:
    """A fresh prescription where the action uses one up: ending it, lifting its hold."""
    if "{prescription_id}" in path and path.endswith("/end"):
        return world["fresh_prescription"]()
    if "{prescription_id}" in path and path.endswith("/review"):
        return world["fresh_held_prescription"]()
    return world["prescription"]


def build_appointments(world: dict[str, Any]) -> None:
    """APT-1, APT-2: an appointment of the walk's client that began at 09:00 on the walk's
    day (booked the day before), so that attended and no-show can be recorded; an open
    request; and fresh future appointments where an action uses one up (moving,
    cancelling)."""
    from zoneinfo import ZoneInfo

    from bedring.appointments.services import appointment_book, appointment_request_record

    org, counsellor = world["org"], world["staff"]["counsellor"]
    zone = ZoneInfo(org.time_zone)
    nine = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=zone)
    world["appointment"] = appointment_book(
        client=world["client"],
        actor=counsellor,
        staff=counsellor,
        site=world["site"],
        kind="conversation",
        starts_at=nine,
        minutes=60,
        confirm_outside_hours=True,
        at=nine - datetime.timedelta(days=1),
    )
    world["appointment_request"] = appointment_request_record(
        client=world["client"], actor=counsellor, kind="psychologist"
    )
    hours = iter(range(1000))

    def fresh_appointment() -> Any:
        start = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=zone) + datetime.timedelta(
            hours=next(hours)
        )
        return appointment_book(
            client=world["make_client"](org),
            actor=counsellor,
            staff=counsellor,
            site=world["site"],
            kind="conversation",
            starts_at=start,
            minutes=30,
            confirm_outside_hours=True,
        )

    world["fresh_appointment"] = fresh_appointment


def build_outreach_evaluation(world: dict[str, Any]) -> None:
    """HRM-10: two street contacts an hour before the walk (one with the walk's client, one
    with nobody identified), so the evaluation's figures have something to count."""
    from bedring.outreach.services.contacts import contact_record

    nurse, at = world["staff"]["street_nurse"], clock.now() - datetime.timedelta(hours=1)
    for client in (world["client"], None):
        contact_record(
            organisation=world["org"],
            actor=nurse,
            site=world["site"],
            at=at,
            activities=["conversation", "escort"] if client else ["supplies"],
            minutes=20,
            location_type="street",
            client=client,
        )


def build_outreach(world: dict[str, Any]) -> None:
    """HRM-8, PRV-4: a street contact with the walk's client at Sønderborg's shacks, a code
    with a contact of its own, a code to merge into, and fresh codes where an action uses one
    up (becoming a client, being merged)."""
    import uuid

    from bedring.outreach.services.contacts import contact_record
    from bedring.outreach.services.people import pseudonym_create

    org, nurse = world["org"], world["staff"]["street_nurse"]
    site = org.sites.get(slug="lykken")

    def contact(**kw: Any) -> Any:
        return contact_record(
            organisation=org,
            actor=nurse,
            site=site,
            at=clock.now() - datetime.timedelta(minutes=5),
            activities=["conversation", "supplies"],
            minutes=10,
            location_type="shack",
            items_out={"syringe": 2},
            **kw,
        )[0]

    def fresh_pseudonym() -> Any:
        return pseudonym_create(
            organisation=org, actor=nurse, code=f"W-{uuid.uuid4().hex[:8]}", consent=True
        )

    world["outreach_contact"] = contact(client=world["client"], note="Walk contact.")
    world["pseudonym"] = fresh_pseudonym()
    contact(pseudonym_code=world["pseudonym"].code)
    world["merge_into"] = fresh_pseudonym()
    world["fresh_pseudonym"] = fresh_pseudonym


def build_exchange(world: dict[str, Any]) -> None:
    """HRM-9: the Sønderborg pack's exchange point at Kongevej, with a delivery of syringes
    and one exchange recorded by the street nurse."""
    from bedring.outreach.models import ExchangePoint
    from bedring.outreach.services.exchange import exchange_record, exchange_stock_record

    org, nurse = world["org"], world["staff"]["street_nurse"]
    point = ExchangePoint.objects.get(organisation=org, key="kongevej-exchange")
    exchange_stock_record(
        organisation=org, point=point, actor=nurse, item="syringe", kind="delivered", quantity=500
    )
    exchange_record(
        organisation=org,
        point=point,
        actor=nurse,
        at=clock.now() - datetime.timedelta(minutes=5),
        items_out={"syringe": 10, "needle": 10},
        items_back={"syringe": 8},
        participant_code="WALK-1",
    )
    world["exchange_point"] = point


WORLD_BUILDERS: list[Callable[[dict[str, Any]], None]] = [
    build_pathway,
    build_decisions,
    build_plans,
    build_assessments,
    build_catalogue,
    build_medication_records,
    build_health,
    build_medication,
    build_discharge,
    build_appointments,
    build_journal,
    build_messaging,
    build_referrals,
    build_outreach_evaluation,
    build_outreach,
    build_exchange,
]

# URL converter -> how to fill it (from the world).
CONVERTERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "client_uuid": lambda w: w["client"].uuid,
    "relative_uuid": lambda w: w["relative"].uuid,
    "consent_uuid": lambda w: w["consent"].uuid,
    "site_uuid": lambda w: w["site"].uuid,
    "episode_uuid": lambda w: w["episode"].uuid,
    "decision_uuid": lambda w: w["decision"].uuid,
    "complaint_uuid": lambda w: w["complaint"].uuid,
    "notification_uuid": lambda w: w["notification"].uuid,
    "version": lambda w: w["plan"].version,
    "assessment_uuid": lambda w: w["assessment"].uuid,
    "offer_uuid": lambda w: w["offer"].uuid,
    "course_uuid": lambda w: w["course"].uuid,
    "enrolment_uuid": lambda w: w["enrolment"].uuid,
    "goal_uuid": lambda w: w["enrolment_goal"].uuid,
    "session_uuid": lambda w: w["session"].uuid,
    "screening_uuid": lambda w: w["screening"].uuid,
    "pregnancy_uuid": lambda w: w["pregnancy"].uuid,
    "certificate_uuid": lambda w: w["travel_certificate"].uuid,
    "prescription_uuid": lambda w: w["prescription"].uuid,
    "dispensing_uuid": lambda w: w["dose"].uuid,
    "follow_up_uuid": lambda w: w["follow_up"].uuid,
    "appointment_uuid": lambda w: w["appointment"].uuid,
    "request_uuid": lambda w: w["appointment_request"].uuid,
    "message_uuid": lambda w: w["failed_message"].uuid,
    "referral_uuid": lambda w: w["referral"].uuid,
    "document_uuid": lambda w: w["document"].uuid,
    "contact_uuid": lambda w: w["outreach_contact"].uuid,
    "pseudonym_uuid": lambda w: w["pseudonym"].uuid,
    "point_uuid": lambda w: w["exchange_point"].uuid,
}


def fill_converter(key: str, name: str, world: dict[str, Any]) -> Any:
    if key == "note_uuid":
        return _note_for_route(name, world).uuid
    if key not in CONVERTERS:
        raise AssertionError(f"the walk does not know how to fill {key!r} in {name}")
    return CONVERTERS[key](world)


def api_path(path: str, world: dict[str, Any]) -> str:
    if path.startswith("/api/v1/outreach/evaluation"):
        # HRM-10: the evaluation's reads name the organisation (and the checklist its site).
        query = {"organisation": str(world["org"].uuid)}
        if path.endswith("/fidelity"):
            query["site"] = world["site"].slug
        return f"{path}?{urlencode(query)}"
    # HRM-9: the walk's exchange point.
    if "{point_id}" in path:
        return path.replace("{point_id}", str(world["exchange_point"].uuid))
    # Health (HLT-1, HLT-4): the walk's pending screening; a pregnancy needs a client who may
    # be pregnant, fresh per request (a second one, or ending it twice, would be refused).
    path = path.replace("{screening_id}", str(world["screening"].uuid))
    path = path.replace("{goal_id}", str(world["enrolment_goal"].uuid))
    if path.endswith("/enrolments/{enrolment_id}/goals"):  # Lykken's individual goals
        path = path.replace("{enrolment_id}", str(world["lykken_enrolment"].uuid))
    # HRM-8, PRV-4: becoming a client or being merged uses a code up.
    path = path.replace("{contact_id}", str(world["outreach_contact"].uuid))
    if "{pseudonym_id}" in path:
        uses_up = path.endswith(("/client", "/merge"))
        code = world["fresh_pseudonym"]() if uses_up else world["pseudonym"]
        path = path.replace("{pseudonym_id}", str(code.uuid))
    if "{note_id}" in path:
        path = path.replace("{note_id}", str(_note_in(path, world).uuid))
    if "/pregnancies" in path:
        if path.endswith("/pregnancies"):
            pregnant = world["make_client"](world["org"], national_id="", sex="female")
        else:
            pregnancy = world["fresh_pregnancy"]()
            pregnant = pregnancy.client
            path = path.replace("{pregnancy_id}", str(pregnancy.uuid))
        return path.replace("{client_id}", str(pregnant.uuid))  # nothing else to fill
    consent = client_services.consent_add(
        client=world["client"],
        party="gp",
        scope="x",
        valid_from=datetime.date(2026, 1, 1),
        given_by="client",
    )
    episode = world["fresh_episode"]() if _uses_up_the_episode(path) else world["episode"]
    if path.endswith("/episodes/{episode_id}/discharge"):
        episode = world["fresh_active_episode"]()  # DIS-1: the discharge uses it up
    path = path.replace("{follow_up_id}", str(world["follow_up"].uuid))
    # APT-1: moving or cancelling uses an appointment up; the others use the one that began.
    if "{appointment_id}" in path:
        appointment = (
            world["fresh_appointment"]()
            if path.endswith(("/move", "/cancel"))
            else world["appointment"]
        )
        path = path.replace("{appointment_id}", str(appointment.uuid))
    path = path.replace("{request_id}", str(world["appointment_request"].uuid))
    path = path.replace("{message_id}", str(world["failed_message"].uuid))
    path = path.replace("{referral_id}", str(world["referral"].uuid))
    # JRN-3: discarding uses a document up (and only its uploader, the counsellor, may).
    document = world["fresh_document"]() if path.endswith("/discard") else world["document"]
    path = path.replace("{document_id}", str(document.uuid))
    return (
        path.replace("{org_id}", str(world["org"].uuid))
        .replace("{client_id}", str(world["client"].uuid))
        .replace("{relative_id}", str(world["relative"].uuid))
        .replace("{consent_id}", str(consent.uuid))
        .replace("{episode_id}", str(episode.uuid))
        .replace("{decision_id}", str(world["decision"].uuid))
        .replace("{complaint_id}", str(world["complaint"].uuid))
        .replace("{notification_id}", str(world["notification"].uuid))
        .replace("{plan_id}", str(world["plan"].uuid))
        .replace("{assessment_id}", str(world["assessment"].uuid))
        .replace("{offer_id}", str(world["offer"].uuid))
        .replace("{course_id}", str(world["course"].uuid))
        .replace("{session_id}", str(world["session"].uuid))
        .replace("{certificate_id}", str(world["travel_certificate"].uuid))
        .replace("{prescription_id}", str(_prescription_in(path, world).uuid))
        .replace("{dispensing_id}", str(world["dose"].uuid))
        .replace("{site_id}", str(world["desk_site"].uuid))
        .replace("/stock/reconciliation", "/stock/reconciliation?start=2026-11-01&end=2026-11-30")
        .replace(
            "{enrolment_id}",
            str(
                (
                    world["fresh_course_enrolment"]()
                    if path.endswith("/end")
                    else world["enrolment"]
                ).uuid
            ),
        )
    )


def _uses_up_the_episode(path: str) -> bool:
    return path.endswith(("/episodes/{episode_id}/withdraw", "/begin-assessment", "/free-choice"))


def api_body(
    method: str, path: str, world: dict[str, Any], rng: random.Random, jurisdiction: str
) -> Any:
    if method == "get":
        return None
    if "/journal-notes" in path:
        return _journal_body(method, path)
    if path == "/api/v1/outreach/contacts":
        return {
            "organisation": str(world["org"].uuid),
            "site": world["site"].slug,
            "at": clock.now().isoformat(),
            "location_type": "street",
            "activities": ["conversation"],
            "items_out": {"syringe": 2},
            "minutes": 10,
        }
    if path == "/api/v1/outreach/evaluation/fidelity":
        today = clock.today(world["org"])
        return {
            "organisation": str(world["org"].uuid),
            "site": world["site"].slug,
            "quarter": datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1).isoformat(),
            "elements": [{"element": "documented", "held": True, "note": "Walk."}],
        }
    if path == "/api/v1/outreach/pseudonyms":
        return {
            "organisation": str(world["org"].uuid),
            "code": f"WALK-{rng.randint(0, 10**9)}",
            "consent": True,
        }
    if path.endswith("/pseudonyms/{pseudonym_id}/client"):
        return {"consent": True, "first_name": "Walk", "last_name": "Street"}
    if path.endswith("/pseudonyms/{pseudonym_id}/merge"):
        return {"into": world["merge_into"].code}
    if path.endswith("/contacts/{contact_id}/checked"):
        return None
    if path == "/api/v1/outreach/exchange/points/{point_id}/transactions":
        return {"items_out": {"syringe": 2}, "items_back": {"needle": 1}, "advice": True}
    if path == "/api/v1/outreach/exchange/points/{point_id}/stock":
        return {"item": "syringe", "kind": "delivered", "quantity": 20}
    if path == "/api/v1/clients":
        birth = datetime.date(1980, 1, 1) + datetime.timedelta(days=rng.randint(0, 9000))
        return {
            "national_id": GENERATORS[jurisdiction](birth, "female", rng),
            "first_name": "Walk",
            "last_name": "Er",
        }
    if path == "/api/v1/inquiries":
        client = world["make_client"](world["org"])
        return {
            "client": str(client.uuid),
            "site": str(world["site"].uuid),
            "channel": "phone",
            "referrer": "self",
            "received_at": "2026-11-20T10:00:00+01:00",
        }
    if path.endswith("/relatives") or path.endswith("{relative_id}"):
        return {"name": "Walk Relative", "relation": "friend"}
    if path.endswith("/consents"):
        return {"party": "gp", "scope": "All", "valid_from": "2026-01-01", "given_by": "client"}
    if path.endswith("/consents/{consent_id}/withdraw"):
        return {"reason": "walk"}
    if path.endswith("/children"):
        return {"first_name": "Kid", "birth_date": "2020-05-05"}
    if path.endswith("/assign"):
        return {"responsible": world["staff"]["counsellor"].username}
    if path.endswith("/free-choice"):
        return {"provider": "Another centre"}
    if path.endswith("/episodes/{episode_id}/withdraw"):
        return {"reason": "walk"}
    if path.endswith(("/first-contact", "/start")):
        return {}
    if path.endswith("/begin-assessment"):
        return None
    if path.endswith("/episodes/{episode_id}/decisions"):
        return {
            "kind": "treatment",
            "outcome": "granted",
            "justification": "Walk: outpatient fits.",
        }
    if path.endswith("/episodes/{episode_id}/discharge"):
        plan = world["last_active_episode"].plans.get(is_current=True)
        return {
            "discharged_on": "2026-11-22",
            "status": "completed",
            "overall_result": "reduced",
            "goal_results": [{"goal": str(g.uuid), "outcome": "partly"} for g in plan.goals.all()],
        }
    if path.startswith("/api/v1/follow-ups/"):
        return {
            "done_on": "2026-11-23",
            "contact_made": True,
            "substance_use": "reduced",
            "situation": {"housing": "better"},
        }
    if path.endswith("/clients/{client_id}/appointments"):
        return {
            "kind": "conversation",
            "staff": world["staff"]["counsellor"].username,
            "site": str(world["site"].uuid),
            "starts_at": "2026-11-24T10:00:00+01:00",
            "minutes": 60,
            "confirm_outside_hours": True,
        }
    if path.endswith("/appointment-requests"):
        return {"kind": "psychologist"}
    if path.endswith("/appointment-requests/{request_id}/withdraw"):
        return {"reason": "Walk."}
    if path.endswith("/appointments/{appointment_id}/move"):
        return {"starts_at": "2026-11-25T10:00:00+01:00", "confirm_outside_hours": True}
    if path.endswith("/appointments/{appointment_id}/cancel"):
        return {"cancelled_by": "client", "with_notice": True, "reason": "Walk."}
    if path.endswith(("/appointments/{appointment_id}/attended", "/no-show")):
        return None
    if path.endswith("/letter-sent"):
        return {}
    if path.endswith("/episodes/{episode_id}/complaints"):
        return {"kind": "late_start", "text": "Walk: no start within 14 days."}
    if path.endswith("/complaints"):
        return {"kind": "decision", "text": "Walk complaint."}
    if path.endswith("/reevaluation"):
        return {"result": "upheld", "justification": "Walk: the decision stands."}
    if path.endswith("/episodes/{episode_id}/child-notifications"):
        return {"concern": "Walk concern."}
    if path.endswith("/episodes/{episode_id}/plans"):
        return {
            "agreed_on": "2026-11-21",
            "aims": ["stop"],
            "client_words": "Walk.",
            "goals": [{"text": "Walk", "measure": "Days", "target": "0", "due_on": "2027-03-01"}],
        }
    if path.endswith("/evaluations"):
        goals = world["plan"].goals.all()
        return {
            "evaluated_on": "2026-11-22",
            "client_view": "Going well.",
            "progress": [{"goal": str(g.uuid), "progress": "some"} for g in goals],
        }
    if path == "/api/v1/offers":
        return {
            "terms": {
                "key": "walk-offer",
                "name": "Walk",
                "intensity": "outpatient",
                "format": "group",
                "cadence": {"kind": "weekly"},
                "count": {"kind": "fixed", "sessions": 2},
                "capacity": 5,
            }
        }
    if path == "/api/v1/courses":
        return {
            "offer": str(world["offer"].uuid),
            "site": str(world["site"].uuid),
            "starts_on": "2027-01-07",
        }
    if path.endswith("/courses/{course_id}/enrolments"):
        return {"client": str(world["make_client"](world["org"]).uuid)}
    if path == "/api/v1/enrolments":
        return {
            "client": str(world["make_client"](world["org"]).uuid),
            "offer": str(world["alcohol_offer"].uuid),
        }
    if path.endswith("/enrolments/{enrolment_id}/end"):
        return {"completed": True}
    if path.endswith("/enrolments/{enrolment_id}/sessions"):
        return {}
    if path.endswith("/sessions/{session_id}/attendance"):
        return [{"enrolment": str(world["course_enrolment"].uuid), "status": "attended"}]
    if path.endswith("/gift-cards"):
        return {"session": str(world["session"].uuid)}
    if path.endswith("/enrolments/{enrolment_id}/goals"):
        return {"text": "Walk", "measure": "Days", "target": "Two", "due_on": "2027-02-01"}
    if path.endswith("/enrolment-goals/{goal_id}/progress"):
        return {"progress": "some"}
    if path == "/api/v1/tallies":
        return {
            "site": str(world["site"].uuid),
            "offer": str(world["tally_offer"].uuid),
            "on": "2026-11-20",
            "count": 3,
        }
    if path.endswith("/episodes/{episode_id}/assessments"):
        return {}
    if path.endswith("/answers"):
        return {"answers": valid_answers(world["assessment"].question_set)}
    if path.endswith(("/offers", "/tdi", "/complete")):
        return {}
    if path.endswith("/urine-tests"):
        return {"sampled_on": "2026-11-20", "results": {"opiates": "negative"}}
    if path.endswith("/travel-certificates"):
        first_day = clock.today(world["org"]) + datetime.timedelta(days=1)
        return {
            "prescription": str(world["records_prescription"].uuid),
            "countries": "Sweden",
            "travel_from": first_day.isoformat(),
            "travel_to": (first_day + datetime.timedelta(days=4)).isoformat(),
        }
    if path.endswith("/co-payments/charges"):
        return {"week": "2026-W40"}
    if path.endswith(("/co-payments/payments", "/co-payments/write-offs")):
        return {"amount": "1.00", "note": "Walk."}
    if path.endswith(("/screenings", "/vaccinations", "/health-contacts", "/pregnancies")):
        today = clock.today(world["org"])
        return {
            "/screenings": {"kind": "hiv", "offered_on": today.isoformat(), "declined": True},
            "/vaccinations": {"schedule": "hepatitis_b", "dose": 1, "given_on": today.isoformat()},
            "/health-contacts": {"kind": "nada", "on": today.isoformat()},
            "/pregnancies": {
                "estimated_due_on": (today + datetime.timedelta(days=100)).isoformat()
            },
        }[path[path.rindex("/") :]]
    if path.endswith("/screenings/{screening_id}/result"):
        return {"result": "negative"}
    if path.endswith(("/pregnancies/{pregnancy_id}/end", "/pregnancies/{pregnancy_id}/follow-ups")):
        day = clock.today(world["org"]).isoformat()
        if path.endswith("/end"):
            return {"outcome": "birth", "on": day}
        return {"kind": "home_visit", "on": day}
    if path.startswith("/api/v1/clients/") and path.endswith("/prescriptions"):
        # Not a substitution medicine: the walk's client may already have one.

        return {
            "medicine": "naltrexone",
            "site": str(world["desk_site"].uuid),
            "daily_dose": "50",
            "starts_on": clock.today(world["org"]).isoformat(),
            "supervised_weekdays": [0, 1, 2, 3, 4, 5, 6],
        }
    if path.endswith("/prescriptions/{prescription_id}/versions"):
        from bedring.medication.selectors import current_version

        version = current_version(world["prescription"])
        return {
            "site": str(version.site.uuid),
            "daily_dose": str(version.daily_dose),
            "starts_on": version.starts_on.isoformat(),
            "supervised_weekdays": version.supervised_weekdays,
            "take_home_weekdays": version.take_home_weekdays,
            "pickup_interval_days": version.pickup_interval_days,
        }
    if path.endswith("/prescriptions/{prescription_id}/end"):
        return {"on": clock.today(world["org"]).isoformat(), "reason": "Walk."}
    if path.endswith("/prescriptions/{prescription_id}/review"):
        return {"note": "Walk review."}
    if path.endswith("/prescriptions/{prescription_id}/dispensings"):
        return {"site": str(world["desk_site"].uuid)}
    if path.endswith("/dispensings/{dispensing_id}/correction"):
        return {"reason": "Walk correction."}
    if path.endswith("/prescriptions/{prescription_id}/take-home"):
        tomorrow = clock.today(world["org"]) + datetime.timedelta(days=1)
        return {"site": str(world["desk_site"].uuid), "days": [tomorrow.isoformat()]}
    if path.endswith("/sites/{site_id}/stock"):
        return {"medicine": "methadone-oral-solution", "kind": "received", "quantity": "100"}
    if path.endswith("/clients/{client_id}/documents"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return {
            "file": SimpleUploadedFile("walk.png", _walk_png(), "image/png"),
            "kind": "letter",
            "dated_on": "2026-11-20",
            "source": "Walk",
        }
    if path.endswith("/documents/{document_id}/discard"):
        return {"reason": "Walk: wrong client"}
    if path.endswith("/clients/{client_id}/referrals"):
        return {"partner": "egen-laege", "reason": "Walk referral", "send_on": "2026-11-20"}
    if path.endswith("/referrals/{referral_id}/status"):
        return {"status": "received", "on": "2026-11-21"}
    if path.endswith("/rights-assessment"):
        return {"assessed_on": "2026-11-22", "granted": False}
    if path.endswith("/incoming-referrals"):
        return {
            "referrer": "gp",
            "referrer_name": "Walk GP",
            "received_at": "2026-11-20T10:00:00+01:00",
            "site": str(world["site"].uuid),
        }
    if path.endswith("/notified"):
        return {"recipient": "Children's services", "reference": "W-1"}
    if path.endswith("/contact-preferences"):
        return {
            "phone": "+45 20 00 01 23",
            "email": "walk@example.org",
            "reminder_consent": True,
            "reminder_channel": "sms",
            "reminder_label": "neutral",
        }
    if path.endswith("/messages/{message_id}/retry"):
        return None
    return {"phone": "+45 20 00 00 01"}  # PATCH client
