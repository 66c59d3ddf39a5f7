"""The episode's states and the only moves between them (STYLE.md: Oscar's status pipeline).

Pure: no ORM. A move not in the table is refused with a domain error that the view shows as a
message and the API answers with 409 ``bad_transition``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bedring.core.errors import Conflict
from bedring.core.roles import Perm


class EpisodeState(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry received")
    ASSESSMENT = "assessment", _("Assessment")
    DECIDED = "decided", _("Decided")
    ACTIVE = "active", _("Active treatment")
    DISCHARGED = "discharged", _("Discharged")
    WITHDRAWN = "withdrawn", _("Ended before treatment")


OPEN_STATES = (
    EpisodeState.INQUIRY,
    EpisodeState.ASSESSMENT,
    EpisodeState.DECIDED,
    EpisodeState.ACTIVE,
)

# from-state -> the states it may move to. "decided" may be decided again: a complaint's
# re-evaluation can change the decision. Immediate authorisation at the assessment (ASM-2)
# is assessment -> decided -> active in one sitting.
TRANSITIONS: dict[str, frozenset[str]] = {
    EpisodeState.INQUIRY: frozenset({EpisodeState.ASSESSMENT, EpisodeState.WITHDRAWN}),
    EpisodeState.ASSESSMENT: frozenset({EpisodeState.DECIDED, EpisodeState.WITHDRAWN}),
    EpisodeState.DECIDED: frozenset(
        {EpisodeState.DECIDED, EpisodeState.ACTIVE, EpisodeState.WITHDRAWN}
    ),
    EpisodeState.ACTIVE: frozenset({EpisodeState.DISCHARGED}),
    EpisodeState.DISCHARGED: frozenset(),
    EpisodeState.WITHDRAWN: frozenset(),
}


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_move(current: str, target: str) -> None:
    if not can_move(current, target):
        labels = dict(EpisodeState.choices)
        raise Conflict(
            "bad_transition",
            _("An episode in state “%(current)s” cannot move to “%(target)s”.")
            % {"current": labels.get(current, current), "target": labels.get(target, target)},
            details={"from": current, "to": target},
        )


# --- The next step (REF-2) ---------------------------------------------------------------
#
# What an episode needs next, derived from its state (the table above) and a few facts about
# it. One pure function, :func:`next_steps`, answers for the episode page, the home pages and
# the messages after each step: the one primary step, and the secondary ones that still
# apply. A step that moves the episode is offered only where TRANSITIONS allows the move, so
# the pages never offer a step that no longer applies.


class Step(StrEnum):
    RECORD_FIRST_CONTACT = "record_first_contact"
    START_ASSESSMENT = "start_assessment"
    BEGIN_ASSESSMENT = "begin_assessment"
    COMPLETE_ASSESSMENT = "complete_assessment"
    DECIDE = "decide"
    DECIDE_MEDICAL = "decide_medical"
    REEVALUATE_COMPLAINT = "reevaluate_complaint"
    SEND_LETTER = "send_letter"
    MAKE_PLAN = "make_plan"
    START_TREATMENT = "start_treatment"
    EVALUATE_PLAN = "evaluate_plan"
    DISCHARGE = "discharge"
    RECORD_FOLLOW_UP = "record_follow_up"
    FREE_CHOICE = "free_choice"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class StepSpec:
    """``perm``: who takes the step (the responsible counsellor's client_write, the
    authority's decide, a doctor's decide_medical). ``deadlines``: the deadline kinds whose
    earliest open date is the step's due date. ``irreversible``: the page asks for a
    confirmation before it is taken."""

    label: Promise
    perm: Perm
    deadlines: tuple[str, ...] = ()
    irreversible: bool = False


STEPS: dict[Step, StepSpec] = {
    Step.RECORD_FIRST_CONTACT: StepSpec(
        _("Record first contact"), Perm.CLIENT_WRITE, ("callback", "first_contact")
    ),
    Step.START_ASSESSMENT: StepSpec(
        _("Start an assessment"), Perm.CLIENT_WRITE, ("assessment", "treatment_start")
    ),
    Step.BEGIN_ASSESSMENT: StepSpec(
        _("Begin assessment"), Perm.CLIENT_WRITE, ("assessment", "treatment_start")
    ),
    Step.COMPLETE_ASSESSMENT: StepSpec(
        _("Complete the assessment"),
        Perm.CLIENT_WRITE,
        ("assessment", "treatment_start"),
        irreversible=True,
    ),
    Step.DECIDE: StepSpec(
        _("Decide on treatment"), Perm.DECIDE, ("treatment_start",), irreversible=True
    ),
    Step.DECIDE_MEDICAL: StepSpec(
        _("Decide on medical treatment"),
        Perm.DECIDE_MEDICAL,
        ("treatment_start",),
        irreversible=True,
    ),
    Step.REEVALUATE_COMPLAINT: StepSpec(
        _("Re-evaluate the complaint"),
        Perm.DECIDE,
        ("complaint_reevaluation",),
        irreversible=True,
    ),
    Step.SEND_LETTER: StepSpec(
        _("Send the decision letter"), Perm.CLIENT_WRITE, ("decision_letter",)
    ),
    Step.MAKE_PLAN: StepSpec(
        _("Make the plan with the client"), Perm.CLIENT_WRITE, ("treatment_start",)
    ),
    Step.START_TREATMENT: StepSpec(_("Start treatment"), Perm.CLIENT_WRITE, ("treatment_start",)),
    Step.EVALUATE_PLAN: StepSpec(_("Evaluate the plan"), Perm.CLIENT_WRITE, ("plan_evaluation",)),
    Step.DISCHARGE: StepSpec(_("Discharge"), Perm.CLIENT_WRITE, (), irreversible=True),
    Step.RECORD_FOLLOW_UP: StepSpec(
        _("Record follow-up"), Perm.CLIENT_WRITE, ("discharge_follow_up",)
    ),
    Step.FREE_CHOICE: StepSpec(_("Record free choice"), Perm.CLIENT_WRITE),
    Step.WITHDRAW: StepSpec(_("End the episode"), Perm.CLIENT_WRITE, (), irreversible=True),
}

# What the episode's assessments and decisions in force amount to.
NONE, IN_PROGRESS, COMPLETED = "none", "in_progress", "completed"
GRANTED, REFUSED = "granted", "refused"
# The decisions that authorise treatment (DEC-1); a doctor's medical decision does not.
TREATMENT_KINDS = frozenset({"treatment", "day_residential"})


@dataclass(frozen=True)
class EpisodeFacts:
    """What the next step depends on besides the state. ``first_contact_due``: an open
    first-contact or call-back deadline (INT-6); ``letter_unsent``: an open decision-letter
    deadline; ``complaint_open``: an open complaint re-evaluation; ``follow_up_due``: an open
    follow-up after discharge."""

    state: str
    first_contact_made: bool = False
    first_contact_due: bool = False
    free_choice: bool = False
    assessment: str = NONE
    treatment_decision: str = NONE
    letter_unsent: bool = False
    complaint_open: bool = False
    has_plan: bool = False
    follow_up_due: bool = False


@dataclass(frozen=True)
class NextSteps:
    primary: Step | None
    secondary: tuple[Step, ...] = ()

    @property
    def all(self) -> tuple[Step, ...]:
        return ((self.primary,) if self.primary else ()) + self.secondary


def assessment_status(completed: Iterable[bool]) -> str:
    """The episode's assessments: none, one still in progress, or all completed."""
    flags = list(completed)
    if not flags:
        return NONE
    return COMPLETED if all(flags) else IN_PROGRESS


