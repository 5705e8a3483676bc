"""Filling in a section: drafts, completion, malformed input, conflicts, who may change it."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import SectionAnswer
from eha.models.audit import AuditEvent
from tests import factories
from tests.assessments import helpers


def _saved(case, key):
    db.session.expire_all()
    return db.session.scalar(
        sa.select(SectionAnswer).where(SectionAnswer.assessment_id == case.id, SectionAnswer.section_key == key)
    )


def test_save_and_come_back_later_keeps_what_is_filled_without_requiring_anything(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    response = client.post(
        f"/assessments/{case.ref}/sections/child-development/children/{case.children[0].id}",
        data={"version": "0", "action": "draft", "health": "Asthma, well managed"},
    )
    assert response.status_code == 302
    saved = _saved(case, "child-development")
    assert saved.answers == {"health": "Asthma, well managed"}
    assert saved.status == "in_progress"
    page = client.get(f"/assessments/{case.ref}")
    assert "In progress" in page.text


def test_save_and_continue_demands_the_required_fields_and_saves_nothing_until_then(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    url = f"/assessments/{case.ref}/sections/child-development/children/{case.children[0].id}"
    response = client.post(url, data={"version": "0", "action": "complete", "health": "Asthma"})
    assert response.status_code == 200
    assert "Enter a summary of the child&#39;s developmental needs" in response.text
    assert "Asthma" in response.text
    assert _saved(case, "child-development") is None
    response = client.post(
        url, data={"version": "0", "action": "complete", "health": "Asthma", "summary": "Doing well with support"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{case.ref}/sections/parenting-capacity")
    assert _saved(case, "child-development").status == "completed"
    assert "Completed" in client.get(f"/assessments/{case.ref}").text


def test_malformed_input_is_refused_with_the_input_kept_even_for_a_draft(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    response = client.post(
        f"/assessments/{case.ref}/sections/voice-of-child/children/{case.children[0].id}",
        data={
            "version": "0",
            "action": "draft",
            "date-seen": ["31", "2", "2024"],
            "child-views": "Wants to see her friends more",
        },
    )
    assert response.status_code == 200
    assert "must be a real date" in response.text
    assert "Wants to see her friends more" in response.text
    assert _saved(case, "voice-of-child") is None
    response = client.post(
        f"/assessments/{case.ref}/sections/strengths",
        data={"version": "0", "action": "draft", "family-strengths": "x" * 20001},
    )
    assert response.status_code == 200
    assert "characters or fewer" in response.text
    assert _saved(case, "strengths") is None


def test_a_stale_save_gets_a_conflict_page_with_both_versions_and_overwrites_nothing(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    url = f"/assessments/{case.ref}/sections/strengths"
    client.post(url, data={"version": "0", "action": "draft", "family-strengths": "Close to grandma"})
    # A second person opened the page at version 0 too, and saves after the first.
    response = client.post(url, data={"version": "0", "action": "draft", "family-strengths": "Loves football"})
    assert response.status_code == 409
    assert "Someone else has changed this section" in response.text
    assert "Close to grandma" in response.text and "Loves football" in response.text
    assert _saved(case, "strengths").answers == {"family-strengths": "Close to grandma"}
    version = _saved(case, "strengths").version_id
    assert f'name="version" value="{version}"' in response.text
    # Re-applying from the conflict page, with the version it carries, saves.
    response = client.post(
        url, data={"version": str(version), "action": "draft", "family-strengths": "Close to grandma; loves football"}
    )
    assert response.status_code == 302
    assert _saved(case, "strengths").answers == {"family-strengths": "Close to grandma; loves football"}


def test_an_unknown_section_is_not_found(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)
    assert client.get(f"/assessments/{case.ref}/sections/nope").status_code == 404
    assert client.post(f"/assessments/{case.ref}/sections/nope", data={}).status_code == 404


def test_a_taf_member_reads_sections_but_cannot_change_them(client, signed_in, practitioner):
    case = helpers.case(
        practitioner,
    )
    nurse = factories.user(role="practitioner", agency=factories.agency(name="Community Health", kind="health"))
    helpers.consent(case, practitioner, agencies=[nurse.agency])
    helpers.taf_member(case, nurse)
    signed_in(practitioner)
    client.post(
        f"/assessments/{case.ref}/sections/strengths",
        data={"version": "0", "action": "draft", "family-strengths": "Close to grandma"},
    )
    signed_in(nurse)
    page = client.get(f"/assessments/{case.ref}/sections/strengths")
    assert page.status_code == 200
    assert "Close to grandma" in page.text
    assert "Save and continue" not in page.text
    response = client.post(
        f"/assessments/{case.ref}/sections/strengths",
        data={"version": "1", "action": "draft", "family-strengths": "Changed"},
    )
    assert response.status_code == 403
    assert _saved(case, "strengths").answers == {"family-strengths": "Close to grandma"}


def test_someone_who_cannot_see_the_case_gets_not_found(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(factories.user(role="practitioner"))
    assert client.get(f"/assessments/{case.ref}/sections/strengths").status_code == 404
    assert client.post(f"/assessments/{case.ref}/sections/strengths", data={}).status_code == 404


def test_each_view_and_save_writes_one_audit_event(client, signed_in, practitioner):
    case = helpers.case(practitioner)
    signed_in(practitioner)

    def actions():
        return db.session.scalars(
            sa.select(AuditEvent.action).where(AuditEvent.assessment_id == case.id).order_by(AuditEvent.seq)
        ).all()

    before = len(actions())
    client.get(f"/assessments/{case.ref}/sections/strengths")
    client.post(
        f"/assessments/{case.ref}/sections/strengths",
        data={"version": "0", "action": "draft", "family-strengths": "Kind"},
    )
    assert actions()[before:] == ["section_viewed", "section_saved"]


def test_after_completion_sections_are_read_only(client, signed_in, practitioner):
    from eha.models.assessments import Assessment

    case = helpers.case(practitioner)
    signed_in(practitioner)
    client.post(
        f"/assessments/{case.ref}/sections/strengths",
        data={"version": "0", "action": "draft", "family-strengths": "Close to grandma"},
    )
    # Stand-in for the workflow's complete_assessment (this test is about the section page only).
    db.session.execute(sa.update(Assessment).where(Assessment.id == case.id).values(state="assessed"))
    db.session.commit()
    page = client.get(f"/assessments/{case.ref}/sections/strengths")
    assert "can be read but not changed" in page.text and "Close to grandma" in page.text
    response = client.post(
        f"/assessments/{case.ref}/sections/strengths",
        data={"version": "1", "action": "draft", "family-strengths": "Changed"},
    )
    assert response.status_code == 409
    assert _saved(case, "strengths").answers == {"family-strengths": "Close to grandma"}
