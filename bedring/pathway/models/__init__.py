"""The client pathway: inquiry, assessment, decision, plan and evaluation (INT, ASM, DEC, PLN)."""

from .assessment import Assessment, QuestionSet, TdiIntake
from .decision import ChildNotification, Complaint, Decision
from .episode import Deadline, Episode, EpisodeEvent, Inquiry
from .plan import Evaluation, Goal, GoalProgress, Plan

__all__ = [
    "Assessment",
    "ChildNotification",
    "Complaint",
    "Deadline",
    "Decision",
    "Episode",
    "EpisodeEvent",
    "Evaluation",
    "Goal",
    "GoalProgress",
    "Inquiry",
    "Plan",
    "QuestionSet",
    "TdiIntake",
]
