"""The street worker's pages (HRM-8): the outreach page, recording a contact on a phone,
the contact's page (the confirmation after saving), a client's street contacts. Thin:
parse, check access, call one service, render.

The contact form is one HTML page with three fieldsets (who and where; what was done; time
and note). Without JavaScript it is one long form; ``static/outreach/contact-steps.js``
shows one fieldset at a time. ``?shell=1`` is the same page without any person (no people
met recently, no chosen client) and without a contact id or a time: the phone's offline
helper keeps that copy and gives each contact its own ``offline_id`` and time."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bedring.accounts.access import Staff, staff_for_request, staff_view
from bedring.accounts.models import Organisation, Site
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError, ValidationFailed
from bedring.core.forms import add_domain_error
from bedring.core.paging import Paginator
from bedring.core.roles import Perm

from .. import selectors
from ..access import contact_for, may_see_client
from ..forms import BACK, OUT, QUICK_MINUTES, ContactForm, Who
from ..models import LocationType, OutreachContact
from ..services import contacts as services
from ..services.contacts import Conflicts

PAGE_SIZE = 50


# --- a contact in words ----------------------------------------------------------------------


@dataclass(frozen=True)
class ShownContact:
    """A contact as the pages say it: the time on the organisation's wall clock (naive, so
    templates do not move it to the server's zone), where, with whom, what was done."""

    contact: OutreachContact
    local: datetime.datetime
    where: str
    who: str
    shows_client: bool
    activities: list[str]
    handed_out: list[str]
    taken_back: list[str]
    staff: list[str]
    note: str
    check: str  # why the contact is to be checked, in words; "" when it is not

    @property
    def client(self) -> Client | None:
        return self.contact.client if self.shows_client else None


def _counts(counts: dict[str, int], names: selectors.Names) -> list[str]:
    return [
        _("%(count)s × %(item)s") % {"count": count, "item": names.item(key)}
        for key, count in counts.items()
    ]


def who_words(contact: OutreachContact, shows_client: bool) -> str:
    code = contact.pseudonym.code if contact.pseudonym else ""
    if contact.client is not None:
        person = (
            f"{contact.client.display_name} ({contact.client.code})"
            if shows_client
            else _("A client")
        )
        if not code:
            return person
        also = _("code %(code)s") % {"code": code}
        return f"{person} · {also}"
    if code:
        return _("Code %(code)s") % {"code": code}
    return _("Nobody identified")


def check_words(contact: OutreachContact, shows_client: bool) -> str:
    if not contact.conflict:
        return ""
    code = contact.pseudonym.code if contact.pseudonym else ""
    if contact.conflict == Conflicts.PSEUDONYM_MERGED:
        return _(
            "Recorded on a phone without network. Meanwhile the person's code was merged "
            "into %(code)s, and the contact is now under that code. Check that it is the "
            "same person."
        ) % {"code": code}
    if contact.conflict == Conflicts.BECAME_CLIENT:
        whom = contact.client.display_name if (shows_client and contact.client) else _("a client")
        return _(
            "Recorded on a phone without network. Meanwhile the person with code %(code)s "
            "became %(client)s, and the contact joined the record. Check that it belongs there."
        ) % {"code": code, "client": whom}
    return _("This contact needs a second look.")


def shown(
    contacts: Iterable[OutreachContact],
    *,
    staff: Staff,
    organisation: Organisation,
    names: selectors.Names,
) -> list[ShownContact]:
    zone = clock.zone(organisation)
    rows = []
    for contact in contacts:
        shows = may_see_client(staff, contact)
        hidden = contact.client_id is not None and not shows
        where = str(LocationType(contact.location_type).label)
        if contact.place is not None:
            where = f"{contact.place.name} · {where}"
        rows.append(
            ShownContact(
                contact=contact,
                local=contact.at.astimezone(zone).replace(tzinfo=None),
                where=where,
                who=who_words(contact, shows),
                shows_client=shows,
                activities=[names.activity(k) for k in contact.activities],
                handed_out=_counts(contact.items_out, names),
                taken_back=_counts(contact.items_back, names),
                staff=[u.get_full_name() or u.username for u in contact.staff.all()],
                # A known client's note is part of the record: only who reads records reads it.
                note="" if hidden else contact.note,
                check=check_words(contact, shows),
            )
        )
    return rows


