"""Every list that pages answers an absurd ``?page=`` with a page (the last one allowed, empty), never a 500:
/reports/access-review and /reports/grants used to pass the number straight into the query's OFFSET."""

import pytest

from eha.demo import cases as build
from eha.transaction import committing
from tests import factories
from tests.workflow.helpers import team

HUGE = "99999999999999999999"

# endpoint -> who looks at it; a route that pages must be listed here (see the test below).
PAGED = {
    "dashboard.home": "lead",
    "assessments.index": "manager",
    "assessments.show": "lead",  # the case page's timeline (views/workflow/_case_panel.html)
    "history.show": "lead",
    "reports.access_review": "manager",
    "reports.grants": "manager",
    "admin.users": "admin",
}


@pytest.fixture
def world(app):
    lead, nurse, manager = team(app)
    with committing():
        case = build.new_case(lead, agencies=[nurse.agency])
    return {"lead": lead, "manager": manager, "admin": factories.user(role="admin"), "case": case}


@pytest.mark.parametrize("endpoint", sorted(PAGED))
@pytest.mark.parametrize("page", [HUGE, "-3", "abc", "100001", "0"])
def test_a_paged_list_answers_any_page_number_with_a_page(app, client_request, signed_in, world, endpoint, page):
    from flask import url_for

    signed_in(world[PAGED[endpoint]])
    args = {"ref": world["case"].ref} if endpoint in ("history.show", "assessments.show") else {}
    with app.test_request_context():
        url = url_for(endpoint, page=page, **args)
    client_request.get(url)


def test_every_paged_list_is_in_the_sweep(app):
    """A template that shows the pagination component is one of the lists swept above."""
    import pathlib

    templates = pathlib.Path(app.root_path) / "templates" / "views"
    paged = {
        path.relative_to(templates).parts[0]
        for path in templates.rglob("*.html")
        if "pagination(" in path.read_text() or "_pagination.html" in path.read_text()
    }
    swept = {endpoint.split(".")[0] for endpoint in PAGED}
    # The case page's timeline is drawn by the workflow panel and swept as assessments.show.
    assert paged <= swept | {"history", "workflow"}, paged - swept