def treatment_decision(in_force: Iterable[tuple[str, str]]) -> str:
    """The treatment decisions in force, as (kind, outcome): granted only when one grants and
    none refuses (what episode_start_treatment requires), refused when one refuses."""
    outcomes = {outcome for kind, outcome in in_force if kind in TREATMENT_KINDS}
    if REFUSED in outcomes:
        return REFUSED
    return GRANTED if GRANTED in outcomes else NONE


def next_steps(facts: EpisodeFacts) -> NextSteps:
    """REF-2: the one next step of an episode and the others that still apply."""
    state = facts.state
    steps: list[Step] = []
    primary: Step | None = None

    def offer(*candidates: Step) -> None:
        for step in candidates:
            if step not in steps:
                steps.append(step)

    if state == EpisodeState.INQUIRY:
        wants_contact = not facts.first_contact_made
        primary = (
            Step.RECORD_FIRST_CONTACT
            if wants_contact and facts.first_contact_due
            else Step.START_ASSESSMENT
        )
        if wants_contact:
            offer(Step.RECORD_FIRST_CONTACT)
        offer(Step.START_ASSESSMENT, Step.BEGIN_ASSESSMENT)
    elif state == EpisodeState.ASSESSMENT:
        primary = {
            NONE: Step.START_ASSESSMENT,
            IN_PROGRESS: Step.COMPLETE_ASSESSMENT,
            COMPLETED: Step.DECIDE,
        }[facts.assessment]
        # ASM-2: a decision may be taken at the assessment conversation (immediate).
        offer(Step.DECIDE, Step.DECIDE_MEDICAL)
    elif state == EpisodeState.DECIDED:
        if facts.treatment_decision == GRANTED:
            if facts.letter_unsent:
                primary = Step.SEND_LETTER
            else:
                primary = Step.START_TREATMENT if facts.has_plan else Step.MAKE_PLAN
            offer(Step.START_TREATMENT)
            if not facts.has_plan:
                offer(Step.MAKE_PLAN)
        elif facts.treatment_decision == REFUSED:
            if facts.letter_unsent:
                primary = Step.SEND_LETTER
            elif facts.complaint_open:
                primary = Step.REEVALUATE_COMPLAINT
            else:
                primary = Step.WITHDRAW
        else:
            primary = Step.DECIDE  # only a doctor's medical decision so far
        offer(Step.DECIDE, Step.DECIDE_MEDICAL)
    elif state == EpisodeState.ACTIVE:
        primary = Step.EVALUATE_PLAN if facts.has_plan else Step.MAKE_PLAN
        offer(Step.DISCHARGE, Step.DECIDE_MEDICAL)
    elif state == EpisodeState.DISCHARGED and facts.follow_up_due:
        primary = Step.RECORD_FOLLOW_UP
    # Owed to the client whatever the state (DEC-2, DEC-6): the letter and the re-evaluation.
    if facts.letter_unsent:
        offer(Step.SEND_LETTER)
    if facts.complaint_open:
        offer(Step.REEVALUATE_COMPLAINT)
    if state in OPEN_STATES and not facts.free_choice and state != EpisodeState.ACTIVE:
        offer(Step.FREE_CHOICE)
    if can_move(state, EpisodeState.WITHDRAWN):
        offer(Step.WITHDRAW)
    return NextSteps(primary, tuple(s for s in steps if s != primary and _applies(s, state)))


# The move each step makes, checked against TRANSITIONS.
MOVES: dict[Step, str] = {
    Step.START_ASSESSMENT: EpisodeState.ASSESSMENT,
    Step.BEGIN_ASSESSMENT: EpisodeState.ASSESSMENT,
    Step.START_TREATMENT: EpisodeState.ACTIVE,
    Step.DISCHARGE: EpisodeState.DISCHARGED,
    Step.WITHDRAW: EpisodeState.WITHDRAWN,
}


def _applies(step: Step, state: str) -> bool:
    target = MOVES.get(step)
    if target is None or state == target == EpisodeState.ASSESSMENT:
        return True  # another assessment during the assessment is no move
    return can_move(state, target)
