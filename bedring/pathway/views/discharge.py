"""The discharge and follow-up pages (DIS-1, DIS-2, DIS-5). Thin: parse, check access
(pathway.access), call one service, render."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bedring.accounts.access import Staff, staff_for_request, staff_view
from bedring.audit.services import access_record
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.confirm import Confirmation, confirm_page, confirmed, dry_run, editing
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error, add_row_error
from bedring.core.roles import Perm

from ..access import episode_for
from ..forms_discharge import DischargeForm, FollowUpForm, GoalResultFormSet
from ..handover import after, handover_message
from ..models import Deadline, Discharge, Episode, FollowUp
from ..models.discharge import SituationChange
from ..models.episode import DeadlineKind
from ..questionnaires import domain_label
from ..services import discharge as services
from ..services.plan import current_plan
from ..states import EpisodeState

GOAL_PREFIX = "goals"


def episode_url(episode: Episode) -> str:
    return reverse("pathway:episode", kwargs={"episode_uuid": episode.uuid})


def follow_up_url(follow_up: FollowUp) -> str:
    return reverse("pathway:follow_up_record", kwargs={"follow_up_uuid": follow_up.uuid})


def discharge_context(episode: Episode) -> dict[str, Any]:
    """What the episode page shows of the discharge (DIS-1, DIS-2) and of readmission: the
    discharge with its goal results and follow-ups, the earlier episode this one readmits
    (with its discharge), and later episodes that readmit this one. Four queries at most."""
    previous = None
    if episode.previous_episode_id is not None:
        previous = (
            Episode.objects.select_related("discharge")
            .filter(pk=episode.previous_episode_id)
            .first()
        )
    discharge = services.discharge_of(episode) if episode.state == EpisodeState.DISCHARGED else None
    if discharge is not None:
        for follow_up in discharge.follow_ups.all():
            follow_up.situation_rows = [  # type: ignore[attr-defined]
                (domain_label(area), SituationChange(change).label)
                for area, change in follow_up.situation.items()
                if change in SituationChange.values
            ]
    return {
        "discharge": discharge,
        "readmission_of": previous,
        "readmissions": list(episode.readmissions.order_by("opened_on", "id")),
        "can_discharge": episode.state == EpisodeState.ACTIVE,
    }


def attach_follow_up_links(deadlines: Iterable[Deadline]) -> None:
    """The worklist's follow-up rows link to the follow-up form (one query for the page)."""
    rows = [d for d in deadlines if d.kind == DeadlineKind.DISCHARGE_FOLLOW_UP and d.subject_id]
    if not rows:
        return
    uuids = dict(
        FollowUp.objects.filter(pk__in=[d.subject_id for d in rows]).values_list("pk", "uuid")
    )
    for deadline in rows:
        if deadline.subject_id in uuids:
            deadline.follow_up_url = reverse(  # type: ignore[attr-defined]
                "pathway:follow_up_record",
                kwargs={"follow_up_uuid": uuids[deadline.subject_id]},
            )


def _page(
    request: HttpRequest, episode: Episode, template: str, status: int = 200, **extra: Any
) -> HttpResponse:
    context = client_context(
        request,
        episode.client,
        "pathway",
        episode=episode,
        episode_url=episode_url(episode),
        today=clock.today(episode.organisation),
        **extra,
    )
    return render(request, template, context, status=status)


