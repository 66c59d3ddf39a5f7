"""The episode page's actions (REF-2): the one next step as the primary button, the other
steps that still apply as secondary ones, each where the viewer may take it. The steps come
from :func:`pathway.states.next_steps`; this module only says where each one is taken."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from bedring.accounts.access import Staff

from ..models import Complaint, Discharge, Episode
from ..models.decision import ComplaintStatus
from ..selectors import EpisodeNext, EpisodePage, in_force
from ..services.decision import REEVALUATED_KINDS
from ..states import STEPS, Step

# Steps taken by a small form on the episode page itself (POST), not on a page of their own.
INLINE = frozenset(
    {
        Step.RECORD_FIRST_CONTACT,
        Step.BEGIN_ASSESSMENT,
        Step.START_TREATMENT,
        Step.FREE_CHOICE,
        Step.WITHDRAW,
    }
)


@dataclass(frozen=True)
class Action:
    step: Step
    label: str
    url: str
    inline: bool  # a form on the episode page (POST) rather than a link to a page
    primary: bool

    @property
    def key(self) -> str:
        return self.step.value


def _urls(episode: Episode, page: EpisodePage, discharge: Discharge | None) -> dict[Step, str]:
    e = {"episode_uuid": episode.uuid}
    urls = {
        Step.RECORD_FIRST_CONTACT: reverse("pathway:episode_first_contact", kwargs=e),
        Step.START_ASSESSMENT: reverse("pathway:assessment_new", kwargs=e),
        Step.BEGIN_ASSESSMENT: reverse("pathway:episode_begin_assessment", kwargs=e),
        Step.DECIDE: reverse("pathway:decision_new", kwargs=e),
        Step.DECIDE_MEDICAL: reverse("pathway:decision_medical_new", kwargs=e),
        Step.MAKE_PLAN: reverse("pathway:plan_create", kwargs=e),
        Step.START_TREATMENT: reverse("pathway:episode_start", kwargs=e),
        Step.EVALUATE_PLAN: reverse("pathway:plan_evaluate", kwargs=e),
        Step.DISCHARGE: reverse("pathway:discharge_create", kwargs=e),
        Step.FREE_CHOICE: reverse("pathway:episode_free_choice", kwargs=e),
        Step.WITHDRAW: reverse("pathway:episode_withdraw", kwargs=e),
    }
    in_progress = [a for a in page.assessments if a.completed_at is None]
    if in_progress:
        urls[Step.COMPLETE_ASSESSMENT] = reverse(
            "pathway:assessment", kwargs={**e, "assessment_uuid": in_progress[-1].uuid}
        )
    unsent = [d for d in in_force(page.decisions) if d.letter_sent_on is None]
    if unsent:
        urls[Step.SEND_LETTER] = reverse(
            "pathway:decision_letter_sent", kwargs={**e, "decision_uuid": unsent[-1].uuid}
        )
    complaints: list[Complaint] = [c for d in page.decisions for c in d.complaints.all()]
    waiting = [
        c
        for c in [*complaints, *page.complaints]
        if c.status == ComplaintStatus.RECEIVED and c.kind in REEVALUATED_KINDS
    ]
    if waiting:
        oldest = min(waiting, key=lambda c: (c.received_on, c.pk))
        urls[Step.REEVALUATE_COMPLAINT] = reverse(
            "pathway:complaint_reevaluate", kwargs={**e, "complaint_uuid": oldest.uuid}
        )
    if discharge is not None:
        due = [f for f in discharge.follow_ups.all() if f.done_on is None]
        if due:
            first = min(due, key=lambda f: (f.due_on, f.pk))
            urls[Step.RECORD_FOLLOW_UP] = reverse(
                "pathway:follow_up_record", kwargs={"follow_up_uuid": first.uuid}
            )
    return urls


def step_actions(
    staff: Staff, upcoming: EpisodeNext, page: EpisodePage, discharge: Discharge | None
) -> list[Action]:
    """The steps of :func:`next_steps` the viewer may take, the primary one first."""
    episode = upcoming.episode
    urls = _urls(episode, page, discharge)
    actions = []
    for step in upcoming.steps.all:
        if step not in urls or not staff.can(STEPS[step].perm, episode.organisation_id):
            continue
        actions.append(
            Action(
                step=step,
                label=str(STEPS[step].label),
                url=urls[step],
                inline=step in INLINE,
                primary=step == upcoming.steps.primary,
            )
        )
    return actions
