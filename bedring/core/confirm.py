"""Irreversible steps ask first (REF-2): completing an assessment, a decision, a discharge,
ending an episode or a prescription.

Without JavaScript: the step's form posts as before; a valid post without ``confirm=1``
changes nothing and answers a confirmation page that says what will happen and posts the same
fields again with ``confirm=1`` (or ``edit=1`` to go back to the form filled in). The API
takes no confirmation: a client program has decided before it calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

CONFIRM = "confirm"
EDIT = "edit"
NOT_REPOSTED = frozenset({"csrfmiddlewaretoken", CONFIRM, EDIT})
T = TypeVar("T")


def confirmed(request: HttpRequest) -> bool:
    """The second post, from the confirmation page."""
    return request.method == "POST" and request.POST.get(CONFIRM) == "1"


def editing(request: HttpRequest) -> bool:
    """Back from the confirmation page to the form, with what was typed."""
    return request.method == "POST" and request.POST.get(EDIT) == "1"


@dataclass(frozen=True)
class Confirmation:
    """``title``: the question ("Complete the assessment?"); ``facts``: what was chosen, as
    (label, value); ``consequences``: what happens and what cannot be undone; ``action``: the
    confirm button; ``cancel_url``: where "Cancel" goes; ``can_edit``: the page offers to go
    back to the form; ``destructive``: the step ends or takes away something (an episode, a
    prescription), so its button is the form pattern's ``danger`` one."""

    title: str | Promise
    action: str | Promise
    cancel_url: str
    facts: Sequence[tuple[str | Promise, Any]] = ()
    consequences: Sequence[str | Promise] = ()
    can_edit: bool = False
    destructive: bool = False


def confirm_page(
    request: HttpRequest,
    confirmation: Confirmation,
    context: dict[str, Any] | None = None,
    *,
    template: str = "confirm.html",
) -> HttpResponse:
    """The confirmation page: the fields posted go back as hidden fields (every value of
    every name, so formsets and multiple choices survive), nothing is written."""
    hidden = [
        (name, value)
        for name in request.POST
        if name not in NOT_REPOSTED
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        template,
        {**(context or {}), "confirmation": confirmation, "hidden": hidden},
    )


class _DryRun(Exception):
    pass


def dry_run(act: Callable[[], T]) -> T:
    """Run a step (a service call) and roll back everything it wrote, so that the
    confirmation page is shown only for a step the rules accept and can say exactly what it
    will do (the next deadline, who then has the case). A refusal (``DomainError``) comes out
    as the step's would."""
    outcome: list[T] = []
    try:
        with transaction.atomic():
            outcome.append(act())
            raise _DryRun
    except _DryRun:
        pass
    return outcome[0]
