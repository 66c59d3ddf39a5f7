"""The treatment plan pages: make the plan or a new version, evaluate it, read any version
(PLN-1..6). Thin: parse, check access (pathway.access), call one service, render."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _

from bedring.accounts.access import staff_for_request, staff_view, users_who_may
from bedring.accounts.models import User
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import ErrorLink, add_domain_error, add_row_error
from bedring.core.roles import Perm

from ..access import episode_for
from ..forms_plan import (
    CollaboratorFormSet,
    EvaluationForm,
    GoalFormSet,
    PlanForm,
    ProgressFormSet,
)
from ..models import Episode, Plan
from ..services import plan as services

GOAL_PREFIX = "goals"
COLLABORATOR_PREFIX = "collaborators"
PROGRESS_PREFIX = "progress"
BLANK_GOAL_ROWS = 3
BLANK_COLLABORATOR_ROWS = 2


def episode_url(episode: Episode) -> str:
    return reverse("pathway:episode", kwargs={"episode_uuid": episode.uuid})


def clinical_staff(organisation_id: int) -> list[User]:
    """Who can coordinate an individual plan: active staff here who work with clients."""
    return users_who_may(organisation_id, Perm.CLIENT_READ)


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


def _values(form: forms.Form) -> dict[str, Any]:
    """What a bound form holds, as initial data: the typed values, unchecked."""
    return {name: form[name].value() for name in form.fields}


# --- the plan and its new versions ------------------------------------------------------------


def _plan_initial(plan: Plan | None, today: datetime.date) -> dict[str, Any]:
    if plan is None:
        return {"agreed_on": today, "client_participated": True, "based_on_version": 0}
    return {
        "agreed_on": today,
        "aims": plan.aims,
        "client_participated": plan.client_participated,
        "client_words": plan.client_words,
        "network": plan.network,
        "action_plan": plan.action_plan,
        "individual_plan": plan.individual_plan,
        "coordinator": plan.coordinator_id,
        "responsibility_group": plan.responsibility_group,
        "based_on_version": plan.version,
    }


def _goal_initial(plan: Plan | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if plan is not None:
        rows = [
            {
                "text": g.text,
                "measure": g.measure,
                "target": g.target,
                "due_on": g.due_on,
                "client_words": g.client_words,
                "short_term": g.short_term,
            }
            for g in plan.goals.all()
        ]
    return rows + [{"short_term": True}] * BLANK_GOAL_ROWS


def _collaborator_initial(plan: Plan | None) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if plan is not None:
        rows = [
            {"party": c.get("party", ""), "name": c.get("name", "")} for c in plan.collaborators
        ]
    return rows + [{}] * BLANK_COLLABORATOR_ROWS


def _show_plan_error(
    exc: DomainError,
    form: PlanForm,
    goal_set: Any,
    goal_rows: list[int],
    collaborator_set: Any,
    collaborator_rows: list[int],
) -> dict[str, list[str]]:
    """Put the service's refusal next to what it is about: a goal row, a collaborator row,
    a field, or the section (``goals_required``)."""
    index = exc.details.get("index")
    rows = {"goals": (goal_set, goal_rows), "collaborators": (collaborator_set, collaborator_rows)}
    if exc.field in rows:
        formset, kept = rows[exc.field]
        if isinstance(index, int) and 0 <= index < len(kept):
            row = formset.forms[kept[index]]
            field = exc.details.get("field")
            row.add_error(field if field in row.fields else None, str(exc.message))
            return {}
        return {exc.field: [str(exc.message)]}
    add_domain_error(form, exc)
    return {}


@staff_view(Perm.CLIENT_WRITE, scope="client")
def plan_create(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """PLN-1..6: the plan made with the client, or a new version prefilled from the current
    one (the current one is kept)."""
    staff = staff_for_request(request)
    episode = episode_for(request, staff, episode_uuid, view="plan_create", perm=Perm.CLIENT_WRITE)
    current = services.current_plan(episode)
    today = clock.today(episode.organisation)
    people = clinical_staff(episode.organisation_id)
    data = request.POST if request.method == "POST" else None
    form = PlanForm(
        data,
        initial=_plan_initial(current, today),
        organisation=episode.organisation,
        staff=people,
    )
    goal_set = GoalFormSet(data, initial=_goal_initial(current), prefix=GOAL_PREFIX)
    collaborator_set = CollaboratorFormSet(
        data, initial=_collaborator_initial(current), prefix=COLLABORATOR_PREFIX
    )
    section_errors: dict[str, list[str]] = {}
    status = 200
    more = request.POST.get("more")
    if data is not None and more in ("goals", "collaborators"):
        # Without JavaScript: another empty row, keeping everything typed so far.
        goals = [_values(f) for f in goal_set.forms]
        collaborators = [_values(f) for f in collaborator_set.forms]
        if more == "goals":
            goals.append({"short_term": True})
        else:
            collaborators.append({})
        form = PlanForm(initial=_values(form), organisation=episode.organisation, staff=people)
        goal_set = GoalFormSet(initial=goals, prefix=GOAL_PREFIX)
        collaborator_set = CollaboratorFormSet(initial=collaborators, prefix=COLLABORATOR_PREFIX)
    elif data is not None:
        status = 422
        valid = [form.is_valid(), goal_set.is_valid(), collaborator_set.is_valid()]
        if all(valid):
            goal_rows = [i for i, f in enumerate(goal_set.forms) if not f.is_blank()]
            collaborator_rows = [
                i for i, f in enumerate(collaborator_set.forms) if not f.is_blank()
            ]
            cleaned = form.cleaned_data
            try:
                plan = services.plan_save(
                    episode=episode,
                    actor=staff.user,
                    agreed_on=cleaned["agreed_on"],
                    aims=cleaned["aims"],
                    goals=[goal_set.forms[i].goal() for i in goal_rows],
                    client_participated=cleaned["client_participated"],
                    client_words=cleaned["client_words"],
                    network=cleaned["network"],
                    collaborators=[
                        collaborator_set.forms[i].collaborator() for i in collaborator_rows
                    ],
                    action_plan=bool(cleaned.get("action_plan")),
                    individual_plan=bool(cleaned.get("individual_plan")),
                    coordinator=cleaned.get("coordinator"),
                    responsibility_group=cleaned.get("responsibility_group") or "",
                    based_on_version=cleaned.get("based_on_version"),
                )
            except DomainError as exc:
                section_errors = _show_plan_error(
                    exc, form, goal_set, goal_rows, collaborator_set, collaborator_rows
                )
            else:
                messages.success(
                    request,
                    _("Version %(version)d of the plan is saved.") % {"version": plan.version},
                )
                return redirect(episode_url(episode))
        elif goal_set.non_form_errors():
            section_errors["goals"] = [str(e) for e in goal_set.non_form_errors()]
    # The error summary lists the service's refusals about a whole section too, linking to
    # it; a formset's own errors (too many rows) it finds in the formset.
    formset_errors = {str(e) for e in goal_set.non_form_errors()} if goal_set.is_bound else set()
    section_links = [
        ErrorLink(section, text)
        for section, texts in section_errors.items()
        for text in texts
        if text not in formset_errors
    ]
    return _page(
        request,
        episode,
        "pathway/plan_form.html",
        status=status,
        form=form,
        goal_set=goal_set,
        collaborator_set=collaborator_set,
        section_errors=section_errors,
        section_links=section_links,
        current=current,
    )


# --- evaluations ------------------------------------------------------------------------------


@staff_view(Perm.CLIENT_WRITE, scope="client")
def plan_evaluate(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """PLN-2, PRV-3: evaluate the current plan with the client, goal by goal."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="plan_evaluate", perm=Perm.CLIENT_WRITE
    )
    plan = services.current_plan(episode)
    if plan is None:
        messages.info(request, _("There is no plan to evaluate yet."))
        return redirect(episode_url(episode))
    data = request.POST if request.method == "POST" else None
    if data is not None:
        # The version the form was filled for: a newer one makes the service refuse.
        posted = str(data.get("plan_version", ""))
        version = (
            int(posted) if posted.isascii() and posted.isdigit() and len(posted) < 10 else None
        )
        if version is not None and version != plan.version:
            plan = services.plan_queryset().filter(episode=episode, version=version).first() or plan
    goals = list(plan.goals.all())
    form = EvaluationForm(
        data,
        initial={
            "evaluated_on": clock.today(episode.organisation),
            "client_participated": True,
            "plan_version": plan.version,
        },
    )
    progress_set = ProgressFormSet(
        data, initial=[{"goal": g.uuid} for g in goals], prefix=PROGRESS_PREFIX
    )
    status = 200
    if data is not None:
        status = 422
        if form.is_valid() and progress_set.is_valid():
            cleaned = form.cleaned_data
            try:
                services.evaluation_record(
                    plan=plan,
                    actor=staff.user,
                    evaluated_on=cleaned["evaluated_on"],
                    progress=[f.entry() for f in progress_set.forms],
                    client_participated=cleaned["client_participated"],
                    client_view=cleaned["client_view"],
                )
            except DomainError as exc:
                add_row_error(form, progress_set, exc, field="progress", row_field="progress")
            else:
                messages.success(request, _("The evaluation is saved."))
                return redirect(episode_url(episode))
    rows = list(zip(goals, progress_set.forms, strict=False))
    return _page(
        request,
        episode,
        "pathway/evaluation_form.html",
        status=status,
        plan=plan,
        form=form,
        progress_set=progress_set,
        rows=rows,
    )


