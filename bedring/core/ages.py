"""Age arithmetic. A person turns N on their birthday; someone born on 29 February turns N on
1 March in years without one (the Danish and Norwegian registers' reading)."""

from __future__ import annotations

import datetime


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)
