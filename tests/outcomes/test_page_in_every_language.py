"""The outcome page as Danish, Norwegian, Dutch and English staff read it: the year links
work in every language, only the figures of the organisation's own jurisdiction are shown,
and the charts scale with the page and name the months in the reader's language."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation

from bedring.core.roles import Role
from bedring.outcomes import selectors
from bedring.outcomes.exports import figure_lines

from .conftest import deadline, discharge, episode

D = datetime.date
PERIOD = {"from": "2025-01-01", "to": "2025-12-31"}
YEAR_LINK = re.compile(r'<a href="\?([^"]*)"[^>]*>([^<]*)</a>')


def page(http, params: dict[str, str] | str, language: str) -> str:
    """The dashboard with ``params`` (a dict, or a query string as a link carries it)."""
    http.cookies["django_language"] = language
    url = reverse("outcomes:dashboard")
    if isinstance(params, str):
        url, params = f"{url}?{params}", {}
    response = http.get(url, params)
    assert response.status_code == 200, response.content.decode()[:500]
    return response.content.decode()


@pytest.mark.parametrize("language", ["da", "nb", "nl", "en"])
def test_year_links_are_plain_years_that_open_the_year(as_user, manager, language):
    """Issue 13: years printed as '2.025' / '2,025' (the thousands separator) and their links
    answered 'Give a year from 2000 to 2100'."""
    http = as_user(manager)
    html = page(http, PERIOD, language)
    years = html.split('data-testid="outcome-years"')[1].split("</p>")[0]
    links = YEAR_LINK.findall(years)
    assert len(links) == 4  # this year and the three before it
    for query, label in links:
        # The label is the year as written, and the link asks for exactly that year.
        assert re.fullmatch(r"\d{4}", label), label
        assert f"year={label}" in query.replace("&amp;", "&")
        opened = page(http, query.replace("&amp;", "&"), language)
        assert 'data-testid="outcome-error"' not in opened
        assert 'aria-current="page">' + label in opened.split('data-testid="outcome-years"')[1]


@pytest.mark.parametrize("language", ["da", "nb", "nl", "en"])
def test_drill_down_page_links_are_plain_numbers(language):
    """The drill-down's page links carry page numbers: from page 1,000 on (50,000 episodes
    at national scale) never with a thousands separator."""
    from django.core.paginator import Paginator
    from django.template.loader import render_to_string

    page_ = Paginator(range(3000), 1).get_page(1234)
    with translation.override(language):
        html = render_to_string(
            "outcomes/episodes.html",
            {"page": page_, "episodes": [], "drill_query": "key=x", "scope": None},
        )
    assert "page=1233&quot;" not in html
    assert 'page=1233"' in html and 'page=1235"' in html


def jurisdiction_world(organisation, make_client, by) -> None:
    """One client with a treatment-start and a first-contact deadline due in 2025."""
    client = make_client(organisation)
    e = episode(client, opened_on=D(2025, 1, 2), started_on=D(2025, 1, 10))
    discharge(e, by, on=D(2025, 3, 1))
    deadline(e, "treatment_start", D(2025, 1, 16), "met", D(2025, 1, 10))
    deadline(e, "first_contact", D(2025, 1, 7), "open")


def test_a_danish_organisation_shows_the_treatment_guarantee_not_the_first_contact(
    as_user, manager, org_dk, make_client
):
    """Issue 13: a Danish organisation's outcomes showed the Norwegian-only first-contact
    figure (INT-6). The Danish start guarantee (INT-5) is shown; downloads agree."""
    jurisdiction_world(org_dk, make_client, manager)
    http = as_user(manager)
    html = page(http, PERIOD, "en")
    assert 'data-testid="figure-treatment_guarantee"' in html
    assert 'data-testid="figure-first_contact"' not in html
    assert "First contact" not in html
    csv_text = http.get(reverse("outcomes:export_csv"), PERIOD).content.decode("utf-8-sig")
    assert "Treatment guarantee" in csv_text
    assert "First contact" not in csv_text


def test_a_norwegian_organisation_shows_the_first_contact_not_the_treatment_guarantee(
    as_user, org_no, make_staff, make_client
):
    """INT-6 belongs to Sandnes (seed 004); the Danish start guarantee does not."""
    manager = make_staff(org_no, Role.MANAGER)
    jurisdiction_world(org_no, make_client, manager)
    http = as_user(manager)
    html = page(http, PERIOD, "nb")
    assert 'data-testid="figure-first_contact"' in html
    assert 'data-testid="figure-treatment_guarantee"' not in html
    csv_text = http.get(reverse("outcomes:export_csv"), PERIOD).content.decode("utf-8-sig")
    assert csv_text.count("\n") > 3
    http.cookies["django_language"] = "en"
    csv_text = http.get(reverse("outcomes:export_csv"), PERIOD).content.decode("utf-8-sig")
    assert "First contact" in csv_text
    assert "Treatment guarantee" not in csv_text


def test_both_organisations_together_show_both_figures(
    as_user, org_dk, org_no, make_staff, make_client
):
    from bedring.accounts.models import Membership

    manager = make_staff(org_dk, Role.MANAGER)
    Membership.objects.create(user=manager, organisation=org_no, roles=[Role.MANAGER])
    html = page(as_user(manager), {**PERIOD, "organisation": "all"}, "en")
    assert 'data-testid="figure-first_contact"' in html
    assert 'data-testid="figure-treatment_guarantee"' in html


def test_the_figures_a_pack_sets_are_data_not_a_country_test(org_dk):
    """The rule pack decides: a Danish organisation whose overrides set a first-contact
    deadline gets the figure too."""
    from bedring.accounts.selectors import rules_for

    dk = rules_for(org_dk)
    assert selectors.figures_shown([dk]) == tuple(
        k for k in selectors.KPI_KEYS if k != "first_contact"
    )
    with_contact = dk.model_copy(update={"first_contact_working_days": 3})
    assert "first_contact" in selectors.figures_shown([with_contact])
    assert selectors.figures_shown([dk, with_contact]) == selectors.KPI_KEYS


def svg_tag(svg: str) -> str:
    return svg[: svg.index(">") + 1]


@pytest.mark.parametrize(
    ("language", "january"), [("da", "jan."), ("nb", "jan."), ("nl", "jan"), ("en", "Jan.")]
)
def test_charts_scale_with_the_page_and_name_the_months_in_the_readers_language(
    manager, org_dk, make_client, language, january
):
    """Issue 13: the charts were a fixed 614 px wide (scrolling sideways on a phone) with
    months as '2025-01'. Now an SVG with a viewBox, 100 % wide, months named in the language
    of the reader."""
    jurisdiction_world(org_dk, make_client, manager)
    report = selectors.kpi_report(
        organisation_ids=[org_dk.pk],
        site_id=None,
        start=D(2025, 1, 1),
        end=D(2025, 12, 31),
        today=D(2026, 11, 23),
    )
    with translation.override(language):
        lines = figure_lines(report)
    chart = lines[0].chart
    tag = svg_tag(chart)
    assert 'width="100%"' in tag
    assert re.search(r'viewBox="0 0 [\d.]+ [\d.]+"', tag)
    assert "pt" not in tag and "height=" not in tag
    assert "2025-01" not in chart
    assert f">{january}<" in chart
    assert ">2025<" in chart  # the year under the first month


def test_the_danish_chart_labels_the_months_as_danes_write_them(manager, org_dk):
    from bedring.outcomes.charts import month_ticks

    months = [D(2025, m, 1) for m in range(1, 13)]
    with translation.override("da"):
        positions, labels = month_ticks(months)
    assert positions == [0, 2, 4, 6, 8, 10]  # at most six labels: readable at 390 px
    assert labels == ["jan.\n2025", "marts", "maj", "juli", "sept.", "nov."]
    with translation.override("da"):
        _positions, labels = month_ticks([D(2025, 11, 1), D(2025, 12, 1), D(2026, 1, 1)])
    assert labels == ["nov.\n2025", "dec.", "jan.\n2026"]


def test_the_home_page_links_land_on_the_figure(as_user, manager):
    """The home page's 'figures off target' link to outcomes/#<key>: the figure has that id."""
    html = page(as_user(manager), PERIOD, "en")
    assert 'id="goal_attainment_all"' in html
