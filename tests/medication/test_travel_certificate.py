"""Travel certificates (MED-5): the Schengen certificate (art. 75) and the medical statement
for travel outside the area, issued by a doctor from the prescription, stored and printed
again as the same PDF."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from bedring.accounts.models import Jurisdiction
from bedring.audit.models import AccessEvent
from bedring.core.errors import Conflict, DomainError, Forbidden, ValidationFailed
from bedring.core.roles import Role
from bedring.medication.certificates import certificate_document, certificate_pdf
from bedring.medication.models import PrescriptionStatus, TravelCertificate
from bedring.medication.services.records import travel_certificate_issue
from tests.conftest import api_headers
from tests.medication.records_fixtures import (
    change_dose,
    make_prescription,
    pdf_text,
    today_of,
)


@pytest.fixture
def doctor(org_dk, make_staff):
    return make_staff(org_dk, Role.DOCTOR)


@pytest.fixture
def nurse(org_dk, make_staff):
    return make_staff(org_dk, Role.NURSE)


@pytest.fixture
def traveller(org_dk, make_client):
    return make_client(
        org_dk,
        first_name="Karen",
        last_name="Rejsende",
        address="Rådhustorvet 10",
        postal_code="6400",
        city="Sønderborg",
    )


@pytest.fixture
def methadone(traveller, doctor):
    return make_prescription(traveller, prescriber=doctor, daily_dose="85")


def days_from_now(client, days):
    return today_of(client) + datetime.timedelta(days=days)


def issue(client, prescription, actor, *, start=7, end=20, **kwargs):
    return travel_certificate_issue(
        client=client,
        prescription=prescription,
        actor=actor,
        travel_from=days_from_now(client, start),
        travel_to=days_from_now(client, end),
        countries=kwargs.pop("countries", "Germany, France"),
        **kwargs,
    )


def refused(error_class, code, client, prescription, actor, **kwargs) -> DomainError:
    with pytest.raises(error_class) as caught:
        issue(client, prescription, actor, **kwargs)
    assert caught.value.code == code
    assert not TravelCertificate.objects.exists()
    return caught.value


# --- issuing -------------------------------------------------------------------------------


def test_a_doctor_issues_a_schengen_certificate_for_the_daily_dose_times_the_days(
    traveller, methadone, doctor
):
    """MED-5: filled from the current version; 14 days of 85 mg are 1190 mg."""
    certificate = issue(traveller, methadone, doctor, start=7, end=20)
    assert certificate.schengen is True
    assert certificate.total_quantity == Decimal("1190.00")
    assert certificate.version == methadone.versions.get(is_current=True)
    assert certificate.issued_by == doctor
    assert certificate.issued_on == today_of(traveller)
    assert certificate.countries == "Germany, France"


def test_the_schengen_pdf_names_the_patient_the_medicine_the_quantity_and_the_dates(
    traveller, methadone, doctor
):
    """MED-5: the form's sections with the patient, doctor, medicine and issuing body."""
    certificate = issue(traveller, methadone, doctor, start=7, end=20)
    pdf, document = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Article 75 of the Convention implementing the Schengen Agreement" in text
    assert "Karen Rejsende" in text
    assert traveller.identifier_display in text
    assert "Rådhustorvet 10" in text
    assert "Methadone oral solution 1 mg/ml" in text
    assert "methadone (N07BC02)" in text
    assert "1190 mg" in text
    assert "85 mg" in text
    assert certificate.travel_from.isoformat() in text
    assert certificate.travel_to.isoformat() in text
    with translation.override("da"):  # the organisation's language, beside English labels
        assert f"{Jurisdiction.DK.label} (DK)" in text
    assert traveller.organisation.name in text
    assert doctor.last_name in text
    assert document.filename == (
        f"travel-certificate-{traveller.code}-{certificate.travel_from.isoformat()}.pdf"
    )
    assert "Rejsende" not in document.filename


def test_outside_schengen_a_medical_statement_in_english_is_given_for_any_medicine(
    traveller, doctor
):
    """MED-5: a plain statement, also for a medicine the Schengen form does not cover."""
    naltrexone = make_prescription(
        traveller, prescriber=doctor, medicine="naltrexone", daily_dose="50"
    )
    certificate = issue(
        traveller, naltrexone, doctor, start=1, end=10, schengen=False, countries="Thailand"
    )
    assert certificate.total_quantity == Decimal("500.00")
    pdf, document = certificate_pdf(certificate)
    text = pdf_text(pdf)
    assert document.language == "en"
    assert "Medical statement for travel" in text
    assert "Karen Rejsende" in text
    assert "Naltrexone tablet 50 mg" in text
    assert "Thailand" in text
    assert "500 mg" in text
    assert "10 days" in text
    assert "Schengen" not in text


