"""Requirement IDs (INT-5, MED-6, ...) are for the code, its comments, docstrings and tests,
never for what staff read (issue 13). This scans what can reach a page: the template files
outside their comments, the strings the Python code marks for translation (what
makemessages would extract), the labels and help texts of forms and models, and template
output of a requirement ID held in data (a deadline basis's ``req``)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\b(INT|ASM|DEC|PLN|CAT|SCH|MED|HLT|HRM|REL|DIS|RES|HOU|PRV|JRN|APT|REF)-\d+\b")
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{% *comment *%\}.*?\{% *endcomment *%\}", re.S)
# Tags print nothing but a translation: ``{% if basis.req == "HLT-1" %}`` is logic.
SILENT_TAG = re.compile(r"\{%(?! *(translate|trans) )[^%]*%\}")
# A template printing a requirement ID kept in data: ``{{ basis.req }}``.
REQUIREMENT_OUTPUT = re.compile(r"\{\{\s*[\w.]*\breq\b\s*(\|[^}]*)?\}\}")
GETTEXT = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
# Keyword arguments whose text is shown as it is (a form field's or a model field's).
SHOWN_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural"}


def templates() -> Iterator[Path]:
    yield from sorted((ROOT / "templates").rglob("*.html"))
    yield from sorted((ROOT / "templates").rglob("*.txt"))


def python_sources() -> Iterator[Path]:
    for path in sorted((ROOT / "bedring").rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def literals(node: ast.AST) -> Iterator[str]:
    """The string constants of an argument (implicit concatenation is one constant)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value


def shown_strings(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Strings the user may read: the arguments of gettext calls, and literal labels and
    help texts given to a field."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if call_name(node) in GETTEXT:
            for arg in node.args:
                for text in literals(arg):
                    yield node.lineno, text
        for keyword in node.keywords:
            if keyword.arg in SHOWN_KEYWORDS:
                for text in literals(keyword.value):
                    yield node.lineno, text


def test_no_template_shows_a_requirement_code():
    found = []
    for path in templates():
        shown = SILENT_TAG.sub("", TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8")))
        for match in CODE.finditer(shown):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
        for match in REQUIREMENT_OUTPUT.finditer(shown):
            found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not found, "requirement codes shown to users:\n" + "\n".join(found)


def test_no_translatable_string_label_or_help_text_holds_a_requirement_code():
    found = []
    for path in python_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, text in shown_strings(tree):
            if CODE.search(text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not found, "requirement codes in user-facing strings:\n" + "\n".join(found)


def test_the_scan_finds_a_code_where_there_is_one():
    """The scan itself: a code in a gettext call, a label and a template is found; one in a
    comment or a docstring is not."""
    source = (
        '"""Serves MED-6."""\n'
        "# MED-6\n"
        'x = _("Outside the medication hours (MED-6).")\n'
        'y = forms.CharField(label="Dose (MED-2)")\n'
    )
    assert [text for _line, text in shown_strings(ast.parse(source))] == [
        "Outside the medication hours (MED-6).",
        "Dose (MED-2)",
    ]
    template = (
        '{# INT-5 #}{% comment %}INT-5{% endcomment %}{% if b.req == "INT-5" %}'
        '<p>{% translate "Due (INT-6)" %}</p>'
        "{% blocktranslate %}Late (INT-7){% endblocktranslate %}"
    )
    shown = SILENT_TAG.sub("", TEMPLATE_COMMENT.sub("", template))
    assert [m.group(0) for m in CODE.finditer(shown)] == ["INT-6", "INT-7"]
    assert REQUIREMENT_OUTPUT.search("({{ basis.req }})")
    assert not REQUIREMENT_OUTPUT.search('{% if basis.req == "HLT-1" %}')
