"""The plan PDF served by the app: what prints, which version, markings, filenames, audit and access."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.audit import AuditEvent
from eha.models.families import Family
from eha.pdf.digest import plan_digest
from tests import factories
from tests.documents import helpers

HOSTILE = ["<b>not bold</b>", "<img src=x>", "<font size=90>huge</font>", "Tom & Jerry", "unbalanced <i>tag"]


def downloads(case):
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.assessment_id == case.id, AuditEvent.action == "pdf_downloaded")
        .order_by(AuditEvent.seq)
    ).all()


def test_the_signed_plan_prints_its_reference_version_actions_signatures_and_digest(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    version = helpers.signed_plan(case, lead, whats=["Walk Zofia to school", "Book a GP appointment"])
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{case.ref}-plan-v1.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    text = helpers.pdf_text(response.data)
    flat = helpers.squash(text)
    assert case.ref in text and "Plan version 1" in text
    for what in ("Walk Zofia to school", "Book a GP appointment", "Mum sets an alarm"):
        assert helpers.squash(what) in flat
    assert "Lena Lead" in text and "Agnieszka Nowak" in text
    assert version.digest in flat
    assert "DRAFT" not in text


def test_an_unsigned_plan_prints_as_a_draft_without_a_digest(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    helpers.draft(case, lead, ["Walk Zofia to school"])
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en")
    assert response.status_code == 200
    assert "DRAFT - NOT AGREED" in helpers.pdf_text(response.data)
    assert "Walk Zofia to school" in helpers.pdf_text(response.data)


def test_no_plan_at_all_is_a_helpful_404(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en")
    assert response.status_code == 404
    assert "There is no plan for this case yet" in response.text


def test_a_welsh_reader_is_told_in_welsh_that_there_is_no_plan_yet(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    signed_in(lead)
    client.get("/?lang=cy")
    response = client.get(f"/assessments/{case.ref}/plan.pdf")
    assert response.status_code == 404
    assert "Nid oes cynllun ar gyfer yr achos hwn eto" in response.text
    assert "There is no plan for this case yet" not in response.text
    helpers.draft(case, lead, ["Walk Zofia to school"])
    response = client.get(f"/assessments/{case.ref}/plan.pdf?version=7")
    assert response.status_code == 404
    assert "Nid oes gan yr achos hwn fersiwn 7 o’r cynllun" in response.text


def test_large_print_really_is_larger_and_says_so_in_the_filename(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    signed_in(lead)
    normal = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en")
    large = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en&large=1")
    assert large.headers["Content-Disposition"] == f'attachment; filename="{case.ref}-plan-v1-large-print.pdf"'
    assert helpers.font_sizes(normal.data).most_common(1)[0][0] >= 12
    assert helpers.font_sizes(large.data).most_common(1)[0][0] >= 16
    assert min(helpers.font_sizes(large.data)) > min(helpers.font_sizes(normal.data))


def test_hostile_text_in_actions_prints_literally_through_the_route(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead, whats=HOSTILE, family_what="</para> & <br/>")
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en")
    assert response.status_code == 200
    flat = helpers.squash(helpers.pdf_text(response.data))
    for hostile in [*HOSTILE, "</para> & <br/>"]:
        assert helpers.squash(hostile) in flat
    assert max(helpers.font_sizes(response.data)) < 40


def test_an_earlier_version_still_prints_what_was_signed_with_its_own_digest(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    v1 = helpers.signed_plan(case, lead, whats=["Walk Zofia to school"])
    v2 = helpers.signed_plan(case, lead, whats=["Zofia walks with her friend"])
    # A name changed after signing: the signed versions still print what was signed.
    family = db.session.get(Family, case.family_id)
    family.name = "Renamed family"
    db.session.commit()
    signed_in(lead)
    old = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en&version=1")
    assert old.status_code == 200
    assert old.headers["Content-Disposition"] == f'attachment; filename="{case.ref}-plan-v1.pdf"'
    old_text = helpers.pdf_text(old.data)
    assert v1.digest in helpers.squash(old_text) and v2.digest not in helpers.squash(old_text)
    # (squashed: the column of what will happen is sized from its content, so the words may wrap)
    assert helpers.squash("Walk Zofia to school") in helpers.squash(old_text) and "Renamed" not in old_text
    assert plan_digest(v1.signed_content) == v1.digest
    current = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en")
    assert v2.digest in helpers.squash(helpers.pdf_text(current.data))
    assert "-plan-v2.pdf" in current.headers["Content-Disposition"]


def test_a_draft_after_a_signed_plan_does_not_replace_it_unless_asked_for(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    v1 = helpers.signed_plan(case, lead)
    helpers.draft(case, lead, ["A new idea"])
    signed_in(lead)
    current = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en")
    assert v1.digest in helpers.squash(helpers.pdf_text(current.data))
    draft = client.get(f"/assessments/{case.ref}/plan.pdf?lang=en&version=2")
    assert draft.status_code == 200 and "DRAFT - NOT AGREED" in helpers.pdf_text(draft.data)


def test_versions_that_do_not_exist_or_are_not_numbers_are_not_found(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    signed_in(lead)
    for bad in ("2", "0", "-1", "abc", "1.0", "99999999999", "١"):
        assert client.get(f"/assessments/{case.ref}/plan.pdf?version={bad}").status_code == 404, bad


def test_another_case_s_version_is_not_found_under_this_case(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    other = helpers.assessed_case(lead, name="The Other family")
    helpers.signed_plan(other, lead)
    helpers.signed_plan(other, lead, whats=["Other case version two"])
    signed_in(lead)
    # Version 2 exists only on the other case.
    assert client.get(f"/assessments/{case.ref}/plan.pdf?version=2").status_code == 404


def test_every_download_writes_exactly_one_audit_event(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    signed_in(lead)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    client.get(f"/assessments/{case.ref}/plan.pdf")
    client.get(f"/assessments/{case.ref}/plan.pdf?version=1&large=1")
    client.get(f"/assessments/{case.ref}/assessment.pdf")
    events = downloads(case)
    assert [e.detail for e in events] == [  # the Nowaks' carer prefers Polish: the plan is asked for in Polish
        {"document": "plan", "version": 1, "large": False, "lang": "pl"},
        {"document": "plan", "version": 1, "large": True, "lang": "pl"},
        {"document": "assessment", "large": False, "lang": "en"},  # the record is the reader's: English here
    ]
    assert all(e.user_id == lead.id and e.outcome == "success" for e in events)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before + 3


def test_people_who_may_not_see_the_case_get_404_for_both_documents(client, signed_in, lead, stranger, admin):
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    for user in (stranger, admin):
        signed_in(user)
        assert client.get(f"/assessments/{case.ref}/plan.pdf").status_code == 404
        assert client.get(f"/assessments/{case.ref}/assessment.pdf").status_code == 404
    assert downloads(case) == []


def test_a_manager_may_download_the_plan(client, signed_in, lead, manager):
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    signed_in(manager)
    assert client.get(f"/assessments/{case.ref}/plan.pdf").status_code == 200


def test_a_signed_version_whose_record_no_longer_matches_its_digest_is_not_printed(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    version = helpers.signed_plan(case, lead)
    version.signed_content = {**version.signed_content, "family_name": "Tampered"}
    db.session.commit()
    signed_in(lead)
    response = client.get(f"/assessments/{case.ref}/plan.pdf")
    assert response.status_code == 409
    assert "no longer matches" in response.text
    [event] = downloads(case)
    assert event.outcome == "failed"


def test_signed_out_visitors_are_sent_to_sign_in(client, app, lead):
    case = helpers.assessed_case(lead)
    response = client.get(f"/assessments/{case.ref}/plan.pdf")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert factories  # the factories module is used by the conftest


def test_the_plan_page_links_to_the_pdf_and_to_checking_a_printout(client, signed_in, lead):
    case = helpers.assessed_case(lead)
    helpers.signed_plan(case, lead)
    signed_in(lead)
    page = client.get(f"/assessments/{case.ref}/plan")
    assert f'href="/assessments/{case.ref}/plan.pdf?version=1"' in page.text
    assert 'href="/plans/verify"' in page.text
