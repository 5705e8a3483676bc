"""The reports' narrow tables (case_codes, case_moves) say what the answers and the audit trail say, after saves and
moves made on the pages; and the needs and time-in-state reports read them, as a manager sees."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from eha import audit
from eha.demo import cases as build
from eha.extensions import db
from eha.formatting import format_date
from eha.models.assessments import SectionAnswer
from eha.models.audit import AuditEvent
from eha.models.report_facts import CaseCode, CaseMove
from eha.transaction import committing
from tests.reports.helpers import at, case, close_met, dated, table_rows
from tests.workflow.helpers import team


@pytest.fixture
def people(app):
    return team(app)


def _codes_in_the_table(made):
    db.session.expire_all()
    rows = db.session.execute(sa.select(CaseCode.kind, CaseCode.code).where(CaseCode.assessment_id == made.id))
    return sorted(tuple(r) for r in rows)


def _codes_in_the_answers(made):
    answers = db.session.scalar(
        sa.select(SectionAnswer.answers).where(
            SectionAnswer.assessment_id == made.id, SectionAnswer.section_key == "needs"
        )
    )
    return sorted(
        [("need", code) for code in answers.get("supporting-families", [])]
        + [("cin", code) for code in answers.get("cin-factors", [])]
    )


def _moves_in_the_table(made):
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(CaseMove.seq, CaseMove.from_state, CaseMove.to_state, CaseMove.at)
        .where(CaseMove.assessment_id == made.id)
        .order_by(CaseMove.seq)
    )
    return [tuple(r) for r in rows]


def _moves_in_the_trail(made):
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            AuditEvent.assessment_id == made.id,
            AuditEvent.action.in_(("transition", "closure_requested", "closure_rejected")),
            AuditEvent.outcome == "success",
        )
        .order_by(AuditEvent.seq)
    )
    return [
        (e.seq, e.detail["from"], e.detail["to"], e.occurred_at) for e in events if e.detail["from"] != e.detail["to"]
    ]


def _save_needs(client, made, needs, factors):
    version = db.session.scalar(
        sa.select(SectionAnswer.version_id).where(
            SectionAnswer.assessment_id == made.id, SectionAnswer.section_key == "needs"
        )
    )
    response = client.post(
        f"/assessments/{made.ref}/sections/needs",
        data={"version": str(version or 0), "action": "draft", "supporting-families": needs, "cin-factors": factors},
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_the_codes_follow_the_needs_saved_on_the_page(client, client_request, signed_in, people):
    lead, nurse, manager = people
    made = case(
        lead, [nurse.agency], family="Bennett", child=("Ella", "Bennett", date(2015, 5, 3)), started=date.today()
    )
    # The builder's answers (education, relationships) are there from the start.
    assert _codes_in_the_table(made) == [("need", "sf-education"), ("need", "sf-relationships")]
    signed_in(lead)
    _save_needs(client, made, ["sf-health", "sf-housing", "sf-education"], ["1B", "2C"])
    assert _codes_in_the_table(made) == _codes_in_the_answers(made)
    assert _codes_in_the_table(made) == [
        ("cin", "1B"),
        ("cin", "2C"),
        ("need", "sf-education"),
        ("need", "sf-health"),
        ("need", "sf-housing"),
    ]
    # A need taken off and a factor cleared go from the table too.
    _save_needs(client, made, ["sf-health"], [])
    assert _codes_in_the_table(made) == _codes_in_the_answers(made) == [("need", "sf-health")]

    # What the manager's needs report counts: one case with a health need, none with education any more.
    signed_in(manager)
    page = client_request.get("/reports/needs")
    assert [row[:2] for row in table_rows(page, "table-needs")] == [["Improved mental and physical health", "1"]]
    assert not page.select("#table-cin-factors + table")  # no factors recorded: no table


def test_the_moves_follow_the_transitions_made_on_the_pages(client, client_request, signed_in, people):
    lead, nurse, manager = people
    made = case(
        lead, [nurse.agency], family="Bennett", child=("Ella", "Bennett", date(2015, 5, 3)), started=date.today()
    )
    assert _moves_in_the_table(made) == []
    signed_in(lead)
    assert client.post(f"/assessments/{made.ref}/transitions/complete_assessment").status_code == 302
    assert _moves_in_the_table(made) == _moves_in_the_trail(made)
    assert [(m[1], m[2]) for m in _moves_in_the_table(made)] == [("draft", "assessed")]
    # A step refused (not allowed from "assessed") writes no move.
    assert client.post(f"/assessments/{made.ref}/transitions/complete_assessment").status_code == 409
    assert len(_moves_in_the_table(made)) == 1

    other = case(lead, [nurse.agency], family="Cole", child=("Sam", "Cole", date(2014, 2, 1)), started=date.today())
    close_met(other, lead, manager, nurse)
    assert _moves_in_the_table(other) == _moves_in_the_trail(other)
    assert [(m[1], m[2]) for m in _moves_in_the_table(other)] == [
        ("draft", "assessed"),
        ("assessed", "taf_scheduled"),
        ("taf_scheduled", "plan_active"),
        ("plan_active", "review_scheduled"),
        ("review_scheduled", "plan_active"),
        ("plan_active", "closed"),
    ]
    # Time in state counts each state left: "Assessment in progress" by both cases, "Plan active" twice by one.
    signed_in(manager)
    page = client_request.get("/reports/time-in-state")
    left = {row[0]: row[1] for row in table_rows(page, "table-states")}
    assert left["Assessment in progress"] == "2" and left["Assessed"] == "1" and left["Plan active"] == "2"


def _facts():
    with db.engine.connect() as conn:
        codes = conn.execute(sa.text("SELECT assessment_id, kind, code FROM case_codes ORDER BY 1, 2, 3")).all()
        moves = conn.execute(
            sa.text("SELECT assessment_id, seq, from_state, to_state, at FROM case_moves ORDER BY seq")
        ).all()
    return [tuple(r) for r in codes], [tuple(r) for r in moves]


def test_migration_0026_fills_the_tables_as_the_application_writes_them(scratch_url):
    """Cases written by the application, the tables dropped (down to 0025) and filled again by the migration."""
    from flask_migrate import downgrade, upgrade

    from eha import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade()
        lead, nurse, manager = team(app)
        first = case(lead, [nurse.agency], family="A", child=("Ann", "A", date(2015, 1, 1)), started=date.today())
        close_met(first, lead, manager, nurse)
        case(
            lead,
            [nurse.agency],
            family="B",
            child=("Ben", "B", date(2015, 1, 1)),
            started=date.today(),
            needs=("sf-health", "sf-housing", "sf-crime"),
        )
        written = _facts()
        assert len(written[0]) == 5 and len(written[1]) == 6
        db.session.remove()
        downgrade(revision="0025_network_corrections")
        with db.engine.connect() as conn:
            assert "case_codes" not in sa.inspect(conn).get_table_names()
        upgrade()
        assert _facts() == written
        db.session.remove()
        db.engine.dispose()


def test_distance_travelled_compares_the_first_review_with_the_latest_as_worked_out_by_hand(
    client_request, signed_in, people
):

    lead, nurse, manager = people
    # Three reviews: the family's score 3, 5, 7 (first 3, latest 7: up); the practitioner's 4, 4, 2 (down).
    # A second case reviewed once is not compared.
    reviewed = case(lead, [nurse.agency], family="A", child=("Ann", "A", date(2015, 1, 1)), started=date.today())
    once = case(lead, [nurse.agency], family="B", child=("Ben", "B", date(2015, 1, 1)), started=date.today())
    with committing():
        _version, meeting = build.to_review_scheduled(reviewed, lead, [nurse])
        for family_score, practitioner_score in ((3, 4), (5, 4), (7, 2)):
            build.review(reviewed, meeting, lead, family_score=family_score, practitioner_score=practitioner_score)
        _version, other = build.to_review_scheduled(once, lead, [nurse])
        build.review(once, other, lead, family_score=1, practitioner_score=9)
    signed_in(manager)
    page = client_request.get("/reports/distance-travelled")
    assert table_rows(page, "table-summary") == [["The family's", "1", "0", "0"], ["The practitioner's", "0", "0", "1"]]
    today = format_date(date.today())  # the page writes dates as the interface does (the CSV keeps ISO)
    assert table_rows(page, "table-cases") == [[reviewed.ref, today, today, "3", "7", "4", "2"]]


class _Clock:
    """Stands in for the audit trail's clock: the moves are stamped when the test says."""

    def __init__(self):
        self.at = None

    def __call__(self):
        return self.at


