"""The Journal tab (JRN-1): write a note from the pack's template, save the draft, sign it
after confirming, correct it with a reason and read its versions; a signed note refuses to
be changed or deleted (409); refusals are shown on the form (422) and write nothing; an
outsider gets 404; the page costs the same number of queries for a long journal as for a
short one; the journal prints as a PDF."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from bedring.core import clock
from bedring.journal import services
from bedring.journal.models import Note
from tests.conftest import login
from tests.journal.conftest import World, draft, signed

pytestmark = pytest.mark.django_db


def local(moment: datetime.datetime, world: World) -> str:
    return moment.astimezone(clock.zone(world.organisation)).strftime("%Y-%m-%dT%H:%M")


def form_data(world: World, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "contact_type": "home_visit",
        "contact_at": local(clock.now() - datetime.timedelta(hours=2), world),
        "episode": str(world.episode.uuid),
        "goals": [str(world.goals[0].uuid)],
        "text": "Visited at home. Calm, tidy flat.",
    }
    data.update(overrides)
    return data


def test_the_client_page_has_a_journal_tab(client, world: World):
    http = login(client, world.counsellor)
    html = http.get(reverse("web:client_detail", args=[world.client.uuid])).content.decode()
    assert reverse("journal:client", args=[world.client.uuid]) in html


def test_write_sign_correct_and_read_the_versions(client, world: World):
    http = login(client, world.counsellor)
    journal = reverse("journal:client", args=[world.client.uuid])
    html = http.get(journal).content.decode()
    assert 'data-testid="write-note"' in html and "No notes yet." in html
    # The new note starts from the pack's template of its type.
    new = reverse("journal:note_new", args=[world.client.uuid])
    html = http.get(new, {"type": "home_visit"}).content.decode()
    assert "Observationer i hjemmet:" in html
    response = http.post(new, form_data(world))
    note = Note.objects.get(client=world.client)
    assert response.status_code == 302 and response["Location"] == reverse(
        "journal:note", args=[note.uuid]
    )
    assert note.signed_at is None and note.episode == world.episode
    assert list(note.goals.all()) == world.goals[:1]
    html = http.get(response["Location"]).content.decode()
    assert "The draft is saved." in html and 'data-testid="confirm-sign"' in html
    # Signing without the confirmation signs nothing.
    sign = reverse("journal:sign", args=[note.uuid])
    http.post(sign, {})
    note.refresh_from_db()
    assert note.signed_at is None
    response = http.post(sign, {"confirm": "on"}, follow=True)
    note.refresh_from_db()
    assert note.signed_at is not None
    assert "The note is signed" in response.content.decode()
    # Correct it with a reason: a new version, and the first stays.
    correct = reverse("journal:correct", args=[note.uuid])
    response = http.post(
        correct,
        form_data(
            world,
            text="Visited at home. Calm flat; the kitchen was not tidy.",
            reason="The first version said the flat was tidy.",
            confirm="on",
        ),
    )
    correction = Note.objects.get(supersedes=note)
    assert response["Location"] == reverse("journal:note", args=[correction.uuid])
    html = http.get(reverse("journal:versions", args=[correction.uuid])).content.decode()
    assert "Calm, tidy flat." in html and "the kitchen was not tidy" in html
    assert "The first version said the flat was tidy." in html
    html = http.get(journal).content.decode()
    assert "the kitchen was not tidy" in html and "Calm, tidy flat." not in html


def test_a_signed_note_refuses_to_be_changed_or_deleted_with_409(client, world: World):
    note = signed(world.client, world.counsellor)
    http = login(client, world.counsellor)
    edit = reverse("journal:note_edit", args=[note.uuid])
    for response in (
        http.get(edit),
        http.post(edit, form_data(world, text="Rewritten.")),
        http.post(reverse("journal:note_delete", args=[note.uuid]), {"confirm": "on"}),
        http.post(reverse("journal:sign", args=[note.uuid]), {"confirm": "on"}),
    ):
        assert response.status_code == 409
        assert "can no longer be changed or deleted" in response.content.decode()
    note.refresh_from_db()
    assert note.text == "We talked about the week."


def test_only_the_author_edits_signs_deletes_or_corrects(client, world: World):
    mine = draft(world.client, world.counsellor)
    done = signed(world.client, world.counsellor)
    http = login(client, world.doctor)
    for url, data in (
        (reverse("journal:note_edit", args=[mine.uuid]), form_data(world)),
        (reverse("journal:sign", args=[mine.uuid]), {"confirm": "on"}),
        (reverse("journal:note_delete", args=[mine.uuid]), {"confirm": "on"}),
        (reverse("journal:correct", args=[done.uuid]), form_data(world, reason="x", confirm="on")),
    ):
        response = http.post(url, data, follow=True)
        assert "Only the note&#x27;s author can do this." in response.content.decode(), url
    mine.refresh_from_db()
    assert mine.signed_at is None and Note.objects.count() == 2


def test_a_draft_is_deleted_after_confirming(client, world: World):
    note = draft(world.client, world.counsellor)
    http = login(client, world.counsellor)
    delete = reverse("journal:note_delete", args=[note.uuid])
    http.post(delete, {})
    assert Note.objects.filter(pk=note.pk).exists()
    response = http.post(delete, {"confirm": "on"}, follow=True)
    assert not Note.objects.filter(pk=note.pk).exists()
    assert "The draft is deleted." in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": ""}, "Write the note&#x27;s text."),
        ({"contact_at": "future"}, "The contact cannot be in the future"),
        ({"contact_at": "2026-02-30T10:00"}, "Enter a valid date/time."),
        ({"contact_at": "1899-12-31T10:00"}, "The contact cannot be before 1900."),
        ({"episode": "not-an-episode"}, "Select a valid choice."),
        ({"goals": ["not-a-goal"]}, "Select a valid choice."),
    ],
)
def test_a_refused_note_is_shown_again_with_the_reason(client, world: World, overrides, message):
    if overrides.get("contact_at") == "future":
        overrides = {"contact_at": local(clock.now() + datetime.timedelta(days=1), world)}
    http = login(client, world.counsellor)
    response = http.post(
        reverse("journal:note_new", args=[world.client.uuid]), form_data(world, **overrides)
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Note.objects.exists()


def test_a_correction_needs_a_reason_and_the_confirmation(client, world: World):
    note = signed(world.client, world.counsellor)
    http = login(client, world.counsellor)
    correct = reverse("journal:correct", args=[note.uuid])
    response = http.post(correct, form_data(world, text="New text.", confirm="on"))
    assert response.status_code == 422
    assert "Say why the note is corrected." in response.content.decode()
    response = http.post(correct, form_data(world, text="New text.", reason="Typo."))
    assert response.status_code == 422
    assert "Confirm that you sign the correction." in response.content.decode()
    assert Note.objects.count() == 1


def test_an_outsider_gets_404_everywhere(client, world: World, outsider):
    note = signed(world.client, world.counsellor)
    http = login(client, outsider)
    for url in (
        reverse("journal:client", args=[world.client.uuid]),
        reverse("journal:note_new", args=[world.client.uuid]),
        reverse("journal:print", args=[world.client.uuid]),
        reverse("journal:note", args=[note.uuid]),
        reverse("journal:note_edit", args=[note.uuid]),
        reverse("journal:correct", args=[note.uuid]),
        reverse("journal:versions", args=[note.uuid]),
    ):
        assert http.get(url).status_code == 404, url
    for url in (
        reverse("journal:sign", args=[note.uuid]),
        reverse("journal:note_delete", args=[note.uuid]),
    ):
        assert http.post(url, {"confirm": "on"}).status_code == 404, url


def test_the_filters_and_the_search(client, world: World):
    signed(world.client, world.counsellor, contact_type="phone", text="Called about the bus card.")
    signed(world.client, world.doctor, contact_type="medical", text="Blood pressure fine.")
    http = login(client, world.counsellor)
    journal = reverse("journal:client", args=[world.client.uuid])
    html = http.get(journal, {"type": "phone"}).content.decode()
    assert "bus card" in html and "Blood pressure" not in html
    html = http.get(journal, {"author": world.doctor.username}).content.decode()
    assert "bus card" not in html and "Blood pressure" in html
    html = http.get(journal, {"q": "BUS"}).content.decode()
    assert "bus card" in html and "Blood pressure" not in html
    html = http.get(journal, {"q": "x" * 201}).content.decode()
    assert "Ensure this value has at most 200 characters" in html


def grow(world: World, count: int) -> None:
    for n in range(count):
        author = world.psychologist if n % 3 == 0 else world.counsellor
        note = signed(
            world.client,
            author,
            text=f"Note {n}",
            restricted=author == world.psychologist,
            goals=world.goals[: n % 3],
            contact_at=clock.now() - datetime.timedelta(hours=n + 1),
        )
        if n % 4 == 0:
            services.note_correct(note=note, actor=author, text=f"Note {n}, corrected", reason="x")


def test_the_journal_page_costs_the_same_queries_whatever_the_history(client, world: World):
    http = login(client, world.doctor)
    url = reverse("journal:client", args=[world.client.uuid])
    grow(world, 3)
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        assert http.get(url).status_code == 200
    grow(world, 80)
    with CaptureQueriesContext(connection) as many:
        assert http.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries) <= 25


def test_the_journal_prints_as_a_pdf(client, world: World):
    signed(world.client, world.counsellor, text="Printed conversation.")
    draft(world.client, world.counsellor, text="An unsigned draft.")
    signed(world.client, world.psychologist, text="Secret psychology.", restricted=True)
    response = login(client, world.counsellor).get(
        reverse("journal:print", args=[world.client.uuid])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert world.client.code in response["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Printed conversation." in text
    assert "An unsigned draft." not in text
    assert "Secret psychology." not in text
    assert "Restricted" in text


@pytest.mark.parametrize(
    ("given", "expected"),
    [("2026-01-05T09:30", "2026-01-05T09:30"), ("yesterday", None), ("2026-02-30T09:30", None)],
)
def test_a_note_written_after_an_appointment_starts_at_its_time(client, world, given, expected):
    """A link from an appointment gives the time of the contact (``?at=``); a value that is
    not a date and time leaves the form at now."""
    http = login(client, world.counsellor)
    response = http.get(
        reverse("journal:note_new", args=[world.client.uuid]),
        {"type": "phone", "at": given},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["contact_type"] == "phone"
    now = local(clock.now(), world)
    assert form.initial["contact_at"] == (expected or now)
