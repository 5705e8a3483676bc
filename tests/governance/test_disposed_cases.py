"""A disposed case's children are gone from "Find the child", and every page of the case answers 410 Gone."""

from eha.services import retention
from tests.governance.test_retention import _approve_on_the_page, cli
from tests.pages import Page


def _find(client, **typed):
    data = {"first_name": "", "last_name": "", "date_of_birth": ["", "", ""], "nhs_number": "", **typed}
    page = Page(client.post("/assessments/new", data=data))
    assert page.status_code == 200 and not page.errors()
    return page


def _dispose_the_due_case(app, demo, manager):
    assert cli(app, "retention", "review").exit_code == 0
    assert _approve_on_the_page(manager, retention.batches()[0].id).status_code == 302
    assert f"{demo.due.ref}: disposed of" in cli(app, "retention", "dispose").output


def test_a_disposed_cases_children_are_not_found_and_its_pages_are_gone(app, demo, as_user):
    ref = demo.due.ref
    manager = as_user(demo.manager)
    found = _find(manager, last_name="Whitfield")
    assert "Callum" in found.text and ref in found.text
    assert "Callum" in _find(manager, first_name="Callum", last_name="Whit").text
    _dispose_the_due_case(app, demo, manager)
    for typed in ({"last_name": "Whitfield"}, {"first_name": "Callum", "last_name": "Whit"}):
        page = _find(manager, **typed)
        assert "Callum" not in page.text and ref not in page.text
    pages = ("", "/family", "/corrections", "/subject-access", "/plan.pdf", "/family/edit")
    for path in pages:
        response = manager.get(f"/assessments/{ref}{path}")
        assert response.status_code == 410, path
        assert "Whitfield" not in response.get_data(as_text=True)
    lead = as_user(demo.lead)
    assert lead.get(f"/assessments/{ref}").status_code == 410
    assert "Callum" not in _find(lead, last_name="Whitfield").text
