"""The demo families: varied, idempotent, and the assessed-ready ones really are ready."""

import sqlalchemy as sa

from eha.definitions import missing_required, needs_identified
from eha.definitions.store import definition_for
from eha.demo import ensure_agencies, ensure_users
from eha.demo.families import ensure_demo_families, ready_cases
from eha.extensions import db
from eha.models.assessments import Assessment


def test_demo_families_are_created_once_with_draft_and_ready_cases(app):
    agencies = ensure_agencies()
    users = ensure_users(agencies)
    cases = ensure_demo_families(agencies, users)
    db.session.commit()
    assert len(cases) == 5
    assert all(case.state == "draft" for case in cases)
    names = {child.name for case in cases for child in case.children}
    assert "Oliwia Wiśniewska" in names and "Emir Yıldız" in names and "Minh Khoa Trần" in names
    ready = ready_cases(cases)
    assert len(ready) == 3
    for case in ready:
        definition = definition_for(case)
        assert missing_required(definition, case.answers_by_section()) == []
        assert needs_identified(definition, case.answers_by_section())
        assert case.has_current_agreement and 2 <= len(case.current_consent.agencies) <= 3
    again = ensure_demo_families(agencies, users)
    db.session.commit()
    assert [c.ref for c in again] == [c.ref for c in cases]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == 5
