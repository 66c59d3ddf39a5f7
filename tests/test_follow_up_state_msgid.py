"""DIS-2, issue 13: the state of a follow-up that is due ("Due", beside "Overdue" and "Late")
has a message of its own, ``pgettext("follow-up state", "Due")``, apart from the plain
"Due" of a column of dates, which the translations give as a deadline date ("Fristdato",
"Uiterste datum"). This reads what makemessages extracts from the template, so the
translator is handed the two as two entries."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
DISCHARGE = ROOT / "templates" / "pathway" / "partials" / "_discharge.html"


def extracted(path: Path) -> list[str]:
    """The gettext calls makemessages finds in a template, in order."""
    return re.findall(r"\w*gettext\([^)]*\)", templatize(path.read_text(encoding="utf-8")))


def test_the_follow_up_state_due_has_its_own_context():
    calls = extracted(DISCHARGE)
    state = calls.index("gettext(u'Overdue')")
    # The badge after "Overdue" is the state of a follow-up not yet overdue.
    assert calls[state + 1] == "pgettext(u'follow-up state', u'Due')"


def test_the_follow_up_date_column_keeps_the_plain_due():
    """The column headed "Due" holds dates: it stays the deadline date's message."""
    calls = extracted(DISCHARGE)
    assert calls[calls.index("gettext(u'Follow-up')") + 1] == "gettext(u'Due')"
