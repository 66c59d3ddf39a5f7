"""Question sets (ASM-2, ASM-4): their schema, their domains, and the checking of answers.

Pure: no ORM. A question set is data (``bedring/rules/question_sets/*.yaml``, listed by a
service pack and stored versioned in :class:`~bedring.pathway.models.QuestionSet`); this module
says what a valid set is (:class:`QuestionSetIn`, used by the pack loader) and what a valid
answer to it is (:func:`clean_answers`).

The domains are fixed here rather than in the data: they are the frame ASM-2 gives every
assessment (the six areas of kortlægning), plus the offers made in the conversation and the
person's own view (ASM-4). Their names are translated with the rest of the interface; the
questions carry their own labels in every language.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bedring.core.errors import ValidationFailed

LANGUAGES = ("en", "da", "nb", "nl")
QUESTION_TYPES = ("text", "choice", "bool", "number", "date")
MAX_TEXT = 5000
MAX_NUMBER = 1_000_000

DOMAINS = {
    "substance_use": _("1. Substance use: drugs and alcohol, earlier treatment"),
    "social": _("2. Social relations, network and family"),
    "health": _("3. Physical and mental health"),
    "work_education": _("4. Work and education"),
    "housing": _("5. Housing"),
    "other": _("6. Other circumstances, help received elsewhere"),
    "own_view": _("The person's own view"),
    "offers": _("Offers and consents"),
}
# DIS-5: the areas of the person's life followed up after discharge: the six areas the
# assessment maps and the plan works on.
LIFE_AREAS = ("substance_use", "social", "health", "work_education", "housing", "other")


def _labels(value: dict[str, str]) -> dict[str, str]:
    unknown = sorted(set(value) - set(LANGUAGES))
    if unknown:
        raise ValueError(f"unknown language {', '.join(unknown)}; use {', '.join(LANGUAGES)}")
    if not value.get("en", "").strip():
        raise ValueError("an English label (en) is required")
    empty = sorted(lang for lang, text in value.items() if not text.strip())
    if empty:
        raise ValueError(f"empty label for {', '.join(empty)}")
    return value


Labels = Annotated[dict[str, str], AfterValidator(_labels)]


class ChoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=50)
    label: Labels


class QuestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=50)
    domain: Literal[
        "substance_use",
        "social",
        "health",
        "work_education",
        "housing",
        "other",
        "own_view",
        "offers",
    ]
    type: Literal["text", "choice", "bool", "number", "date"]
    required: bool = False
    label: Labels
    choices: list[ChoiceIn] | None = None

    @model_validator(mode="after")
    def _choices_fit_the_type(self) -> QuestionIn:
        if self.type == "choice":
            if not self.choices:
                raise ValueError(f"question {self.key!r}: a choice question needs choices")
            values = [c.value for c in self.choices]
            repeated = sorted({v for v in values if values.count(v) > 1})
            if repeated:
                raise ValueError(
                    f"question {self.key!r}: repeated choice values: {', '.join(repeated)}"
                )
        elif self.choices is not None:
            raise ValueError(f"question {self.key!r}: only a choice question has choices")
        return self


class QuestionSetIn(BaseModel):
    """One file of ``bedring/rules/question_sets``."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=50)
    title: Labels
    questions: list[QuestionIn] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_keys(self) -> QuestionSetIn:
        keys = [q.key for q in self.questions]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"question keys must be unique; repeated: {', '.join(repeated)}")
        return self

    def stored_questions(self) -> list[dict[str, Any]]:
        """The questions as stored in QuestionSet.questions (no empty keys, so that an
        unchanged file compares equal to what is stored)."""
        return [q.model_dump(exclude_none=True) for q in self.questions]


def label_for(labels: Mapping[str, str], language: str | None) -> str:
    """The label in the user's language, else English."""
    if language:
        text = labels.get(language) or labels.get(language.split("-")[0])
        if text:
            return text
    return labels.get("en", "")


def domain_label(domain: str) -> str:
    return str(DOMAINS.get(domain, domain))


def _clean_one(question: Mapping[str, Any], value: Any) -> Any:
    """The stored form of one answer, or a ValidationFailed naming the question."""
    key = question["key"]
    kind = question["type"]
    if kind == "text":
        if not isinstance(value, str):
            raise _wrong_type(key, _("Give a text."))
        value = value.strip()
        if len(value) > MAX_TEXT:
            raise ValidationFailed(
                "answer_too_long",
                _("At most %(max)s characters.") % {"max": MAX_TEXT},
                field=key,
            )
        return value or None
    if kind == "choice":
        allowed = [c["value"] for c in question.get("choices", [])]
        if not isinstance(value, str) or value not in allowed:
            raise ValidationFailed(
                "invalid_choice",
                _("Choose one of the given answers."),
                field=key,
                details={"allowed": allowed},
            )
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise _wrong_type(key, _("Answer yes or no."))
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _wrong_type(key, _("Give a number."))
        # JSON cannot store infinity or NaN, and no answer here is a number of that size.
        if isinstance(value, int) and abs(value) > MAX_NUMBER:
            raise _wrong_type(key, _("Give a number."))
        if isinstance(value, float) and not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
            raise _wrong_type(key, _("Give a number."))
        return int(value) if float(value).is_integer() else value
    if kind == "date":
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value.isoformat()
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value).isoformat()
            except ValueError:
                pass
        raise _wrong_type(key, _("Give a date as YYYY-MM-DD."))
    raise ValidationFailed("unknown_type", _("This question cannot be answered."), field=key)


def _wrong_type(key: str, message: Any) -> ValidationFailed:
    return ValidationFailed("wrong_type", message, field=key)


def clean_answers(questions: list[dict[str, Any]], answers: Mapping[str, Any]) -> dict[str, Any]:
    """Check answers against the set's questions and return what is stored.

    An empty answer (None, or blank text) is left out: the question is not answered yet.
    Every problem is reported: the error names the first question, ``details["errors"]`` all
    of them (question key: message), so that a form can show each next to its field.
    """
    by_key = {q["key"]: q for q in questions}
    cleaned: dict[str, Any] = {}
    errors: dict[str, ValidationFailed] = {}
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None:
            errors[key] = ValidationFailed(
                "unknown_question",
                _("This question is not in the question set."),
                field=key,
            )
            continue
        if value is None:
            continue
        try:
            stored = _clean_one(question, value)
        except ValidationFailed as exc:
            errors[key] = exc
            continue
        if stored is not None:
            cleaned[key] = stored
    if errors:
        first = errors[next(iter(errors))]
        raise ValidationFailed(
            first.code,
            first.message,
            field=first.field,
            details={
                **first.details,
                "errors": {
                    key: {"code": e.code, "message": str(e.message)} for key, e in errors.items()
                },
            },
        )
    return cleaned


def missing_required(questions: list[dict[str, Any]], answers: Mapping[str, Any]) -> list[str]:
    """The keys of required questions without an answer, in the set's order."""
    return [
        q["key"] for q in questions if q.get("required") and answers.get(q["key"]) in (None, "")
    ]


def display_answer(question: Mapping[str, Any], value: Any, language: str | None) -> str:
    """An answer as the page shows it: a choice by its label, yes/no translated."""
    if value is None:
        return ""
    if question["type"] == "choice":
        for choice in question.get("choices", []):
            if choice["value"] == value:
                return label_for(choice["label"], language)
    if question["type"] == "bool":
        return str(_("Yes") if value else _("No"))
    return str(value)
