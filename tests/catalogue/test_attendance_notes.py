"""SCH-1: an attendance can carry a short note per participant, saved with the status on the
grid and through the API, corrected in place (the change log keeps the old text), shown on
the client's enrolment page. A note without a status, or too long, is refused and nothing
is written."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from bedring.catalogue.models import Attendance
from bedring.catalogue.services.attendance import attendance_record, attendance_record_grid
from bedring.core.errors import ValidationFailed
from tests.conftest import api_headers

from .test_attendance_world import FIRST_SESSION, course_with_sessions, enrol, weekly

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(org_dk, counsellor, make_client):
    course, sessions = course_with_sessions(org_dk, dates=weekly(FIRST_SESSION, 2))
    enrolments = [enrol(make_client(org_dk), actor=counsellor, course=course) for _ in range(2)]
    return {"course": course, "sessions": sessions, "enrolments": enrolments}


def grid_url(session):
    return reverse("catalogue:attendance", kwargs={"session_uuid": session.uuid})


def test_the_grid_saves_a_short_note_with_the_status(as_user, counsellor, course):
    session = course["sessions"][0]
    e1, e2 = course["enrolments"]
    http = as_user(counsellor)
    response = http.post(
        grid_url(session),
        {
            f"status-{e1.uuid}": "attended",
            f"note-{e1.uuid}": "Took part actively.",
            f"status-{e2.uuid}": "absent",
            f"note-{e2.uuid}": "",
        },
    )
    assert response.status_code == 302
    notes = dict(Attendance.objects.filter(session=session).values_list("enrolment", "note"))
    assert notes == {e1.pk: "Took part actively.", e2.pk: ""}
    page = http.get(grid_url(session)).content.decode()
    assert 'value="Took part actively."' in page
    enrolment_page = http.get(
        reverse("catalogue:enrolment_detail", kwargs={"enrolment_uuid": e1.uuid})
    ).content.decode()
    assert "Took part actively." in enrolment_page


def test_a_note_is_corrected_in_place_and_the_change_log_keeps_the_old(counsellor, course):
    session, (enrolment, _other) = course["sessions"][0], course["enrolments"]
    record = attendance_record(
        session=session, enrolment=enrolment, status="attended", actor=counsellor, note="Quiet."
    )
    attendance_record(
        session=session, enrolment=enrolment, status="attended", actor=counsellor, note="Talkative."
    )
    record.refresh_from_db()
    assert record.note == "Talkative."
    # Left out, the note is kept.
    attendance_record(session=session, enrolment=enrolment, status="absent", actor=counsellor)
    record.refresh_from_db()
    assert (record.status, record.note) == ("absent", "Talkative.")
    assert LogEntry.objects.filter(object_pk=str(record.pk), changes__icontains="Quiet.").exists()


def test_a_note_without_a_status_or_too_long_is_refused(counsellor, course):
    session = course["sessions"][0]
    e1, e2 = course["enrolments"]
    with pytest.raises(ValidationFailed) as refused:
        attendance_record_grid(
            session=session,
            marks=[(e1, "attended")],
            actor=counsellor,
            notes={e1.pk: "ok", e2.pk: "No status for me."},
        )
    assert refused.value.code == "note_without_status"
    with pytest.raises(ValidationFailed) as refused:
        attendance_record_grid(
            session=session, marks=[(e1, "attended")], actor=counsellor, notes={e1.pk: "x" * 301}
        )
    assert refused.value.code == "note_too_long"
    assert not Attendance.objects.exists()


def test_the_api_sets_and_answers_the_note(client, counsellor, course):
    session = course["sessions"][0]
    e1, e2 = course["enrolments"]
    url = f"/api/v1/sessions/{session.uuid}/attendance"
    response = client.post(
        url,
        [
            {"enrolment": str(e1.uuid), "status": "attended", "note": "Led the round."},
            {"enrolment": str(e2.uuid), "status": "cancelled"},
        ],
        content_type="application/json",
        **api_headers(counsellor),
    )
    assert response.status_code == 200, response.content
    marks = {m["enrolment"]: m for m in response.json()["marks"]}
    assert marks[str(e1.uuid)]["note"] == "Led the round."
    assert marks[str(e2.uuid)]["note"] == ""
    too_long = client.post(
        url,
        [{"enrolment": str(e1.uuid), "status": "attended", "note": "x" * 301}],
        content_type="application/json",
        **api_headers(counsellor),
    )
    assert too_long.status_code == 422 and too_long.json()["code"] == "invalid_input"
    assert Attendance.objects.get(enrolment=e1).note == "Led the round."
