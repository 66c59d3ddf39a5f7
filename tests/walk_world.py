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

from bedring.clients import services as client_services
from bedring.clients.synthetic import GENERATORS
from bedring.pathway.services.episode import inquiry_register


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
    from bedring.pathway.services.assessment import assessment_start

    world["assessment"] = assessment_start(
        episode=world["episode"],
        actor=world["staff"]["counsellor"],
        conducted_on=datetime.date(2026, 11, 18),
    )


def build_catalogue(world: dict[str, Any]) -> None:
    from bedring.catalogue.models import Offer
    from bedring.catalogue.services_course import course_create, enrol

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


WORLD_BUILDERS: list[Callable[[dict[str, Any]], None]] = [
    build_pathway,
    build_decisions,
    build_plans,
    build_assessments,
    build_catalogue,
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
    "session_uuid": lambda w: w["session"].uuid,
}


def fill_converter(key: str, name: str, world: dict[str, Any]) -> Any:
    if key not in CONVERTERS:
        raise AssertionError(f"the walk does not know how to fill {key!r} in {name}")
    return CONVERTERS[key](world)


def api_path(path: str, world: dict[str, Any]) -> str:
    consent = client_services.consent_add(
        client=world["client"],
        party="gp",
        scope="x",
        valid_from=datetime.date(2026, 1, 1),
        given_by="client",
    )
    episode = world["fresh_episode"]() if _uses_up_the_episode(path) else world["episode"]
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
    if path.endswith("/letter-sent"):
        return {}
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
    if path.endswith("/notified"):
        return {"recipient": "Children's services", "reference": "W-1"}
    return {"phone": "+45 20 00 00 01"}  # PATCH client
