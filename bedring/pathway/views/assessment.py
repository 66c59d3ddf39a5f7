"""Assessment pages (ASM-1..5) and the TDI intake items. Thin: check access through
episode_for, parse a form, call one service, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bedring.accounts.access import staff_for_request, staff_view
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.confirm import Confirmation, confirm_page, confirmed, dry_run
from bedring.core.errors import DomainError
from bedring.core.roles import Perm

from .. import tdi
from ..access import episode_for
from ..forms_assessment import AssessmentForm, AssessmentStartForm, TdiForm, add_domain_errors
from ..handover import after, handover_message
from ..models import Assessment, Episode, TdiIntake
from ..offers import offer_choices
from ..questionnaires import DOMAINS, display_answer, domain_label, label_for
from ..services import assessment as services


def episode_url(episode: Episode) -> str:
    return reverse("pathway:episode", kwargs={"episode_uuid": episode.uuid})


def assessment_url(assessment: Assessment, name: str = "assessment") -> str:
    return reverse(
        f"pathway:{name}",
        kwargs={"episode_uuid": assessment.episode.uuid, "assessment_uuid": assessment.uuid},
    )


def _assessment_of(episode: Episode, assessment_uuid: str) -> Assessment:
    """The assessment within an episode the staff member may see (episode_for checked it)."""
    assessment = (
        Assessment.objects.filter(episode=episode, uuid=assessment_uuid)
        .select_related("question_set", "counsellor", "doctor", "completed_by", "tdi")
        .first()
    )
    if assessment is None:
        raise Http404
    assessment.episode = episode
    return assessment


def _tdi_of(assessment: Assessment) -> TdiIntake | None:
    try:
        return assessment.tdi
    except TdiIntake.DoesNotExist:
        return None


def _answer_domains(assessment: Assessment, language: str | None) -> list[dict[str, Any]]:
    """The answers grouped by domain, with the labels in the reader's language."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for question in assessment.question_set.questions:
        value = assessment.answers.get(question["key"])
        grouped.setdefault(question["domain"], []).append(
            {
                "key": question["key"],
                "label": label_for(question["label"], language),
                "value": display_answer(question, value, language),
                "missing": bool(question.get("required")) and value in (None, ""),
            }
        )
    return [
        {"label": domain_label(domain), "rows": grouped[domain]}
        for domain in DOMAINS
        if domain in grouped
    ]


def _tdi_rows(intake: TdiIntake | None) -> list[dict[str, Any]]:
    if intake is None:
        return []
    form = TdiForm()
    rows: list[dict[str, Any]] = []
    for _group, names in TdiForm.MAIN_GROUPS:
        for name in names:
            value = getattr(intake, name)
            codes = tdi.CODED_FIELDS.get(name)
            if codes is not None:
                shown = tdi.label_of(codes, value)
            elif name in tdi.AGE_FIELDS and value == tdi.AGE_NOT_KNOWN:
                shown = _("Not known")
            else:
                shown = value
            rows.append({"label": form.fields[name].label, "value": shown})
    for number, item in enumerate(intake.secondary_substances, start=1):
        parts = [
            tdi.label_of(tdi.Substance, item.get("substance")),
            tdi.label_of(tdi.Route, item.get("route")),
            tdi.label_of(tdi.Frequency, item.get("frequency")),
        ]
        age = item.get("age_first_use")
        if age is not None:
            parts.append(_("first use at %(age)s") % {"age": age})
        rows.append(
            {
                "label": _("Secondary substance %(n)s") % {"n": number},
                "value": ", ".join(p for p in parts if p),
            }
        )
    return rows


