"""Referral pages (REF-1): the client's Referrals tab, a new referral out, one referral with
its next steps, and a referral in (for a client on record or a new one). Thin: parse, check
access (clients.access, referrals.access), call one service, render. A refusal shows the form
again with the reason next to the field (422); a success says what happens next and who has
the case."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bedring.accounts.access import Staff, record_staff, staff_for_request, staff_view
from bedring.accounts.models import Site, User
from bedring.accounts.selectors import rules_for
from bedring.clients.access import client_for
from bedring.clients.forms import ClientForm
from bedring.clients.models import Client, Consent
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.roles import Perm
from bedring.documents import selectors as document_selectors
from bedring.documents import services as document_services
from bedring.documents import storage
from bedring.documents.models import Document, DocumentKind
from bedring.pathway.models import Episode
from bedring.pathway.models.episode import DeadlineStatus

from . import selectors, services
from .access import referral_for
from .forms import (
    FinalStepForm,
    IncomingForm,
    ReferralForm,
    RightsForm,
    SendForm,
    StepForm,
    next_steps,
)
from .models import IncomingReferral, Referral, ReferralStatus


def _day(value: Any) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _who(user: User | None) -> str:
    if user is None:
        return _("nobody yet (assign a counsellor on the episode)")
    return user.get_full_name() or user.username


@staff_view(Perm.CLIENT_READ, scope="client")
def client_referrals(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """REF-1: the client's referrals out and in, latest first."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="referrals")
    out, incoming = selectors.referrals_tab(client)
    return render(
        request,
        "referrals/client.html",
        {
            **client_context(request, client, "referrals"),
            "out": out,
            "incoming": incoming,
            "today": clock.today(client.organisation),
        },
    )


# --- a new referral out --------------------------------------------------------------------


def _referral_form(client: Client, data: Any = None, files: Any = None) -> ReferralForm:
    today = clock.today(client.organisation)
    consents = [
        c
        for c in Consent.objects.filter(client=client).order_by("-valid_from", "-id")
        if c.is_active_on(today)
    ]
    return ReferralForm(
        data,
        files,
        partners=list(selectors.partners(client.organisation)),
        consents=consents,
        documents=list(document_selectors.client_documents(client)[: document_selectors.RECENT]),
        initial={"send_on": today},
    )


def _sent_message(referral: Referral) -> str:
    episode = referral.episode
    if referral.status == ReferralStatus.DRAFT:
        return _(
            "The referral to %(partner)s is saved as a draft. Record it as sent when it goes."
        ) % {"partner": referral.partner.name}
    assert referral.reply_due_on is not None  # noqa: S101 - a sent referral has its due day
    if episode is not None and episode.is_open:
        where = _("it is on the worklist of %(who)s") % {"who": _who(episode.responsible)}
    else:
        where = _("the client has no open episode, so it is shown on the referral only")
    return _(
        "The referral to %(partner)s is recorded as sent. A reply is expected by %(date)s; "
        "%(where)s."
    ) % {"partner": referral.partner.name, "date": _day(referral.reply_due_on), "where": where}