@staff_view(Perm.CLIENT_WRITE, scope="client")
def discharge_create(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """DIS-1: discharge the active episode: how it ended, when, the overall result and the
    result of every goal of the current plan. DIS-2: the follow-ups are opened."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="discharge_create", perm=Perm.CLIENT_WRITE
    )
    if episode.state != EpisodeState.ACTIVE:
        messages.info(request, _("Only an episode in active treatment can be discharged."))
        return redirect(episode_url(episode))
    plan = current_plan(episode)
    goals = list(plan.goals.all()) if plan is not None else []
    data = request.POST if request.method == "POST" else None
    form = DischargeForm(data, initial={"discharged_on": clock.today(episode.organisation)})
    goal_set = GoalResultFormSet(
        data, initial=[{"goal": g.uuid} for g in goals], prefix=GOAL_PREFIX
    )
    status = 200
    if data is not None and not editing(request):
        status = 422
        if form.is_valid() and goal_set.is_valid():
            cleaned = form.cleaned_data
            results = {
                str(f.cleaned_data["goal"]): (
                    f.cleaned_data.get("outcome") or "",
                    f.cleaned_data.get("note") or "",
                )
                for f in goal_set.forms
                if f.cleaned_data.get("goal")
            }

            def discharge() -> Discharge:
                return services.episode_discharge(
                    episode=episode,
                    actor=staff.user,
                    today=clock.today(staff.organisation),
                    discharged_on=cleaned["discharged_on"],
                    status=cleaned["status"],
                    overall_result=cleaned["overall_result"],
                    goal_results=results,
                    destination=cleaned["destination"],
                    note=cleaned["note"],
                )

            try:
                if not confirmed(request):
                    preview = dry_run(lambda: _preview(discharge(), episode))
                    return confirm_page(
                        request,
                        _discharge_confirmation(episode, *preview),
                        client_context(request, episode.client, "pathway", episode=episode),
                    )
                discharge()
            except DomainError as exc:
                add_row_error(form, goal_set, exc, field="goal_results", row_field="outcome")
            else:
                messages.success(
                    request, handover_message(episode, _("The episode is discharged."))
                )
                return redirect(episode_url(episode))
    rows = list(zip(goals, goal_set.forms, strict=False))
    return _page(
        request,
        episode,
        "pathway/discharge_form.html",
        status=status,
        form=form,
        goal_set=goal_set,
        rows=rows,
        plan=plan,
    )


def _preview(discharge: Discharge, episode: Episode) -> tuple[Discharge, list[FollowUp], str]:
    return discharge, list(discharge.follow_ups.order_by("months")), after(episode)


def _discharge_confirmation(
    episode: Episode, discharge: Discharge, follow_ups: list[FollowUp], next_text: str
) -> Confirmation:
    """What the discharge will record, and the follow-ups it opens (DIS-2)."""
    consequences: list[str | Promise] = [
        _(
            "A discharge cannot be undone: the episode is closed and its course's deadlines "
            "are cancelled. A client who comes back starts a new episode."
        )
    ]
    consequences += [
        ngettext(
            "Follow-up %(months)s month after the discharge, due %(date)s.",
            "Follow-up %(months)s months after the discharge, due %(date)s.",
            f.months,
        )
        % {"months": f.months, "date": date_format(f.due_on)}
        for f in follow_ups
    ]
    # DIS-1, SCH-2: what ends with the episode in the domains above (the enrolments).
    consequences += getattr(discharge, "consequences", [])
    consequences.append(next_text)
    return Confirmation(
        title=_("Discharge the client?"),
        action=_("Discharge"),
        cancel_url=episode_url(episode),
        can_edit=True,
        facts=[
            (_("How the episode ended"), discharge.get_status_display()),
            (_("Discharged on"), date_format(discharge.discharged_on)),
            (_("Overall result"), discharge.get_overall_result_display()),
            (_("Transferred to"), discharge.destination),
        ],
        consequences=consequences,
    )


def _follow_up_for(request: HttpRequest, staff: Staff, follow_up_uuid: str, perm: Perm) -> FollowUp:
    """A follow-up of the staff member's organisations (else 404), checked and logged on the
    client like every pathway read."""
    try:
        follow_up = (
            services.follow_up_queryset()
            .select_related(
                "episode__organisation", "episode__site", "client", "client__organisation"
            )
            .get(uuid=follow_up_uuid, organisation_id__in=list(staff.memberships))
        )
    except (FollowUp.DoesNotExist, ValidationError) as exc:
        raise Http404 from exc
    if not staff.can(perm, follow_up.organisation_id):
        raise PermissionDenied
    follow_up.episode.client = follow_up.client
    access_record(
        actor=staff.user,
        client=follow_up.client,
        view="follow_up_record",
        channel="html",
        request=request,
    )
    return follow_up


@staff_view(Perm.CLIENT_WRITE, scope="client")
def follow_up_record(request: HttpRequest, follow_up_uuid: str) -> HttpResponse:
    """DIS-2, DIS-5: record the follow-up one or six months after the discharge."""
    staff = staff_for_request(request)
    follow_up = _follow_up_for(request, staff, follow_up_uuid, Perm.CLIENT_WRITE)
    episode = follow_up.episode
    if follow_up.done_on is not None:
        messages.info(request, _("This follow-up has already been recorded."))
        return redirect(episode_url(episode))
    data = request.POST if request.method == "POST" else None
    form = FollowUpForm(data, initial={"done_on": clock.today(episode.organisation)})
    status = 200
    if data is not None:
        status = 422
        if form.is_valid():
            cleaned = form.cleaned_data
            try:
                services.follow_up_record(
                    follow_up=follow_up,
                    actor=staff.user,
                    today=clock.today(staff.organisation),
                    done_on=cleaned["done_on"],
                    contact_made=cleaned["contact_made"],
                    substance_use=cleaned["substance_use"],
                    situation=form.situation(),
                    note=cleaned["note"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(
                    request, handover_message(episode, _("The follow-up is recorded."))
                )
                return redirect(episode_url(episode))
    return _page(
        request,
        episode,
        "pathway/follow_up_form.html",
        status=status,
        form=form,
        follow_up=follow_up,
    )


urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:episode_uuid>/discharge/", discharge_create, name="discharge_create"),
    path("follow-ups/<uuid:follow_up_uuid>/", follow_up_record, name="follow_up_record"),
]