def test_each_move_keeps_when_its_case_entered_the_state_it_left_and_time_in_state_reads_it(
    client, client_request, signed_in, people, monkeypatch
):
    """Worked out by hand: Adams started 10 days ago, assessed 4 days ago (6 days in draft); Brook started 10 days
    ago, assessed 8 days ago (2 days in draft), TAF scheduled 5 days ago (3 days assessed)."""
    from eha.demo import cases as build
    from eha.transaction import committing

    lead, nurse, manager = people
    clock = _Clock()
    monkeypatch.setattr(audit, "utcnow", clock)
    today = date.today()

    def day(n):
        return at(today - timedelta(days=n))

    adams = case(lead, [nurse.agency], family="Adams", child=("Amy", "Adams", date(2015, 1, 1)), started=today)
    brook = case(lead, [nurse.agency], family="Brook", child=("Bo", "Brook", date(2014, 1, 1)), started=today)

    dated(adams, started_at=day(10))
    dated(brook, started_at=day(10))
    signed_in(lead)
    clock.at = day(4)
    assert client.post(f"/assessments/{adams.ref}/transitions/complete_assessment").status_code == 302
    clock.at = day(8)
    assert client.post(f"/assessments/{brook.ref}/transitions/complete_assessment").status_code == 302
    clock.at = day(5)
    with committing():
        meeting = build.schedule_meeting(brook, lead, kind="taf", invite=[nurse])
        build.fire(brook, "schedule_taf", lead, meeting=meeting)

    db.session.expire_all()
    entered = db.session.execute(
        sa.select(CaseMove.assessment_id, CaseMove.from_state, CaseMove.entered_at, CaseMove.at).order_by(CaseMove.seq)
    ).all()
    assert [tuple(r) for r in entered] == [
        (adams.id, "draft", None, day(4)),  # a case's first move: it entered draft when it started
        (brook.id, "draft", None, day(8)),
        (brook.id, "assessed", day(8), day(5)),  # entered "assessed" at its move before
    ]

    signed_in(manager)
    page = client_request.get("/reports/time-in-state")
    rows = {row[0]: row[1:] for row in table_rows(page, "table-states")}
    # draft: 2 and 6 days -> median (nearest rank 1 of 2) 2.0, 90th percentile (rank 2) 6.0; assessed: 3 days.
    assert rows["Assessment in progress"] == ["2", "2.0", "6.0"]
    assert rows["Assessed"] == ["1", "3.0", "3.0"]


def test_migration_0029_fills_entered_at_as_the_application_writes_it(scratch_url):
    """Moves written by the application, the column dropped (down to 0028) and filled again by the migration."""
    from flask_migrate import downgrade, upgrade

    from eha import create_app

    def entered():
        with db.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text("SELECT seq, entered_at FROM case_moves ORDER BY seq"))]

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=scratch_url)
    with app.app_context():
        upgrade()
        lead, nurse, manager = team(app)
        first = case(lead, [nurse.agency], family="A", child=("Ann", "A", date(2015, 1, 1)), started=date.today())
        close_met(first, lead, manager, nurse)
        written = entered()
        assert len(written) == 6 and written[0][1] is None and all(row[1] is not None for row in written[1:])
        db.session.remove()
        downgrade(revision="0028_definition_translations")
        with db.engine.connect() as conn:
            assert "entered_at" not in [c["name"] for c in sa.inspect(conn).get_columns("case_moves")]
        upgrade()
        assert entered() == written
        db.session.remove()
        db.engine.dispose()
