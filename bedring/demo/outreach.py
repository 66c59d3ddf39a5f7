"""Street contacts for the demo installation (HRM-3, HRM-5, HRM-8), through the contact
service, so an outreach worker who logs in (``<organisation>.street_nurse``) finds weeks of
work: contacts with known clients, with people known by a code they agreed to, and with
nobody identified; items handed out and used ones taken back; wound care, clinical
assessments and screenings offered, which reach a known client's Health tab.

Only organisations whose pack has an ``outreach:`` section get contacts (the outreach model
in Odense and Aarhus, and Sønderborg's street nurse, shacks and Lykken). Dated back from the
clock, never from a fixed year, and drawn from the seeded ``rng``: the same load gives the
same contacts. Nothing when the organisation has a contact already, so a second load adds
nothing."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from bedring.accounts.models import Organisation, Site, User
from bedring.clients.models import Client
from bedring.core import clock
from bedring.outreach.models import LocationType, OutreachContact, Place
from bedring.outreach.packs import OutreachIn
from bedring.outreach.selectors import outreach_spec
from bedring.outreach.services.contacts import (
    SCREENING_DECLINED,
    SCREENING_SAMPLED,
    contact_record,
)

DEMO_OUTREACH_WEEKS = 4
DEMO_KNOWN_CLIENTS = 4
DEMO_PSEUDONYMS = 5
# The hours a street worker is out: mornings, afternoons and the shacks' evenings (to 22:00).
HOURS = (9, 10, 11, 13, 14, 15, 16, 19, 20, 21)
MINUTES = (5, 10, 10, 15, 15, 20, 30, 45)
NOTES = (
    "",
    "",
    "Demo: talked about housing and the next appointment.",
    "Demo: looked tired; agreed to meet again on Thursday.",
    "Demo: asked about the doctor at the centre.",
    "Demo: talked about safer injecting and where to get clean equipment.",
)


@dataclass
class Visit:
    """Who the street nurse met, where, and what was done."""

    activities: list[str]
    client: Client | None = None
    code: str = ""
    place: Place | None = None
    location_type: str = ""
    screenings: dict[str, str] = field(default_factory=dict)


def demo_outreach(organisation: Organisation, rng: random.Random) -> None:
    """Some weeks of street contacts by the organisation's street nurse; see the module."""
    spec = outreach_spec(organisation)
    if spec is None or OutreachContact.objects.filter(organisation=organisation).exists():
        return
    nurse = User.objects.get(username=f"{organisation.slug}.street_nurse")
    # The outreach model works in pairs (seed 001 line 29: "to udgående behandlere").
    colleague = User.objects.get(username=f"{organisation.slug}.counsellor")
    places = list(
        Place.objects.filter(organisation=organisation, is_active=True)
        .select_related("site")
        .order_by("key")
    )
    sites = list(organisation.sites.filter(is_active=True).order_by("id"))
    if not sites:
        return
    main = next((s for s in sites if s.kind == "main"), sites[0])
    clients = list(organisation.clients.order_by("-id")[:DEMO_KNOWN_CLIENTS])
    codes = [f"{organisation.slug[:4].upper()}-{n + 11}" for n in range(DEMO_PSEUDONYMS)]
    zone = clock.zone(organisation)
    today = clock.today(organisation)

    def moment(days_ago: int) -> datetime.datetime:
        day = today - datetime.timedelta(days=days_ago)
        return datetime.datetime.combine(
            day, datetime.time(rng.choice(HOURS), rng.choice((0, 10, 25, 40))), tzinfo=zone
        )

    # A first week that shows every kind of contact, then a few contacts a day at random.
    scripted = _scripted(spec, places, clients, codes)
    for days_ago in range(DEMO_OUTREACH_WEEKS * 7, 0, -1):
        weekday = (today - datetime.timedelta(days=days_ago)).weekday()
        count = rng.randint(1, 3) if weekday < 5 else rng.randint(0, 1)
        for _n in range(count):
            visit = scripted.pop(0) if scripted else _drawn(spec, places, clients, codes, rng)
            place = visit.place
            site: Site = place.site if place is not None and place.site is not None else main
            contact_record(
                organisation=organisation,
                actor=nurse,
                site=site,
                at=moment(days_ago),
                activities=visit.activities,
                minutes=rng.choice(MINUTES),
                location_type="" if place is not None else visit.location_type,
                place_key=place.key if place is not None else "",
                client=visit.client,
                pseudonym_code=visit.code,
                pseudonym_consent=True,
                items_out=_items_out(spec, visit.activities, rng),
                items_back=_items_back(spec, visit.activities, rng),
                screenings=visit.screenings or _answers(spec, visit.activities, rng),
                staff=[colleague.username] if rng.random() < 0.4 else [],
                note=rng.choice(NOTES),
            )


