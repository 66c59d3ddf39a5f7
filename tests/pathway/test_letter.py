"""The decision letter: a PDF in the client's language with the decision, its justification
and the jurisdiction's complaint guidance (DEC-1, DEC-2, DEC-6)."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from pypdf import PdfReader

from bedring.audit.models import AccessEvent
from bedring.clients.services import client_update
from bedring.core import clock
from bedring.core.roles import Role
from bedring.pathway.letters import decision_letter, decision_letter_pdf
from bedring.pathway.services.decision import decision_letter_sent, decision_make
from bedring.pathway.services.episode import episode_begin_assessment
from tests.conftest import api_headers, login
from tests.pathway.conftest import at

JUSTIFICATION = "The assessment shows a need for outpatient treatment twice a week."
DK_WINDOW = (
    "Your complaint must reach us no later than %(weeks)s week after you received this decision.",
    "Your complaint must reach us no later than %(weeks)s weeks after you received this decision.",
)
DK_UPHELD = (
    "When we receive your complaint, we will look at the decision again. If we uphold it, we "
    "will send your complaint on to %(appeals)s, and we will tell you that we have done so."
)
LAST_DAY = "If you received it on the date of this letter, the last day to complain is %(date)s."


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def decided(open_episode, client, actor, *, outcome="granted", days_ago=60, **kwargs: Any):
    """An episode opened ``days_ago`` days ago, assessed, and decided the next day."""
    org = client.organisation
    opened = clock.today(org) - datetime.timedelta(days=days_ago)
    episode = open_episode(client, received_at=at(org, opened.year, opened.month, opened.day, 10))
    episode_begin_assessment(episode=episode, actor=actor)
    return decision_make(
        episode=episode,
        actor=actor,
        kind=kwargs.pop("kind", "treatment"),
        outcome=outcome,
        justification=kwargs.pop("justification", JUSTIFICATION),
        decided_on=opened + datetime.timedelta(days=1),
        **kwargs,
    )


@pytest.fixture
def no_authority(org_no, make_staff):
    return make_staff(org_no, Role.AUTHORITY)


def test_the_letter_is_a_pdf_with_the_decision_and_the_danish_complaint_guidance(
    org_dk, make_client, open_episode, authority
):
    """DEC-1, DEC-2: a Danish client's letter carries the justification, the 4-week window
    with its last day, re-evaluation then Ankestyrelsen, and Styrelsen for Patientklager."""
    # Given a refusal to a Danish client whose letter went out two days after the inquiry
    client = make_client(org_dk, language="da", address="Rådhustorvet 1", city="Sønderborg")
    decision = decided(open_episode, client, authority, outcome="refused", offer="individual-plus")
    sent = decision.decided_on + datetime.timedelta(days=1)
    decision_letter_sent(decision=decision, actor=authority, sent_on=sent)
    decision.refresh_from_db()
    # When the letter is rendered
    pdf, letter = decision_letter_pdf(decision)
    # Then it is a Danish PDF ...
    assert pdf.startswith(b"%PDF")
    assert letter.language == "da"
    assert '<html lang="da">' in letter.html
    text = pdf_text(pdf)
    # ... with the client's name and address, the justification and the deciding person
    assert client.display_name in text and "Rådhustorvet 1" in text
    assert JUSTIFICATION in text
    assert authority.get_full_name() in text
    assert org_dk.name in text
    # ... and the complaint guidance in the client's language, with the concrete last day
    last_day = sent + datetime.timedelta(weeks=4)
    with translation.override("da"):
        window = translation.ngettext(*DK_WINDOW, 4) % {"weeks": 4}
        upheld = translation.gettext(DK_UPHELD) % {"appeals": "Ankestyrelsen"}
        last = translation.gettext(LAST_DAY) % {"date": date_format(last_day, "DATE_FORMAT")}
        danish_date = date_format(last_day, "DATE_FORMAT")
    assert window in text
    assert upheld in text
    assert last in text
    # A Danish date: "21. december 2026", not "Dec. 21, 2026".
    assert danish_date == f"{last_day.day}. {danish_date.split(' ', 1)[1]}"
    assert danish_date in text
    assert "Ankestyrelsen" in text and "Styrelsen for Patientklager" in text


def test_the_letter_follows_the_clients_language_not_the_staff_members(
    org_dk, make_client, open_episode, authority
):
    """DEC-2: an English-reading client in Denmark gets an English letter, with Danish rules."""
    client = make_client(org_dk, language="en")
    decision = decided(open_episode, client, authority)
    with translation.override("da"):  # the staff member works in Danish
        letter = decision_letter(decision, letter_date=datetime.date(2026, 11, 23))
    assert '<html lang="en">' in letter.html
    assert "Dec. 21, 2026" in letter.html  # 23 November + 4 weeks, in English
    assert "Ankestyrelsen" in letter.html


def test_a_client_without_a_language_gets_the_organisations(
    org_dk, make_client, open_episode, authority
):
    """DEC-2: no language recorded for the client: the organisation's (Danish)."""
    client = make_client(org_dk)
    assert client.language == ""
    decision = decided(open_episode, client, authority)
    assert decision_letter(decision).language == org_dk.language == "da"