@staff_view(Perm.CLIENT_WRITE, scope="client")
def referral_new(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """REF-1: a referral out to a partner of the registry, sent now or saved as a draft."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="referral_new", perm=Perm.CLIENT_WRITE)
    form = _referral_form(client, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        send = request.POST.get("action") != "draft"
        try:
            referral = _create(client, staff, data, send=send)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _sent_message(referral))
            return redirect("referrals:detail", referral_uuid=referral.uuid)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "referrals/new.html",
        client_context(request, client, "referrals", form=form),
        status=status,
    )


def _create(client: Client, staff: Staff, data: dict[str, Any], *, send: bool) -> Referral:
    partner = selectors.partners(client.organisation).filter(key=data["partner"]).first()
    if partner is None:
        raise Http404
    consent = None
    if data["consent"]:
        consent = Consent.objects.filter(client=client, uuid=data["consent"]).first()
    documents = list(
        document_selectors.client_documents(client).filter(uuid__in=data.get("documents") or [])
    )
    send_on = (data["send_on"] or clock.today(client.organisation)) if send else None
    with storage.removed_on_failure():
        return _create_with_file(
            client,
            staff,
            data,
            partner=partner,
            consent=consent,
            documents=documents,
            send_on=send_on,
        )


def _create_with_file(
    client: Client,
    staff: Staff,
    data: dict[str, Any],
    *,
    partner: Any,
    consent: Consent | None,
    documents: list[Document],
    send_on: Any,
) -> Referral:
    """The new file (if any) and the referral in one transaction: a refused referral leaves
    no stored file."""
    with transaction.atomic():
        if data.get("new_file"):
            documents.append(
                document_services.document_upload(
                    client=client,
                    actor=staff.user,
                    upload=data["new_file"],
                    kind=DocumentKind.REFERRAL,
                    dated_on=send_on or clock.today(client.organisation),
                    source=client.organisation.name,
                    title=_("Referral to %(partner)s") % {"partner": partner.name},
                )
            )
        return services.referral_create(
            client=client,
            actor=staff.user,
            partner=partner,
            reason=data["reason"],
            text=data["text"],
            documents=documents,
            consent=consent,
            send_on=send_on,
        )


# --- one referral out ----------------------------------------------------------------------


def _detail(
    request: HttpRequest,
    referral: Referral,
    *,
    status: int = 200,
    bound: forms.Form | None = None,
) -> HttpResponse:
    client = referral.client
    today = clock.today(client.organisation)
    referral = (
        selectors.with_details(Referral.objects.filter(pk=referral.pk))
        .select_related("partner", "consent", "episode__responsible", "client__organisation")
        .get()
    )
    ordinary, final = next_steps(referral.status)
    page_forms: dict[str, forms.Form] = {
        "send": SendForm(initial={"on": today}),
        "step": StepForm(allowed=ordinary, initial={"on": today}),
        "final": FinalStepForm(allowed=final, initial={"on": today}),
        "rights": RightsForm(initial={"assessed_on": today}),
    }
    if bound is not None:
        page_forms[str(bound.prefix)] = bound
    deadlines = selectors.referral_deadlines(referral)
    return render(
        request,
        "referrals/detail.html",
        {
            **client_context(request, client, "referrals"),
            "referral": referral,
            "forms": page_forms,
            "ordinary": ordinary,
            "final": final,
            "can_send": referral.status == ReferralStatus.DRAFT,
            "rights_open": (
                referral.partner.rights_assessment
                and not referral.rights_outcome
                and referral.received_on is not None
            ),
            "deadlines": deadlines,
            "rules": rules_for(client.organisation),
            "open_deadline": DeadlineStatus.OPEN,
            "today": today,
        },
        status=status,
    )


@staff_view(Perm.CLIENT_READ, scope="client")
def referral_detail(request: HttpRequest, referral_uuid: str) -> HttpResponse:
    """REF-1: one referral out: what was sent, its consent, its history and next step."""
    staff = staff_for_request(request)
    referral = referral_for(request, staff, referral_uuid, view="referral")
    return _detail(request, referral)


def _step_message(referral: Referral) -> str:
    partner = referral.partner.name
    match referral.status:
        case ReferralStatus.SENT:
            return _sent_message(referral)
        case ReferralStatus.RECEIVED if referral.rights_due_on:
            return _(
                "%(partner)s has the referral. The patient's rights are to be assessed by "
                "%(date)s; record the outcome here when the letter comes."
            ) % {"partner": partner, "date": _day(referral.rights_due_on)}
        case ReferralStatus.RECEIVED:
            return _("%(partner)s has the referral; the reply is still expected by %(date)s.") % {
                "partner": partner,
                "date": _day(referral.reply_due_on),
            }
        case ReferralStatus.ACCEPTED:
            return _(
                "%(partner)s accepted the referral; the reply deadline is closed. Record the "
                "appointment when it is given."
            ) % {"partner": partner}
        case ReferralStatus.APPOINTMENT:
            return _(
                "The appointment at %(partner)s is on %(date)s; tell the client, and plan the "
                "hand-over with the responsible counsellor."
            ) % {"partner": partner, "date": _day(referral.appointment_on)}
        case ReferralStatus.REFUSED:
            return _(
                "%(partner)s refused the referral; the reply deadline is closed. Talk with the "
                "client about another referral or offer."
            ) % {"partner": partner}
        case _:
            return _("The referral is withdrawn; its open deadlines are cancelled.")


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def referral_step(request: HttpRequest, referral_uuid: str) -> HttpResponse:
    """REF-1: the next step (sent, received, reply, appointment, refused, withdrawn)."""
    staff = staff_for_request(request)
    referral = referral_for(
        request, staff, referral_uuid, view="referral_step", perm=Perm.CLIENT_WRITE
    )
    ordinary, final = next_steps(referral.status)
    form: forms.Form
    if "send-on" in request.POST:
        form = SendForm(request.POST)
    elif "final-status" in request.POST:
        form = FinalStepForm(request.POST, allowed=final)
    else:
        form = StepForm(request.POST, allowed=ordinary)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_update(
                referral=referral,
                actor=staff.user,
                status=data.get("status", ReferralStatus.SENT),
                on=data["on"],
                note=data.get("note", ""),
                appointment_on=data.get("appointment_on"),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _step_message(referral))
            return redirect("referrals:detail", referral_uuid=referral.uuid)
    return _detail(request, referral, status=422, bound=form)


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def referral_rights(request: HttpRequest, referral_uuid: str) -> HttpResponse:
    """REF-1 (NO): the outcome of the specialist health service's rights assessment."""
    staff = staff_for_request(request)
    referral = referral_for(
        request, staff, referral_uuid, view="referral_rights", perm=Perm.CLIENT_WRITE
    )
    form = RightsForm(request.POST)
    if form.is_valid():
        try:
            referral = services.referral_rights_record(
                referral=referral, actor=staff.user, **form.cleaned_data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if referral.rights_latest_start_on is not None:
                text = _(
                    "The rights assessment is recorded: health care starts at the latest on "
                    "%(date)s. If it does not, the client can contact Helfo."
                ) % {"date": _day(referral.rights_latest_start_on)}
            else:
                text = _(
                    "The rights assessment is recorded: no right to necessary health care. "
                    "The client can complain to Statsforvalteren; talk about other help."
                )
            messages.success(request, text)
            return redirect("referrals:detail", referral_uuid=referral.uuid)
    return _detail(request, referral, status=422, bound=form)


# --- referrals in --------------------------------------------------------------------------


def _incoming_message(incoming: IncomingReferral) -> str:
    episode: Episode = incoming.episode
    if incoming.inquiry is None:
        return _("The referral is recorded on the client's open episode; %(who)s has the case.") % {
            "who": _who(episode.responsible)
        }
    first = selectors.first_open_deadline(episode)
    due = (
        _("%(deadline)s is due %(date)s")
        % {
            "deadline": first.get_kind_display(),
            "date": _day(first.due_on),
        }
        if first is not None
        else _("no deadline follows from it")
    )
    return _("The referral is registered as an inquiry; %(due)s. Who has the case: %(who)s.") % {
        "due": due,
        "who": _who(episode.responsible),
    }


def _incoming(request: HttpRequest, staff: Staff, client: Client | None) -> HttpResponse:
    organisation = staff.organisation
    people = record_staff(organisation.pk)
    data = request.POST or None
    form = IncomingForm(data, request.FILES or None, organisation=organisation, staff=people)
    client_form = (
        ClientForm(data, prefix="client", jurisdiction=organisation.jurisdiction)
        if client is None
        else None
    )
    duplicate_url = None
    if (
        request.method == "POST"
        and form.is_valid()
        and (client_form is None or client_form.is_valid())
    ):
        values = form.cleaned_data
        site = Site.objects.filter(organisation=organisation, uuid=values["site"]).first()
        assignee = next((u for u in people if str(u.pk) == values["assign_to"]), None)
        new_client = None
        if client_form is not None:
            new_client = {
                k: ("" if v is None and k != "birth_date" else v)
                for k, v in client_form.cleaned_data.items()
            }
        try:
            incoming = services.referral_in_record(
                organisation=organisation,
                actor=staff.user,
                referrer=values["referrer"],
                referrer_name=values["referrer_name"],
                received_at=values["received_at"],
                reason=values["reason"],
                site=site,
                client=client,
                new_client=new_client,
                letter_file=values["letter_file"],
                assign_to=assignee,
            )
        except DomainError as exc:
            target: forms.Form = form
            if client_form is not None and exc.field in client_form.fields:
                target = client_form
            add_domain_error(target, exc)
            if exc.code == "duplicate_client" and "client" in exc.details:
                duplicate_url = reverse("referrals:incoming_client", args=[exc.details["client"]])
        else:
            messages.success(request, _incoming_message(incoming))
            return redirect("referrals:client", client_uuid=incoming.client.uuid)
    status = 422 if request.method == "POST" else 200
    context: dict[str, Any] = {
        "form": form,
        "client_form": client_form,
        "duplicate_url": duplicate_url,
    }
    if client is not None:
        context = client_context(request, client, "referrals", **context)
    return render(request, "referrals/incoming.html", context, status=status)


@staff_view(Perm.CLIENT_WRITE)
def incoming_new(request: HttpRequest) -> HttpResponse:
    """REF-1, INT-1: a referral in for a person not on record: registers the client, the
    inquiry and the letter together."""
    return _incoming(request, staff_for_request(request), None)


@staff_view(Perm.CLIENT_WRITE, scope="client")
def incoming_client(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """REF-1, INT-1: a referral in for a client on record."""
    staff = staff_for_request(request)
    client = client_for(request, staff, client_uuid, view="referral_in", perm=Perm.CLIENT_WRITE)
    if client.organisation_id != staff.organisation.pk:
        raise Http404
    return _incoming(request, staff, client)
