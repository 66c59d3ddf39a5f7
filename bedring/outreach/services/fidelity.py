"""The outreach model's fidelity checklist (HRM-10, seed 001): whether each element of the
model held at a site in a quarter, with a note. One row per site, quarter and element (the
database refuses a second); django-auditlog keeps the old and new values and who changed them.

Rules decided here where the sources are silent:

* **Who.** Managers (OUTCOMES): the checklist is the organisation's own account to the
  evaluator of how faithfully it ran the model, next to the figures it reports.
* **When.** A quarter's checklist may be ticked and changed from the quarter's first day to
  the last day of the following quarter (a team looks back on a quarter once it is over);
  before, ``quarter_not_started``; after, ``quarter_closed`` (both 422): the evaluator's
  record of a closed quarter does not move.
* **What.** Only the elements of the organisation's pack (``evaluation.fidelity``); an
  organisation without them (Sønderborg runs outreach without the national model) is 422
  ``no_fidelity_elements``. A write names one or more elements; the others keep what they
  had. Everything is checked before anything is written: a refusal writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site, User
from bedring.core import clock
from bedring.core.errors import Conflict, ValidationFailed

from .. import evaluation as ev
from ..models import FidelityCheck
from ..selectors import outreach_spec

NOTE_MAX = 500


@dataclass(frozen=True)
class FidelityTick:
    element: str
    held: bool
    note: str = ""


def fidelity_elements(organisation: Organisation) -> list[str]:
    spec = outreach_spec(organisation)
    if spec is None or spec.evaluation is None:
        return []
    return [e.key for e in spec.evaluation.fidelity]


def check_quarter(quarter: datetime.date, today: datetime.date) -> None:
    if not ev.is_quarter_start(quarter):
        raise ValidationFailed(
            "quarter_invalid",
            _("Name a quarter by its first day: 1 January, 1 April, 1 July or 1 October."),
            field="quarter",
        )
    if quarter > today:
        raise ValidationFailed(
            "quarter_not_started",
            _("The quarter has not started yet: its checklist opens on its first day."),
            field="quarter",
        )
    if today > ev.fidelity_editable_until(quarter):
        raise ValidationFailed(
            "quarter_closed",
            _("The quarter's checklist closed on %(day)s, at the end of the following quarter.")
            % {"day": ev.fidelity_editable_until(quarter).isoformat()},
            field="quarter",
        )


@transaction.atomic
def fidelity_save(
    *,
    organisation: Organisation,
    site: Site,
    quarter: datetime.date,
    ticks: Sequence[FidelityTick],
    actor: User,
    today: datetime.date | None = None,
) -> list[FidelityCheck]:
    """HRM-10: record whether each named element held at ``site`` in ``quarter``. Refusals
    (422): ``no_fidelity_elements``, ``unknown_site``, ``quarter_invalid``,
    ``quarter_not_started``, ``quarter_closed``, ``ticks_required``, ``unknown_element``,
    ``element_repeated``, ``note_too_long``; 409 ``fidelity_saved_meanwhile`` when another
    write created the same row at the same moment."""
    known = fidelity_elements(organisation)
    if not known:
        raise ValidationFailed(
            "no_fidelity_elements",
            _(
                "This organisation's pack lists no elements of the national outreach model, so "
                "there is no fidelity checklist to tick."
            ),
        )
    if site.organisation_id != organisation.pk:
        raise ValidationFailed(
            "unknown_site", _("Choose one of the organisation's sites."), field="site"
        )
    check_quarter(quarter, today or clock.today(organisation))
    if not ticks:
        raise ValidationFailed(
            "ticks_required",
            _("Tick at least one element as held or not held."),
            field="elements",
        )
    seen: set[str] = set()
    cleaned: list[FidelityTick] = []
    for tick in ticks:
        if tick.element not in known:
            raise ValidationFailed(
                "unknown_element",
                _("%(element)s is not an element of the model in the organisation's pack.")
                % {"element": tick.element},
                field="elements",
                details={"element": tick.element, "known": known},
            )
        if tick.element in seen:
            raise ValidationFailed(
                "element_repeated",
                _("%(element)s is named twice.") % {"element": tick.element},
                field="elements",
                details={"element": tick.element},
            )
        seen.add(tick.element)
        note = tick.note.strip()
        if len(note) > NOTE_MAX:
            raise ValidationFailed(
                "note_too_long",
                _("A note has at most %(max)s characters.") % {"max": NOTE_MAX},
                field="elements",
                details={"element": tick.element},
            )
        cleaned.append(FidelityTick(tick.element, bool(tick.held), note))

    stored = {
        c.element: c
        for c in FidelityCheck.objects.select_for_update().filter(site=site, quarter=quarter)
    }
    saved: list[FidelityCheck] = []
    for tick in cleaned:
        check = stored.get(tick.element)
        if check is None:
            try:
                with transaction.atomic():
                    check = FidelityCheck.objects.create(
                        organisation=organisation,
                        site=site,
                        quarter=quarter,
                        element=tick.element,
                        met=tick.held,
                        note=tick.note,
                        checked_by=actor,
                    )
            except IntegrityError:
                # Someone ticked the same element at the same moment: theirs stands.
                raise Conflict(
                    "fidelity_saved_meanwhile",
                    _("Someone saved this checklist at the same moment. Open it again."),
                ) from None
        elif check.met != tick.held or check.note != tick.note:
            check.met, check.note, check.checked_by = tick.held, tick.note, actor
            check.save(update_fields=["met", "note", "checked_by", "updated_at"])
        saved.append(check)
    return saved
