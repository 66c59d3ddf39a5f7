"""Decisions, decision letters, complaints and child notifications (DEC-1..7). Thin: check
access through episode_for, parse a form, call one service, render or redirect to the
episode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from bedring.accounts.access import Staff, staff_for_request, staff_view
from bedring.clients.models import ChildAtHome, Client
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.confirm import Confirmation, confirm_page, confirmed, dry_run, editing
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm

from ..access import episode_for
from ..forms_decision import (
    ChildConcernForm,
    ChildNotificationForm,
    ComplaintForm,
    DecisionForm,
    LetterSentForm,
    ReevaluationForm,
)
from ..handover import after, handover_message
from ..letters import decision_letter_pdf, has_postal_address
from ..models import Assessment, ChildNotification, Complaint, Deadline, Decision, Episode
from ..models.decision import DecisionKind
from ..models.episode import DeadlineKind, DeadlineStatus
from ..offers import offer_choices
from ..services import decision as services


def episode_url(episode: Episode) -> str:
    return reverse("pathway:episode", kwargs={"episode_uuid": episode.uuid})


def _client_of(staff: Staff, episode_uuid: str) -> Client:
    """The episode's client for a check before the read that is logged (404 as episode_for)."""
    episode = (
        Episode.objects.filter(uuid=episode_uuid, organisation_id__in=list(staff.memberships))
        .select_related("client")
        .first()
    )
    if episode is None:
        raise Http404
    return episode.client


def _decision_of(episode: Episode, decision_uuid: str) -> Decision:
    decision = (
        Decision.objects.filter(episode=episode, uuid=decision_uuid)
        .select_related("decided_by", "supersedes")
        .first()
    )
    if decision is None:
        raise Http404
    decision.episode = episode
    return decision


# What a step would do, seen inside its dry run: the result, what happens next, and the
# episode's open deadlines then (read before the rollback).
Preview = tuple[Any, str, list[Deadline]]


def _previewed(episode: Episode, result: Any) -> Preview:
    deadlines = list(
        Deadline.objects.filter(episode=episode, status=DeadlineStatus.OPEN).order_by("due_on")
    )
    return result, after(episode), deadlines


def _form_page(
    request: HttpRequest,
    episode: Episode,
    *,
    template: str,
    form: forms.Form,
    save: Callable[[dict[str, Any]], object],
    done: str,
    handover: bool = True,
    confirmation: Callable[[dict[str, Any], Preview], Confirmation] | None = None,
    **extra: Any,
) -> HttpResponse:
    """GET shows the form; a valid POST calls the service and goes back to the episode with
    a message of what happens next (REF-2); a refusal is shown next to its field with 422.
    With ``confirmation`` (an irreversible step) the first valid POST writes nothing and
    shows what will happen; the second, with ``confirm=1``, saves."""
    context = client_context(request, episode.client, "pathway", episode=episode, **extra)
    if request.method == "POST" and form.is_valid() and not editing(request):
        data = form.cleaned_data
        try:
            if confirmation is not None and not confirmed(request):
                preview = dry_run(lambda: _previewed(episode, save(data)))
                return confirm_page(request, confirmation(data, preview), context)
            save(data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, handover_message(episode, done) if handover else done)
            return redirect(episode_url(episode))
    status = 422 if request.method == "POST" and not editing(request) else 200
    return render(request, template, {**context, "form": form}, status=status)


def _decision_confirmation(
    episode: Episode, data: dict[str, Any], preview: Preview
) -> Confirmation:
    decision, next_text, open_deadlines = preview
    letter = next(
        (
            d
            for d in open_deadlines
            if d.kind == DeadlineKind.DECISION_LETTER and d.subject_id == decision.pk
        ),
        None,
    )
    return Confirmation(
        title=_("Record this decision?"),
        action=_("Record the decision"),
        cancel_url=episode_url(episode),
        can_edit=True,
        facts=[
            (_("Decision on"), decision.get_kind_display()),
            (_("Outcome"), decision.get_outcome_display()),
            (_("Intensity"), decision.get_intensity_display()),
            (_("Offer"), decision.offer),
            (_("Decided on"), date_format(decision.decided_on)),
        ],
        consequences=[
            _(
                "A decision cannot be changed once it is recorded: a complaint's re-evaluation "
                "replaces it with a new one."
            ),
            *(
                [
                    _("The letter to the client is due by %(date)s.")
                    % {"date": date_format(letter.due_on)}
                ]
                if letter is not None
                else []
            ),
            next_text,
        ],
    )


def _recommendation(episode: Episode) -> Assessment | None:
    """REF-2: the counsellor's recommendation that came with the latest completed assessment."""
    return (
        Assessment.objects.filter(episode=episode, completed_at__isnull=False)
        .order_by("-completed_at", "-id")
        .first()
    )


