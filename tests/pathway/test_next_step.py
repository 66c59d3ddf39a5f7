"""REF-2: the one next step of an episode, derived from the state table (pathway.states), over
every state and every combination of the facts it reads. Pure: no database."""

from __future__ import annotations

import itertools

import pytest

from bedring.core.roles import Perm
from bedring.pathway.models.episode import DeadlineKind
from bedring.pathway.states import (
    COMPLETED,
    GRANTED,
    IN_PROGRESS,
    MOVES,
    NONE,
    OPEN_STATES,
    REFUSED,
    STEPS,
    EpisodeFacts,
    EpisodeState,
    NextSteps,
    Step,
    assessment_status,
    can_move,
    next_steps,
    treatment_decision,
)

BOOLS = (False, True)


def every_facts(state: str) -> list[EpisodeFacts]:
    return [
        EpisodeFacts(
            state=state,
            first_contact_made=contact,
            first_contact_due=due,
            free_choice=free,
            assessment=assessment,
            treatment_decision=decision,
            letter_unsent=letter,
            complaint_open=complaint,
            has_plan=plan,
            follow_up_due=follow_up,
        )
        for contact, due, free, assessment, decision, letter, complaint, plan, follow_up in (
            itertools.product(
                BOOLS,
                BOOLS,
                BOOLS,
                (NONE, IN_PROGRESS, COMPLETED),
                (NONE, GRANTED, REFUSED),
                BOOLS,
                BOOLS,
                BOOLS,
                BOOLS,
            )
        )
    ]


@pytest.mark.parametrize("state", EpisodeState.values)
def test_no_step_is_offered_that_the_state_table_does_not_allow(state):
    for facts in every_facts(state):
        steps = next_steps(facts)
        assert steps.primary not in steps.secondary
        assert len(set(steps.all)) == len(steps.all)
        for step in steps.all:
            target = MOVES.get(step)
            if target is not None and not (state == target == EpisodeState.ASSESSMENT):
                assert can_move(state, target), (state, step)


@pytest.mark.parametrize("state", EpisodeState.values)
def test_steps_that_belong_to_one_state_are_offered_only_there(state):
    """E.g. "record first contact" only at the inquiry, never during treatment."""
    only_in = {
        Step.RECORD_FIRST_CONTACT: {EpisodeState.INQUIRY},
        Step.BEGIN_ASSESSMENT: {EpisodeState.INQUIRY},
        Step.COMPLETE_ASSESSMENT: {EpisodeState.ASSESSMENT},
        Step.START_TREATMENT: {EpisodeState.DECIDED},
        Step.DISCHARGE: {EpisodeState.ACTIVE},
        Step.EVALUATE_PLAN: {EpisodeState.ACTIVE},
        Step.RECORD_FOLLOW_UP: {EpisodeState.DISCHARGED},
        Step.DECIDE: {EpisodeState.ASSESSMENT, EpisodeState.DECIDED},
        Step.WITHDRAW: {EpisodeState.INQUIRY, EpisodeState.ASSESSMENT, EpisodeState.DECIDED},
        Step.FREE_CHOICE: {EpisodeState.INQUIRY, EpisodeState.ASSESSMENT, EpisodeState.DECIDED},
    }
    for facts in every_facts(state):
        for step in next_steps(facts).all:
            if step in only_in:
                assert state in only_in[step], (state, step)


@pytest.mark.parametrize("state", EpisodeState.values)
def test_an_open_episode_always_has_a_next_step_and_a_closed_one_only_what_is_owed(state):
    for facts in every_facts(state):
        steps = next_steps(facts)
        if state in OPEN_STATES:
            assert steps.primary is not None
        elif state == EpisodeState.WITHDRAWN:
            assert steps.primary is None
            owed = {Step.SEND_LETTER, Step.REEVALUATE_COMPLAINT}
            assert set(steps.secondary) <= owed
        else:
            assert steps.primary == (Step.RECORD_FOLLOW_UP if facts.follow_up_due else None)


