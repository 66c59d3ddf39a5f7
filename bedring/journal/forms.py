"""Journal forms (JRN-1, JRN-2). Field names are the services' parameters, so a service's
refusal is shown next to its field. The time of the contact is the organisation's local
time, whatever the server's time zone."""

from __future__ import annotations

import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from bedring.accounts.models import Organisation, User
from bedring.core import clock
from bedring.pathway.models import Episode, Goal

from .models import ContactType
from .selectors import QUERY_MAX
from .services import REASON_MAX, TEXT_MAX

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _goal_label(goal: Goal) -> str:
    return f"{goal.text} ({date_format(goal.due_on, 'SHORT_DATE_FORMAT')})"


def episode_label(episode: Episode) -> str:
    return f"{date_format(episode.opened_on, 'SHORT_DATE_FORMAT')} · {episode.get_state_display()}"


class NoteForm(forms.Form):
    """A draft: its contact, episode, goals, restriction and text."""

    contact_type = forms.ChoiceField(label=_("Contact type"), choices=ContactType.choices)
    contact_at = forms.DateTimeField(label=_("Time of the contact"), widget=DATETIME)
    episode = forms.ChoiceField(label=_("Episode"), required=False)
    goals = forms.MultipleChoiceField(
        label=_("Plan goals this note is about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    restricted = forms.BooleanField(
        label=_("Restricted note"),
        required=False,
        help_text=_(
            "Only your profession and the roles your organisation names read it; others see "
            "that it exists."
        ),
    )
    text = forms.CharField(
        label=_("Text"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        # The service says why an empty text is refused; the form only requires it.
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        episodes: list[Episode],
        goals: list[Goal],
        may_restrict: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.episodes = {str(e.uuid): e for e in episodes}
        self.goal_choices = {str(g.uuid): g for g in goals}
        cast(forms.ChoiceField, self.fields["episode"]).choices = [("", "—")] + [
            (key, episode_label(e)) for key, e in self.episodes.items()
        ]
        cast(forms.MultipleChoiceField, self.fields["goals"]).choices = [
            (key, _goal_label(g)) for key, g in self.goal_choices.items()
        ]
        if not goals:
            del self.fields["goals"]
        if not may_restrict:
            del self.fields["restricted"]
        if not self.is_bound:
            self.initial.setdefault(
                "contact_at", clock.local_now(organisation).strftime("%Y-%m-%dT%H:%M")
            )

    def clean_contact_at(self) -> datetime.datetime:
        value: datetime.datetime = self.cleaned_data["contact_at"]
        return value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(self.organisation.time_zone))

    def clean_episode(self) -> Episode | None:
        key = self.cleaned_data.get("episode") or ""
        return self.episodes.get(key)

    def clean_goals(self) -> list[Goal]:
        return [self.goal_choices[k] for k in self.cleaned_data.get("goals", [])]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.setdefault("goals", [])
        data.setdefault("restricted", False)
        return data


class CorrectionForm(NoteForm):
    """A correction: the same fields, the reason, and the author's confirmation that the
    correction is signed at once."""

    reason = forms.CharField(
        label=_("Why is the note corrected?"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    confirm = forms.BooleanField(
        label=_("I sign the correction. It cannot be changed afterwards."),
        required=True,
        error_messages={"required": _("Confirm that you sign the correction.")},
    )


class SignForm(forms.Form):
    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": _("Confirm that you sign the note.")},
    )


class JournalFilterForm(forms.Form):
    """The journal's filters: type, episode, author and a search in the text."""

    type = forms.ChoiceField(label=_("Type"), required=False)
    episode = forms.ChoiceField(label=_("Episode"), required=False)
    author = forms.ChoiceField(label=_("Author"), required=False)
    q = forms.CharField(label=_("Search the text"), required=False, max_length=QUERY_MAX)

    def __init__(
        self, *args: Any, episodes: list[Episode], authors: list[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.episodes = {str(e.uuid): e for e in episodes}
        self.authors = {u.username: u for u in authors}
        cast(forms.ChoiceField, self.fields["type"]).choices = [
            ("", _("All types")),
            *ContactType.choices,
        ]
        cast(forms.ChoiceField, self.fields["episode"]).choices = [("", _("All episodes"))] + [
            (key, episode_label(e)) for key, e in self.episodes.items()
        ]
        cast(forms.ChoiceField, self.fields["author"]).choices = [("", _("All authors"))] + [
            (name, u.get_full_name() or u.username) for name, u in self.authors.items()
        ]