def _decision_page(
    request: HttpRequest, episode_uuid: str, *, perm: Perm, kinds: list[str], view: str
) -> HttpResponse:
    staff = staff_for_request(request)
    episode = episode_for(request, staff, episode_uuid, view=view, perm=perm)
    assessed = _recommendation(episode)
    offers = offer_choices(episode.organisation_id)
    offer_keys = {key for key, _name in offers}
    form = DecisionForm(
        request.POST or None,
        kinds=kinds,
        offers=offers,
        initial={
            "decided_on": clock.today(episode.organisation),
            "offer": assessed.recommended_offer
            if assessed is not None and assessed.recommended_offer in offer_keys
            else "",
            "recommendation": assessed.recommendation if assessed is not None else "",
        },
    )

    def save(data: dict[str, Any]) -> Decision:
        return services.decision_make(
            episode=episode,
            actor=staff.user,
            today=clock.today(staff.organisation),
            kind=data["kind"],
            outcome=data["outcome"],
            intensity=data["intensity"] or None,
            offer=data["offer"],
            justification=data["justification"],
            recommendation=data["recommendation"],
            decided_on=data["decided_on"],
            immediate=data["immediate"],
        )

    return _form_page(
        request,
        episode,
        template="pathway/decision_form.html",
        form=form,
        save=save,
        done=_("Decision recorded."),
        confirmation=lambda data, preview: _decision_confirmation(episode, data, preview),
        title=_("Medical decision") if kinds == [DecisionKind.MEDICAL] else _("Decision"),
        assessed=assessed,
    )


