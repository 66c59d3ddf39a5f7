"""People in treatment and the people around them (PRV-1, PRV-2, REL-1, DEC-7)."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Language, Organisation, User
from bedring.core.ages import age_on
from bedring.core.models import BaseModel

from .identifiers import format_identifier, mask_identifier


class IdentifierKind(models.TextChoices):
    DK_CPR = "dk_cpr", _("Danish CPR number")
    NO_FNR = "no_fnr", _("Norwegian national identity number")
    NO_DNR = "no_dnr", _("Norwegian D-number")
    BE_NN = "be_nn", _("Belgian national number")
    NONE = "none", _("No identifier")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not known")


class ReminderChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class ReminderLabel(models.TextChoices):
    """Whose name a reminder carries (APT-3): the neutral one (the municipality) says nothing
    about treatment; the service's name only when the client agreed to it."""

    NEUTRAL = "neutral", _("A neutral name")
    SERVICE = "service", _("The service's name")


class Client(BaseModel):
    """One person in one organisation's closed record system.

    Without an identifier the client is pseudonymous (a name the person chose, or none at all
    when ``anonymous``) and is found by the generated ``code``.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="clients")
    code = models.CharField(_("client code"), max_length=16)
    identifier_kind = models.CharField(
        _("identifier"), max_length=8, choices=IdentifierKind.choices, default=IdentifierKind.NONE
    )
    national_id = models.CharField(_("national identifier"), max_length=11, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices, default=Sex.UNKNOWN)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    language = models.CharField(
        _("language for letters"), max_length=5, choices=Language.choices, blank=True
    )
    # APT-3: appointment reminders only with the client's consent, on the channel the client
    # chose, under the name the client agreed to. When the answer was recorded and by whom.
    reminder_consent = models.BooleanField(_("agrees to appointment reminders"), default=False)
    reminder_consent_at = models.DateTimeField(null=True, blank=True)
    reminder_consent_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminder_channel = models.CharField(
        _("reminders by"), max_length=8, choices=ReminderChannel.choices, blank=True
    )
    reminder_label = models.CharField(
        _("reminders signed with"),
        max_length=8,
        choices=ReminderLabel.choices,
        default=ReminderLabel.NEUTRAL,
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["last_name", "first_name", "code"]
        constraints: ClassVar = [
            # A consent to reminders names the channel they go by.
            models.CheckConstraint(
                condition=Q(reminder_consent=False) | ~Q(reminder_channel=""),
                name="client_reminder_consent_has_channel",
            ),
            # Never two records for one person in one organisation.
            models.UniqueConstraint(
                fields=["organisation", "national_id"],
                condition=~Q(national_id=""),
                name="client_national_id_unique",
            ),
            models.UniqueConstraint(fields=["organisation", "code"], name="client_code_unique"),
            models.CheckConstraint(
                condition=(Q(identifier_kind="none") & Q(national_id=""))
                | (~Q(identifier_kind="none") & ~Q(national_id="")),
                name="client_identifier_consistent",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=True) | ~Q(last_name="") | ~Q(first_name=""),
                name="client_named_unless_anonymous",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["organisation", "last_name", "first_name"]),
            # Exact identifier look-ups; the partial unique index is not usable by every planner.
            models.Index(fields=["organisation", "national_id"], name="client_org_national_id_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.anonymous:
            return str(_("Anonymous %(code)s") % {"code": self.code})
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def identifier_display(self) -> str:
        if not self.national_id:
            return ""
        return format_identifier(self.identifier_kind, self.national_id)

    @property
    def identifier_masked(self) -> str:
        """PRV-1: what a list shows (the birth-date part); the opened record shows it all."""
        if not self.national_id:
            return ""
        return mask_identifier(self.identifier_kind, self.national_id)

    def age_on(self, day: datetime.date) -> int | None:
        return None if self.birth_date is None else age_on(self.birth_date, day)

    def get_additional_data(self) -> dict[str, Any]:
        # Strings, so that the change log's client index (audit migration 0003) matches.
        return {"client_id": str(self.pk), "organisation_id": str(self.organisation_id)}


class ClientOwned(BaseModel):
    """A record that belongs to one client; its change log points back to the client."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)}


class RelationKind(models.TextChoices):
    PARENT = "parent", _("Parent")
    PARTNER = "partner", _("Partner or spouse")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    OTHER_FAMILY = "family", _("Other family")
    FRIEND = "friend", _("Friend")
    GUARDIAN = "guardian", _("Guardian")
    PROFESSIONAL = "professional", _("Professional network")
    OTHER = "other", _("Other")


class Relative(ClientOwned):
    """A relative or network person (REL-1: involved only when the client wishes it)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="relatives")
    name = models.CharField(_("name"), max_length=200)
    relation = models.CharField(_("relation"), max_length=12, choices=RelationKind.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_contact_person = models.BooleanField(_("contact person"), default=False)
    involvement_wished = models.BooleanField(
        _("the client wishes this person involved"), default=False
    )
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class ConsentParty(models.TextChoices):
    GP = "gp", _("General practitioner")
    JOB_CENTRE = "job_centre", _("Job centre or welfare office")
    SCHOOL = "school", _("School or education")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    HOSPITAL = "hospital", _("Hospital")
    SPECIALIST = "specialist", _("Specialist services")
    PROBATION = "probation", _("Probation service")
    EMPLOYER = "employer", _("Employer")
    NGO = "ngo", _("Voluntary organisation")
    CHILDREN_SERVICES = "children_services", _("Children's services")
    RELATIVE = "relative", _("Relative")
    OTHER = "other", _("Other")


class ConsentGiver(models.TextChoices):
    CLIENT = "client", _("The client")
    PARENT = "parent", _("Parent with custody")
    GUARDIAN = "guardian", _("Guardian")


class Consent(ClientOwned):
    """What may be shared with whom, from when to when, given by whom (PRV-2, PLN-6)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    party = models.CharField(_("shared with"), max_length=20, choices=ConsentParty.choices)
    party_name = models.CharField(_("name of the recipient"), max_length=200, blank=True)
    scope = models.TextField(_("what may be shared"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    given_by = models.CharField(_("given by"), max_length=10, choices=ConsentGiver.choices)
    given_by_name = models.CharField(
        _("name of the person giving consent"), max_length=200, blank=True
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["-valid_from"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="consent_period_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.valid_from}"

    def is_active_on(self, day: datetime.date) -> bool:
        if self.withdrawn_at is not None:
            return False
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class ChildAtHome(ClientOwned):
    """A child under 18 living with the client (DEC-7: heightened duty to notify)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="children")
    first_name = models.CharField(_("first name or initials"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    lives_with_client = models.BooleanField(_("lives with the client"), default=True)
    concern = models.BooleanField(_("concern for the child"), default=False)
    notes = models.TextField(_("notes"), blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["birth_date"]

    def __str__(self) -> str:
        return self.first_name
