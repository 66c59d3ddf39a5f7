"""Reads of the outreach package: the pack's section, a street worker's contacts, the people
met recently, the codes (pseudonyms) and a client's contacts. Every function is a fixed
number of queries whatever the history (tests/outreach/test_query_bounds.py)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Prefetch, QuerySet

from bedring.accounts.access import users_who_may
from bedring.accounts.models import Organisation, Site, SiteKind, User
from bedring.audit.selectors import recent_client_ids
from bedring.clients.models import Client
from bedring.core import clock
from bedring.core.roles import Perm

from .models import OutreachContact, OutreachSettings, Place, Pseudonym
from .packs import OutreachIn, label

# "People I met recently": the clients and codes of my contacts over this many days.
RECENT_DAYS = 30
RECENT_MAX = 10
LIST_MAX = 50  # rows a list on the outreach page shows; its count says how many in all


def outreach_spec(organisation: Organisation | int) -> OutreachIn | None:
    """The organisation's ``outreach:`` pack section, or None when it runs no outreach."""
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    stored = OutreachSettings.objects.filter(organisation_id=org_id).first()
    return None if stored is None else OutreachIn.model_validate(stored.spec)


def has_outreach(organisation_id: int) -> bool:
    return OutreachSettings.objects.filter(organisation_id=organisation_id).exists()


@dataclass(frozen=True)
class Names:
    """The pack's activity and item names in one language (keys no longer in the pack read
    as their key)."""

    activities: dict[str, str]
    items: dict[str, str]
    returnable: frozenset[str]

    def activity(self, key: str) -> str:
        return self.activities.get(key, key)

    def item(self, key: str) -> str:
        return self.items.get(key, key)


def names(spec: OutreachIn | None, language: str | None) -> Names:
    if spec is None:
        return Names({}, {}, frozenset())
    return Names(
        activities={a.key: label(a.name.as_dict(), language) for a in spec.activities},
        items={i.key: label(i.name.as_dict(), language) for i in spec.items},
        returnable=frozenset(i.key for i in spec.items if i.returnable),
    )


# --- contacts ------------------------------------------------------------------------------


def contact_rows() -> QuerySet[OutreachContact]:
    """Contacts with what a list shows of them, in one query (the staff present: a second)."""
    return OutreachContact.objects.select_related(
        "site", "place", "client", "pseudonym", "recorded_by"
    ).prefetch_related(Prefetch("staff", queryset=User.objects.order_by("first_name", "id")))


