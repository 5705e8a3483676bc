"""Checking a printout: the verify page and ``flask plans verify``."""

import re

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment
from eha.models.audit import AuditEvent
from tests.documents import helpers

UNKNOWN = "0" * 64
NOT_YOURS = "No plan matches this code that you can see"


def spaced_upper(digest):
    """As someone would type it from paper: upper case, in groups, over two lines."""
    groups = [digest[i : i + 8].upper() for i in range(0, 64, 8)]
    return " ".join(groups[:4]) + "\r\n" + " ".join(groups[4:])


def same_page(a, b):
    """Equal apart from the per-response CSP nonce and CSRF token."""
    strip = re.compile(r'(nonce|value)="[^"]*"')
    return strip.sub("", a) == strip.sub("", b)


def check(client, code):
    return client.post("/plans/verify", data={"digest": code})


def test_the_page_asks_for_the_code(client, signed_in, lead):
    signed_in(lead)
    page = client.get("/plans/verify")
    assert page.status_code == 200
    assert "<title>Check a printed plan" in page.text and "Code printed on the plan" in page.text


def test_a_current_plan_is_found_from_the_code_as_typed_from_paper(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    version = helpers.signed_plan(case, lead)
    signed_in(lead)
    page = check(client, spaced_upper(version.digest))
    assert page.status_code == 200
    assert "This code matches a signed plan" in page.text
    assert f"{case.ref}, version 1" in page.text
    assert "Yes, this is the current plan" in page.text
    assert f'href="/assessments/{case.ref}"' in page.text
    assert f'href="/assessments/{case.ref}/plan.pdf?version=1"' in page.text
    event = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert event.action == "plan_viewed" and event.assessment_id == case.id
    assert event.detail["verified_digest"] == version.digest


def test_a_superseded_plan_says_which_version_replaced_it(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    v1 = helpers.signed_plan(case, lead)
    helpers.signed_plan(case, lead, whats=["A changed plan"])
    signed_in(lead)
    page = check(client, v1.digest)
    assert f"{case.ref}, version 1" in page.text
    assert "No, superseded by version 2" in page.text
    assert "out of date" in page.text


def test_an_unknown_code_and_someone_else_s_plan_get_the_same_answer(client, signed_in, lead, stranger):
    case = helpers.assessed_case(lead)
    version = helpers.signed_plan(case, lead)
    signed_in(stranger)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    unknown = check(client, UNKNOWN)
    hidden = check(client, version.digest)
    assert NOT_YOURS in unknown.text and NOT_YOURS in hidden.text
    assert case.ref not in hidden.text and "Nowak" not in hidden.text
    assert same_page(unknown.text.replace(UNKNOWN, "X"), hidden.text.replace(version.digest, "X"))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def test_a_malformed_code_is_an_error_with_the_input_kept(client, signed_in, lead):
    signed_in(lead)
    for bad in ("abc123", "g" * 64, "a" * 63, "a" * 65, ""):
        page = check(client, bad)
        assert page.status_code == 200
        assert page.text.count("Enter the 64-character code printed on the plan") >= 2  # summary and field
        assert "<title>Error: Check a printed plan" in page.text
        if bad:
            assert bad in page.text


def test_administrators_see_no_case_content_so_cannot_check_codes(client, signed_in, admin):
    signed_in(admin)
    assert client.get("/plans/verify").status_code == 403


def test_the_command_line_finds_current_and_superseded_plans(app, lead):
    case = helpers.assessed_case(lead)
    v1 = helpers.signed_plan(case, lead)
    v2 = helpers.signed_plan(case, lead, whats=["A changed plan"])
    runner = app.test_cli_runner()
    current = runner.invoke(args=["plans", "verify", v2.digest.upper()])
    assert current.exit_code == 0, current.output
    assert f"{case.ref} plan version 2, signed {v2.signed_at:%Y-%m-%d}: current" in current.output
    old = runner.invoke(args=["plans", "verify", *[v1.digest[i : i + 16] for i in range(0, 64, 16)]])
    assert old.exit_code == 0 and "plan version 1" in old.output and "superseded by version 2" in old.output
    db.session.get(Assessment, case.id).state = "closed"  # test only: the closure workflow is tested elsewhere
    db.session.commit()
    closed = runner.invoke(args=["plans", "verify", v2.digest])
    assert "current; case closed" in closed.output


def test_the_command_line_says_when_no_plan_has_the_code(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["plans", "verify", UNKNOWN])
    assert result.exit_code == 1 and "No signed plan has this digest" in result.output
    malformed = runner.invoke(args=["plans", "verify", "nonsense"])
    assert malformed.exit_code == 2 and "64-character code" in malformed.output


def test_the_case_found_names_its_family_once(client, signed_in, lead):
    case = helpers.assessed_case(lead, name="The Yıldız family")
    version = helpers.signed_plan(case, lead)
    signed_in(lead)
    page = check(client, version.digest)
    assert f"{case.ref}, the Yıldız family" in page.text
    assert "family family" not in page.text and "the The" not in page.text
