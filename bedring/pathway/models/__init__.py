"""The client pathway: inquiry, assessment, decision, plan and evaluation (INT, ASM, DEC, PLN)."""

from .assessment import Assessment, QuestionSet, TdiIntake
from .decision import ChildNotification, Complaint, Decision
from .discharge import Discharge, FollowUp, GoalResult
from .episode import Deadline, Episode, EpisodeEvent, Inquiry
from .plan import Evaluation, Goal, GoalProgress, Plan

__all__ = [
    "Assessment",
    "ChildNotification",
    "Complaint",
    "Deadline",
    "Decision",
    "Discharge",
    "Episode",
    "EpisodeEvent",
    "Evaluation",
    "FollowUp",
    "Goal",
    "GoalProgress",
    "GoalResult",
    "Inquiry",
    "Plan",
    "QuestionSet",
    "TdiIntake",
]
