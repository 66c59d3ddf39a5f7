"""REF-2: who has the case after a step, and by when the next step is due.

Each state change ends with a message saying what happens next and who now has the case:
"Assessment completed. The case is now with Myndighed Social for a decision, due 12 December
2026." The next step comes from :func:`pathway.states.next_steps` (the one function); the
due date from the episode's open deadlines of the step's kinds; the holder from the step's
permission: the authority unit (the rule pack's ``decision_unit_name``, seed 002 §12), a
doctor, or the responsible counsellor.
"""

from __future__ import annotations

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bedring.accounts.selectors import rules_for
from bedring.core.roles import Perm

from .models import Episode
from .selectors import EpisodeNext, episode_next
from .states import STEPS, Step


def holder(episode: Episode, step: Step) -> str:
    """Who takes ``step``: the deciding unit, a doctor, or the responsible counsellor."""
    perm = STEPS[step].perm
    if perm == Perm.DECIDE:
        unit = rules_for(episode.organisation).decision_unit_name
        return unit or _("the authority caseworkers")
    if perm == Perm.DECIDE_MEDICAL:
        return _("a doctor")
    person = episode.responsible
    if person is None:
        return _("nobody yet: assign a responsible counsellor")
    return person.get_full_name() or person.username


def _day(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def what_next(upcoming: EpisodeNext) -> str:
    """One sentence: the next step, who has it and when it is due."""
    episode, step = upcoming.episode, upcoming.steps.primary
    if step is None:
        return _("Nothing more is due on this episode.")
    who, due = holder(episode, step), upcoming.due_on
    if step == Step.DECIDE:
        if due is None:
            return _("The case is now with %(who)s for a decision.") % {"who": who}
        return _("The case is now with %(who)s for a decision, due %(date)s.") % {
            "who": who,
            "date": _day(due),
        }
    if step == Step.REEVALUATE_COMPLAINT:
        if due is None:
            return _("The case is now with %(who)s to re-evaluate the complaint.") % {"who": who}
        return _("The case is now with %(who)s to re-evaluate the complaint, due %(date)s.") % {
            "who": who,
            "date": _day(due),
        }
    label = STEPS[step].label
    if due is None:
        return _("Next step: %(step)s, by %(who)s.") % {"step": label, "who": who}
    return _("Next step: %(step)s, by %(who)s, due %(date)s.") % {
        "step": label,
        "who": who,
        "date": _day(due),
    }


def after(episode: Episode) -> str:
    """What happens next on the episode as it now is in the database (five queries)."""
    fresh = Episode.objects.select_related("organisation", "responsible").get(pk=episode.pk)
    return what_next(episode_next(fresh))


def handover_message(episode: Episode, done: str) -> str:
    """``done`` ("Assessment completed.") followed by what happens next."""
    return f"{done} {after(episode)}"
