"""An organisation's reminder rules as written in its service pack (APT-3), validated before
anything is loaded (``reminders:`` in ``bedring/rules/service_packs/*.yaml``)::

    reminders:
      timing:
        days_before: 1
        at: "16:00"
        source: assumption (no seed says when reminders are sent)
      labels:
        neutral: Sønderborg Kommune
        service: Sønderborg Misbrugscenter
        source: seed 003 line 43 "Sønderborg Kommunes Misbrugscenter"

The neutral name is the one a reminder carries unless the client agreed to the service's name:
it must say nothing about treatment.
"""

from __future__ import annotations

import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_DAYS_BEFORE = 14


class ReminderTimingIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    days_before: int = Field(ge=0, le=MAX_DAYS_BEFORE)
    at: datetime.time
    source: str = Field(min_length=1)

    @field_validator("at", mode="before")
    @classmethod
    def _clock_time(cls, value: object) -> object:
        # YAML 1.1 reads an unquoted 16:00 as the number 960 (sexagesimal): ask for quotes.
        if isinstance(value, int):
            raise ValueError('write the time in quotes, e.g. "16:00"')
        return value


class ReminderLabelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    neutral: str = Field(min_length=1, max_length=100)
    service: str = Field(min_length=1, max_length=100)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _neutral_differs(self) -> ReminderLabelsIn:
        if self.neutral.casefold() == self.service.casefold():
            raise ValueError("the neutral name must differ from the service's name")
        if self.service.casefold() in self.neutral.casefold():
            raise ValueError("the neutral name must not contain the service's name")
        return self


class ReminderRulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    timing: ReminderTimingIn
    labels: ReminderLabelsIn
