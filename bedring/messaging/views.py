"""The outbox page of an organisation and a client's contact and reminder page (APT-3).
Thin: parse, check access (clients.access, messaging.access), call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bedring.accounts.access import staff_for_request, staff_view
from bedring.audit.services import access_search_results
from bedring.clients.access import client_for
from bedring.clients.models import Client, ReminderChannel
from bedring.clients.views import client_context
from bedring.core import clock
from bedring.core.errors import DomainError
from bedring.core.forms import add_domain_error
from bedring.core.paging import Paginator
from bedring.core.roles import Perm

from . import selectors, services
from .access import message_for
from .forms import ContactPreferencesForm
from .models import MessageStatus

PAGE_SIZE = 50


def _initial(client: Client) -> dict[str, object]:
    return {
        "phone": client.phone,
        "email": client.email,
        "reminder_consent": "yes" if client.reminder_consent else "no",
        "reminder_channel": client.reminder_channel,
        "reminder_label": client.reminder_label,
    }


@staff_view(Perm.CLIENT_READ, scope="client")
def client_reminders(request: HttpRequest, client_uuid: str) -> HttpResponse:
    """APT-3: the client's mobile number, e-mail, consent to reminders, channel and name, and
    the client's latest messages. Saving re-plans the queued reminders."""
    staff = staff_for_request(request)
    perm = Perm.CLIENT_WRITE if request.method == "POST" else Perm.CLIENT_READ
    client = client_for(request, staff, client_uuid, view="messaging_client", perm=perm)
    rules = services.reminder_settings(client.organisation)
    form = ContactPreferencesForm(request.POST or None, initial=_initial(client), rules=rules)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.contact_preferences_save(
                client=client, actor=staff.user, at=clock.now(), **data
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if saved.reminder_consent and rules is not None:
                channel = ReminderChannel(saved.reminder_channel).label
                messages.success(
                    request,
                    _("Saved. Reminders of appointments go by %(channel)s, signed “%(name)s”.")
                    % {"channel": channel, "name": rules.label_for(saved.reminder_label)},
                )
            elif saved.reminder_consent:
                messages.success(
                    request,
                    _("Saved. This organisation has no reminder rules yet: no reminder goes."),
                )
            else:
                messages.success(
                    request, _("Saved. The client gets no reminders; queued ones are cancelled.")
                )
            return redirect("messaging:client", client_uuid=client.uuid)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "messaging/client.html",
        client_context(
            request,
            client,
            "overview",
            form=form,
            rules=rules,
            recent=selectors.client_messages(client),
            consent_by=client.reminder_consent_by,
        ),
        status=status,
    )


@staff_view(Perm.CLIENT_READ)
def outbox(request: HttpRequest) -> HttpResponse:
    """The active organisation's failed and queued messages, each client linked; every client
    listed is in the access log."""
    staff = staff_for_request(request)
    organisation = staff.organisation
    status = request.GET.get("status", MessageStatus.FAILED)
    if status not in (MessageStatus.FAILED, MessageStatus.QUEUED):
        status = MessageStatus.FAILED
    rows = selectors.outbox(organisation_id=organisation.pk, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    access_search_results(
        actor=staff.user,
        clients=[m.client for m in page.object_list],
        view="messaging_outbox",
        channel="html",
        request=request,
    )
    return render(
        request,
        "messaging/outbox.html",
        {
            "page": page,
            "status": status,
            "counts": selectors.outbox_counts(organisation_id=organisation.pk),
            "rules": services.reminder_settings(organisation),
            "can_write": staff.can(Perm.CLIENT_WRITE, organisation.pk),
        },
    )


@require_POST
@staff_view(Perm.CLIENT_WRITE, scope="client")
def message_retry(request: HttpRequest, message_uuid: str) -> HttpResponse:
    staff = staff_for_request(request)
    message = message_for(
        request, staff, message_uuid, view="messaging_retry", perm=Perm.CLIENT_WRITE
    )
    try:
        services.message_retry(message=message, at=clock.now())
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request,
            _("The message to %(name)s is queued again and goes within a few minutes.")
            % {"name": message.client.display_name},
        )
    return redirect("messaging:outbox")
