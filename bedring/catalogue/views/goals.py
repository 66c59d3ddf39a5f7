"""Individual SMART goals on an enrolment (Lykken, seed 003 line 541): set one with the
client, and record its progress. Thin: the getters in ``selectors`` check access and log
it, a form parses, one service decides; a refusal is shown next to the field with 422."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from bedring.accounts.access import staff_for_request, staff_view
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm
from bedring.pathway.services.plan import GoalInput

from .. import selectors
from ..forms import EnrolmentGoalForm, EnrolmentGoalProgressForm
from ..models import EnrolmentStatus
from ..services import goals


def _status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


def _show(form: EnrolmentGoalForm, error: DomainError) -> None:
    """A SMART refusal names the goal's field in its details (as for a plan's goal rows)."""
    field = error.details.get("field") if error.details else None
    if isinstance(field, str) and field in form.fields:
        form.add_error(field, str(error.message))
    else:
        add_domain_error(form, error)


@staff_view(Perm.CLIENT_WRITE, scope="client")
def enrolment_goal_add(request: HttpRequest, enrolment_uuid: str) -> HttpResponse:
    """A SMART goal agreed with the client in the offer."""
    staff = staff_for_request(request)
    enrolment = selectors.enrolment_for(
        request, staff, enrolment_uuid, view="enrolment_goal_add", perm=Perm.CLIENT_WRITE
    )
    form = EnrolmentGoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goals.enrolment_goal_add(
                enrolment=enrolment,
                actor=staff.user,
                goal=GoalInput(
                    text=data["text"],
                    measure=data["measure"],
                    target=data["target"],
                    due_on=data["due_on"],
                    client_words=data["client_words"],
                ),
                agreed_on=data["agreed_on"],
                today=clock.today(enrolment.organisation),
            )
        except DomainError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The goal is saved."))
            return redirect("catalogue:enrolment_detail", enrolment_uuid=enrolment.uuid)
    return render(
        request,
        "catalogue/enrolment_goal_form.html",
        client_context(
            request,
            enrolment.client,
            "overview",
            enrolment=enrolment,
            t=enrolment.offer.parsed,
            form=form,
            is_active=enrolment.status == EnrolmentStatus.ACTIVE,
        ),
        status=_status(request),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def enrolment_goal_progress(request: HttpRequest, goal_uuid: str) -> HttpResponse:
    """The progress on a goal, followed up with the client."""
    staff = staff_for_request(request)
    goal = selectors.enrolment_goal_for(
        request, staff, goal_uuid, view="enrolment_goal_progress", perm=Perm.CLIENT_WRITE
    )
    enrolment = goal.enrolment
    form = EnrolmentGoalProgressForm(request.POST or None, initial={"progress": goal.progress})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            goals.enrolment_goal_progress(
                goal=goal,
                actor=staff.user,
                progress=data["progress"],
                on=data["on"],
                today=clock.today(enrolment.organisation),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The progress is saved."))
            return redirect("catalogue:enrolment_detail", enrolment_uuid=enrolment.uuid)
    return render(
        request,
        "catalogue/enrolment_goal_progress.html",
        client_context(
            request,
            enrolment.client,
            "overview",
            enrolment=enrolment,
            t=enrolment.offer.parsed,
            goal=goal,
            form=form,
            is_active=enrolment.status == EnrolmentStatus.ACTIVE,
        ),
        status=_status(request),
    )


urlpatterns = [
    path("enrolments/<uuid:enrolment_uuid>/goals/", enrolment_goal_add, name="enrolment_goal_add"),
    path(
        "enrolment-goals/<uuid:goal_uuid>/progress/",
        enrolment_goal_progress,
        name="enrolment_goal_progress",
    ),
]