def _page(
    request: HttpRequest,
    episode: Episode,
    template: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        f"pathway/{template}",
        client_context(request, episode.client, "pathway", episode=episode, **extra),
        status=status,
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def assessment_new(request: HttpRequest, episode_uuid: str) -> HttpResponse:
    """ASM-1, ASM-2, ASM-4, ASM-5: start an assessment on the organisation's question set."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="assessment_new", perm=Perm.CLIENT_WRITE
    )
    question_sets = services.current_question_sets(episode.organisation)
    form = AssessmentStartForm(
        request.POST or None,
        question_sets=question_sets,
        initial={
            "conducted_on": clock.today(episode.organisation),
            "question_set": question_sets[0].key if question_sets else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            assessment = services.assessment_start(
                episode=episode,
                actor=staff.user,
                today=clock.today(staff.organisation),
                conducted_on=data["conducted_on"],
                question_set_key=data["question_set"] or None,
                external_requested_from=data["external_requested_from"],
            )
        except DomainError as exc:
            add_domain_errors(form, exc, {})
        else:
            messages.success(request, _("The assessment is started."))
            return redirect(assessment_url(assessment, "assessment_edit"))
    return _page(
        request,
        episode,
        "assessment_start.html",
        status=422 if request.method == "POST" else 200,
        form=form,
        no_question_set=not question_sets,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def assessment_detail(
    request: HttpRequest, episode_uuid: str, assessment_uuid: str
) -> HttpResponse:
    staff = staff_for_request(request)
    episode = episode_for(request, staff, episode_uuid, view="assessment_detail")
    assessment = _assessment_of(episode, assessment_uuid)
    return _detail_page(request, episode, assessment)


def _detail_page(
    request: HttpRequest,
    episode: Episode,
    assessment: Assessment,
    *,
    status: int = 200,
    complete_errors: list[str] | None = None,
) -> HttpResponse:
    language = translation.get_language()
    intake = _tdi_of(assessment)
    return _page(
        request,
        episode,
        "assessment_detail.html",
        status=status,
        assessment=assessment,
        domains=_answer_domains(assessment, language),
        tdi=intake,
        tdi_rows=_tdi_rows(intake),
        complete_errors=complete_errors or [],
        editable=episode.is_open and assessment.completed_at is None,
        recommended_offer=dict(offer_choices(episode.organisation_id)).get(
            assessment.recommended_offer, assessment.recommended_offer
        ),
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def assessment_edit(request: HttpRequest, episode_uuid: str, assessment_uuid: str) -> HttpResponse:
    """ASM-2, ASM-4: the answers, the offers made and who took part (ASM-1), in one form."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="assessment_edit", perm=Perm.CLIENT_WRITE
    )
    assessment = _assessment_of(episode, assessment_uuid)
    form = AssessmentForm(
        request.POST or None,
        questions=assessment.question_set.questions,
        organisation=episode.organisation,
        language=translation.get_language(),
        initial=AssessmentForm.initial_for(assessment),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_save(
                assessment=assessment, actor=staff.user, answers=form.answers(), **form.offers()
            )
        except DomainError as exc:
            add_domain_errors(form, exc, form.field_map())
        else:
            messages.success(request, _("The assessment is saved."))
            return redirect(assessment_url(assessment))
    return _page(
        request,
        episode,
        "assessment_form.html",
        status=422 if request.method == "POST" else 200,
        assessment=assessment,
        form=form,
        editable=episode.is_open and assessment.completed_at is None,
    )


@staff_view(Perm.CLIENT_WRITE, scope="client")
def assessment_tdi(request: HttpRequest, episode_uuid: str, assessment_uuid: str) -> HttpResponse:
    """The EUDA TDI 3.0 intake items of the assessment."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="assessment_tdi", perm=Perm.CLIENT_WRITE
    )
    assessment = _assessment_of(episode, assessment_uuid)
    form = TdiForm(request.POST or None, initial=TdiForm.initial_for(_tdi_of(assessment)))
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            services.assessment_save_tdi(assessment=assessment, actor=staff.user, data=data)
        except DomainError as exc:
            add_domain_errors(form, exc, form.field_map())
        else:
            messages.success(request, _("The TDI items are saved."))
            return redirect(assessment_url(assessment))
    return _page(
        request,
        episode,
        "assessment_tdi.html",
        status=422 if request.method == "POST" else 200,
        assessment=assessment,
        form=form,
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def assessment_complete(
    request: HttpRequest, episode_uuid: str, assessment_uuid: str
) -> HttpResponse:
    """ASM-1, ASM-2: complete the assessment; a refusal is shown on the assessment (422).
    Irreversible: the first post asks for a confirmation that says where the case goes next
    (REF-2); the second (``confirm=1``) completes."""
    staff = staff_for_request(request)
    episode = episode_for(
        request, staff, episode_uuid, view="assessment_complete", perm=Perm.CLIENT_WRITE
    )
    assessment = _assessment_of(episode, assessment_uuid)

    def complete() -> Assessment:
        return services.assessment_complete(assessment=assessment, actor=staff.user)

    try:
        if not confirmed(request):
            next_text = dry_run(lambda: (complete(), after(episode))[1])
            return _confirm_completion(request, episode, assessment, next_text)
        complete()
    except DomainError as exc:
        return _detail_page(
            request, episode, assessment, status=422, complete_errors=[str(exc.message)]
        )
    messages.success(request, handover_message(episode, _("Assessment completed.")))
    return redirect(episode_url(episode))


def _confirm_completion(
    request: HttpRequest, episode: Episode, assessment: Assessment, next_text: str
) -> HttpResponse:
    names = dict(offer_choices(episode.organisation_id))
    offer = assessment.recommended_offer
    return confirm_page(
        request,
        Confirmation(
            title=_("Complete the assessment?"),
            action=_("Complete the assessment"),
            cancel_url=assessment_url(assessment),
            facts=[
                (_("Question set"), assessment.question_set.title),
                (_("Date of the conversation"), date_format(assessment.conducted_on)),
                (_("Recommended offer"), names.get(offer, offer)),
                (_("Recommendation to the authority"), assessment.recommendation),
            ],
            consequences=[
                _("Once completed, the answers can no longer be changed."),
                next_text,
            ],
        ),
        client_context(request, episode.client, "pathway", episode=episode),
    )


ASSESSMENT = "episodes/<uuid:episode_uuid>/assessments/<uuid:assessment_uuid>/"
urlpatterns: list[URLPattern] = [
    path("episodes/<uuid:episode_uuid>/assessments/new/", assessment_new, name="assessment_new"),
    path(ASSESSMENT, assessment_detail, name="assessment"),
    path(f"{ASSESSMENT}edit/", assessment_edit, name="assessment_edit"),
    path(f"{ASSESSMENT}tdi/", assessment_tdi, name="assessment_tdi"),
    path(f"{ASSESSMENT}complete/", assessment_complete, name="assessment_complete"),
]
