"""The catalogue of offers per organisation (CAT-1), versioned: an edit is a new version, and
enrolments keep the terms of the version they were made under."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation
from bedring.core.models import BaseModel
from bedring.pathway.models.plan import Progress

from .terms import OfferTerms


class Offer(BaseModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offers")
    key = models.SlugField(max_length=50)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    name = models.CharField(_("name"), max_length=200)
    intensity = models.CharField(_("intensity"), max_length=20)
    # The full terms (bedring.catalogue.terms.OfferTerms, validated on every write).
    terms = models.JSONField()

    class Meta:
        ordering: ClassVar = ["organisation", "key", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organisation", "key", "version"], name="offer_version_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=Q(is_current=True),
                name="offer_one_current",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    @property
    def parsed(self) -> OfferTerms:
        return OfferTerms.model_validate(self.terms)


class ClosedDayRule(models.TextChoices):
    EXTEND = "extend", _("Skip the day and add a session at the end")
    MOVE = "move", _("Move the session to the next open day")
    DROP = "drop", _("Drop the session")


class Course(BaseModel):
    """SCH-1: one run of a group offer: start date, staff, room, capacity; its sessions are
    generated from the offer's cadence, around the organisation's closed days."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="courses")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    start_time = models.TimeField(_("time"), null=True, blank=True)
    room = models.CharField(_("room"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"))
    on_closed_day = models.CharField(
        _("on a closed day"),
        max_length=8,
        choices=ClosedDayRule.choices,
        default=ClosedDayRule.EXTEND,
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="courses", blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title or f"{self.offer.name} {self.starts_on}"


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended early")


class Enrolment(BaseModel):
    """A client in an offer (in a course for group offers), under the offer version's terms."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.PROTECT, related_name="enrolments"
    )
    episode = models.ForeignKey(
        "pathway.Episode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
    )
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="enrolments")
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="enrolments"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("starts on"))
    status = models.CharField(
        _("status"), max_length=10, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE
    )
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # SCH-2: raised after N no-shows in a row (rule pack no_show_flag_after); cleared by attendance.
    no_show_flag = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["-starts_on", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["client", "course"],
                condition=Q(course__isnull=False) & Q(status="active"),
                name="enrolment_once_per_course",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} in {self.offer}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)}


class EnrolmentGoal(BaseModel):
    """A SMART goal a named client works on in the offer itself (``individual_goals`` in the
    terms: Lykken, seed 003 line 541), with or without a treatment plan: what, how it is
    measured, the target and by when, in the client's words, as a plan's goal (PLN-1). A goal
    is never deleted: its progress says whether it is reached or no longer a goal."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="goals")
    text = models.CharField(_("goal"), max_length=300)
    measure = models.CharField(_("how it is measured"), max_length=300)
    target = models.CharField(_("target"), max_length=200)
    due_on = models.DateField(_("by"))
    client_words = models.TextField(_("in the client's words"), blank=True)
    agreed_on = models.DateField(_("agreed on"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # As a plan's goal at an evaluation (PLN-2), and the day it was last recorded.
    progress = models.CharField(
        _("progress"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    progress_on = models.DateField(_("progress recorded on"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["agreed_on", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("agreed_on")), name="enrolment_goal_due_after"
            )
        ]

    def __str__(self) -> str:
        return self.text

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.enrolment.client_id)}


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Session(BaseModel):
    """One meeting: of a course (all its enrolments), or of one individual enrolment."""

    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    enrolment = models.ForeignKey(
        Enrolment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="individual_sessions",
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    index = models.PositiveIntegerField(default=1)
    on = models.DateField(_("date"))
    start_time = models.TimeField(_("time"), null=True, blank=True)
    minutes = models.PositiveIntegerField(null=True, blank=True)
    moved_from = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="sessions", blank=True)

    class Meta:
        ordering: ClassVar = ["on", "start_time", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(course__isnull=False, enrolment__isnull=True)
                | Q(course__isnull=True, enrolment__isnull=False),
                name="session_of_course_or_enrolment",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["organisation", "on"])]

    def __str__(self) -> str:
        return f"{self.on} #{self.index}"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    ABSENT = "absent", _("Absent")
    CANCELLED = "cancelled", _("Cancelled with notice")


class Attendance(BaseModel):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    # SCH-1, JRN-1: a short remark on the client at this session ("took part actively"); a
    # contact worth documenting is a journal note of type group session. Corrected in place
    # like the status: the change log keeps the old text.
    note = models.CharField(_("short note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once"),
        ]
        # The no-show figure joins one period's sessions to their attendance: with the
        # columns it reads in the index, PostgreSQL looks each session up in the index
        # instead of reading the whole attendance table (docs/performance.md).
        indexes: ClassVar = [
            models.Index(
                fields=["session"],
                include=["enrolment", "status", "id"],
                name="attendance_session_cover",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.status}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.enrolment.client_id)}


class GiftCard(BaseModel):
    """CAT-3 MOVE: the ledger of gift cards handed out, one per due attended conversation."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="gift_cards")
    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="gift_card")
    amount = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    handed_out_on = models.DateField()
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.enrolment.client_id)}


class AgeBand(models.TextChoices):
    UNDER_15 = "0-14", "0–14"
    AGE_15_17 = "15-17", "15–17"
    AGE_18_23 = "18-23", "18–23"
    AGE_24_29 = "24-29", "24–29"
    AGE_30_49 = "30-49", "30–49"
    AGE_50_PLUS = "50+", "50+"
    UNKNOWN = "unknown", _("Not known")

    @property
    def top(self) -> int | None:
        """The oldest age in the band ("15-17": 17); None for 50+ and not known."""
        _low, dash, high = self.value.partition("-")
        return int(high) if dash else None


class Tally(BaseModel):
    """INT-3, INT-4, HRM-5: anonymous counts where the sources forbid opening a case: no person,
    only the date, the site, the offer, a count and an age band."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("accounts.Site", on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="tallies")
    on = models.DateField(_("date"))
    count = models.PositiveIntegerField(_("count"))
    age_band = models.CharField(
        _("age band"), max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(count__gte=1), name="tally_positive")
        ]

    def __str__(self) -> str:
        return f"{self.on} {self.count}"


class CalendarFeed(models.Model):
    """SCH-4: a staff member's secret iCalendar URL; only the hash of the secret is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"feed {self.user_id}"
