"""The one form pattern (issue 13): fields grouped under legends from a form's ``fieldsets``,
an error summary that links each problem to its field (formset rows included), units beside
quantities, and no template left on the old per-domain partials or Django's as_p layouts."""

from __future__ import annotations

import re
from pathlib import Path

from django import forms
from django.forms import formset_factory
from django.template import Context, Template

from bedring.core.forms import ErrorLink, error_links, field_groups, group_of, set_unit

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"


class Booking(forms.Form):
    fieldsets = [
        ("When", ("on", "minutes", "removed_in_init")),
        ("Where", ("site",)),
    ]

    kind = forms.CharField(label="Kind")
    on = forms.DateField(label="Day")
    minutes = forms.IntegerField(label="Length", min_value=5)
    site = forms.CharField(label="Site")
    note = forms.CharField(label="Note", required=False)
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(
        label="Reminders by",
        choices=[("sms", "SMS"), ("email", "E-mail")],
        widget=forms.RadioSelect,
    )


def names(groups):
    return [(legend, [f.name for f in fields]) for legend, fields in groups]


def test_fields_no_group_names_come_first_without_a_legend_and_unknown_names_are_skipped():
    groups = field_groups(Booking())
    assert names(groups) == [
        ("", ["kind", "note", "channel"]),
        ("When", ["on", "minutes"]),
        ("Where", ["site"]),
    ]


def test_a_form_without_fieldsets_is_one_group_without_a_legend_and_hidden_fields_are_left_out():
    class Plain(forms.Form):
        a = forms.CharField()
        b = forms.CharField(widget=forms.HiddenInput)

    assert names(field_groups(Plain())) == [("", ["a"])]


def test_a_field_named_in_two_groups_is_shown_once_and_an_emptied_group_is_dropped():
    form = Booking()
    form.fieldsets = [("First", ("on",)), ("Again", ("on",)), ("Where", ("site",))]
    assert [legend for legend, _f in field_groups(form)] == ["", "First", "Where"]


def test_group_of_finds_the_group_holding_any_of_the_names():
    form = Booking()
    where, when = group_of(form, "site"), group_of(form, "removed_in_init,minutes")
    assert where is not None and where[0] == "Where"
    assert when is not None and when[0] == "When"
    assert group_of(form, "nothing") is None


def test_the_summary_links_each_error_to_its_field_and_radio_buttons_to_their_first_option():
    form = Booking({"kind": "", "on": "2026-02-31", "minutes": "2", "site": "x", "secret": ""})
    form.add_error(None, "The room is taken.")
    links = error_links(form)
    assert links[0] == ErrorLink("", "The room is taken.")
    assert [link.target for link in links[1:]] == ["id_kind", "id_on", "id_minutes", "id_channel_0"]
    assert links[1].text == "Kind: This field is required."


def test_a_hidden_field_error_is_listed_without_a_link():
    form = Booking(
        {"kind": "k", "on": "2026-02-01", "minutes": "45", "site": "x", "channel": "sms"}
    )
    form.add_error("secret", "Stale version.")
    assert error_links(form) == [ErrorLink("", "Stale version.")]


def test_a_formset_row_error_names_its_row_and_links_to_the_row_field():
    class Row(forms.Form):
        times = forms.IntegerField(label="Target")

    rows = formset_factory(Row, extra=0)(
        {"r-TOTAL_FORMS": "2", "r-INITIAL_FORMS": "0", "r-0-times": "3", "r-1-times": "many"},
        prefix="r",
    )
    assert not rows.is_valid()
    assert error_links(None, rows) == [
        ErrorLink("id_r-1-times", "Target (row 2): Enter a whole number.")
    ]


def test_the_rendered_form_has_the_summary_the_legends_the_unit_and_the_field_error_ids():
    form = Booking({"kind": "", "on": "2026-02-01", "minutes": "2", "site": "x", "channel": "sms"})
    set_unit(form, "minutes", "minutes")
    html = Template("{{ form }}").render(Context({"form": form}))
    assert 'class="error-summary"' in html and 'href="#id_kind"' in html
    assert "<legend>When</legend>" in html and "<legend>Where</legend>" in html
    assert '<span class="unit">minutes</span>' in html
    assert 'id="id_minutes_error"' in html
    assert re.search(r'class="field has-error"[^>]*data-field="kind"', html)
    unbound = Template("{{ form }}").render(Context({"form": Booking()}))
    assert "error-summary" not in unbound


OLD_PARTIALS = (
    "health/partials/_fields.html",
    "catalogue/partials/_form_fields.html",
    "appointments/partials/_fields.html",
    "pathway/decision_fields.html",
)


def templates() -> dict[str, str]:
    return {
        str(path.relative_to(TEMPLATES)): path.read_text(encoding="utf-8")
        for path in TEMPLATES.rglob("*.html")
    }


def test_no_template_includes_the_old_per_domain_field_partials():
    including = {
        name: partial
        for name, text in templates().items()
        for partial in OLD_PARTIALS
        if re.search(r'{%\s*include\s+"' + re.escape(partial) + '"', text)
    }
    assert including == {}
    for partial in OLD_PARTIALS:
        assert not (TEMPLATES / partial).exists(), partial


def test_no_template_renders_a_form_with_djangos_own_layouts():
    found = [
        name for name, text in templates().items() if re.search(r"\.as_(p|table|ul|div)\b", text)
    ]
    assert found == []
