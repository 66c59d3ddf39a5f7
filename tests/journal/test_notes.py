"""JRN-1: a note is a draft until its author signs it; a signed note is never changed or
deleted (by the services, the model or SQL); a correction is a new version with who, when
and why, and the old one stays. Bad input is refused with a specific code and writes
nothing."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, connection, transaction

from bedring.core import clock
from bedring.core.errors import Conflict, Forbidden, ValidationFailed
from bedring.journal import selectors, services
from bedring.journal.models import ContactType, Note, SignedNoteError
from bedring.rules.packs import ContactTypeKey, jurisdiction_pack
from tests.journal.conftest import World, an_hour_ago, draft, signed, with_plan

pytestmark = pytest.mark.django_db


def test_the_contact_types_are_the_packs_keys():
    import typing

    assert set(ContactType.values) == set(typing.get_args(ContactTypeKey))


def test_a_note_is_a_draft_of_its_author_until_signed(world: World):
    note = draft(world.client, world.counsellor, goals=world.goals[:1])
    assert note.signed_at is None and note.version == 1 and note.chain == note.uuid
    # The goals' episode is taken when none is named.
    assert note.episode == world.episode
    assert note.author_role == "counsellor"
    services.note_draft_update(
        note=note,
        actor=world.counsellor,
        contact_type="phone",
        contact_at=an_hour_ago(),
        text="Phoned about tomorrow.",
        episode=world.episode,
        goals=world.goals,
    )
    note.refresh_from_db()
    assert (note.contact_type, note.text) == ("phone", "Phoned about tomorrow.")
    assert set(note.goals.all()) == set(world.goals)
    moment = clock.now()
    signed_note = services.note_sign(note=note, actor=world.counsellor, at=moment)
    assert signed_note.signed_at == moment


def test_only_the_author_changes_signs_or_deletes_a_draft(world: World):
    note = draft(world.client, world.counsellor)
    for action in (
        lambda: services.note_sign(note=note, actor=world.doctor),
        lambda: services.note_draft_delete(note=note, actor=world.doctor),
        lambda: services.note_draft_update(
            note=note,
            actor=world.doctor,
            contact_type="phone",
            contact_at=an_hour_ago(),
            text="Not mine.",
        ),
    ):
        with pytest.raises(Forbidden) as refused:
            action()
        assert refused.value.code == "note_not_author"
    note.refresh_from_db()
    assert note.signed_at is None and note.text == "We talked about the week."


def test_a_draft_can_be_deleted_and_the_change_log_keeps_it(world: World):
    note = draft(world.client, world.counsellor, goals=world.goals)
    pk = note.pk
    services.note_draft_delete(note=note, actor=world.counsellor)
    assert not Note.objects.filter(pk=pk).exists()
    assert LogEntry.objects.filter(
        object_pk=str(pk), action=LogEntry.Action.DELETE, changes__icontains="talked"
    ).exists()


def test_a_signed_note_is_never_changed_or_deleted_by_the_services(world: World):
    note = signed(world.client, world.counsellor)
    with pytest.raises(Conflict) as refused:
        services.note_draft_update(
            note=note,
            actor=world.counsellor,
            contact_type="phone",
            contact_at=an_hour_ago(),
            text="Changed.",
        )
    assert refused.value.code == "note_signed"
    with pytest.raises(Conflict) as refused:
        services.note_draft_delete(note=note, actor=world.counsellor)
    assert refused.value.code == "note_signed"
    with pytest.raises(Conflict) as refused:
        services.note_sign(note=note, actor=world.counsellor)
    assert refused.value.code == "note_signed"
    note.refresh_from_db()
    assert note.text == "We talked about the week."


def test_the_model_refuses_to_change_or_delete_a_signed_note(world: World):
    note = Note.objects.get(pk=signed(world.client, world.counsellor).pk)
    note.text = "Rewritten."
    with pytest.raises(SignedNoteError):
        note.save()
    with pytest.raises(SignedNoteError):
        note.delete()


def test_the_database_refuses_to_change_a_signed_note(world: World):
    note = signed(world.client, world.counsellor, goals=world.goals[:1])
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(text="Rewritten by SQL.")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE journal_note SET text = 'x' WHERE id = %s", [note.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        note.goals.add(world.goals[1])
    note.refresh_from_db()
    assert note.text == "We talked about the week."
    assert list(note.goals.all()) == world.goals[:1]
    # A draft is an ordinary row.
    other = draft(world.client, world.counsellor)
    Note.objects.filter(pk=other.pk).update(text="A draft may change.")


def test_a_correction_is_a_new_version_and_the_old_one_stays(world: World):
    original = signed(world.client, world.counsellor, goals=world.goals[:1])
    correction = services.note_correct(
        note=original,
        actor=world.counsellor,
        text="We talked about the weekend.",
        reason="Wrong day in the first version.",
    )
    assert correction.version == 2 and correction.chain == original.chain
    assert correction.supersedes == original and correction.signed_at is not None
    assert correction.correction_reason == "Wrong day in the first version."
    assert correction.author == world.counsellor
    assert list(correction.goals.all()) == world.goals[:1]
    assert correction.episode == original.episode
    original.refresh_from_db()
    assert original.text == "We talked about the week."
    versions = selectors.note_versions(original)
    assert [v.version for v in versions] == [1, 2]
    # The journal lists the newest version only.
    reader = selectors.reader_for(world.counsellor, world.organisation, ["counsellor"])
    assert list(selectors.journal_notes(world.client, reader)) == [correction]
    # And a third version supersedes the second.
    third = services.note_correct(
        note=correction, actor=world.counsellor, text="Weekend and Monday.", reason="Added Monday."
    )
    assert third.version == 3 and third.supersedes == correction


def test_correction_refusals(world: World):
    original = signed(world.client, world.counsellor)

    def correct(**kwargs):
        data = {"note": original, "actor": world.counsellor, "text": "New.", "reason": "Why."}
        data.update(kwargs)
        return services.note_correct(**data)

    cases = [
        ({"reason": "  "}, ValidationFailed, "correction_reason_required"),
        ({"text": "We talked about the week."}, ValidationFailed, "correction_unchanged"),
        ({"text": ""}, ValidationFailed, "text_required"),
        ({"actor": world.doctor}, Forbidden, "note_not_author"),
        ({"note": draft(world.client, world.counsellor)}, Conflict, "note_not_signed"),
    ]
    for kwargs, error, code in cases:
        with pytest.raises(error) as refused:
            correct(**kwargs)
        assert refused.value.code == code, kwargs
    assert Note.objects.filter(chain=original.chain).count() == 1
    correct()
    with pytest.raises(Conflict) as refused:
        correct(text="Again.")
    assert refused.value.code == "note_already_corrected"


def test_a_correction_may_add_the_restriction_but_never_lift_it(world: World):
    note = signed(world.client, world.psychologist)
    restricted = services.note_correct(
        note=note,
        actor=world.psychologist,
        text="Same.",
        reason="Should be restricted.",
        restricted=True,
    )
    assert restricted.restricted and restricted.author_role == "psychologist"
    with pytest.raises(ValidationFailed) as refused:
        services.note_correct(
            note=restricted, actor=world.psychologist, text="Open.", reason="x", restricted=False
        )
    assert refused.value.code == "restriction_kept"


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"text": "   "}, "text_required", "text"),
        ({"text": "x" * 20_001}, "text_too_long", "text"),
        ({"text": "Came\x00 late"}, "invalid_characters", "text"),
        ({"contact_type": "telepathy"}, "invalid_contact_type", "contact_type"),
        ({"contact_at": "future"}, "contact_in_future", "contact_at"),
        ({"contact_at": "1899"}, "contact_too_early", "contact_at"),
        ({"contact_at": "naive"}, "invalid_contact_time", "contact_at"),
        ({"restricted": True}, "restriction_not_allowed", "restricted"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world: World, overrides, code, field):
    moments = {
        "future": clock.now() + services.FUTURE_TOLERANCE + datetime.timedelta(minutes=1),
        "1899": datetime.datetime(1899, 12, 31, tzinfo=datetime.UTC),
        "naive": datetime.datetime(2020, 1, 1, 10, 0),  # noqa: DTZ001 - the point of the test
    }
    if overrides.get("contact_at") in moments:
        overrides = {**overrides, "contact_at": moments[overrides["contact_at"]]}
    before = Note.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        draft(world.client, world.counsellor, **overrides)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert Note.objects.count() == before


def test_a_contact_a_few_minutes_ahead_is_accepted(world: World):
    note = draft(
        world.client, world.counsellor, contact_at=clock.now() + datetime.timedelta(minutes=10)
    )
    assert note.pk


def test_a_contact_before_the_clients_birth_is_refused(world: World):
    birth = world.client.birth_date
    assert birth is not None
    before_birth = datetime.datetime.combine(
        birth - datetime.timedelta(days=1), datetime.time(12), tzinfo=clock.zone(world.organisation)
    )
    with pytest.raises(ValidationFailed) as refused:
        draft(world.client, world.counsellor, contact_at=before_birth)
    assert refused.value.code == "contact_before_birth"


def test_the_episode_and_goals_must_be_the_clients(world: World, make_client):
    other = make_client(world.organisation)
    other_episode, other_goals = with_plan(other, world.counsellor)
    before = Note.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        draft(world.client, world.counsellor, episode=other_episode)
    assert refused.value.code == "episode_not_of_client"
    with pytest.raises(ValidationFailed) as refused:
        draft(world.client, world.counsellor, goals=[world.goals[0], other_goals[0]])
    assert refused.value.code == "goal_not_of_client"
    assert refused.value.details == {"goal": str(other_goals[0].uuid)}
    assert Note.objects.count() == before


def test_a_goal_of_another_episode_of_the_client_is_refused(world: World):
    from bedring.pathway.models import Episode

    earlier = Episode.objects.create(
        organisation=world.organisation,
        client=world.client,
        state="withdrawn",
        opened_on=clock.today(world.organisation) - datetime.timedelta(days=400),
    )
    with pytest.raises(ValidationFailed) as refused:
        draft(world.client, world.counsellor, episode=earlier, goals=world.goals[:1])
    assert refused.value.code == "goal_not_in_episode"


def test_a_failed_update_leaves_the_draft_as_it_was(world: World):
    note = draft(world.client, world.counsellor, goals=world.goals[:1])
    with pytest.raises(ValidationFailed):
        services.note_draft_update(
            note=note,
            actor=world.counsellor,
            contact_type="phone",
            contact_at=clock.now() + datetime.timedelta(days=2),
            text="Changed.",
            goals=world.goals,
        )
    note.refresh_from_db()
    assert (note.contact_type, note.text) == ("conversation", "We talked about the week.")
    assert list(note.goals.all()) == world.goals[:1]


def test_the_templates_come_from_the_pack(world: World, org_no):
    dk = jurisdiction_pack("DK")
    assert selectors.note_template(world.organisation, "dose_observation") == (
        dk.journal_templates["dose_observation"].text
    )
    assert "Bivirkninger" in selectors.note_template(world.organisation, "dose_observation")
    assert "Hva er viktig for deg" in selectors.note_template(org_no, "conversation")
    assert selectors.note_template(world.organisation, "other") == ""
    for code in ("DK", "NO", "BE"):
        for template in jurisdiction_pack(code).journal_templates.values():
            assert template.source


def test_an_organisation_replaces_one_template_and_keeps_the_others():
    from tests.conftest import shipped_organisation

    outreach = shipped_organisation("outreach-dk")
    assert "pseudonym" in selectors.note_template(outreach, "outreach")
    assert selectors.note_template(outreach, "phone") == (
        jurisdiction_pack("DK").journal_templates["phone"].text
    )
