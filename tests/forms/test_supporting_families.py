"""The needs question codes the Supporting Families headline outcomes in the framework's own words (issue 13
item 9), with codes that stay the same so that reports can count needs and their outcomes by them."""

import pytest

from eha.definitions.loading import shipped_definitions
from eha.models.choices import NEED_OUTCOMES, SUPPORTING_FAMILIES_OUTCOMES


def _needs(definition):
    return [spec for _section, spec in definition.iter_fields() if spec.type == "needs"]


@pytest.mark.parametrize("definition", shipped_definitions(), ids=lambda d: f"{d.name}-v{d.version}")
def test_every_shipped_definition_asks_the_ten_headline_outcomes_in_the_framework_s_words(definition):
    [needs] = _needs(definition)
    assert {o.value: o.label for o in needs.options} == SUPPORTING_FAMILIES_OUTCOMES
    assert [o.value for o in needs.options] == list(SUPPORTING_FAMILIES_OUTCOMES)  # the framework's order


def test_the_codes_reports_count_by_do_not_change():
    assert list(SUPPORTING_FAMILIES_OUTCOMES) == [
        "sf-education",
        "sf-early-years",
        "sf-health",
        "sf-substance",
        "sf-relationships",
        "sf-safe-exploitation",
        "sf-crime",
        "sf-domestic-abuse",
        "sf-housing",
        "sf-financial",
    ]
    assert list(NEED_OUTCOMES) == ["met", "partly_met", "not_met"]


def test_the_close_page_asks_an_outcome_for_each_need_by_its_headline(client_request, signed_in, app):
    from eha.demo import cases as build
    from eha.transaction import committing
    from tests.workflow.helpers import team

    lead, nurse, manager = team(app)
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency])
        build.to_plan_active(case, lead, [nurse])
    signed_in(manager)
    page = client_request.get(f"/assessments/{case.ref}/close")
    legends = page.words("legend")
    assert "Outcome for 'Getting a good education'" in legends
    assert "Outcome for 'Improved family relationships'" in legends
    assert [i.get("value") for i in page.select("input[name=outcome_sf_education]")] == list(NEED_OUTCOMES)
