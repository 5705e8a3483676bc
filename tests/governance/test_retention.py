"""Retention: the review lists what is due by case reference and the held cases apart; a manager approves each
batch; disposal removes the case content and the family's rows no other case uses; the audit trail still
verifies; the disposed case's "who has seen this record" page says when and under which rule."""

from datetime import date

import sqlalchemy as sa

from eha.extensions import db
from eha.models.assessments import Assessment, SectionAnswer
from eha.models.audit import AuditEvent
from eha.models.families import Carer, Child, Family
from eha.services import retention
from tests.pages import Page


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def _approve_on_the_page(client, batch_id):
    page = client.get("/retention")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"Batch {batch_id}:" in html and "Approve disposal" in html
    batch = retention.get_batch(batch_id)
    return client.post(f"/retention/batches/{batch_id}", data={"version": str(batch.version_id), "decision": "approve"})


def test_the_review_lists_the_due_case_by_reference_and_the_held_case_apart(app, demo):
    due, held = demo.due.ref, demo.held.ref
    result = cli(app, "retention", "review", "--dry-run")
    assert result.exit_code == 0, result.output
    due_part, held_part = result.output.split("On legal hold")
    assert due in due_part and held not in due_part
    assert held in held_part
    for case in demo.marsh:  # closed, but the children are young: not due
        assert case.ref not in result.output


def test_a_due_case_is_batched_approved_on_the_page_disposed_and_the_trail_still_verifies(app, demo, as_user):
    ref, family_id = demo.due.ref, demo.due.family_id
    result = cli(app, "retention", "review")
    assert "waits for a manager's approval" in result.output
    batch_id = retention.batches()[0].id
    # Nothing is disposed of before a manager approves.
    assert "Disposed of 0 cases" in cli(app, "retention", "dispose").output
    client = as_user(demo.manager)
    assert _approve_on_the_page(client, batch_id).status_code == 302
    result = cli(app, "retention", "dispose")
    assert f"{ref}: disposed of" in result.output and "Disposed of 1 cases" in result.output
    db.session.expire_all()
    case = db.session.scalar(sa.select(Assessment).where(Assessment.ref == ref))
    assert case.disposed_at is not None and case.state == "closed" and case.closure_reason == "moved_out"
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(SectionAnswer).filter_by(assessment_id=case.id)) == 0
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Child).filter_by(family_id=family_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Carer).filter_by(family_id=family_id)) == 0
    assert db.session.get(Family, family_id).name == "Disposed record"
    verify = cli(app, "audit", "verify")
    assert verify.exit_code == 0, verify.output
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "case_disposed")).all()
    assert [e.case_ref for e in events] == [ref]
    assert events[0].detail["rule"] == "closure+6y/dob+25y"
    # The history page says so; every other page of the case says it was disposed of.
    history = Page(client.get(f"/assessments/{ref}/history")).text
    assert "This record was disposed of on" in history and "youngest child's 25th birthday" in history
    assert "Whitfield" not in history
    gone = client.get(f"/assessments/{ref}")
    assert gone.status_code == 410 and "Whitfield" not in Page(gone).text and "disposed of on" in Page(gone).text
    assert client.get(f"/assessments/{ref}/plan.pdf").status_code == 410


def test_nothing_is_disposed_of_without_approval_or_after_a_cancel(app, demo, as_user):
    cli(app, "retention", "review")
    batch = retention.batches()[0]
    assert "Disposed of 0 cases" in cli(app, "retention", "dispose").output
    client = as_user(demo.manager)
    client.post(f"/retention/batches/{batch.id}", data={"version": str(batch.version_id), "decision": "reject"})
    assert "Disposed of 0 cases" in cli(app, "retention", "dispose").output
    db.session.expire_all()
    assert demo.due.disposed_at is None