def test_a_benzodiazepine_may_have_a_schengen_certificate(traveller, doctor):
    """MED-5: psychotropic substances are covered as well as substitution medicines."""
    diazepam = make_prescription(traveller, prescriber=doctor, medicine="diazepam", daily_dose="10")
    assert issue(traveller, diazepam, doctor, start=0, end=0).total_quantity == Decimal("10.00")


def test_thirty_days_are_the_most_a_certificate_covers(traveller, methadone, doctor):
    """MED-5: 30 days, first and last day included, are accepted."""
    certificate = issue(traveller, methadone, doctor, start=1, end=30)
    assert certificate.total_quantity == Decimal("2550.00")


def test_a_reprint_shows_what_the_certificate_was_issued_for(traveller, methadone, doctor):
    """MED-5: the PDF is regenerated from the stored row and its version, not the current
    prescription: a later dose change does not alter a certificate already issued."""
    certificate = issue(traveller, methadone, doctor, start=1, end=2)
    change_dose(methadone, "120")
    certificate.refresh_from_db()
    text = pdf_text(certificate_pdf(certificate)[0])
    assert "170 mg" in text
    assert "120 mg" not in text


# --- refusals ------------------------------------------------------------------------------


def test_a_period_over_thirty_days_is_refused(traveller, methadone, doctor):
    """MED-5: travel_certificate_max_days (30) of the rule pack."""
    error = refused(
        ValidationFailed, "travel_too_long", traveller, methadone, doctor, start=1, end=31
    )
    assert error.details == {"max_days": 30}
    assert error.field == "travel_to"


def test_a_period_ending_before_it_starts_is_refused(traveller, methadone, doctor):
    refused(
        ValidationFailed,
        "travel_end_before_start",
        traveller,
        methadone,
        doctor,
        start=10,
        end=9,
    )


def test_a_period_starting_in_the_past_is_refused(traveller, methadone, doctor):
    refused(ValidationFailed, "travel_start_past", traveller, methadone, doctor, start=-1, end=5)


def test_a_prescription_on_hold_is_refused(traveller, doctor):
    """MED-5: only an active prescription can be certified."""
    held = make_prescription(traveller, prescriber=doctor, status=PrescriptionStatus.ON_HOLD)
    error = refused(Conflict, "prescription_not_active", traveller, held, doctor)
    assert error.status == 409


def test_an_ended_prescription_is_refused(traveller, doctor):
    ended = make_prescription(traveller, prescriber=doctor, status=PrescriptionStatus.ENDED)
    refused(Conflict, "prescription_not_active", traveller, ended, doctor)


def test_a_period_beyond_the_prescriptions_end_is_refused(traveller, doctor):
    """MED-5: the travel lies within the prescription's validity."""
    ending = make_prescription(traveller, prescriber=doctor, ends_on=days_from_now(traveller, 10))
    refused(ValidationFailed, "outside_prescription", traveller, ending, doctor, start=5, end=11)


def test_a_period_before_the_prescription_starts_is_refused(traveller, doctor):
    later = make_prescription(traveller, prescriber=doctor, starts_on=days_from_now(traveller, 5))
    refused(ValidationFailed, "outside_prescription", traveller, later, doctor, start=3, end=8)


def test_a_schengen_certificate_for_a_medicine_that_is_no_narcotic_is_refused(traveller, doctor):
    """MED-5: the Schengen form is for narcotic and psychotropic medicines only."""
    disulfiram = make_prescription(traveller, prescriber=doctor, medicine="disulfiram")
    error = refused(ValidationFailed, "not_narcotic", traveller, disulfiram, doctor)
    assert error.field == "schengen"


def test_an_anonymous_client_cannot_have_a_certificate(org_dk, make_client, doctor):
    """MED-5: there is no identity to certify."""
    anonymous = make_client(org_dk, national_id="", first_name="", last_name="", anonymous=True)
    prescription = make_prescription(anonymous, prescriber=doctor)
    refused(ValidationFailed, "anonymous_client", anonymous, prescription, doctor)


def test_the_countries_are_required(traveller, methadone, doctor):
    refused(ValidationFailed, "countries_required", traveller, methadone, doctor, countries=" ")