def _of_kind(spec: OutreachIn, *, clinical: bool) -> list[str]:
    return [a.key for a in spec.activities if bool(a.health_kind or a.screenings) == clinical]


def _home(activities: list[str]) -> bool:
    return any("home" in key for key in activities)


def _scripted(
    spec: OutreachIn, places: list[Place], clients: list[Client], codes: list[str]
) -> list[Visit]:
    """Wound care for a known client where a shack is (else the first place), a screening
    offered to a known client (declined and sampled), a code with equipment, and a contact
    with nobody identified."""
    clinical = _of_kind(spec, clinical=True)
    plain = _of_kind(spec, clinical=False)
    shack = next((p for p in places if p.location_type == LocationType.SHACK), None)
    first = shack or (places[0] if places else None)
    offers = [a for a in spec.activities if a.screenings]
    wound = [k for k in clinical if "wound" in k] or clinical[:1] or plain[:1]
    supplies = [k for k in plain if "suppl" in k] or plain[:1]
    visits: list[Visit] = []
    if clients:
        visits.append(Visit(wound, client=clients[0], place=first))
        if offers:
            kinds = offers[0].screenings
            answers: dict[str, str] = {kinds[0]: SCREENING_DECLINED, kinds[-1]: SCREENING_SAMPLED}
            visits.append(
                Visit([offers[0].key], client=clients[-1], place=first, screenings=answers)
            )
    visits.append(Visit(supplies, code=codes[0], place=first))
    visits.append(Visit(plain[:1], place=places[-1] if places else None))
    for visit in visits:
        if visit.place is None:
            visit.location_type = LocationType.STREET
    return visits


def _drawn(
    spec: OutreachIn,
    places: list[Place],
    clients: list[Client],
    codes: list[str],
    rng: random.Random,
) -> Visit:
    clinical = _of_kind(spec, clinical=True)
    plain = _of_kind(spec, clinical=False)
    activities = rng.sample(plain, k=min(len(plain), rng.choice((1, 1, 2))))
    if clinical and rng.random() < 0.4:
        activities.insert(0, rng.choice(clinical))
    visit = Visit(activities)
    who = rng.random()
    if who < 0.35 and clients:
        visit.client = rng.choice(clients)
    elif who < 0.75:
        visit.code = rng.choice(codes)
    if _home(activities):
        visit.location_type = LocationType.HOME  # a home is never a place on the list
    elif places and rng.random() < 0.85:
        visit.place = rng.choice(places)
    else:
        visit.location_type = LocationType.STREET
    return visit


def _items_out(spec: OutreachIn, activities: list[str], rng: random.Random) -> dict[str, int]:
    if not spec.items or not any("suppl" in key for key in activities):
        return {}
    chosen = rng.sample(list(spec.items), k=min(len(spec.items), rng.choice((1, 2, 3))))
    return {item.key: rng.choice((2, 5, 10, 10, 20)) for item in chosen}


def _items_back(spec: OutreachIn, activities: list[str], rng: random.Random) -> dict[str, int]:
    returnable = [i for i in spec.items if i.returnable]
    if not returnable or not any("suppl" in key for key in activities) or rng.random() < 0.5:
        return {}
    return {rng.choice(returnable).key: rng.choice((3, 8, 15))}


def _answers(spec: OutreachIn, activities: list[str], rng: random.Random) -> dict[str, str]:
    """The person's answers to the screenings offered: some declined, some sampled, and some
    not answered yet (no screening is recorded for those)."""
    offered = [kind for a in spec.activities if a.key in activities for kind in a.screenings]
    return {
        kind: rng.choice((SCREENING_DECLINED, SCREENING_SAMPLED))
        for kind in offered
        if rng.random() < 0.7
    }
