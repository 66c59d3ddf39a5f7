"""Documents of a client's record (JRN-3): self-referrals, information from the GP,
contracts with an institution, letters, referrals and replies, as PDF or image files.

The file itself lives outside the web root (``settings.BEDRING_DOCUMENTS_DIR``) under a random
name (:mod:`bedring.documents.storage`); the row keeps what it is, its date, where it came
from, its checked content type, size and SHA-256. Nothing is deleted: a mistaken upload is
*discarded* by its uploader shortly after (the row stays with who, when and why; the file is
removed), see :func:`bedring.documents.services.document_discard`.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.clients.models import Client, ClientOwned


class DocumentKind(models.TextChoices):
    SELF_REFERRAL = "self_referral", _("Self-referral")
    GP_INFORMATION = "gp_information", _("Information from the GP")
    CONTRACT = "contract", _("Contract")
    LETTER = "letter", _("Letter")
    REFERRAL = "referral", _("Referral")
    REPLY = "reply", _("Reply to a referral")
    OTHER = "other", _("Other")


class ContentType(models.TextChoices):
    """The only types accepted, each recognised by its content (not its name)."""

    PDF = "application/pdf", "PDF"
    PNG = "image/png", "PNG"
    JPEG = "image/jpeg", "JPEG"


EXTENSIONS = {ContentType.PDF: "pdf", ContentType.PNG: "png", ContentType.JPEG: "jpg"}


class Document(ClientOwned):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=DocumentKind.choices)
    dated_on = models.DateField(_("date of the document"))
    source = models.CharField(_("from"), max_length=200)
    title = models.CharField(_("title"), max_length=200, blank=True)
    content_type = models.CharField(max_length=40, choices=ContentType.choices)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # A random name in the documents directory; never the client's or the upload's name.
    storage_name = models.CharField(max_length=64, unique=True)
    # The name the file had on the uploader's computer, shown to staff only; the download is
    # named from the kind and date.
    original_name = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Used by a referral (sent with it, or its letter): part of what was exchanged, so it
    # can no longer be discarded as a mistaken upload.
    attached = models.BooleanField(default=False)
    discarded_at = models.DateTimeField(null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discard_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["-dated_on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(discarded_at__isnull=True, discarded_by__isnull=True, discard_reason="")
                | (
                    Q(discarded_at__isnull=False, discarded_by__isnull=False)
                    & ~Q(discard_reason="")
                ),
                name="document_discard_complete",
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
        ]
        indexes: ClassVar = [models.Index(fields=["client", "-dated_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dated_on}"

    @property
    def download_name(self) -> str:
        """The file name of the download: kind and date, never a person's name."""
        return (
            f"{self.kind}-{self.dated_on.isoformat()}.{EXTENSIONS[ContentType(self.content_type)]}"
        )
