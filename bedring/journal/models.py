"""The journal (JRN-1, JRN-2, PRV-1): progress notes of every contact with a client.

A ``Note`` row is one *version* of a note. A note is a draft until its author signs it; a
signed version is never changed or deleted (the services refuse, the model refuses, and the
database refuses: triggers of migration 0002). A correction is a new signed version that
supersedes the previous one (``supersedes``, ``version`` + 1, the same ``chain``) with who
(``author``), when (``signed_at``) and why (``correction_reason``); the old version stays
readable by those who may read the note.

A restricted note (JRN-2) is read only by its author's role and the roles the organisation's
rule pack names (``journal_restricted``); others see that it exists, not its text. Every
display of a restricted note's text to someone other than its author is a ``NoteRead`` row
(and an access-log entry), so the client's access report can say who read which.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.clients.models import Client, ClientOwned
from bedring.core.roles import Role
from bedring.pathway.models import Episode, Goal


class ContactType(models.TextChoices):
    """JRN-1: the kinds of contact documented. The keys are the rule pack's
    ``ContactTypeKey`` (bedring.rules.packs), which names the templates."""

    CONVERSATION = "conversation", _("Conversation")
    PHONE = "phone", _("Phone call")
    HOME_VISIT = "home_visit", _("Home visit")
    GROUP_SESSION = "group_session", _("Group session")
    DOSE_OBSERVATION = "dose_observation", _("Dose observation")
    OUTREACH = "outreach", _("Outreach contact")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    MEDICAL = "medical", _("Medical note")
    OTHER = "other", _("Other")


class SignedNoteError(RuntimeError):
    """A signed version was about to be changed or deleted past the services."""


class Note(ClientOwned):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="journal_notes")
    episode = models.ForeignKey(
        Episode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journal_notes",
        verbose_name=_("episode"),
    )
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="journal_notes", verbose_name=_("plan goals")
    )
    contact_type = models.CharField(_("contact type"), max_length=20, choices=ContactType.choices)
    contact_at = models.DateTimeField(_("time of the contact"))
    text = models.TextField(_("text"))
    restricted = models.BooleanField(_("restricted"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    # The role the author wrote as: who else reads a restricted note follows from it.
    author_role = models.CharField(_("author's role"), max_length=24, choices=Role.choices)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    # All versions of one note share the chain (the first version's uuid).
    chain = models.UUIDField(db_index=True, editable=False)
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    correction_reason = models.TextField(_("reason for the correction"), blank=True)

    class Meta:
        ordering: ClassVar = ["-contact_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["chain", "version"], name="note_version_once"),
            # A first version corrects nothing; a correction names what it corrects and why.
            models.CheckConstraint(
                condition=Q(version=1, supersedes__isnull=True, correction_reason="")
                | (Q(version__gt=1, supersedes__isnull=False) & ~Q(correction_reason="")),
                name="note_correction_has_reason",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["client", "-contact_at"], name="note_client_contact"),
            models.Index(fields=["author", "-signed_at"], name="note_author_signed"),
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} {self.contact_at:%Y-%m-%d} v{self.version}"

    # The model refuses to change or delete a signed version (the services never try;
    # a stray ``save()`` elsewhere fails loudly). The database triggers do the same for SQL.
    @classmethod
    def from_db(cls, *args: Any, **kwargs: Any) -> Note:
        instance = super().from_db(*args, **kwargs)
        instance._signed_in_db = instance.__dict__.get("signed_at") is not None
        return instance

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_signed_in_db", False):
            raise SignedNoteError("a signed journal note is never changed")
        super().save(*args, **kwargs)
        self._signed_in_db = self.signed_at is not None

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if getattr(self, "_signed_in_db", False) or self.signed_at is not None:
            raise SignedNoteError("a signed journal note is never deleted")
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def is_correction(self) -> bool:
        return self.version > 1


class NoteRead(models.Model):
    """PRV-1, JRN-2: a restricted note's text shown to someone other than its author.
    Append-only, like the access log."""

    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="reads")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    view = models.CharField(max_length=80)
    channel = models.CharField(max_length=8)

    class Meta:
        ordering: ClassVar = ["-at", "-id"]
        indexes: ClassVar = [models.Index(fields=["client", "-at"], name="noteread_client_at")]

    def __str__(self) -> str:
        return f"{self.at} {self.reader_id} {self.note_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise SignedNoteError("note reads are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise SignedNoteError("note reads are append-only")