def test_a_nurse_cannot_issue_a_certificate_through_the_service(traveller, methadone, nurse):
    """MED-5: only a doctor signs; the service checks it too."""
    error = refused(Forbidden, "certificate_role", traveller, methadone, nurse)
    assert error.status == 403


# --- pages ---------------------------------------------------------------------------------


def test_a_doctor_issues_a_certificate_with_the_form_and_downloads_it(
    traveller, methadone, doctor, as_user
):
    """MED-5: form, certificate page and PDF; the page and the print are logged."""
    http = as_user(doctor)
    url = reverse("medication:certificate_new", args=[traveller.uuid])
    assert "Methadone oral solution" in http.get(url).content.decode()
    response = http.post(
        url,
        {
            "prescription": str(methadone.uuid),
            "schengen": "1",
            "countries": "Spain",
            "travel_from": days_from_now(traveller, 3).isoformat(),
            "travel_to": days_from_now(traveller, 5).isoformat(),
        },
    )
    assert response.status_code == 302
    certificate = TravelCertificate.objects.get(client=traveller)
    assert response["Location"] == reverse(
        "medication:certificate_detail", args=[traveller.uuid, certificate.uuid]
    )
    page = http.get(response["Location"])
    assert page.status_code == 200
    assert "255" in page.content.decode()
    assert AccessEvent.objects.filter(
        client=traveller, view="travel_certificate", channel="html"
    ).exists()
    pdf = http.get(reverse("medication:certificate_pdf", args=[traveller.uuid, certificate.uuid]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "attachment" in pdf["Content-Disposition"]
    assert "Spain" in pdf_text(pdf.content)
    assert AccessEvent.objects.filter(
        client=traveller, view="travel_certificate_pdf", channel="print"
    ).exists()


def test_the_form_shows_a_refusal_next_to_the_field_and_writes_nothing(
    traveller, methadone, doctor, as_user
):
    """MED-5: a period over 30 days is answered with 422 and the reason."""
    response = as_user(doctor).post(
        reverse("medication:certificate_new", args=[traveller.uuid]),
        {
            "prescription": str(methadone.uuid),
            "schengen": "1",
            "countries": "Spain",
            "travel_from": days_from_now(traveller, 1).isoformat(),
            "travel_to": days_from_now(traveller, 40).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "covers at most 30 days" in response.content.decode()
    assert not TravelCertificate.objects.exists()


def test_a_nurse_may_read_but_not_issue_a_certificate(traveller, methadone, doctor, nurse, as_user):
    """MED-5: issuing is the doctor's (403); reading and printing are any clinician's."""
    certificate = issue(traveller, methadone, doctor)
    http = as_user(nurse)
    url = reverse("medication:certificate_new", args=[traveller.uuid])
    assert http.get(url).status_code == 403
    assert http.post(url, {"prescription": str(methadone.uuid)}).status_code == 403
    args = [traveller.uuid, certificate.uuid]
    assert http.get(reverse("medication:certificate_detail", args=args)).status_code == 200
    assert http.get(reverse("medication:certificate_pdf", args=args)).status_code == 200
    assert TravelCertificate.objects.count() == 1


def test_outsiders_get_404_on_the_pages(traveller, methadone, doctor, outsider, as_user):
    certificate = issue(traveller, methadone, doctor)
    http = as_user(outsider)
    args = [traveller.uuid, certificate.uuid]
    assert http.get(reverse("medication:certificate_new", args=[traveller.uuid])).status_code == 404
    assert http.get(reverse("medication:certificate_detail", args=args)).status_code == 404
    assert http.get(reverse("medication:certificate_pdf", args=args)).status_code == 404


def test_another_clients_certificate_is_404(
    traveller, methadone, doctor, org_dk, make_client, as_user
):
    """The certificate must belong to the client in the address."""
    certificate = issue(traveller, methadone, doctor)
    other = make_client(org_dk)
    url = reverse("medication:certificate_pdf", args=[other.uuid, certificate.uuid])
    assert as_user(doctor).get(url).status_code == 404


# --- the API -------------------------------------------------------------------------------


def api_body(client, prescription, start=2, end=4, **extra):
    return {
        "prescription": str(prescription.uuid),
        "countries": "Italy",
        "travel_from": days_from_now(client, start).isoformat(),
        "travel_to": days_from_now(client, end).isoformat(),
        **extra,
    }


def test_the_api_issues_lists_and_prints_a_certificate(traveller, methadone, doctor, client):
    """MED-5: the same service through /api/v1/; the PDF download is logged as a print."""
    headers = api_headers(doctor)
    url = f"/api/v1/clients/{traveller.uuid}/travel-certificates"
    response = client.post(
        url, api_body(traveller, methadone), content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["days"] == 3
    assert Decimal(body["total_quantity"]) == Decimal("255")
    assert body["medicine"] == "Methadone oral solution 1 mg/ml"
    listed = client.get(url, **headers).json()
    assert listed["count"] == 1
    assert [c["id"] for c in listed["results"]] == [body["id"]]
    pdf = client.get(f"{url}/{body['id']}/pdf", **headers)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "Italy" in pdf_text(pdf.content)
    assert AccessEvent.objects.filter(
        client=traveller, view="api_travel_certificate_pdf", channel="print"
    ).exists()


def test_the_api_lists_older_certificates_a_page_at_a_time(traveller, methadone, doctor, client):
    """MED-5: the list is newest first; offset and limit reach the older ones and count says
    how many there are."""
    # Given three certificates
    issued = [issue(traveller, methadone, doctor, start=n, end=n + 2) for n in (1, 2, 3)]
    url = f"/api/v1/clients/{traveller.uuid}/travel-certificates"
    headers = api_headers(doctor)
    # When the second page of one is asked for
    page = client.get(f"{url}?offset=1&limit=1", **headers).json()
    # Then it holds the second newest, and the count is all three
    assert page["count"] == 3
    assert [c["id"] for c in page["results"]] == [str(issued[1].uuid)]
    oldest = client.get(f"{url}?offset=2&limit=50", **headers).json()
    assert [c["id"] for c in oldest["results"]] == [str(issued[0].uuid)]


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "offset=-1", "offset=1000001"])
def test_the_api_refuses_a_certificate_page_out_of_bounds(
    traveller, methadone, doctor, client, query
):
    issue(traveller, methadone, doctor)
    response = client.get(
        f"/api/v1/clients/{traveller.uuid}/travel-certificates?{query}", **api_headers(doctor)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_page"


def test_the_api_refuses_with_the_services_code_and_writes_nothing(
    traveller, methadone, doctor, client
):
    response = client.post(
        f"/api/v1/clients/{traveller.uuid}/travel-certificates",
        api_body(traveller, methadone, start=1, end=31),
        content_type="application/json",
        **api_headers(doctor),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "travel_too_long"
    assert not TravelCertificate.objects.exists()


def test_the_api_refuses_a_prescription_on_hold_with_409(traveller, doctor, client):
    held = make_prescription(traveller, prescriber=doctor, status=PrescriptionStatus.ON_HOLD)
    response = client.post(
        f"/api/v1/clients/{traveller.uuid}/travel-certificates",
        api_body(traveller, held),
        content_type="application/json",
        **api_headers(doctor),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "prescription_not_active"


def test_the_api_answers_a_nurse_403_and_an_outsider_404(
    traveller, methadone, doctor, nurse, outsider, client
):
    certificate = issue(traveller, methadone, doctor)
    url = f"/api/v1/clients/{traveller.uuid}/travel-certificates"
    body = api_body(traveller, methadone)
    response = client.post(url, body, content_type="application/json", **api_headers(nurse))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    foreign = api_headers(outsider)
    assert client.post(url, body, content_type="application/json", **foreign).status_code == 404
    assert client.get(url, **foreign).status_code == 404
    assert client.get(f"{url}/{certificate.uuid}/pdf", **foreign).status_code == 404
    assert TravelCertificate.objects.count() == 1


def test_the_api_answers_another_clients_prescription_404(
    traveller, doctor, org_dk, make_client, client
):
    other = make_client(org_dk)
    foreign_prescription = make_prescription(other, prescriber=doctor)
    response = client.post(
        f"/api/v1/clients/{traveller.uuid}/travel-certificates",
        api_body(traveller, foreign_prescription),
        content_type="application/json",
        **api_headers(doctor),
    )
    assert response.status_code == 404
    assert not TravelCertificate.objects.exists()


def test_the_schengen_labels_are_in_the_organisations_language_beside_english(
    org_be, make_client, make_staff
):
    """MED-5: the Schengen certificate is bilingual; the statement is English only."""
    doctor = make_staff(org_be, Role.DOCTOR)
    client = make_client(org_be)
    prescription = make_prescription(client, prescriber=doctor)
    certificate = issue(client, prescription, doctor, start=1, end=3)
    document = certificate_document(certificate)
    assert document.language == "nl"
    with translation.override("nl"):
        assert f"{Jurisdiction.BE.label} (BE)" in document.html
