"""Travel certificates as PDF (MED-5).

Two documents, both regenerated from the stored ``TravelCertificate`` row and the prescription
version it was issued from, so a reprint says what the first print said:

* the **Schengen certificate** for carrying narcotic drugs and psychotropic substances for
  medical treatment (art. 75 of the Convention implementing the Schengen Agreement), with the
  form's sections A-E: country of issue, prescribing doctor, patient, medicine, issuing body.
  Its labels are in the organisation's language with the English label beside them (the
  official form is bilingual too), so that border officers anywhere in the area can read it;
* the **medical statement** for travel outside the Schengen area, in English.

Rendered with WeasyPrint through ``bedring.core.pdf.render_pdf`` (no network access:
the stylesheet is passed as a string and every URL is refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bedring.core.pdf import render_pdf

from .models import TravelCertificate
from .rules import travel_days

SCHENGEN_TEMPLATE = "medication/records/certificate_schengen.html"
STATEMENT_TEMPLATE = "medication/records/certificate_statement.html"

# The Schengen form's labels (sections A-E), shown in the organisation's language and English.
LABELS: dict[str, Promise] = {
    "title": _("Certificate for the carrying of narcotic drugs and/or psychotropic substances"),
    "subtitle": _(
        "for the purposes of medical treatment: Article 75 of the Convention implementing "
        "the Schengen Agreement"
    ),
    "section_a": _("A. Country of issue"),
    "country": _("Country"),
    "place": _("Place"),
    "date": _("Date"),
    "section_b": _("B. Prescribing doctor"),
    "doctor_name": _("Name"),
    "phone": _("Phone"),
    "address": _("Address"),
    "section_c": _("C. Patient"),
    "patient_name": _("Name"),
    "identifier": _("National identifier"),
    "birth_date": _("Date of birth"),
    "patient_address": _("Address"),
    "travel_days": _("Duration of travel in days"),
    "validity": _("Validity of authorisation"),
    "from": _("From"),
    "to": _("To"),
    "countries": _("Countries of travel"),
    "section_d": _("D. Prescribed medicine"),
    "trade_name": _("Trade name or preparation"),
    "form": _("Dosage form"),
    "inn": _("International name of the active substance"),
    "strength": _("Concentration of the active substance"),
    "instructions": _("Instructions for use"),
    "daily_dose": _("Daily dose"),
    "total": _("Total quantity of the active substance"),
    "prescription_days": _("Duration of prescription in days (at most 30)"),
    "section_e": _("E. Issuing body"),
    "issuer": _("Name"),
    "stamp": _("Stamp and signature"),
}


@dataclass(frozen=True)
class CertificateDocument:
    html: str
    filename: str
    language: str


def certificate_filename(certificate: TravelCertificate) -> str:
    """No name or national identifier in the file name: the client code and the dates."""
    kind = "travel-certificate" if certificate.schengen else "medical-statement"
    return f"{kind}-{certificate.client.code}-{certificate.travel_from.isoformat()}.pdf"


def _bilingual(language: str) -> dict[str, str]:
    with translation.override("en"):
        english = {key: str(label) for key, label in LABELS.items()}
    with translation.override(language):
        local = {key: str(label) for key, label in LABELS.items()}
    return {
        key: local[key] if local[key] == english[key] else f"{local[key]} / {english[key]}"
        for key in LABELS
    }


def certificate_context(certificate: TravelCertificate) -> dict[str, Any]:
    client = certificate.client
    organisation = client.organisation
    version = certificate.version
    medicine = certificate.prescription.medicine
    doctor = certificate.issued_by
    return {
        "certificate": certificate,
        "client": client,
        "organisation": organisation,
        "site": version.site,
        "version": version,
        "medicine": medicine,
        "doctor": doctor,
        "doctor_name": doctor.get_full_name() or doctor.username,
        "days": travel_days(certificate.travel_from, certificate.travel_to),
    }


def certificate_document(certificate: TravelCertificate) -> CertificateDocument:
    """The certificate's HTML: Schengen in the organisation's language beside English, the
    statement in English."""
    context = certificate_context(certificate)
    if certificate.schengen:
        language = certificate.client.organisation.language or "en"
        template = SCHENGEN_TEMPLATE
        context["labels"] = _bilingual(language)
    else:
        language = "en"
        template = STATEMENT_TEMPLATE
    with translation.override(language):
        html = render_to_string(template, context)
    return CertificateDocument(
        html=html, filename=certificate_filename(certificate), language=language
    )


def certificate_pdf(certificate: TravelCertificate) -> tuple[bytes, CertificateDocument]:
    document = certificate_document(certificate)
    return render_pdf(document.html), document
