"""JRN-2, PRV-1: a restricted note is read by its author's role and the roles the pack names
(Danish pack: a psychologist's by psychologists and doctors); a counsellor sees that it
exists (date, type, author's role, "restricted") but not its text, nor finds it by its
words. Every read of the journal is in the access log with a view that says journal, and
every display of a restricted text to someone other than its author is logged too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from bedring.audit.models import AccessEvent
from bedring.journal import selectors
from bedring.journal.models import NoteRead
from tests.conftest import api_headers, login
from tests.journal.conftest import World, signed

pytestmark = pytest.mark.django_db

SECRET = "Talked about the trauma in childhood"


@pytest.fixture
def restricted(world: World):
    return signed(world.client, world.psychologist, text=SECRET, restricted=True)


def page(http, world: World) -> str:
    response = http.get(reverse("journal:client", args=[world.client.uuid]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_counsellor_sees_that_it_exists_but_not_its_text(client, world: World, restricted):
    signed(world.client, world.counsellor, text="An ordinary conversation.")
    html = page(login(client, world.counsellor), world)
    assert SECRET not in html
    assert "An ordinary conversation." in html
    assert "Restricted note: only the professionals who need it read its text." in html
    assert "Psychologist" in html  # the author's role, not the name
    assert world.psychologist.last_name not in html
    detail = client.get(reverse("journal:note", args=[restricted.uuid])).content.decode()
    assert SECRET not in detail
    versions = client.get(reverse("journal:versions", args=[restricted.uuid]))
    assert versions.status_code == 302
    assert not NoteRead.objects.filter(reader=world.counsellor).exists()


@pytest.mark.parametrize("role", ["psychologist", "doctor"])
def test_the_psychologist_and_the_roles_the_pack_names_read_it(
    client, world: World, restricted, make_staff, role
):
    reader = world.psychologist if role == "psychologist" else world.doctor
    if role == "psychologist":  # another psychologist than the author
        reader = make_staff(world.organisation, "psychologist")
    html = page(login(client, reader), world)
    assert SECRET in html
    read = NoteRead.objects.get(reader=reader)
    assert (read.note, read.view, read.channel) == (restricted, "journal", "html")
    assert AccessEvent.objects.filter(
        actor=reader, client=world.client, view="journal_restricted"
    ).exists()


def test_the_nurse_does_not_read_a_psychologists_restricted_note(client, world: World, restricted):
    """The Danish pack lets nurses read the doctor's restricted notes, not the
    psychologist's."""
    html = page(login(client, world.nurse), world)
    assert SECRET not in html
    doctor_note = signed(
        world.client, world.doctor, text="Dose raised for a reason.", restricted=True
    )
    assert "Dose raised for a reason." in page(client, world)
    assert NoteRead.objects.get(reader=world.nurse).note == doctor_note


def test_the_author_reads_without_a_read_being_logged(client, world: World, restricted):
    assert SECRET in page(login(client, world.psychologist), world)
    assert not NoteRead.objects.exists()


def test_a_search_never_matches_text_the_reader_may_not_read(world: World, restricted):
    where = selectors.JournalFilter(query="trauma")
    counsellor = selectors.reader_for(world.counsellor, world.organisation, ["counsellor"])
    doctor = selectors.reader_for(world.doctor, world.organisation, ["doctor"])
    assert list(selectors.journal_notes(world.client, counsellor, where)) == []
    assert list(selectors.journal_notes(world.client, doctor, where)) == [restricted]


def test_the_api_hides_the_text_and_refuses_the_versions(client, world: World, restricted):
    headers = api_headers(world.counsellor)
    body = client.get(f"/api/v1/clients/{world.client.uuid}/journal-notes", **headers).json()
    (row,) = body["results"]
    assert row["restricted"] is True and row["readable"] is False
    assert row["text"] is None and row["author"] is None
    assert row["author_role"] == "psychologist"
    response = client.get(f"/api/v1/journal-notes/{restricted.uuid}/versions", **headers)
    assert response.status_code == 403
    assert response.json()["code"] == "note_restricted"
    doctor = client.get(
        f"/api/v1/journal-notes/{restricted.uuid}/versions", **api_headers(world.doctor)
    )
    assert doctor.status_code == 200
    assert doctor.json()["versions"][0]["text"] == SECRET
    assert NoteRead.objects.filter(reader=world.doctor, channel="api").exists()


def test_every_read_of_the_journal_is_in_the_access_log(client, world: World, restricted):
    http = login(client, world.counsellor)
    page(http, world)
    http.get(reverse("journal:note", args=[restricted.uuid]))
    http.get(reverse("journal:print", args=[world.client.uuid]))
    client.get(
        f"/api/v1/clients/{world.client.uuid}/journal-notes", **api_headers(world.counsellor)
    )
    views = set(
        AccessEvent.objects.filter(actor=world.counsellor, client=world.client).values_list(
            "view", "channel"
        )
    )
    assert {
        ("journal", "html"),
        ("journal_note", "html"),
        ("journal_pdf", "print"),
        ("api_journal", "api"),
    } <= views
    assert all("journal" in view for view, _channel in views)


def test_the_access_report_lists_the_notes_written_and_the_restricted_reads(
    client, world: World, restricted, manager
):
    page(login(client, world.doctor), world)
    html = (
        login(client, manager)
        .get(reverse("web:client_access_report", args=[world.client.uuid]))
        .content.decode()
    )
    assert 'data-testid="report-notes-written"' in html
    assert 'data-testid="report-note-reads"' in html
    assert world.doctor.get_full_name() in html
    assert SECRET not in html


def test_filtering_by_author_does_not_reveal_who_wrote_a_restricted_note(world: World, restricted):
    """Others see that a restricted note exists, not who wrote it: the author filter lists
    only the notes the reader may read."""
    where = selectors.JournalFilter(author=world.psychologist)
    counsellor = selectors.reader_for(world.counsellor, world.organisation, ["counsellor"])
    doctor = selectors.reader_for(world.doctor, world.organisation, ["doctor"])
    assert list(selectors.journal_notes(world.client, counsellor, where)) == []
    assert list(selectors.journal_notes(world.client, doctor, where)) == [restricted]


def test_reading_an_older_version_of_a_note_restricted_since_is_logged(client, world: World):
    """A correction that adds the restriction covers the older versions: showing the first
    version's text to a doctor is a restricted read, on the page and in the API."""
    from bedring.journal import services

    first = signed(world.client, world.psychologist, text=SECRET)
    services.note_correct(
        note=first, actor=world.psychologist, text=SECRET + ".", reason="Private.", restricted=True
    )
    http = login(client, world.doctor)
    assert SECRET in http.get(reverse("journal:note", args=[first.uuid])).content.decode()
    assert list(NoteRead.objects.filter(reader=world.doctor).values_list("note", "view")) == [
        (first.pk, "journal_note")
    ]
    response = client.get(f"/api/v1/journal-notes/{first.uuid}", **api_headers(world.doctor))
    assert response.status_code == 200
    assert NoteRead.objects.filter(reader=world.doctor, note=first, channel="api").count() == 1