def log_seen(request: HttpRequest, staff: Staff, rows: Iterable[ShownContact], view: str) -> None:
    """PRV-1: the clients a list shows by name are logged as seen (one insert)."""
    clients = {r.contact.client_id: r.contact.client for r in rows if r.client is not None}
    access_search_results(
        actor=staff.user,
        clients=[c for c in clients.values() if c is not None],
        view=view,
        channel="html",
        request=request,
    )


def _names(organisation: Organisation) -> selectors.Names:
    return selectors.names(selectors.outreach_spec(organisation), translation.get_language())


# --- the outreach page -------------------------------------------------------------------------


@staff_view(Perm.HARM_REDUCTION)
def outreach_index(request: HttpRequest) -> HttpResponse:
    """HRM-8: record a contact; my contacts today; contacts sent from a phone whose person
    changed meanwhile, to check."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    spec = selectors.outreach_spec(organisation)
    if spec is None:
        return render(request, "outreach/index.html", {"no_outreach": True})
    names = selectors.names(spec, translation.get_language())
    start, end = selectors.day_bounds(organisation)
    today, today_total = selectors.my_contacts_on(
        user=staff.user, organisation=organisation, start=start, end=end
    )
    to_check, check_total = selectors.contacts_to_check(organisation)
    today_rows = shown(today, staff=staff, organisation=organisation, names=names)
    check_rows = shown(to_check, staff=staff, organisation=organisation, names=names)
    log_seen(request, staff, [*today_rows, *check_rows], "outreach_contacts")
    return render(
        request,
        "outreach/index.html",
        {
            "today_rows": today_rows,
            "today_total": today_total,
            "check_rows": check_rows,
            "check_total": check_total,
            "today": clock.today(organisation),
        },
    )


# --- recording a contact -------------------------------------------------------------------


def _person(request: HttpRequest, staff: Staff, form: ContactForm) -> tuple[Client | None, str]:
    """The client or the code a contact is with, from what the form says; choosing a
    client opens the record for this task (the access log)."""
    organisation = staff.organisation
    who = form.chosen_who()
    if not who:
        raise ValidationFailed("who_required", _("Say who the contact was with."), field="who")
    if who == Who.PSEUDONYM:
        code = form.cleaned_data.get("pseudonym") or ""
        if not code.strip():
            raise ValidationFailed(
                "pseudonym_required", _("Type the person's code."), field="pseudonym"
            )
        return None, code
    if who != Who.CLIENT:
        return None, ""
    if not staff.can(Perm.CLIENT_WRITE):
        raise ValidationFailed(
            "client_not_allowed",
            _("Your role records no contacts with named clients: choose a code or nobody."),
            field="client",
        )
    wanted = form.cleaned_data.get("client") or ""
    if not wanted:
        code = form.cleaned_data.get("client_code") or ""
        if not code.strip():
            raise ValidationFailed(
                "client_required",
                _("Choose the person, or type their client code."),
                field="client",
            )
        found = selectors.client_by_code(organisation, code)
        if found is None:
            raise ValidationFailed(
                "unknown_client_code",
                _("No client here has this client code."),
                field="client_code",
            )
        wanted = str(found.uuid)
    try:
        client = client_for(request, staff, wanted, view="outreach_contact", perm=Perm.CLIENT_WRITE)
    except Http404 as exc:
        raise ValidationFailed("unknown_client", _("No such client here."), field="client") from exc
    if client.organisation_id != organisation.pk:
        raise ValidationFailed("unknown_client", _("No such client here."), field="client")
    return client, ""


def _default_site(sites: list[Site], last: OutreachContact | None) -> str:
    """Where my last contact counted, else the first outreach base."""
    slugs = [s.slug for s in sites]
    if last is not None and last.site.slug in slugs:
        return last.site.slug
    return slugs[0] if slugs else ""


@staff_view(Perm.HARM_REDUCTION)
def contact_new(request: HttpRequest) -> HttpResponse:
    """HRM-8: record one contact in at most three screens, with one thumb."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    spec = selectors.outreach_spec(organisation)
    if spec is None:
        return render(request, "outreach/index.html", {"no_outreach": True})
    shell = request.method == "GET" and request.GET.get("shell") == "1"
    language = translation.get_language()
    sites = selectors.outreach_sites(organisation)
    last = selectors.last_contact(user=staff.user, organisation=organisation)
    may_name = staff.can(Perm.CLIENT_WRITE)
    places = selectors.places(organisation)
    colleagues = selectors.colleagues(organisation, staff.user)

    def build(
        data: QueryDict | None = None, initial: dict[str, object] | None = None
    ) -> ContactForm:
        return ContactForm(
            data,
            initial=initial,
            organisation=organisation,
            spec=spec,
            language=language,
            sites=sites,
            places=places,
            colleagues=colleagues,
            may_name=may_name,
        )

    chosen: Client | None = None
    status = 200
    if request.method == "POST":
        form = build(request.POST)
        if form.is_valid():
            try:
                chosen, code = _person(request, staff, form)
                site = Site.objects.get(organisation=organisation, slug=form.cleaned_data["site"])
                contact, created = services.contact_record(
                    organisation=organisation,
                    actor=staff.user,
                    site=site,
                    at=form.cleaned_data["at"],
                    activities=form.cleaned_data.get("activities") or [],
                    minutes=form.cleaned_data.get("minutes") or 0,
                    location_type=form.cleaned_data.get("location_type") or "",
                    place_key=form.cleaned_data.get("place") or "",
                    client=chosen,
                    pseudonym_code=code,
                    pseudonym_consent=bool(form.cleaned_data.get("pseudonym_consent")),
                    items_out=form.counts(OUT),
                    items_back=form.counts(BACK),
                    staff=form.cleaned_data.get("staff") or [],
                    note=form.cleaned_data.get("note") or "",
                    offline_id=form.cleaned_data.get("offline_id"),
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                whom = {"who": who_words(contact, may_see_client(staff, contact))}
                if created:
                    messages.success(request, _("Contact recorded: %(who)s.") % whom)
                else:
                    messages.info(request, _("This contact was already recorded: %(who)s.") % whom)
                return redirect("outreach:contact", contact_uuid=contact.uuid)
        status = 422
    else:
        initial: dict[str, object] = {
            "site": _default_site(sites, last),
            "location_type": last.location_type if last else LocationType.STREET,
            "at": "" if shell else clock.local_now(organisation).strftime("%Y-%m-%dT%H:%M"),
            "offline_id": "" if shell else uuid.uuid4(),
        }
        if not shell and may_name and request.GET.get("client"):
            # "Record a contact" from a client's page: the client is chosen already.
            try:
                chosen = client_for(
                    request,
                    staff,
                    request.GET["client"],
                    view="outreach_contact",
                    perm=Perm.CLIENT_WRITE,
                )
            except (Http404, PermissionDenied):
                chosen = None
            if chosen is not None and chosen.organisation_id != organisation.pk:
                chosen = None
            if chosen is not None:
                initial["who"] = Who.CLIENT
        form = build(initial=initial)
    recent = (
        selectors.RecentPeople([], [])
        if shell
        else selectors.recent_people(
            user=staff.user,
            organisation=organisation,
            since=clock.now() - datetime.timedelta(days=selectors.RECENT_DAYS),
            with_clients=may_name,
        )
    )
    people = list(recent.clients)
    if chosen is not None and chosen not in people:
        people.insert(0, chosen)
    # PRV-1: the people listed are logged as seen (the chosen one was opened, and logged so).
    access_search_results(
        actor=staff.user,
        clients=[p for p in people if chosen is None or p.pk != chosen.pk],
        view="outreach_recent",
        channel="html",
        request=request,
    )
    picked = str(form["client"].value() or "") if form.is_bound else ""
    return render(
        request,
        "outreach/contact_form.html",
        {
            "form": form,
            "shell": shell,
            "may_name": may_name,
            "people": people,
            "picked": str(chosen.uuid) if chosen else picked,
            "codes": recent.codes,
            "quick_minutes": QUICK_MINUTES,
            "api_url": reverse("api:outreach_contacts"),
            # The offline script reads the datetime-local "at" in this zone, and sends the
            # contact for this organisation (static/outreach/offline.js).
            "time_zone": str(clock.zone(organisation)),
            "organisation": organisation,
            "who_value": str(form["who"].value() or ""),
            "items": [
                (name, form[out], form[back] if back else None)
                for name, out, back in form.item_fields
            ],
        },
        status=status,
    )


# --- one contact -------------------------------------------------------------------------------


@staff_view(Perm.HARM_REDUCTION)
def contact_detail(request: HttpRequest, contact_uuid: str) -> HttpResponse:
    """The contact in words: after saving, the confirmation of what was recorded for whom,
    with "Record another" as the next step."""
    staff = staff_for_request(request)
    seen = contact_for(request, staff, contact_uuid, view="outreach_contact")
    organisation = seen.contact.organisation
    row = shown([seen.contact], staff=staff, organisation=organisation, names=_names(organisation))[
        0
    ]
    # The phone's script sends the form to the API and then comes here: the same words as
    # after the plain form's post.
    recorded = request.GET.get("recorded")
    if recorded in ("1", "again"):
        whom = {"who": who_words(seen.contact, seen.shows_client)}
        if recorded == "1":
            messages.success(request, _("Contact recorded: %(who)s.") % whom)
        else:
            messages.info(request, _("This contact was already recorded: %(who)s.") % whom)
    return render(request, "outreach/contact.html", {"row": row})


@require_POST
@staff_view(Perm.HARM_REDUCTION)
def contact_checked(request: HttpRequest, contact_uuid: str) -> HttpResponse:
    """Someone has looked at a contact whose person changed while the phone was offline."""
    staff = staff_for_request(request)
    seen = contact_for(request, staff, contact_uuid, view="outreach_contact_checked")
    services.conflict_clear(contact=seen.contact, actor=staff.user)
    messages.success(request, _("Marked as checked."))
    return redirect("outreach:index")


# --- a client's street contacts ----------------------------------------------------------


@staff_view(Perm.CLIENT_READ, scope="client")
def client_contacts(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """The client's street contacts, latest first, a page at a time: those recorded for the
    client and those of a code the person had before becoming a client."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="outreach_client")
    page = Paginator(selectors.client_contacts(client), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = shown(
        page.object_list,
        staff=staff,
        organisation=client.organisation,
        names=_names(client.organisation),
    )
    return render(
        request,
        "outreach/client.html",
        client_context(
            request,
            client,
            "outreach",
            page=page,
            rows=rows,
            may_record=staff.can(Perm.HARM_REDUCTION, client.organisation_id)
            and staff.can(Perm.CLIENT_WRITE, client.organisation_id),
        ),
    )


urlpatterns = [
    path("", outreach_index, name="index"),
    path("contacts/new/", contact_new, name="contact_new"),
    path("contacts/<uuid:contact_uuid>/", contact_detail, name="contact"),
    path("contacts/<uuid:contact_uuid>/checked/", contact_checked, name="contact_checked"),
    path("clients/<uuid:client_uuid>/", client_contacts, name="client"),
]
