"""Medication-assisted treatment (MED-1..9): medicines, prescriptions in versions, the doses
handed out at the dispensing desk, stock per site, urine drug tests, travel certificates and
the Belgian co-payment ledger.

The invariants that matter most are in the database, not only in code:

* one regular dose per prescription and day (``dispensing_one_per_day``): a second one is
  only possible as an explicit exception row (lost or vomited dose, extra dose) with a reason,
  or after the first was corrected (recorded by mistake: ``DispensingCorrection``);
* a prescription has exactly one current version, and versions are never overwritten;
* stock movements are positive quantities of a known kind; a wasted dose names a witness.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, Site
from bedring.clients.models import Client, ClientOwned
from bedring.core.models import BaseModel


class MedicineForm(models.TextChoices):
    ORAL_SOLUTION = "oral_solution", _("Oral solution")
    TABLET = "tablet", _("Tablet")
    SUBLINGUAL_TABLET = "sublingual_tablet", _("Sublingual tablet")
    SUBLINGUAL_FILM = "sublingual_film", _("Sublingual film")
    CAPSULE = "capsule", _("Capsule")
    INJECTION = "injection", _("Injection")
    DEPOT_INJECTION = "depot_injection", _("Depot injection")


class Medicine(BaseModel):
    """A medicine the installation knows, from the shipped list ``medicines.yaml`` (data, not
    code). ``max_daily_dose`` is the highest daily dose a prescription may have;
    ``dose_step`` the largest change that needs no written reason (MED-1).

    ``name`` is the English name (the list's key for people, and what the API and the FHIR
    export carry); ``names`` the name in each other language of the interface, from the same
    list, so that a translator of the list needs no code. Pages show ``display_name``."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(default=dict, blank=True)
    inn = models.CharField(_("active substance"), max_length=120)
    atc_code = models.CharField(_("ATC code"), max_length=7)
    form = models.CharField(_("form"), max_length=20, choices=MedicineForm.choices)
    strength = models.CharField(_("strength"), max_length=60, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="mg")
    is_substitution = models.BooleanField(_("opioid substitution"), default=False)
    max_daily_dose = models.DecimalField(max_digits=8, decimal_places=2)
    dose_step = models.DecimalField(max_digits=8, decimal_places=2)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(max_daily_dose__gt=0) & Q(dose_step__gt=0), name="medicine_doses"
            )
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.atc_code})"

    @property
    def display_name(self) -> str:
        """The name in the active language; the English name where the list has none."""
        language = (get_language() or "en").split("-")[0]
        return str(self.names.get(language) or self.name)


class Delivery(models.TextChoices):
    """MED-3: where the doses go. At the desk, or delivered by concrete assessment."""

    CLINIC = "clinic", _("Collected at the dispensing site")
    HOME_NURSING = "home_nursing", _("Delivered to home nursing")
    RESIDENTIAL_HOME = "residential_home", _("Delivered to a residential home")
    PHARMACY = "pharmacy", _("Collected at a pharmacy")
    OTHER = "other", _("Delivered elsewhere")


class PrescriptionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    ENDED = "ended", _("Ended")


