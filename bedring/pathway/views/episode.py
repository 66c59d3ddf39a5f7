"""Episodes, inquiries, the timeline and the worklists (INT-1..7, DEC-4)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bedring.accounts.access import Staff, record_staff, staff_for_request, staff_view
from bedring.accounts.models import Site
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.models import Client
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.confirm import Confirmation, confirm_page, confirmed, dry_run
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.paging import Paginator
from bedring.core.roles import Perm

from .. import selectors
from ..access import episode_for
from ..forms_episode import AssignForm, FreeChoiceForm, InquiryForm, StartForm, WithdrawForm
from ..handover import after, handover_message, what_next
from ..letters import has_postal_address
from ..models import Episode
from ..models.episode import DeadlineStatus
from ..services import episode as services
from ..states import next_steps
from .discharge import attach_follow_up_links, discharge_context
from .next_step import step_actions


def episode_url(episode: Episode) -> str:
    return reverse("pathway:episode", kwargs={"episode_uuid": episode.uuid})


def pathway_context(
    request: HttpRequest, staff: Staff, episode: Episode, **extra: Any
) -> dict[str, Any]:
    org_id = episode.organisation_id
    return client_context(
        request,
        episode.client,
        "pathway",
        episode=episode,
        can_decide=staff.can(Perm.DECIDE, org_id),
        can_decide_medical=staff.can(Perm.DECIDE_MEDICAL, org_id),
        no_postal_address=not has_postal_address(episode.client),
        today=clock.today(episode.organisation),
        **extra,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def client_episodes(request: HttpRequest, client_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="client_episodes")
    episodes = list(selectors.client_episodes(client.pk))
    return render(
        request,
        "pathway/client_episodes.html",
        client_context(
            request,
            client,
            "pathway",
            episodes=episodes,
            timeline=selectors.client_timeline(client.pk, limit=50),
            has_open=any(e.is_open for e in episodes),
        ),
    )


@staff_view(Perm.CLIENT_WRITE)
def inquiry_new(request: HttpRequest) -> HttpResponse:
    """INT-1, INT-2, INT-7: record an inquiry; for a known client it opens an episode."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    client: Client | None = None
    client_uuid = request.GET.get("client") or request.POST.get("client")
    if client_uuid:
        client = client_for(request, staff, client_uuid, view="inquiry_new", perm=Perm.CLIENT_WRITE)
        if client.organisation_id != organisation.pk:
            raise Http404
    people = record_staff(organisation.pk)
    form = InquiryForm(request.POST or None, organisation=organisation, staff=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        site = Site.objects.filter(organisation=organisation, uuid=data["site"]).first()
        assignee = next((u for u in people if str(u.pk) == data["assign_to"]), None)
        try:
            if site is None:
                raise Http404
            inquiry = services.inquiry_register(
                organisation=organisation,
                site=site,
                actor=staff.user,
                channel=data["channel"],
                referrer=data["referrer"],
                referrer_name=data["referrer_name"],
                received_at=data["received_at"],
                client=None if data["anonymous_counselling"] else client,
                anonymous_counselling=data["anonymous_counselling"],
                walk_in=data["walk_in"],
                assign_to=assignee,
                notes=data["notes"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if inquiry.episode is None:
                messages.success(request, _("The anonymous counselling is recorded."))
                return redirect("web:dashboard")
            messages.success(
                request,
                handover_message(
                    inquiry.episode, _("The inquiry is recorded and the deadlines are set.")
                ),
            )
            return redirect(episode_url(inquiry.episode))
    status = 422 if request.method == "POST" else 200
    context: dict[str, Any] = {"form": form, "inquiry_client": client}
    if client is not None:
        context = client_context(request, client, "pathway", **context)
    return render(request, "pathway/inquiry_form.html", context, status=status)


@staff_view(Perm.CLIENT_READ, scope="client")
def episode_detail(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """The episode with its one next step as the primary action (REF-2)."""
    staff = staff_for_request(request)
    episode = episode_for(request, staff, episode_uuid, view="episode_detail")
    page = selectors.episode_page(episode)
    facts = selectors.page_facts(page)
    upcoming = selectors.EpisodeNext(
        episode=episode,
        facts=facts,
        steps=next_steps(facts),
        open_deadlines=[d for d in page.deadlines if d.status == DeadlineStatus.OPEN],
    )
    discharge = discharge_context(episode)
    return render(
        request,
        "pathway/episode.html",
        pathway_context(
            request,
            staff,
            episode,
            page=page,
            assign_form=AssignForm(
                staff=record_staff(episode.organisation_id),
                initial={"responsible": episode.responsible_id},
            ),
            what_next=what_next(upcoming),
            actions=step_actions(staff, upcoming, page, discharge["discharge"]),
            **discharge,
        ),
    )


def _episode_action(
    request: HttpRequest,
    episode_uuid: str,
    view: str,
    form_class: Any,
    act: Any,
    done: str,
    **form_kwargs: Any,
) -> HttpResponse:
    """A step taken by a small form on the episode page; it ends with what happens next."""
    staff = staff_for_request(request)
    episode = episode_for(request, staff, episode_uuid, view=view, perm=Perm.CLIENT_WRITE)
    form = form_class(request.POST, **form_kwargs) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(episode_url(episode))
    try:
        act(staff, episode, form.cleaned_data if form is not None else {})
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, handover_message(episode, done))
    return redirect(episode_url(episode))


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def episode_assign(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """INT-7: a counsellor assigned (for a walk-in, the same day)."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="episode_assign", perm=Perm.CLIENT_WRITE
    )
    people = record_staff(episode.organisation_id)
    form = AssignForm(request.POST, staff=people)
    if not form.is_valid():
        for error in form.errors.get("responsible", []):
            messages.error(request, str(error))
        return redirect(episode_url(episode))
    person = next(u for u in people if str(u.pk) == form.cleaned_data["responsible"])
    try:
        services.episode_assign(episode=episode, actor=staff.user, responsible=person)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, handover_message(episode, _("The counsellor is assigned.")))
    return redirect(episode_url(episode))


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def episode_first_contact(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    return _episode_action(
        request,
        episode_uuid,
        "episode_first_contact",
        None,
        lambda staff, episode, data: services.episode_record_first_contact(
            episode=episode, actor=staff.user
        ),
        _("First contact recorded."),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def episode_free_choice(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    return _episode_action(
        request,
        episode_uuid,
        "episode_free_choice",
        FreeChoiceForm,
        lambda staff, episode, data: services.episode_free_choice(
            episode=episode,
            actor=staff.user,
            today=clock.today(staff.organisation),
            provider=data["provider"],
        ),
        _("Free choice recorded: the treatment guarantee is waived."),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def episode_begin_assessment(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    return _episode_action(
        request,
        episode_uuid,
        "episode_begin_assessment",
        None,
        lambda staff, episode, data: services.episode_begin_assessment(
            episode=episode, actor=staff.user
        ),
        _("The assessment has begun."),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def episode_start(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    return _episode_action(
        request,
        episode_uuid,
        "episode_start",
        StartForm,
        lambda staff, episode, data: services.episode_start_treatment(
            episode=episode, actor=staff.user, today=clock.today(staff.organisation), on=data["on"]
        ),
        _("Treatment started."),
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def episode_withdraw(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """The episode ends before treatment. Irreversible: the first post shows what will
    happen; the second (``confirm=1``) ends it."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="episode_withdraw", perm=Perm.CLIENT_WRITE
    )
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        for text in form.errors.get("reason", []):
            messages.error(request, str(text))
        return redirect(episode_url(episode))
    reason = form.cleaned_data["reason"]

    def withdraw() -> Episode:
        return services.episode_withdraw(episode=episode, actor=staff.user, reason=reason)

    try:
        if not confirmed(request):
            next_text = dry_run(lambda: (withdraw(), after(episode))[1])
            return confirm_page(
                request,
                Confirmation(
                    title=_("End the episode before treatment?"),
                    action=_("End the episode"),
                    cancel_url=episode_url(episode),
                    destructive=True,
                    facts=[(_("Reason"), reason)],
                    consequences=[
                        _(
                            "An ended episode cannot be opened again: a new inquiry opens a "
                            "new episode. The course's deadlines are cancelled; a decision "
                            "letter, a complaint and a notification still due stay due."
                        ),
                        next_text,
                    ],
                ),
                client_context(request, episode.client, "pathway", episode=episode),
            )
        withdraw()
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, handover_message(episode, _("The episode has ended.")))
    return redirect(episode_url(episode))


WORKLIST_PAGE = 100


def _site_from_query(organisation_id: int, raw: str) -> Site | None:
    """A site filter from the query string; anything that is not one of ours is no filter."""
    try:
        site_uuid = uuid.UUID(raw)
    except ValueError:
        return None
    return Site.objects.filter(organisation_id=organisation_id, uuid=site_uuid).first()


@staff_view(Perm.CLIENT_READ)
def worklist(request: HttpRequest) -> HttpResponse:
    """My deadlines and the team's: every open deadline, overdue first, by site."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    scope = request.GET.get("scope", "mine")
    site = _site_from_query(organisation.pk, request.GET.get("site", ""))
    if scope == "team":
        ids = selectors.team_member_ids(staff.user, organisation.pk)
        deadlines = selectors.open_deadlines(
            organisation_id=organisation.pk,
            responsible_ids=ids,
            include_unassigned=True,
            site_id=site.pk if site else None,
        )
    elif scope == "all":
        deadlines = selectors.open_deadlines(
            organisation_id=organisation.pk, site_id=site.pk if site else None
        )
    else:
        scope = "mine"
        deadlines = selectors.open_deadlines(
            organisation_id=organisation.pk,
            responsible_ids=[staff.user.pk],
            site_id=site.pk if site else None,
        )
    today = clock.today(organisation)
    page = Paginator(deadlines, WORKLIST_PAGE).get_page(request.GET.get("page"))
    # PRV-1: the worklist shows who is in treatment; each client on the page is logged as seen.
    shown = {d.client_id: d.client for d in page.object_list}
    attach_follow_up_links(page.object_list)
    access_search_results(
        actor=staff.user, clients=shown.values(), view="worklist", channel="html", request=request
    )
    return render(
        request,
        "pathway/worklist.html",
        {
            "page": page,
            "counts": selectors.deadline_counts(deadlines, today),
            "today": today,
            "scope": scope,
            "site": site,
            "sites": organisation.sites.filter(is_active=True),
        },
    )


urlpatterns: list[URLPattern] = [
    path("clients/<uuid:client_uuid>/", client_episodes, name="client_episodes"),
    path("inquiries/new/", inquiry_new, name="inquiry_new"),
    path("episodes/<uuid:episode_uuid>/", episode_detail, name="episode"),
    path("episodes/<uuid:episode_uuid>/assign/", episode_assign, name="episode_assign"),
    path(
        "episodes/<uuid:episode_uuid>/first-contact/",
        episode_first_contact,
        name="episode_first_contact",
    ),
    path(
        "episodes/<uuid:episode_uuid>/free-choice/", episode_free_choice, name="episode_free_choice"
    ),
    path(
        "episodes/<uuid:episode_uuid>/assessment/begin/",
        episode_begin_assessment,
        name="episode_begin_assessment",
    ),
    path("episodes/<uuid:episode_uuid>/start/", episode_start, name="episode_start"),
    path("episodes/<uuid:episode_uuid>/withdraw/", episode_withdraw, name="episode_withdraw"),
    path("deadlines/", worklist, name="worklist"),
]