def test_a_case_held_after_approval_is_not_disposed_of(app, demo, as_user):
    cli(app, "retention", "review")
    batch = retention.batches()[0]
    client = as_user(demo.manager)
    _approve_on_the_page(client, batch.id)
    page = client.post(f"/assessments/{demo.due.ref}/hold", data={"on": "family", "reason": "Police investigation"})
    assert page.status_code == 302
    result = cli(app, "retention", "dispose")
    assert "not disposed of (on legal hold)" in result.output
    db.session.expire_all()
    assert demo.due.disposed_at is None
    again = cli(app, "retention", "review", "--dry-run").output
    assert demo.due.ref in again.split("On legal hold")[1]


def test_a_family_another_case_still_uses_keeps_its_rows(app, demo):
    from eha.models.governance import DisposalBatch, DisposalItem

    first = demo.marsh[0]
    first_id, family_id = first.id, first.family_id
    batch = DisposalBatch(status="approved", rule="closure+6y/dob+25y")
    batch.items = [DisposalItem(assessment_id=first.id, case_ref=first.ref, due_on=date(2020, 1, 1))]
    db.session.add(batch)
    db.session.commit()
    retention.dispose_approved()
    db.session.expire_all()
    assert db.session.get(Assessment, first_id).disposed_at is not None
    family = db.session.get(Family, family_id)
    assert family.name == "Marsh" and {c.name for c in family.carers} == {"Donna Marsh", "Gary Pike"}


def test_only_managers_see_the_retention_page_and_approve(app, demo, as_user):
    cli(app, "retention", "review")
    batch = retention.batches()[0]
    client = as_user(demo.lead)
    assert client.get("/retention").status_code == 404
    assert (
        client.post(f"/retention/batches/{batch.id}", data={"version": "1", "decision": "approve"}).status_code == 404
    )
    assert retention.get_batch(batch.id).status == "pending"


def test_a_stale_or_forged_decision_changes_nothing(app, demo, as_user):
    cli(app, "retention", "review")
    batch = retention.batches()[0]
    client = as_user(demo.manager)
    assert (
        client.post(f"/retention/batches/{batch.id}", data={"version": "99", "decision": "approve"}).status_code == 409
    )
    assert client.post(f"/retention/batches/{batch.id}", data={"version": "1", "decision": "burn"}).status_code == 400
    assert client.post("/retention/batches/999999", data={"version": "1", "decision": "approve"}).status_code == 404
    db.session.expire_all()
    assert retention.get_batch(batch.id).status == "pending"


def test_the_rule_is_the_later_of_closure_plus_six_years_and_the_youngest_childs_25th_birthday(app):
    from datetime import datetime

    rule = retention.current_rule()
    assert rule.due_on(datetime(2019, 6, 28, 16), date(1999, 4, 12)) == date(2025, 6, 28)
    assert rule.due_on(datetime(2019, 6, 28, 16), date(2010, 1, 5)) == date(2035, 1, 5)
    assert rule.due_on(datetime(2020, 2, 29, 9), None) == date(2026, 2, 28)


def test_a_disposed_case_leaves_the_case_list_and_the_retention_page_links_to_its_history(app, demo, as_user):
    ref = demo.due.ref
    client = as_user(demo.manager)
    listed = Page(client.get("/assessments", query_string={"state": "closed"}))
    assert ref in listed.text
    assert cli(app, "retention", "review").exit_code == 0
    assert _approve_on_the_page(client, retention.batches()[0].id).status_code == 302
    assert cli(app, "retention", "dispose").exit_code == 0
    listed = Page(client.get("/assessments", query_string={"state": "closed"}))
    assert ref not in listed.text and "Disposed record" not in listed.text
    assert all(ref not in (a.get("href") or "") for a in listed.select("a"))
    assert ref not in client.get("/assessments/export.csv").get_data(as_text=True)
    assert ref not in Page(client.get("/assessments", query_string={"q": ref})).text
    page = Page(client.get("/retention"))
    [link] = [a for a in page.select("a") if a.get("href") == f"/assessments/{ref}/history"]
    assert "who saw and changed it" in link.text_content()
    assert "its content is gone" in page.text
    assert client.get(link.get("href")).status_code == 200