class Prescription(ClientOwned):
    """One medicine for one client, as a series of versions (``PrescriptionVersion``). The
    doses handed out belong to the prescription, so a dose change does not reopen a day that
    was already dispensed. ``status`` is the state of the whole series."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    episode = models.ForeignKey(
        "pathway.Episode", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    medicine = models.ForeignKey(Medicine, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PrescriptionStatus.choices,
        default=PrescriptionStatus.ACTIVE,
    )
    # MED-2: the hold after missed doses, until a doctor reviews the prescription.
    hold_reason = models.CharField(max_length=300, blank=True)
    held_since = models.DateField(null=True, blank=True)
    # Missed doses are counted from this day: the start, or the day a doctor lifted a hold.
    doses_counted_from = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]
        indexes: ClassVar = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.medicine.display_name} ({self.get_status_display()})"


WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)


class PrescriptionVersion(BaseModel):
    """The terms of a prescription from one change to the next (MED-1). Never overwritten:
    a change is a new row with the next number, and ``is_current`` moves to it."""

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="versions"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    daily_dose = models.DecimalField(_("daily dose"), max_digits=8, decimal_places=2)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # The days the dose is taken at the desk, and the days it is taken at home (handed out
    # at an earlier visit). 0 = Monday. A day in neither list has no dose.
    supervised_weekdays = models.JSONField(default=list)
    take_home_weekdays = models.JSONField(default=list)
    # The longest run of days one take-home handover may cover.
    pickup_interval_days = models.PositiveSmallIntegerField(_("pick-up interval (days)"), default=1)
    delivery = models.CharField(
        _("delivery"), max_length=20, choices=Delivery.choices, default=Delivery.CLINIC
    )
    delivery_to = models.CharField(_("delivered to"), max_length=200, blank=True)
    reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    instructions = models.CharField(_("instructions"), max_length=500, blank=True)

    class Meta:
        ordering: ClassVar = ["prescription", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["prescription", "number"], name="prescription_version_unique"
            ),
            models.UniqueConstraint(
                fields=["prescription"],
                condition=Q(is_current=True),
                name="prescription_one_current_version",
            ),
            models.CheckConstraint(
                condition=Q(daily_dose__gt=0), name="prescription_dose_positive"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="prescription_period_order",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["site", "is_current"])]

    def __str__(self) -> str:
        return f"v{self.number} {self.daily_dose}"

    def get_additional_data(self) -> dict[str, Any]:
        return {"client_id": str(self.client_id)}

    def dose_on(self, weekday: int) -> str:
        """ "supervised", "take_home" or "" for a weekday."""
        if weekday in self.supervised_weekdays:
            return "supervised"
        if weekday in self.take_home_weekdays:
            return "take_home"
        return ""


class DispensingKind(models.TextChoices):
    SUPERVISED = "supervised", _("Supervised intake")
    TAKE_HOME = "take_home", _("Take-home dose")
    EXCEPTION = "exception", _("Exception")


class ExceptionReason(models.TextChoices):
    LOST = "lost", _("Replacement for a lost dose")
    VOMITED = "vomited", _("Replacement for a vomited dose")
    EXTRA = "extra", _("Extra dose")


class Effect(models.TextChoices):
    ADEQUATE = "adequate", _("Adequate")
    TOO_WEAK = "too_weak", _("Too weak (withdrawal signs)")
    TOO_STRONG = "too_strong", _("Too strong (sedated)")


class DispensingQuerySet(models.QuerySet["Dispensing"]):
    def given(self) -> DispensingQuerySet:
        """The doses that count as handed out: every dose but those corrected (recorded by
        mistake). The one spelling of it for the desk, the rules, the stock and the charges."""
        return self.filter(corrected=False)


class Dispensing(ClientOwned):
    """One day's dose of one prescription (MED-2). A take-home handover writes one row per
    day it covers, all with the same ``handover``; so "one dose per day" and "no take-home
    over a day already covered" are the same unique constraint.

    A dose recorded by mistake is never deleted nor its amount changed: a
    ``DispensingCorrection`` row says who corrected it, when and why, and ``corrected`` is set
    in the same transaction. ``corrected`` is what the one-dose-a-day constraint reads (a
    constraint cannot look into another table), so the day's dose can be given again."""

    objects = DispensingQuerySet.as_manager()

    prescription = models.ForeignKey(
        Prescription, on_delete=models.PROTECT, related_name="dispensings"
    )
    version = models.ForeignKey(PrescriptionVersion, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("for the day"))
    kind = models.CharField(_("kind"), max_length=12, choices=DispensingKind.choices)
    quantity = models.DecimalField(max_digits=8, decimal_places=2)
    handed_out_at = models.DateTimeField()
    handed_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    handover = models.UUIDField(null=True, blank=True)
    recipient = models.CharField(
        _("handed to"), max_length=20, choices=Delivery.choices, default=Delivery.CLINIC
    )
    exception_reason = models.CharField(
        _("exception"), max_length=10, choices=ExceptionReason.choices, blank=True
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The nurse's observation at a supervised intake (MED-2), all optional.
    effect = models.CharField(_("effect"), max_length=12, choices=Effect.choices, blank=True)
    side_effects = models.CharField(_("side effects"), max_length=500, blank=True)
    intoxication_signs = models.CharField(_("signs of intoxication"), max_length=500, blank=True)
    # Set only by services.corrections.dispensing_correct, with its correction row. A database
    # default too: the synthetic world writes doses with raw SQL.
    corrected = models.BooleanField(_("corrected"), default=False, db_default=False)

    class Meta:
        ordering: ClassVar = ["-day", "-handed_out_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["prescription", "day"],
                condition=~Q(kind="exception") & Q(corrected=False),
                name="dispensing_one_per_day",
            ),
            models.CheckConstraint(
                condition=~Q(kind="exception") | ~Q(exception_reason="") & ~Q(reason=""),
                name="dispensing_exception_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="dispensing_quantity_positive"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["site", "day"]),
            models.Index(fields=["prescription", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind} {self.quantity}"


class DispensingCorrection(ClientOwned):
    """MED-2: a dose recorded by mistake, corrected on the day it was recorded by the nurse
    who recorded it, with the reason. The dose stays on record, marked ``corrected``; the
    stock gets the quantity back (a ``corrected`` stock movement); the dose no longer counts
    as given, so the day's dose can be given again."""

    dispensing = models.OneToOneField(
        Dispensing, on_delete=models.PROTECT, related_name="correction"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    corrected_at = models.DateTimeField()
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-corrected_at"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=~Q(reason=""), name="correction_has_reason"),
        ]

    def __str__(self) -> str:
        return f"correction of {self.dispensing_id}"


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    DISPENSED = "dispensed", _("Dispensed")
    WASTED = "wasted", _("Wasted")
    RETURNED = "returned", _("Returned")
    COUNTED = "counted", _("Counted")
    CORRECTED = "corrected", _("Back in stock: dose corrected")


class StockMovement(BaseModel):
    """Stock of one medicine at one site (MED-2). Quantities are in the medicine's unit and
    always positive; the kind says which way they go. A count records what is on the shelf,
    for the reconciliation report. Dispensings write their own movement, and a correction of
    a dose its compensating one (``corrected``: the quantity is back on the shelf)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    medicine = models.ForeignKey(Medicine, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dispensing = models.OneToOneField(
        Dispensing, on_delete=models.PROTECT, null=True, blank=True, related_name="movement"
    )
    correction = models.OneToOneField(
        DispensingCorrection,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movement",
    )
    batch = models.CharField(_("batch"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering: ClassVar = ["-at"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0) | Q(kind="counted", quantity=0),
                name="stock_quantity_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind="wasted") | Q(witness__isnull=False),
                name="stock_waste_witnessed",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["site", "medicine", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.medicine_id}"


class SubstanceGroup(models.TextChoices):
    OPIATES = "opiates", _("Opiates")
    METHADONE = "methadone", _("Methadone")
    BUPRENORPHINE = "buprenorphine", _("Buprenorphine")
    COCAINE = "cocaine", _("Cocaine")
    AMPHETAMINES = "amphetamines", _("Amphetamines")
    BENZODIAZEPINES = "benzodiazepines", _("Benzodiazepines")
    CANNABIS = "cannabis", _("Cannabis")
    ALCOHOL = "alcohol", _("Alcohol (EtG)")
    OTHER = "other", _("Other")


class TestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    NOT_TESTED = "not_tested", _("Not tested")


class UrineTest(ClientOwned):
    """MED-4: a urine drug test, with the result per substance group
    (``results``: {substance group: negative | positive | not_tested})."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sampled_on = models.DateField(_("sample date"))
    supervised = models.BooleanField(_("supervised sample"), default=False)
    results = models.JSONField(default=dict)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-sampled_on", "-id"]
        indexes: ClassVar = [models.Index(fields=["client", "sampled_on"])]

    def __str__(self) -> str:
        return f"{self.sampled_on}"


class TravelCertificate(ClientOwned):
    """MED-5: a certificate for carrying the medicine abroad, filled from the prescription
    and signed by a doctor. Schengen (art. 75) for at most 30 days, or a plain medical
    statement in English for travel outside the Schengen area."""

    prescription = models.ForeignKey(Prescription, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(PrescriptionVersion, on_delete=models.PROTECT, related_name="+")
    schengen = models.BooleanField(default=True)
    countries = models.CharField(_("countries"), max_length=300)
    travel_from = models.DateField(_("travel from"))
    travel_to = models.DateField(_("travel to"))
    total_quantity = models.DecimalField(max_digits=10, decimal_places=2)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField()

    class Meta:
        ordering: ClassVar = ["-issued_on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(travel_to__gte=models.F("travel_from")), name="travel_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.countries} {self.travel_from}–{self.travel_to}"


class ChargeKind(models.TextChoices):
    WEEK_PRICE = "week_price", _("Share of the rehabilitation week price")
    MEDICINE = "medicine", _("Share of the medicine")
    PAYMENT = "payment", _("Payment")
    WRITE_OFF = "write_off", _("Written off")


class CoPaymentEntry(ClientOwned):
    """MED-9 (BE only): the client's co-payment ledger. Charges are positive amounts, payments
    and write-offs too; the balance is charges minus payments and write-offs. A week's charge
    of a kind is written once (``copay_week_once``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=ChargeKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    # The ISO week a charge is for ("2026-W48"); empty for payments and write-offs.
    week = models.CharField(_("week"), max_length=8, blank=True)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-on", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="copay_amount_positive"),
            models.UniqueConstraint(
                fields=["client", "kind", "week"],
                condition=Q(kind__in=["week_price", "medicine"]),
                name="copay_week_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


ZERO = Decimal("0")