def test_a_norwegian_refusal_explains_how_and_by_when_to_complain(
    org_no, make_client, open_episode, no_authority
):
    """DEC-2, DEC-6: a vedtak refusing help: rights complaint within 4 weeks
    (pasient- og brukerrettighetsloven §§ 7-2, 7-5) to the office
    that decided, then Statsforvalteren; service complaints end with Sivilombudet."""
    client = make_client(org_no, language="en")
    decision = decided(open_episode, client, no_authority, outcome="refused")
    letter_date = decision.decided_on + datetime.timedelta(days=2)
    pdf, _letter = decision_letter_pdf(decision, letter_date=letter_date)
    text = pdf_text(pdf)
    assert "has been refused" in text
    assert "The reasons for the refusal are given above." in text
    assert "The time limit for complaints is 4 weeks" in text
    assert "3 weeks" not in text
    assert "pasient- og brukerrettighetsloven §§ 7-2, 7-5" in text
    last_day = letter_date + datetime.timedelta(weeks=4)
    assert date_format(last_day, "DATE_FORMAT") in text
    assert "sent automatically to Statsforvalteren" in text
    assert "Sivilombudet" in text and "Pasient- og brukerombudet" in text


def test_a_belgian_letter_names_the_patient_rights_ombudsman_and_no_window(
    org_be, make_client, open_episode, make_staff
):
    """DEC-2: in Belgium the patient-rights ombudsman service; no statutory complaint window."""
    authority = make_staff(org_be, Role.AUTHORITY)
    client = make_client(org_be, language="en")
    decision = decided(open_episode, client, authority)
    text = pdf_text(decision_letter_pdf(decision)[0])
    assert "Federale Ombudsdienst Rechten van de Patiënt" in text
    assert "last day to complain" not in text


def test_the_letter_is_downloaded_as_an_attachment_and_logged_as_a_print(
    org_dk, dk_client, open_episode, authority, counsellor
):
    """DEC-2, PRV-1: any staff member who may read the client downloads the letter; the read
    is logged with channel "print"."""
    decision = decided(open_episode, dk_client, authority)
    http = login(HttpClient(), counsellor)
    url = reverse(
        "pathway:decision_letter",
        kwargs={"episode_uuid": decision.episode.uuid, "decision_uuid": decision.uuid},
    )
    # DEC-6: the client has no postal address: the page warns before the letter is made
    warning = http.get(url)
    assert warning.status_code == 200 and warning["Content-Type"].startswith("text/html")
    html = warning.content.decode()
    assert 'data-testid="letter-warning"' in html
    assert reverse("clients:edit", args=[dk_client.uuid]) in html
    assert not AccessEvent.objects.filter(actor=counsellor, channel="print").exists()
    # and makes it when asked to all the same
    response = http.get(url, {"confirm": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="decision-{dk_client.code}-{decision.decided_on.isoformat()}.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    assert JUSTIFICATION in pdf_text(response.content)
    event = AccessEvent.objects.filter(actor=counsellor, client=dk_client).latest("id")
    assert (event.view, event.channel) == ("decision_letter", "print")


def test_the_letter_in_the_api_and_an_outsider_gets_404(
    dk_client, open_episode, authority, outsider
):
    """DEC-2: GET /decisions/{id}/letter is the PDF; another organisation's decision is 404."""
    decision = decided(open_episode, dk_client, authority)
    url = f"/api/v1/decisions/{decision.uuid}/letter"
    response = HttpClient().get(url, **api_headers(authority))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    # The outsider, in every role at another organisation, learns nothing
    assert HttpClient().get(url, **api_headers(outsider)).status_code == 404
    html_url = reverse(
        "pathway:decision_letter",
        kwargs={"episode_uuid": decision.episode.uuid, "decision_uuid": decision.uuid},
    )
    assert login(HttpClient(), outsider).get(html_url).status_code == 404
    assert not AccessEvent.objects.filter(actor=outsider).exists()


def test_the_language_a_letter_was_sent_in_is_kept_for_reprints(
    org_dk, make_client, open_episode, authority
):
    """DEC-6: a reprint is the letter that was sent, even if the client's language changed."""
    client = make_client(org_dk, language="da")
    decision = decided(open_episode, client, authority)
    decision = decision_letter_sent(decision=decision, actor=authority)
    assert decision.letter_language == "da"
    client_update(client=client, changes={"language": "en"})
    decision.episode.client.refresh_from_db()
    assert decision_letter(decision).language == "da"


def test_a_client_with_a_postal_address_gets_the_letter_at_once_and_without_one_a_warning(
    org_dk, make_client, open_episode, authority, counsellor
):
    """DEC-6: the warning is only for a client the post cannot reach; the episode page and
    the "mark as sent" page say so next to the letter."""
    housed = make_client(org_dk, address="Rådhustorvet 1", postal_code="6400", city="Sønderborg")
    decision = decided(open_episode, housed, authority)
    http = login(HttpClient(), counsellor)
    kwargs = {"episode_uuid": decision.episode.uuid, "decision_uuid": decision.uuid}
    response = http.get(reverse("pathway:decision_letter", kwargs=kwargs))
    assert response["Content-Type"] == "application/pdf"
    page = http.get(reverse("pathway:episode", args=[decision.episode.uuid])).content.decode()
    assert 'data-testid="no-postal-address"' not in page

    homeless = make_client(org_dk, address="", city="")
    decision = decided(open_episode, homeless, authority)
    kwargs = {"episode_uuid": decision.episode.uuid, "decision_uuid": decision.uuid}
    page = http.get(reverse("pathway:episode", args=[decision.episode.uuid])).content.decode()
    assert 'data-testid="no-postal-address"' in page
    sent_page = http.get(reverse("pathway:decision_letter_sent", kwargs=kwargs)).content.decode()
    assert 'data-testid="no-postal-address"' in sent_page
    assert (
        'data-testid="letter-warning"'
        in http.get(reverse("pathway:decision_letter", kwargs=kwargs)).content.decode()
    )