@pytest.mark.parametrize(
    ("facts", "primary"),
    [
        # inquiry: NO first contact due first, else straight to the assessment
        (EpisodeFacts(EpisodeState.INQUIRY, first_contact_due=True), Step.RECORD_FIRST_CONTACT),
        (EpisodeFacts(EpisodeState.INQUIRY), Step.START_ASSESSMENT),
        (
            EpisodeFacts(EpisodeState.INQUIRY, first_contact_due=True, first_contact_made=True),
            Step.START_ASSESSMENT,
        ),
        # assessment: start it, complete it, then it is the authority's
        (EpisodeFacts(EpisodeState.ASSESSMENT), Step.START_ASSESSMENT),
        (EpisodeFacts(EpisodeState.ASSESSMENT, assessment=IN_PROGRESS), Step.COMPLETE_ASSESSMENT),
        (EpisodeFacts(EpisodeState.ASSESSMENT, assessment=COMPLETED), Step.DECIDE),
        # decided and granted: the letter, the plan, the start
        (
            EpisodeFacts(EpisodeState.DECIDED, treatment_decision=GRANTED, letter_unsent=True),
            Step.SEND_LETTER,
        ),
        (EpisodeFacts(EpisodeState.DECIDED, treatment_decision=GRANTED), Step.MAKE_PLAN),
        (
            EpisodeFacts(EpisodeState.DECIDED, treatment_decision=GRANTED, has_plan=True),
            Step.START_TREATMENT,
        ),
        # refused: the letter, a complaint's re-evaluation, else the episode ends
        (
            EpisodeFacts(EpisodeState.DECIDED, treatment_decision=REFUSED, letter_unsent=True),
            Step.SEND_LETTER,
        ),
        (
            EpisodeFacts(EpisodeState.DECIDED, treatment_decision=REFUSED, complaint_open=True),
            Step.REEVALUATE_COMPLAINT,
        ),
        (EpisodeFacts(EpisodeState.DECIDED, treatment_decision=REFUSED), Step.WITHDRAW),
        # only a doctor's medical decision: the treatment decision is still to come
        (EpisodeFacts(EpisodeState.DECIDED), Step.DECIDE),
        # in treatment: the plan, then its evaluations
        (EpisodeFacts(EpisodeState.ACTIVE), Step.MAKE_PLAN),
        (EpisodeFacts(EpisodeState.ACTIVE, has_plan=True), Step.EVALUATE_PLAN),
        # after: the follow-ups (DIS-2)
        (EpisodeFacts(EpisodeState.DISCHARGED, follow_up_due=True), Step.RECORD_FOLLOW_UP),
        (EpisodeFacts(EpisodeState.DISCHARGED), None),
        (EpisodeFacts(EpisodeState.WITHDRAWN), None),
    ],
)
def test_the_primary_step_of_each_state(facts, primary):
    assert next_steps(facts).primary == primary


def test_the_secondary_steps_of_an_inquiry_and_of_treatment():
    inquiry = next_steps(EpisodeFacts(EpisodeState.INQUIRY, first_contact_due=True))
    assert inquiry == NextSteps(
        Step.RECORD_FIRST_CONTACT,
        (Step.START_ASSESSMENT, Step.BEGIN_ASSESSMENT, Step.FREE_CHOICE, Step.WITHDRAW),
    )
    active = next_steps(EpisodeFacts(EpisodeState.ACTIVE, has_plan=True, free_choice=False))
    assert active == NextSteps(Step.EVALUATE_PLAN, (Step.DISCHARGE, Step.DECIDE_MEDICAL))


def test_a_decision_is_offered_during_the_assessment_and_a_letter_after_the_end():
    """ASM-2: an immediate decision at the assessment; DEC-6: a letter owed after the end."""
    assert Step.DECIDE in next_steps(EpisodeFacts(EpisodeState.ASSESSMENT)).secondary
    withdrawn = next_steps(
        EpisodeFacts(EpisodeState.WITHDRAWN, letter_unsent=True, complaint_open=True)
    )
    assert withdrawn == NextSteps(None, (Step.SEND_LETTER, Step.REEVALUATE_COMPLAINT))


def test_every_step_has_a_label_a_taker_and_real_deadline_kinds():
    assert set(STEPS) == set(Step)
    for spec in STEPS.values():
        assert str(spec.label)
        assert spec.perm in (Perm.CLIENT_WRITE, Perm.DECIDE, Perm.DECIDE_MEDICAL)
        assert set(spec.deadlines) <= set(DeadlineKind.values)
    irreversible = {s for s, spec in STEPS.items() if spec.irreversible}
    assert irreversible == {
        Step.COMPLETE_ASSESSMENT,
        Step.DECIDE,
        Step.DECIDE_MEDICAL,
        Step.REEVALUATE_COMPLAINT,
        Step.DISCHARGE,
        Step.WITHDRAW,
    }


def test_what_the_assessments_and_decisions_amount_to():
    assert assessment_status([]) == NONE
    assert assessment_status([True, False]) == IN_PROGRESS
    assert assessment_status([True, True]) == COMPLETED
    assert treatment_decision([]) == NONE
    assert treatment_decision([("medical", "granted")]) == NONE
    assert treatment_decision([("treatment", "granted")]) == GRANTED
    assert treatment_decision([("treatment", "granted"), ("day_residential", "refused")]) == REFUSED