def contacts_of(
    organisation_ids: list[int],
    *,
    site: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[OutreachContact]:
    """The organisations' contacts, latest first, optionally of one site (slug) and from
    ``since`` up to (not including) ``until``."""
    rows = contact_rows().filter(organisation_id__in=organisation_ids)
    if site:
        rows = rows.filter(site__slug=site)
    if since is not None:
        rows = rows.filter(at__gte=since)
    if until is not None:
        rows = rows.filter(at__lt=until)
    return rows.order_by("-at", "-id")


def day_bounds(organisation: Organisation) -> tuple[datetime.datetime, datetime.datetime]:
    """Today on the organisation's wall clock, from midnight to midnight."""
    zone = clock.zone(organisation)
    today = clock.today(organisation)
    start = datetime.datetime.combine(today, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(
        today + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
    )
    return start, end


def my_contacts_on(
    *, user: User, organisation: Organisation, start: datetime.datetime, end: datetime.datetime
) -> tuple[list[OutreachContact], int]:
    """The contacts I took part in (recorded or was present) between ``start`` and ``end``,
    latest first: at most LIST_MAX and how many in all (three queries)."""
    mine = OutreachContact.objects.filter(
        organisation=organisation, staff=user, at__gte=start, at__lt=end
    )
    rows = list(contact_rows().filter(pk__in=mine.values("pk")).order_by("-at", "-id")[:LIST_MAX])
    total = len(rows) if len(rows) < LIST_MAX else mine.count()
    return rows, total


def contacts_to_check(organisation: Organisation) -> tuple[list[OutreachContact], int]:
    """Contacts sent from a phone whose person changed while it was offline (``conflict``),
    oldest first: anyone of the team may look, so none waits for one worker's return."""
    waiting = OutreachContact.objects.filter(organisation=organisation).exclude(conflict="")
    rows = list(contact_rows().filter(pk__in=waiting.values("pk")).order_by("at", "id")[:LIST_MAX])
    total = len(rows) if len(rows) < LIST_MAX else waiting.count()
    return rows, total


def client_contacts(client: Client) -> QuerySet[OutreachContact]:
    """A client's contacts, latest first: those recorded for the client and those of codes
    that became the client (their ``client`` is set when the person became a client)."""
    return contact_rows().filter(client=client).order_by("-at", "-id")


def last_contact(*, user: User, organisation: Organisation) -> OutreachContact | None:
    """My latest contact here: a new contact starts from its site and kind of place."""
    return (
        OutreachContact.objects.filter(organisation=organisation, recorded_by=user)
        .select_related("site")
        .order_by("-at", "-id")
        .first()
    )


# --- people met recently -------------------------------------------------------------------


@dataclass(frozen=True)
class RecentPeople:
    clients: list[Client]
    codes: list[Pseudonym]


def recent_people(
    *, user: User, organisation: Organisation, since: datetime.datetime, with_clients: bool = True
) -> RecentPeople:
    """The clients and codes of my contacts since ``since`` (the latest first), then the
    clients I opened recently (the access log), at most RECENT_MAX of each (four queries).
    Codes that became a client or were merged into another code are left out: their person
    is listed as the client, or under the other code. ``with_clients`` False: codes only (a
    role that opens no record)."""
    clients: list[Client] = []
    if with_clients:
        met = (
            OutreachContact.objects.filter(
                organisation=organisation, staff=user, at__gte=since, client__isnull=False
            )
            .values("client_id")
            .annotate(last=Max("at"))
            .order_by("-last", "-client_id")[:RECENT_MAX]
        )
        ids = [row["client_id"] for row in met]
        opened = recent_client_ids(
            actor_id=user.pk, organisation_id=organisation.pk, limit=RECENT_MAX
        )
        ids += [pk for pk in opened if pk not in ids]
        ids = ids[:RECENT_MAX]
        found = Client.objects.filter(
            pk__in=ids, organisation=organisation, archived_at__isnull=True
        ).in_bulk()
        clients = [found[pk] for pk in ids if pk in found]
    codes: list[Pseudonym] = list(
        Pseudonym.objects.filter(
            organisation=organisation,
            merged_into__isnull=True,
            client__isnull=True,
            contacts__staff=user,
            contacts__at__gte=since,
        )
        .annotate(last=Max("contacts__at"))
        .order_by("-last", "-id")[:RECENT_MAX]
    )
    return RecentPeople(clients, codes)


# --- codes (pseudonyms) --------------------------------------------------------------------


def pseudonym_rows(organisation: Organisation, query: str = "") -> QuerySet[Pseudonym]:
    """The organisation's codes with their number of contacts and the latest, the codes
    met most recently first (codes never met last); ``query``: codes starting with it."""
    rows = (
        Pseudonym.objects.filter(organisation=organisation)
        .select_related("client", "merged_into")
        .annotate(contact_count=Count("contacts"), last_at=Max("contacts__at"))
    )
    query = query.replace("\x00", "").strip().upper()
    if query:
        rows = rows.filter(code__startswith=query)
    return rows.order_by(
        F("merged_into_id").asc(nulls_first=True), F("last_at").desc(nulls_last=True), "code"
    )


def pseudonym_contacts(pseudonym: Pseudonym) -> QuerySet[OutreachContact]:
    """A code's contacts, latest first (a code merged into it gave its contacts to it)."""
    return contact_rows().filter(pseudonym=pseudonym).order_by("-at", "-id")


def merged_codes(pseudonym: Pseudonym) -> list[Pseudonym]:
    """The codes that were merged into this one."""
    return list(Pseudonym.objects.filter(merged_into=pseudonym).order_by("code"))


def pseudonym_by_code(organisation: Organisation, code: str) -> Pseudonym | None:
    code = code.strip().upper()
    if not code:
        return None
    return Pseudonym.objects.filter(organisation=organisation, code=code).first()


# --- what the contact form offers ----------------------------------------------------------


def outreach_sites(organisation: Organisation) -> list[Site]:
    """The organisation's active sites, its outreach bases first."""
    sites = list(Site.objects.filter(organisation=organisation, is_active=True))
    return sorted(sites, key=lambda s: (s.kind != SiteKind.OUTREACH, s.name))


def places(organisation: Organisation) -> list[Place]:
    return list(
        Place.objects.filter(organisation=organisation, is_active=True).select_related("site")
    )


def colleagues(organisation: Organisation, user: User) -> list[User]:
    """Who may be named as present: the organisation's staff in outreach, me left out."""
    people = [u for u in users_who_may(organisation.pk, Perm.HARM_REDUCTION) if u.pk != user.pk]
    return sorted(people, key=lambda u: (u.first_name, u.last_name, u.username))


def client_by_code(organisation: Organisation, code: str) -> Client | None:
    code = code.replace("\x00", "").strip()
    if not code:
        return None
    return Client.objects.filter(organisation=organisation, code__iexact=code).first()