@staff_view(Perm.DECIDE, scope="client")
def decision_new(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """DEC-1, DEC-3: the authority grants or refuses treatment, day or residential treatment."""
    return _decision_page(
        request,
        episode_uuid,
        perm=Perm.DECIDE,
        kinds=[DecisionKind.TREATMENT, DecisionKind.DAY_OR_RESIDENTIAL],
        view="decision_new",
    )


@staff_view(Perm.DECIDE_MEDICAL, scope="client")
def decision_medical_new(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """DEC-1: the need for medical treatment is a doctor's decision."""
    return _decision_page(
        request,
        episode_uuid,
        perm=Perm.DECIDE_MEDICAL,
        kinds=[DecisionKind.MEDICAL],
        view="decision_medical_new",
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def decision_letter(request: HttpRequest, episode_uuid: str, decision_uuid: str) -> HttpResponse:
    """DEC-2, DEC-6: the decision letter as a PDF, in the client's language. A print of
    client data: logged with channel "print"."""
    staff = staff_for_request(request)
    anyway = request.GET.get("confirm") == "1"
    if not anyway and not has_postal_address(_client_of(staff, episode_uuid)):
        # DEC-6: warned before the letter is made; no print yet, so no print in the log.
        episode = episode_for(request, staff, episode_uuid, view="decision_letter_warning")
        decision = _decision_of(episode, decision_uuid)
        return render(
            request,
            "pathway/decision_letter_warning.html",
            client_context(request, episode.client, "pathway", episode=episode, decision=decision),
        )
    episode = episode_for(request, staff, episode_uuid, view="decision_letter", channel="print")
    pdf, letter = decision_letter_pdf(_decision_of(episode, decision_uuid))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=letter.filename
    )
    response["Content-Language"] = letter.language
    response["Cache-Control"] = "no-store"
    return response


@staff_view(Perm.CLIENT_WRITE, scope="client")
def decision_letter_sent(
    request: HttpRequest, episode_uuid: str, decision_uuid: str
) -> HttpResponse:
    """DEC-2: the letter went out; its date starts the complaint window."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="decision_letter_sent", perm=Perm.CLIENT_WRITE
    )
    decision = _decision_of(episode, decision_uuid)
    form = LetterSentForm(
        request.POST or None, initial={"sent_on": clock.today(episode.organisation)}
    )
    return _form_page(
        request,
        episode,
        template="pathway/decision_letter_sent.html",
        form=form,
        save=lambda data: services.decision_letter_sent(
            decision=decision,
            actor=staff.user,
            today=clock.today(staff.organisation),
            sent_on=data["sent_on"],
        ),
        done=_("The letter is marked as sent."),
        decision=decision,
        no_postal_address=not has_postal_address(episode.client),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def complaint_new(
    request: HttpRequest, episode_uuid: str, decision_uuid: str | None = None
) -> HttpResponse:
    """DEC-2: register a complaint about a decision, health treatment or the service; without
    a decision, one about a start later than the guarantee (seed 002 §12)."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="complaint_new", perm=Perm.CLIENT_WRITE
    )
    decision = _decision_of(episode, decision_uuid) if decision_uuid is not None else None
    form = ComplaintForm(
        request.POST or None,
        initial={
            "kind": "decision" if decision is not None else "late_start",
            "received_on": clock.today(episode.organisation),
        },
    )
    return _form_page(
        request,
        episode,
        template="pathway/complaint_form.html",
        form=form,
        save=lambda data: services.complaint_register(
            episode=episode,
            decision=decision,
            actor=staff.user,
            today=clock.today(staff.organisation),
            kind=data["kind"],
            text=data["text"],
            received_on=data["received_on"],
        ),
        done=_("The complaint is registered."),
        decision=decision,
    )


@staff_view(Perm.DECIDE, scope="client")
def complaint_reevaluate(
    request: HttpRequest, episode_uuid: str, complaint_uuid: str
) -> HttpResponse:
    """DEC-2: the authority re-evaluates; upheld goes on to the appeals body, changed is a
    new decision."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="complaint_reevaluate", perm=Perm.DECIDE
    )
    complaint = (
        Complaint.objects.filter(episode=episode, uuid=complaint_uuid)
        .select_related("decision", "decision__decided_by")
        .first()
    )
    if complaint is None:
        raise Http404
    complaint.episode = episode
    if complaint.decision is not None:
        complaint.decision.episode = episode
    form = ReevaluationForm(
        request.POST or None,
        offers=offer_choices(episode.organisation_id),
        initial={"on": clock.today(episode.organisation)},
    )
    return _form_page(
        request,
        episode,
        template="pathway/complaint_reevaluate.html",
        form=form,
        save=lambda data: services.complaint_reevaluate(
            complaint=complaint,
            actor=staff.user,
            today=clock.today(staff.organisation),
            result=data["result"],
            justification=data["justification"],
            on=data["on"],
            outcome=data["outcome"] or None,
            intensity=data["intensity"] or None,
            offer=data["offer"] or None,
        ),
        done=_("The re-evaluation is recorded."),
        confirmation=lambda data, preview: Confirmation(
            title=_("Record this re-evaluation?"),
            action=_("Record the re-evaluation"),
            cancel_url=episode_url(episode),
            can_edit=True,
            facts=[
                (_("Result of the re-evaluation"), preview[0].get_status_display()),
                (_("Forwarded to"), preview[0].forwarded_to),
            ],
            consequences=[
                _("A re-evaluation cannot be changed once it is recorded."),
                preview[1],
            ],
        ),
        complaint=complaint,
        decision=complaint.decision,
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def child_concern_new(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """DEC-7: concern for a child under 18 at home."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="child_concern_new", perm=Perm.CLIENT_WRITE
    )
    children = list(
        ChildAtHome.objects.filter(client=episode.client, archived_at__isnull=True).order_by(
            "birth_date"
        )
    )
    form = ChildConcernForm(
        request.POST or None, children=children, today=clock.today(episode.organisation)
    )

    def save(data: dict[str, Any]) -> ChildNotification:
        child = next((c for c in children if str(c.uuid) == data["child"]), None)
        return services.child_concern_record(
            episode=episode,
            actor=staff.user,
            today=clock.today(staff.organisation),
            concern=data["concern"],
            child=child,
            noted_on=data["noted_on"],
        )

    return _form_page(
        request,
        episode,
        template="pathway/child_concern_form.html",
        form=form,
        save=save,
        done=_("The concern is recorded. Notify children's services without delay."),
        handover=False,
        children=children,
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def child_notification_made(
    request: HttpRequest, episode_uuid: str, notification_uuid: str
) -> HttpResponse:
    """DEC-7: the notification to children's services was made."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="child_notification_made", perm=Perm.CLIENT_WRITE
    )
    notification = (
        ChildNotification.objects.filter(episode=episode, uuid=notification_uuid)
        .select_related("child", "noted_by")
        .first()
    )
    if notification is None:
        raise Http404
    notification.episode = episode
    form = ChildNotificationForm(
        request.POST or None, initial={"notified_on": clock.today(episode.organisation)}
    )
    return _form_page(
        request,
        episode,
        template="pathway/child_notification_form.html",
        form=form,
        save=lambda data: services.child_notification_made(
            notification=notification,
            actor=staff.user,
            today=clock.today(staff.organisation),
            recipient=data["recipient"],
            reference=data["reference"],
            notified_on=data["notified_on"],
        ),
        done=_("The notification is recorded."),
        handover=False,
        notification=notification,
    )


EPISODE = "episodes/<uuid:episode_uuid>/"
urlpatterns: list[URLPattern] = [
    path(f"{EPISODE}decisions/new/", decision_new, name="decision_new"),
    path(f"{EPISODE}decisions/new/medical/", decision_medical_new, name="decision_medical_new"),
    path(
        f"{EPISODE}decisions/<uuid:decision_uuid>/letter.pdf",
        decision_letter,
        name="decision_letter",
    ),
    path(
        f"{EPISODE}decisions/<uuid:decision_uuid>/letter-sent/",
        decision_letter_sent,
        name="decision_letter_sent",
    ),
    path(
        f"{EPISODE}decisions/<uuid:decision_uuid>/complaints/new/",
        complaint_new,
        name="complaint_new",
    ),
    path(f"{EPISODE}complaints/new/", complaint_new, name="episode_complaint_new"),
    path(
        f"{EPISODE}complaints/<uuid:complaint_uuid>/reevaluate/",
        complaint_reevaluate,
        name="complaint_reevaluate",
    ),
    path(f"{EPISODE}child-notifications/new/", child_concern_new, name="child_concern_new"),
    path(
        f"{EPISODE}child-notifications/<uuid:notification_uuid>/notified/",
        child_notification_made,
        name="child_notification_made",
    ),
]