# --- reading --------------------------------------------------------------------------------


@staff_view(Perm.CLIENT_READ, scope="client")
def plan_versions(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """PLN-1: plans keep every version."""
    staff = staff_for_request(request)
    episode = episode_for(request, staff, episode_uuid, view="plan_versions")
    return _page(
        request, episode, "pathway/plan_versions.html", versions=services.plan_versions(episode)
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def plan_version(request: HttpRequest, episode_uuid: str, version: int) -> HttpResponse:
    """Any version of the plan, read-only, with its goals and evaluations."""
    staff = staff_for_request(request)
    episode = episode_for(request, staff, episode_uuid, view="plan_version")
    plan = services.plan_queryset().filter(episode=episode, version=version).first()
    if plan is None:
        raise Http404
    return _page(
        request,
        episode,
        "pathway/plan_detail.html",
        plan=plan,
        version_count=Plan.objects.filter(episode=episode).count(),
    )


urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:episode_uuid>/plan/new/", plan_create, name="plan_create"),
    path("episodes/<uuid:episode_uuid>/plan/evaluate/", plan_evaluate, name="plan_evaluate"),
    path("episodes/<uuid:episode_uuid>/plans/", plan_versions, name="plan_versions"),
    path("episodes/<uuid:episode_uuid>/plans/<int:version>/", plan_version, name="plan_version"),
]
