"""Disposal and the reports' narrow tables: a disposed case's coded answers go with its answers; its moves stay,
as the audit trail they copy does, so time in each state still counts its history."""

import sqlalchemy as sa

from eha.extensions import db
from eha.models.report_facts import CaseCode, CaseMove
from eha.services import retention
from tests.governance.test_retention import _approve_on_the_page, cli


def _count(model, case_id):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(assessment_id=case_id))


def test_disposal_leaves_no_coded_answers_and_keeps_the_moves(app, demo, as_user):
    case_id = demo.due.id
    assert _count(CaseCode, case_id) > 0 and _count(CaseMove, case_id) > 0
    moves = _count(CaseMove, case_id)
    cli(app, "retention", "review")
    client = as_user(demo.manager)
    assert _approve_on_the_page(client, retention.batches()[0].id).status_code == 302
    assert "Disposed of 1 cases" in cli(app, "retention", "dispose").output
    db.session.expire_all()
    assert _count(CaseCode, case_id) == 0
    assert _count(CaseMove, case_id) == moves


def test_disposal_leaves_no_copy_of_the_childrens_names_on_the_case(app, demo, as_user):
    from eha.models.assessments import Assessment

    case_id = demo.due.id
    assert db.session.get(Assessment, case_id).search_names  # the case list's search reads the names there
    cli(app, "retention", "review")
    client = as_user(demo.manager)
    assert _approve_on_the_page(client, retention.batches()[0].id).status_code == 302
    assert "Disposed of 1 cases" in cli(app, "retention", "dispose").output
    db.session.expire_all()
    assert db.session.get(Assessment, case_id).search_names == ""


def test_disposal_keeps_who_opened_the_case_for_the_access_review(app, demo, as_user):
    # The access review counts cases opened from case_openings, the audit trail's copy: like the trail, it stays.
    from eha import audit
    from eha.models.report_facts import CaseOpening

    case_id = demo.due.id
    client = as_user(demo.manager)
    assert client.get(f"/assessments/{demo.due.ref}").status_code == 200
    audit.chain_pending()
    assert _count(CaseOpening, case_id) == 1
    cli(app, "retention", "review")
    assert _approve_on_the_page(client, retention.batches()[0].id).status_code == 302
    assert "Disposed of 1 cases" in cli(app, "retention", "dispose").output
    db.session.expire_all()
    assert _count(CaseOpening, case_id) == 1
